"""Pages of the application log (employee, specialist, employer) and of Jobport, by page family:
``activities`` (one application), ``log`` (the log as a whole) and ``jobport``."""

from .activities import (
    STATUS_UNDO_KEY,
    activity_detail,
    activity_edit,
    activity_new,
    activity_status,
    activity_status_undo,
    evidence_add,
    evidence_download,
    status_undo_offer,
)
from .jobport import (
    from_vacancy,
    vacancy_edit,
    vacancy_import,
    vacancy_list,
)
from .log import (
    export_csv,
    mine,
    norm_edit,
    overview,
    temp_agency_new,
)

__all__ = [
    "STATUS_UNDO_KEY",
    "activity_detail",
    "activity_edit",
    "activity_new",
    "activity_status",
    "activity_status_undo",
    "evidence_add",
    "evidence_download",
    "export_csv",
    "from_vacancy",
    "mine",
    "norm_edit",
    "overview",
    "status_undo_offer",
    "temp_agency_new",
    "vacancy_edit",
    "vacancy_import",
    "vacancy_list",
]
