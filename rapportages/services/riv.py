"""The RIV check's exceptions: a specialist signs off why a rule does not apply to a file
(``riv_check``: UWV's fourth question, "is there a valid reason"), or withdraws it."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import access, medical, webhooks, writes
from portal.constants import AuditAction, WebhookEvent
from portal.models import User, WebhookEndpoint
from trajecten.constants import TrajectoryStatus
from trajecten.models import Trajectory

from .. import riv_facts
from ..constants import START_ONLY_REASONS, ValidReason
from ..models import RivException


@transaction.atomic
def riv_exception_sign(
    *,
    actor: User,
    trajectory: Trajectory,
    rule: str,
    subject: str = "",
    reason_kind: str = ValidReason.OTHER,
    reason: str,
    medical_confirmed: bool = False,
) -> RivException:
    """Sign off that the open finding (``rule``, ``subject``) of the trajectory's check today
    has a valid reason. The employer reads the reason, so medical words in it are named first
    (``portal.medical``). Only a finding the check shows can be signed off, once; the two
    reasons UWV names for a late 2e spoor only for that rule."""
    writes.allowed(access.can_sign_riv_exception(actor, trajectory))
    reason = reason.strip()
    if not reason:
        writes.refuse("reason", _("Write why this rule does not apply."))
    if reason_kind not in ValidReason.values:
        writes.refuse("reason_kind", _("Choose a reason from the list."))
    if reason_kind in START_ONLY_REASONS and rule != "second_track_late":
        writes.refuse("reason_kind", _("This reason only applies to a late start of the 2e spoor."))
    # One standing exception per finding: the trajectory's row is the lock two specialists
    # signing at once queue on.
    Trajectory.objects.select_for_update(of=("self",)).filter(pk=trajectory.pk).first()
    result = riv_facts.result(user=actor, trajectory=trajectory, on=timezone.localdate())
    finding = (
        next((f for f in result.findings if (f.rule, f.subject) == (rule, subject)), None)
        if result
        else None
    )
    if finding is None:
        writes.refuse(None, _("The RIV check does not show this finding (any more)."))
    if not finding.open:
        writes.refuse(None, _("A reason has already been signed off for this finding."))
    words = medical.medical_words(reason)
    medical.check(words, confirmed=medical_confirmed)
    exception = RivException.objects.create(
        trajectory=trajectory,
        rule=rule,
        subject=subject,
        reason_kind=reason_kind,
        reason=reason,
        signed_by=actor,
        signed_at=timezone.now(),
    )
    details = {"rule": rule, "subject": subject, "reason_kind": reason_kind}
    if words:
        details["medical_words_confirmed"] = words
    writes.record(AuditAction.CREATE, exception, actor=actor, details=details)
    return exception


@transaction.atomic
def riv_exception_withdraw(*, actor: User, exception: RivException) -> RivException:
    """Withdraw a signed-off reason: the finding is open again. The row stays, with who
    withdrew it and when."""
    exception = writes.fresh(exception, actor, lock=True)
    writes.allowed(access.can_sign_riv_exception(actor, exception.trajectory))
    if exception.withdrawn_at:
        writes.refuse(None, _("This reason was already withdrawn."))
    exception.withdrawn_at, exception.withdrawn_by = timezone.now(), actor
    exception.save(update_fields=["withdrawn_at", "withdrawn_by", "updated_at"])
    writes.record(
        AuditAction.UPDATE,
        exception,
        actor=actor,
        details={"rule": exception.rule, "subject": exception.subject, "withdrawn": True},
    )
    return exception


def riv_findings_tell(*, today: date) -> int:
    """Hourly (beat): tell each endpoint that subscribes to ``riv.findings_changed`` of every
    running trajectory its owner sees whose open findings differ from what it was told last
    (a repair, a reason signed off, a deadline passed). The first check after an endpoint is
    registered tells nothing (it learns the state; the API has it). Returns the deliveries
    made. Each endpoint in a transaction of its own, its row locked: two sweeps at once tell
    a change once."""
    event = WebhookEvent.RIV_FINDINGS_CHANGED
    active = WebhookEndpoint.objects.filter(is_active=True, owner__is_active=True)
    ids = [e.pk for e in active.only("events") if event in e.events]
    made = 0
    for pk in ids:
        with transaction.atomic():
            endpoint = (
                WebhookEndpoint.objects.select_for_update(of=("self",))
                .select_related("owner")
                .filter(pk=pk, is_active=True)
                .first()
            )
            if endpoint is not None:
                made += _tell_endpoint(endpoint, today=today)
    return made


def _tell_endpoint(endpoint: WebhookEndpoint, *, today: date) -> int:
    owner, before = endpoint.owner, endpoint.riv_state
    running = Trajectory.objects.visible_to(owner).exclude(status=TrajectoryStatus.ENDED)
    state, made = {}, 0
    for trajectory, result in riv_facts.checked(user=owner, trajectories=running, on=today):
        keys = sorted(
            f"{rule}:{subject}" if subject else rule for rule, subject in result.open_keys()
        )
        state[str(trajectory.uuid)] = keys
        if before is not None and before.get(str(trajectory.uuid), []) != keys:
            made += len(
                webhooks.tell(
                    WebhookEvent.RIV_FINDINGS_CHANGED,
                    trajectory,
                    endpoints=[endpoint],
                    riv=findings_data(result),
                )
            )
    endpoint.riv_state = state
    endpoint.save(update_fields=["riv_state"])
    return made


def findings_data(result) -> dict:
    """The check as a receiver reads it: facts and UWV's rule codes, no words."""
    return {
        "checked_on": result.on,
        "at_risk": result.at_risk,
        "repair_by": result.repair_by,
        "open": [
            {
                "rule": f.rule,
                "subject": f.subject,
                "code": f.code,
                "severity": str(f.severity),
                "question": str(f.question),
            }
            for f in result.open
        ],
    }
