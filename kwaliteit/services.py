"""Writes of the satisfaction survey: invitations at closing, an answer or a "no thanks" through
the signed link, and the one reminder.

The person answering has no login: the signed link is their key, as an invitation link is
(``survey_from_token``). It names the agency and the invitation's random UUID, nothing else:
no name, no address, no trajectory. Every write is a conditional UPDATE, so an answer counts
once even when the same form is sent twice at the same moment, and a reminder goes out once
even when two sweeps run."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import access, audit
from portal.constants import AuditAction

from .constants import COMMENT_MAX_LENGTH, QUESTIONS, REMINDER_AFTER_DAYS, SurveyParty
from .models import SurveyInvitation

TOKEN_SALT = "spoorboek.survey"  # noqa: S105 (names the signature, no secret)


class SurveyClosed(Exception):
    """The link cannot be used (any more); the message is shown to the visitor."""


# What a visitor is told, and nothing more: not whose survey it was, nor for which agency.
INVALID = gettext_lazy("This survey link is not valid. Check that you copied the whole link.")
EXPIRED = gettext_lazy("This survey link has expired. Thank you all the same.")
ANSWERED = gettext_lazy("This survey has already been answered. Thank you!")
DECLINED = gettext_lazy("You said no thanks to this survey; we will not ask again.")


def survey_token(invitation: SurveyInvitation) -> str:
    return signing.dumps([invitation.agency_id, invitation.uuid.hex], salt=TOKEN_SALT)


def survey_from_token(token: str, *, now: datetime) -> SurveyInvitation:
    """The invitation a signed link names, in the link's agency (``portal.tenancy``); raises
    ``SurveyClosed`` for a tampered, expired, answered or declined link."""
    from portal import tenancy

    try:
        agency_id, uuid_hex = signing.loads(token, salt=TOKEN_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise SurveyClosed(INVALID) from None
    tenancy.activate(agency_id)  # the link is the key to its agency's survey
    invitation = SurveyInvitation.objects.filter(agency_id=agency_id, uuid=uuid_hex).first()
    if invitation is None:  # signed but gone (the file was removed under retention)
        raise SurveyClosed(INVALID)
    closed = closed_reason(invitation, now=now)
    if closed:
        raise SurveyClosed(closed)
    return invitation


def closed_reason(invitation: SurveyInvitation, *, now: datetime):
    if invitation.answered_at:
        return ANSWERED
    if invitation.declined_at:
        return DECLINED
    if invitation.expires_at <= now:
        return EXPIRED
    return None


def _close_once(invitation: SurveyInvitation, now: datetime, action, details: dict, **changes):
    """Write ``changes`` only while the link is still open (a conditional UPDATE: of two sends
    at the same moment one wins), or say why it closed; audited without naming whose."""
    still_open = SurveyInvitation.objects.filter(
        pk=invitation.pk, answered_at__isnull=True, declined_at__isnull=True, expires_at__gt=now
    )
    if not still_open.update(**changes):
        invitation.refresh_from_db()
        raise SurveyClosed(closed_reason(invitation, now=now) or EXPIRED)
    audit.record(
        action,
        agency_id=invitation.agency_id,
        object_type="surveyresponse",
        details={"party": invitation.party, **details},
        anonymous=True,
    )


# --- At closing -------------------------------------------------------------------------------


def _people_to_ask(trajectory) -> list[tuple[str, object, str, str]]:
    """(party, user, address, language) of everyone asked about a closed trajectory: the
    employee (their login's address, else the address on file) and every active employer
    contact who sees its BV. Someone without an address cannot be asked; the results page
    counts the closed trajectories nobody of a party could be asked about."""
    people = []
    employee, login = trajectory.employee, trajectory.employee.user
    if login is not None:
        if login.is_active and login.email:
            people.append((SurveyParty.EMPLOYEE, login, login.email, login.language))
    elif employee.email:
        people.append((SurveyParty.EMPLOYEE, None, employee.email, trajectory.guidance_language))
    for contact in access.employer_contacts_of(trajectory):
        people.append((SurveyParty.EMPLOYER, contact, contact.email, contact.language))
    return people


@transaction.atomic
def surveys_invite(*, actor, trajectory, now: datetime) -> list[SurveyInvitation]:
    """Called by ``trajecten.services.closing.trajectory_close`` in its transaction (explicitly, no
    signal): one invitation per person asked, emailed after the commit. Runs once per
    trajectory and address (a unique constraint)."""
    expires_at = now + timedelta(days=trajectory.agency.survey_valid_days)
    invitations, seen = [], set()
    for party, user, email, language in _people_to_ask(trajectory):
        if email.lower() in seen:
            continue
        seen.add(email.lower())
        invitation, created = SurveyInvitation.objects.get_or_create(
            trajectory=trajectory,
            email=email,
            defaults={
                "agency_id": trajectory.agency_id,
                "party": party,
                "user": user,
                "language": language or settings.LANGUAGE_CODE,
                "expires_at": expires_at,
            },
        )
        if created:
            invitations.append(invitation)
    if invitations:
        audit.record(
            AuditAction.CREATE,
            trajectory,
            actor=actor,
            object_type="surveyinvitation",
            details={"survey_invitations": len(invitations)},
        )
        _send_on_commit([i.pk for i in invitations], trajectory.agency_id, reminder=False)
    return invitations


def _send_on_commit(ids: list[int], agency_id: int, *, reminder: bool) -> None:
    from .tasks import send_survey

    def queue() -> None:
        for pk in ids:
            send_survey.delay(pk, agency_id=agency_id, reminder=reminder)

    transaction.on_commit(queue, robust=True)


# --- Through the link -------------------------------------------------------------------------


def _ratings(values: dict) -> dict[str, int]:
    errors, ratings = {}, {}
    for question in QUESTIONS:
        value = values.get(question)
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if number is None or not 1 <= number <= 10:
            errors[question] = _("Choose a mark from 1 to 10.")
        else:
            ratings[question] = number
    if errors:
        raise ValidationError(errors)
    return ratings


@transaction.atomic
def survey_answer(
    *,
    invitation: SurveyInvitation,
    guidance,
    communication,
    result,
    comment: str = "",
    now: datetime,
) -> None:
    """Record the answer, once. Audited without naming whose answer it was: the agency learns
    what was answered only as an aggregate, never from the trail."""
    ratings = _ratings({"guidance": guidance, "communication": communication, "result": result})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"comment": _("Keep the comment under %(n)d characters.") % {"n": COMMENT_MAX_LENGTH}}
        )
    _close_once(
        invitation, now, AuditAction.CREATE, {}, answered_at=now, comment=comment, **ratings
    )


@transaction.atomic
def survey_decline(*, invitation: SurveyInvitation, now: datetime) -> None:
    """ "No thanks": no reminder, and the link closes. Counts as asked, not as answered."""
    _close_once(invitation, now, AuditAction.UPDATE, {"declined": True}, declined_at=now)


# --- The reminder (beat) ------------------------------------------------------------------------


def survey_reminders_send(*, now: datetime) -> int:
    """The one reminder, REMINDER_AFTER_DAYS after the invitation, to whoever neither answered
    nor declined while the link still works for a few days. Each is claimed with a
    conditional UPDATE before it is queued, so two sweeps never send it twice. A task of the
    platform (beat), so no actor."""
    due = SurveyInvitation.objects.filter(
        sent_at__lte=now - timedelta(days=REMINDER_AFTER_DAYS),
        answered_at__isnull=True,
        declined_at__isnull=True,
        reminded_at__isnull=True,
        expires_at__gt=now + timedelta(days=1),
    ).values_list("pk", "agency_id")
    claimed = 0
    for pk, agency_id in list(due):
        if SurveyInvitation.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
            claimed += 1
            _send_on_commit([pk], agency_id, reminder=True)
    return claimed


def survey_sent(*, invitation_id: int, now: datetime) -> None:
    """The first email went out (the task records it only after sending)."""
    SurveyInvitation.objects.filter(pk=invitation_id, sent_at__isnull=True).update(sent_at=now)
