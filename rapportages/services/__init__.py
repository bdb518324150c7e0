"""Reports: scheduling, signing, rendering, correcting, notifying, bundling.

One module per part of a report's life: ``schedule``, ``checks``, ``writing``, ``responses``,
``rendering``, ``notices``, ``bundle`` and ``riv`` (the RIV check's exceptions); every service
is read from here
(``services.report_sign``)."""

from .bundle import (
    bundle_build,
    bundle_request,
)
from .checks import (
    NARRATIVE_FIELDS,
    REQUIRED_TO_SIGN,
    current_responses,
    respondents,
    response_deadline,
    response_problems,
    review_content,
    sign_problems,
    text_problems,
    window_ends_late,
)
from .notices import (
    REMINDER_FIELDS,
    reminder_send,
    reminders_due,
    report_final_notice,
    report_offered_notice,
    report_readers,
    report_writers,
)
from .rendering import (
    RENDER_GRACE,
    report_render,
    report_render_failed,
    reports_pending_render,
)
from .responses import (
    report_offer,
    report_respond,
    report_withdraw,
    response_askees,
)
from .riv import (
    riv_exception_sign,
    riv_exception_withdraw,
    riv_findings_tell,
)
from .schedule import (
    reports_schedule,
)
from .sms_reminders import sms_reminders_queue
from .writing import (
    employee_view_set,
    report_approve,
    report_correct,
    report_preview,
    report_reject,
    report_save,
    report_sign,
    report_starting_text,
    snapshot_for,
)

__all__ = [
    "NARRATIVE_FIELDS",
    "REMINDER_FIELDS",
    "RENDER_GRACE",
    "REQUIRED_TO_SIGN",
    "bundle_build",
    "bundle_request",
    "current_responses",
    "employee_view_set",
    "reminder_send",
    "reminders_due",
    "report_approve",
    "report_correct",
    "report_final_notice",
    "report_offer",
    "report_offered_notice",
    "report_preview",
    "report_readers",
    "report_reject",
    "report_render",
    "report_render_failed",
    "report_respond",
    "report_save",
    "report_sign",
    "report_starting_text",
    "report_withdraw",
    "report_writers",
    "reports_pending_render",
    "reports_schedule",
    "respondents",
    "response_askees",
    "response_deadline",
    "response_problems",
    "review_content",
    "riv_exception_sign",
    "riv_exception_withdraw",
    "riv_findings_tell",
    "sign_problems",
    "sms_reminders_queue",
    "snapshot_for",
    "text_problems",
    "window_ends_late",
]
