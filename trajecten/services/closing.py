"""Closing a trajectory: the one place where the file's apps work together.

Closing is ``trajecten``'s write, and it is the one that reaches up into the apps that build
on the file: the final report is drafted (``rapportages``) and the satisfaction survey goes
out (``kwaliteit``), both called explicitly here, never through a signal. The import contract
(``pyproject.toml``, ``[tool.importlinter]``) names this module as the exception that lets
``trajecten`` import them.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kwaliteit.services import surveys_invite
from portal import access, medical, tenancy, webhooks, writes
from portal.constants import AuditAction, WebhookEvent
from portal.models import User
from rapportages.services import reports_schedule

from ..constants import ClosingReason, TrajectoryStatus
from ..models import Trajectory


@transaction.atomic
def trajectory_close(
    *,
    actor: User,
    trajectory: Trajectory,
    closing_reason: str,
    end_date: date,
    closing_note="",
    medical_confirmed: bool = False,
) -> Trajectory:
    """End the trajectory with a reason from the controlled list. Its final report (or the
    feasibility advice) is drafted at once, after the commit, and the employee and the
    employer's contacts are asked to the satisfaction survey (``kwaliteit``)."""
    writes.allowed(access.can_edit_trajectory(actor, trajectory))
    trajectory = writes.fresh(trajectory, actor, lock=True)
    if trajectory.is_ended:
        raise ValidationError(_("This trajectory has already ended."))
    if closing_reason not in ClosingReason.values:
        writes.refuse("closing_reason", _("Choose a closing reason from the list."))
    closing_note = (closing_note or "").strip()
    if closing_reason == ClosingReason.OTHER and not closing_note:
        writes.refuse("closing_note", _("Explain the reason when you choose 'other'."))
    if trajectory.start_date and end_date < trajectory.start_date:
        writes.refuse("end_date", _("The end lies before the start."))
    words = medical.medical_words(closing_note)  # the employer reads it, and the final report
    medical.check(words, confirmed=medical_confirmed)
    if words:
        writes.record(AuditAction.UPDATE, trajectory, actor=actor,
                     details={"medical_words_confirmed": words})  # fmt: skip
    trajectory.status = TrajectoryStatus.ENDED
    trajectory.closing_reason = closing_reason
    trajectory.closing_note = closing_note
    trajectory.end_date = end_date
    trajectory.save()
    writes.record(AuditAction.UPDATE, trajectory, actor=actor, details={"closed": closing_reason})
    _draft_final_report_on_commit(trajectory)
    surveys_invite(actor=actor, trajectory=trajectory, now=timezone.now())
    # The reason's code, never the note (free text, which may hold what an employer's
    # system should not store).
    webhooks.tell(
        WebhookEvent.TRAJECTORY_CLOSED, trajectory, end_date=end_date, closing_reason=closing_reason
    )
    return trajectory


def _draft_final_report_on_commit(trajectory: Trajectory) -> None:
    """The reports module drafts the final report; called here, not through a signal. After
    the commit the request's agency no longer holds, so the call sets it again."""
    trajectory_id, agency_id = trajectory.pk, trajectory.agency_id

    def draft() -> None:
        with tenancy.scope(agency_id):
            reports_schedule(today=timezone.localdate(), trajectory_ids=[trajectory_id])

    transaction.on_commit(draft, robust=True)
