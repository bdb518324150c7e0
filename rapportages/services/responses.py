"""Giving a report out to read: the employee (and for a plan the employer) respond to the exact
text."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import access, medical, writes
from portal.constants import AuditAction
from portal.models import Notification, User

from .. import content, narrative
from ..constants import (
    Decision,
    Party,
    ReportStatus,
)
from ..models import Report, ReportResponse
from .checks import NARRATIVE_FIELDS, current_responses, respondents, review_content, text_problems


@transaction.atomic
def report_offer(
    *,
    actor: User,
    report: Report,
    medical_confirmed: bool = False,
    figures_confirmed: bool = False,
    response_days: int | None = None,
) -> Report:
    """Give a complete draft to the employee (and for a plan the employer) to read and
    respond. The text is frozen with its hash; while it is out it cannot change. Its narrative
    reaches the employer once final, so medical words in it are named first and the writer
    rephrases or confirms (``portal.medical``; the confirmation is audited). So are numbers in
    the narrative that name a figure of the report and differ from it (``narrative``;
    ``figures_confirmed``, audited): the text is fixed here, the first step of signing.
    ``response_days``
    shortens the agency's days to respond for this report (so the window can end by the due
    date: ``window_ends_late``)."""
    writes.allowed(access.can_write_reports(actor, report.trajectory))
    locked = writes.fresh(report, actor, lock=True)
    most = locked.agency.response_days
    if response_days is not None and not 1 <= response_days <= most:
        writes.refuse(
            "response_days",
            _("Choose fewer days to respond than the agency gives (%(n)s), and at least 1.")
            % {"n": most},
        )
    if locked.status != ReportStatus.DRAFT:
        raise ValidationError(_("This report has already been signed."))
    if locked.review_requested_at:
        raise ValidationError(_("The report is already out for a response."))
    if problems := text_problems(locked, for_signing=False):
        raise problems
    words = medical.medical_words(
        *(getattr(locked, name) for name in (*NARRATIVE_FIELDS, "correction_note"))
    )
    medical.check(words, confirmed=medical_confirmed)
    if words:
        writes.record(AuditAction.UPDATE, locked, actor=actor,
                     details={"medical_words_confirmed": words})  # fmt: skip
    review = review_content(locked, day=timezone.localdate())
    if differ := narrative.mismatches(review["narrative"], review):
        if not figures_confirmed:
            raise ValidationError(
                {**differ, "figures_confirmed": _(
                    "The text names figures that differ from the report's. Correct it, or "
                    "tick the box to keep it as it is."
                )}
            )  # fmt: skip
        writes.record(AuditAction.UPDATE, locked, actor=actor,
                     details={"narrative_figures_confirmed": differ})  # fmt: skip
    locked.review_snapshot = review
    locked.review_sha256 = content.digest(locked.review_snapshot)
    locked.review_requested_at = timezone.now()
    locked.response_days = response_days
    locked.save(update_fields=["review_snapshot", "review_sha256", "review_requested_at",
                               "response_days", "updated_at"])  # fmt: skip
    writes.record(AuditAction.UPDATE, locked, actor=actor,
                 details={"offered": locked.review_sha256})  # fmt: skip
    from ..tasks import notify_report_offered

    # A text offered again unchanged (taken back, then offered as it was) keeps the responses
    # given to it (``current_responses``): whose party answered is not asked again.
    answered = current_responses(locked)
    for user in response_askees(locked):
        if _party_of(user) in answered:
            continue
        transaction.on_commit(
            lambda user_id=user.pk: notify_report_offered.delay(
                locked.pk, user_id, agency_id=locked.agency_id
            ),
            robust=True,
        )
    return locked


@transaction.atomic
def report_withdraw(*, actor: User, report: Report) -> Report:
    """Take a report back to change its text. The responses given stay on record, tied to
    the text they were about; the next round asks again."""
    writes.allowed(access.can_write_reports(actor, report.trajectory))
    locked = writes.fresh(report, actor, lock=True)
    if locked.status != ReportStatus.DRAFT or not locked.review_requested_at:
        raise ValidationError(_("The report is not out for a response."))
    old = locked.review_sha256
    locked.review_snapshot, locked.review_sha256, locked.review_requested_at = {}, "", None
    locked.save(update_fields=["review_snapshot", "review_sha256", "review_requested_at",
                               "updated_at"])  # fmt: skip
    writes.record(AuditAction.UPDATE, locked, actor=actor, details={"withdrawn": old})
    return locked


def _party_of(user: User) -> str:
    return Party.EMPLOYEE if access.is_employee(user) else Party.EMPLOYER


def response_askees(report: Report) -> list[User]:
    """The people asked to respond: the employee (with a login) and, for a plan, the employer
    contacts of its BV."""
    t = report.trajectory
    people = []
    if t.employee.user_id and t.employee.user.is_active:
        people.append(t.employee.user)
    if Party.EMPLOYER in respondents(report):
        people.extend(access.employer_contacts_of(t))
    return people


@transaction.atomic
def report_respond(
    *,
    actor: User,
    report: Report,
    decision: str,
    reason: str = "",
    content_sha256: str,
    authenticated_by: str,
    medical_confirmed: bool = False,
) -> ReportResponse:
    """The employee's (or, for a plan, the employer's) signed response to the text that is
    out: agree, or disagree with a reason. ``content_sha256`` is the hash of the text the
    person read; if the text changed meanwhile, nothing is recorded. A response never
    changes."""
    party = access.report_party(actor, report)
    writes.allowed(party is not None)
    locked = writes.fresh(report, actor, lock=True)
    if locked.status != ReportStatus.DRAFT or not locked.review_requested_at:
        raise ValidationError(_("This report is not waiting for your response."))
    if content_sha256 != locked.review_sha256:
        raise ValidationError(
            _("The report changed while you were reading it. Read it again, then respond.")
        )
    if decision not in Decision.values:
        writes.refuse("decision", _("Choose whether you agree."))
    reason = (reason or "").strip()
    if decision == Decision.DISAGREE and not reason:
        writes.refuse("reason", _("Say in your own words why you do not agree."))
    # The employer reads the response in the report: medical words are named first.
    words = medical.medical_words(reason)
    medical.check(words, confirmed=medical_confirmed)
    if locked.responses.filter(party=party, content_sha256=content_sha256).exists():
        raise ValidationError(_("A response to this text has already been given."))
    response = ReportResponse.objects.create(
        agency_id=locked.agency_id,
        report=locked,
        party=party,
        user=actor,
        decision=decision,
        reason=reason,
        content_sha256=content_sha256,
        authenticated_by=authenticated_by[:100],
    )
    details = {"response": decision, "party": party, "sha256": content_sha256,
               **({"medical_words_confirmed": words} if words else {})}  # fmt: skip
    writes.record(AuditAction.CREATE, locked, actor=actor, details=details)
    # The notice that asked for this response has been answered: it no longer waits.
    Notification.objects.filter(
        user=actor, read_at__isnull=True, url=reverse("rapportages:detail", args=[locked.uuid])
    ).update(read_at=timezone.now())
    return response
