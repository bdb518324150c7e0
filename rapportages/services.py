"""Reports: scheduling, signing, rendering, correcting, notifying, bundling."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal import access, live, medical, notices, tenancy, writes
from portal.constants import AuditAction
from portal.models import Notification, User
from trajecten.constants import MemberRole, TrajectoryStatus
from trajecten.models import SearchProfile, Trajectory

from . import content, inbox, narrative, pdf
from .constants import (
    DRAFT_LEAD_DAYS,
    REMINDER_DAYS,
    BundleStatus,
    Decision,
    Party,
    ReportKind,
    ReportStatus,
)
from .models import BundleJob, Report, ReportResponse
from .schedule import trajectory_reports_due

# --- Scheduling -------------------------------------------------------------------------------


def reports_schedule(*, today: date, trajectory_ids=None) -> int:
    """Create every draft that has fallen due and does not exist yet; returns how many.

    Derived from the database each run, so missed days are caught up. Safe to run twice or
    concurrently: existing keys are skipped and the unique constraint drops any race."""
    trajectories = (
        Trajectory.objects.filter(start_date__isnull=False)
        .exclude(status=TrajectoryStatus.REFERRED)
        .select_related("product")
        .only("id", "agency_id", "start_date", "intake_date", "end_date", "status",
              "product__kind")
    )  # fmt: skip
    existing = Report.objects.filter(version=1)
    if trajectory_ids is not None:
        trajectories = trajectories.filter(pk__in_list=trajectory_ids)
        existing = existing.filter(trajectory_id__in_list=trajectory_ids)
    existing = set(existing.values_list("trajectory_id", "kind", "number"))
    new = []
    for t in trajectories.iterator(chunk_size=2000):
        for due in trajectory_reports_due(t, today=today, lead_days=DRAFT_LEAD_DAYS):
            if (t.pk, due.kind, due.number) in existing:
                continue
            new.append(
                Report(
                    trajectory_id=t.pk,
                    agency_id=t.agency_id,
                    kind=due.kind,
                    number=due.number,
                    period_start=due.period_start,
                    period_end=due.period_end,
                    due_date=due.due_date,
                )
            )
    created = Report.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    # A bulk insert sends no signals: the open dashboards are told here, in one query.
    live.bump_trajectories(t.trajectory_id for t in created)
    tenancy.analyze_after_bulk(Report, rows=len(created))  # a catch-up loads thousands
    return len(created)


# --- Writing and signing ----------------------------------------------------------------------


#: The narrative a specialist writes.
NARRATIVE_FIELDS = ("progress", "results", "obstacles", "evaluation", "next_steps")

#: What must be written before a report of each kind is signed (domain.md section 5).
REQUIRED_TO_SIGN = {
    ReportKind.TRAJECTORY_PLAN: ("evaluation", "next_steps"),
    ReportKind.PROGRESS: ("progress", "evaluation", "next_steps"),
    ReportKind.FINAL: ("results", "evaluation", "next_steps"),
    ReportKind.FEASIBILITY_ADVICE: ("evaluation", "next_steps"),
}


@transaction.atomic
def report_save(*, actor: User, report: Report, **fields) -> Report:
    """The specialist's part of a draft: the narrative (progress, results, obstacles,
    evaluation, next steps; for a correction what it corrects) and ``discussed_on``, the day it
    was discussed with the employee. Only the fields given change (an API PATCH sends one). A
    signed report never changes."""
    writes.allowed(access.can_write_reports(actor, report.trajectory))
    report = writes.fresh(report, actor, lock=True)
    if report.is_frozen:
        raise ValidationError(_("A signed report cannot be changed: make a correction."))
    allowed = {
        *NARRATIVE_FIELDS,
        "discussed_on",
        *(("correction_note",) if report.supersedes_id else ()),
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in unknown})
    if report.review_requested_at and any(
        (fields[name] or "").strip() != getattr(report, name)
        for name in fields
        if name != "discussed_on"
    ):
        raise ValidationError(
            _(
                "The report is out for a response: take it back first to change the text "
                "(the response is then asked again)."
            )
        )
    discussed_on = fields.get("discussed_on")
    if discussed_on and discussed_on > timezone.localdate():
        writes.refuse("discussed_on", _("The date cannot lie in the future."))
    if (
        discussed_on
        and report.kind in (ReportKind.PROGRESS, ReportKind.FINAL)
        and discussed_on < report.period_start
    ):
        writes.refuse("discussed_on", _("The date lies before the period of the report."))
    changes = {
        name: value if name == "discussed_on" else (value or "").strip()
        for name, value in fields.items()
    }
    changed = writes.apply(report, changes)
    writes.saved(report, actor=actor, changed=changed, creating=False)
    return report


def text_problems(report: Report, *, for_signing: bool = True) -> ValidationError | None:
    """What is missing from the text, field by field (``None`` when nothing is): UWV reads
    every block, so it must be there before the report goes out for a response or is signed.
    The day it was discussed with the employee is needed for signing only."""
    problems: dict[str, list] = {}
    required = REQUIRED_TO_SIGN.get(report.kind, ("evaluation", "next_steps"))
    for name in (*required, *(("correction_note",) if report.supersedes_id else ())):
        if not getattr(report, name).strip():
            problems[name] = [_("Write this part before signing.")]
    if for_signing and report.discussed_on is None:
        problems["discussed_on"] = [
            _("Fill in when you discussed the report with the employee before signing.")
        ]
    if report.kind in (ReportKind.TRAJECTORY_PLAN, ReportKind.PROGRESS):
        t = report.trajectory
        general = []
        if not SearchProfile.objects.filter(
            trajectory=t, valid_from__lte=report.period_end
        ).exists():
            general.append(
                _("Record the search profile (agreed before the end of the period) first.")
            )
        if not (t.referral_basis and t.referral_advice_date):
            general.append(
                _("Record who advised the referral and when (trajectory details) first.")
            )
        if general:
            problems["__all__"] = general
    return ValidationError(problems) if problems else None


def respondents(report: Report) -> list[str]:
    """Who responds before the specialist signs: the employee, and for the plan the employer
    as the commissioning party (domain.md §5, Signing)."""
    if report.kind == ReportKind.TRAJECTORY_PLAN:
        return [Party.EMPLOYEE, Party.EMPLOYER]
    return [Party.EMPLOYEE]


def window_ends_late(report: Report, *, today) -> bool:
    """Offered today with the agency's days to respond, the window would end after the due
    date: the report would be late unless everyone responds sooner."""
    return today + timedelta(days=report.agency.response_days) > report.due_date


def response_deadline(report: Report):
    """Until when the specialist waits for the responses (the agency's number of days)."""
    if not report.review_requested_at:
        return None
    return report.review_requested_at + timedelta(days=report.days_to_respond)


def current_responses(report: Report) -> dict[str, ReportResponse]:
    """The responses to the text that is out now, by party."""
    if not report.review_sha256:
        return {}
    return {
        r.party: r
        for r in report.responses.filter(content_sha256=report.review_sha256).select_related("user")
    }


def response_problems(report: Report, *, now=None) -> list[str]:
    """What the specialist still waits for before signing."""
    if not report.review_requested_at:
        return [_("Give the report to the employee to read and respond first.")]
    now = now or timezone.now()
    deadline = response_deadline(report)
    answered = current_responses(report)
    waiting = [party for party in respondents(report) if party not in answered]
    if waiting and now < deadline:
        day = date_format(timezone.localtime(deadline), "DATE_FORMAT")
        return [
            _("Waiting for the response of the employee until %(day)s.") % {"day": day}
            if party == Party.EMPLOYEE
            else _("Waiting for the employer to sign the plan until %(day)s.") % {"day": day}
            for party in waiting
        ]
    return []


def sign_problems(report: Report) -> ValidationError | None:
    """Everything that stops a report from being signed: the text (at its fields) and the
    responses (general)."""
    text = text_problems(report)
    waiting = response_problems(report)
    if not waiting:
        return text
    problems = dict(text.error_dict) if text else {}
    problems["__all__"] = [*problems.get("__all__", []), *waiting]
    return ValidationError(problems)


def review_content(report: Report, *, day: date) -> dict:
    """The text a report goes out with: the blocks from the file as of ``day`` and the
    narrative. This is what the employee (and the employer) read, hash and respond to."""
    return {
        **content.build(report, today=day),
        "narrative": {
            "progress": report.progress,
            "results": report.results,
            "obstacles": report.obstacles,
            "evaluation": report.evaluation,
            "next_steps": report.next_steps,
            "correction_note": report.correction_note,
        },
    }


def snapshot_for(report: Report, *, signer: User, day: date) -> dict:
    """Everything the PDF shows, as it will be frozen when ``signer`` signs on ``day``: the
    preview is rendered from exactly this, so what the specialist reads is what is signed.
    Once the report went out for a response, its content is the text the respondents read
    (figures as of that day), with their responses; before, it is built afresh."""
    base = report.review_snapshot or review_content(report, day=day)
    answered = current_responses(report)
    deadline = response_deadline(report)
    return {
        **base,
        "narrative": {**base["narrative"], "discussed_on": content.day_label(report.discussed_on)},
        "review": {
            "sha256": report.review_sha256,
            "date": content.day_label(timezone.localdate(report.review_requested_at))
            if report.review_requested_at
            else "",
            "days": report.days_to_respond,
            "deadline": content.day_label(timezone.localdate(deadline)) if deadline else "",
        },
        "responses": [
            _response_dict(answered[party], party)
            if party in answered
            else {"party": party, "missing": True}
            for party in respondents(report)
        ],
        "employee_view": {
            "text": report.employee_view,
            "date": content.day_label(report.employee_view_at.date())
            if report.employee_view_at
            else "",
        },
        "signature": {
            "name": signer.get_full_name(),
            "role": content.SPECIALIST_ROLE,
            "agency": report.trajectory.agency.name,
            "date": content.day_label(day),
        },
    }


def _response_dict(response: ReportResponse, party: str) -> dict:
    with translation.override("nl"):
        return {
            "party": party,
            "name": response.user.get_full_name(),
            "decision": response.decision,
            "decision_label": "Akkoord" if response.decision == Decision.AGREE else "Niet akkoord",
            "reason": response.reason,
            "at": content.day_label(timezone.localdate(response.created_at))
            + timezone.localtime(response.created_at).strftime(", %H:%M"),
            "authenticated_by": response.authenticated_by,
            "sha256": response.content_sha256,
        }


def report_preview(*, actor: User, report: Report) -> bytes:
    """The PDF as it would be if the actor signed now; nothing is stored."""
    writes.allowed(access.can_write_reports(actor, report.trajectory))
    snapshot = snapshot_for(report, signer=actor, day=timezone.localdate())
    _html, data = pdf.render_to_pdf(
        "rapportages/pdf/report.html",
        {"report": report, "s": snapshot, "logo": pdf.logo_data_uri(report.agency),
         "preview": True},
    )  # fmt: skip
    return data


def report_starting_text(*, actor: User, report: Report) -> str:
    """A first "voortgang" from the period's own figures as of today (``narrative``), for a
    writer of the report's draft; nothing is stored."""
    writes.allowed(access.can_write_reports(actor, report.trajectory) and not report.is_frozen)
    return narrative.starting_text(content.build(report, today=timezone.localdate()))


@transaction.atomic
def report_sign(*, actor: User, report: Report, confirmed: bool) -> Report:
    """Freeze the content as the snapshot and queue the PDF. Only a complete draft can be
    signed (``sign_problems``), by one of the trajectory's specialists, who ``confirmed``
    they read the preview of exactly this PDF (the page's box, the API's ``confirm``)."""
    writes.allowed(access.can_write_reports(actor, report.trajectory))
    if not confirmed:
        writes.refuse("confirm", _("Confirm that you read the preview before signing."))
    locked = writes.fresh(report, actor, lock=True)
    if locked.status != ReportStatus.DRAFT:
        raise ValidationError(_("This report has already been signed."))
    if problems := sign_problems(locked):
        raise problems
    locked.snapshot = snapshot_for(locked, signer=actor, day=timezone.localdate())
    locked.signed_by = actor
    locked.signed_at = timezone.now()
    if locked.agency.four_eyes:
        locked.status = ReportStatus.APPROVAL
        locked.save()
        writes.record(AuditAction.UPDATE, locked, actor=actor, details={"signed": True})
        _notify_approvers(locked)  # in-app notices are rows of this same write
        return locked
    locked.status = ReportStatus.SIGNED
    locked.save()
    writes.record(AuditAction.UPDATE, locked, actor=actor, details={"signed": True})
    _queue_render(locked)
    return locked


def _queue_render(report: Report) -> None:
    live.bump_trajectory(report.trajectory)
    from .tasks import render_report

    transaction.on_commit(
        lambda: render_report.delay(report.pk, agency_id=report.agency_id), robust=True
    )


# --- Responses: the employee (and for a plan the employer) read and respond -------------------


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
    from .tasks import notify_report_offered

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


# --- Four-eyes --------------------------------------------------------------------------------


def _notify_approvers(report: Report) -> None:
    url = reverse("rapportages:detail", args=[report.uuid])
    for user in access.report_approvers(report):
        inbox.send(report=report, user=user, message="approve", url=url)


@transaction.atomic
def report_approve(*, actor: User, report: Report) -> Report:
    """The second pair of eyes: another specialist of the trajectory or an agency admin, never
    the one who signed. The approval is printed with the signature; the PDF follows."""
    writes.allowed(access.can_approve_report(actor, report))
    locked = writes.fresh(report, actor, lock=True)
    if locked.status != ReportStatus.APPROVAL:
        raise ValidationError(_("This report is not waiting for approval."))
    if locked.signed_by_id == actor.pk:
        raise ValidationError(_("Someone other than the signer approves the report."))
    locked.approved_by, locked.approved_at = actor, timezone.now()
    locked.snapshot = {
        **locked.snapshot,
        "approval": {"name": actor.get_full_name(),
                     "date": content.day_label(timezone.localdate())},
    }  # fmt: skip
    locked.status = ReportStatus.SIGNED
    locked.save()
    writes.record(AuditAction.UPDATE, locked, actor=actor, details={"approved": True})
    _queue_render(locked)
    return locked


@transaction.atomic
def report_reject(*, actor: User, report: Report, reason: str) -> Report:
    """Send a signed report back to its writer with the reason; it is a draft again (the
    responses to its text still count while the text stays the same)."""
    writes.allowed(access.can_approve_report(actor, report))
    reason = (reason or "").strip()
    if not reason:
        writes.refuse("reason", _("Say what must change."))
    locked = writes.fresh(report, actor, lock=True)
    if locked.status != ReportStatus.APPROVAL:
        raise ValidationError(_("This report is not waiting for approval."))
    if locked.signed_by_id == actor.pk:
        raise ValidationError(_("Someone other than the signer approves the report."))
    signer = locked.signed_by
    locked.status, locked.snapshot, locked.signed_by, locked.signed_at = (
        ReportStatus.DRAFT, {}, None, None,
    )  # fmt: skip
    locked.save()
    writes.record(AuditAction.UPDATE, locked, actor=actor, details={"rejected": reason})
    url = reverse("rapportages:detail", args=[locked.uuid])
    inbox.send(report=locked, user=signer, message="sent_back", url=url, reason=reason[:200])
    return locked


def report_render(*, report_id: int) -> Report | None:
    """Render the PDF of a signed report, once. Called by the task; returns None when there is
    nothing (left) to do."""
    report = (
        Report.objects.select_related("trajectory__agency", "trajectory__employee")
        .filter(pk=report_id, status=ReportStatus.SIGNED)
        .first()
    )
    if report is None:
        return None
    _html, data = pdf.render_to_pdf(
        "rapportages/pdf/report.html",
        {"report": report, "s": report.snapshot, "logo": pdf.logo_data_uri(report.agency)},
    )
    with transaction.atomic():
        claimed = (
            Report.objects.select_for_update()
            .filter(pk=report.pk, status=ReportStatus.SIGNED)
            .first()
        )
        if claimed is None:  # another worker finished it meanwhile
            return None
        claimed.pdf.save(f"{claimed.uuid}.pdf", ContentFile(data), save=False)
        claimed.pdf_sha256 = pdf.sha256(data)
        claimed.pdf_error = ""
        claimed.status = ReportStatus.FINAL
        claimed.finalized_at = timezone.now()
        claimed.save()
        if claimed.supersedes_id:
            Report.objects.filter(pk=claimed.supersedes_id).update(status=ReportStatus.SUPERSEDED)
        live.bump_trajectory(claimed.trajectory)  # final (and the old one superseded)
        from .tasks import notify_report_final

        transaction.on_commit(
            lambda: notify_report_final.delay(claimed.pk, agency_id=claimed.agency_id), robust=True
        )
    return claimed


#: A signed report still without its PDF after this long lost its render (a worker died, the
#: broker lost the message): the sweeper queues it again. Longer than a render may take.
RENDER_GRACE = timedelta(minutes=10)


def reports_pending_render(*, now, grace: timedelta = RENDER_GRACE) -> list[tuple[int, int]]:
    """(id, agency id) of the signed reports whose PDF should have been rendered by now and did
    not fail (a failing render retries by itself, showing its error). Rendering claims the
    report with a lock and a status check, so queueing one twice renders it once."""
    return list(
        Report.objects.filter(status=ReportStatus.SIGNED, signed_at__lt=now - grace, pdf_error="")
        .order_by("id")
        .values_list("id", "agency_id")
    )


def report_render_failed(*, report_id: int, error: str) -> None:
    Report.objects.filter(pk=report_id, status=ReportStatus.SIGNED).update(pdf_error=error[:500])


@transaction.atomic
def report_correct(*, actor: User, report: Report) -> Report:
    """A correction of a final report: a new draft version with the same narrative; the final
    one stays until the correction is final, then it is marked superseded."""
    writes.allowed(access.can_write_reports(actor, report.trajectory))
    report = writes.fresh(report, actor, lock=True)
    if report.status != ReportStatus.FINAL:
        raise ValidationError(_("Only a final report can be corrected."))
    if Report.objects.filter(supersedes=report).exists():
        raise ValidationError(_("A correction of this report already exists."))
    latest = (
        Report.objects.filter(trajectory=report.trajectory, kind=report.kind, number=report.number)
        .order_by("-version")
        .first()
    )
    correction = Report.objects.create(
        trajectory=report.trajectory,
        agency_id=report.agency_id,
        kind=report.kind,
        number=report.number,
        version=latest.version + 1,
        supersedes=report,
        period_start=report.period_start,
        period_end=report.period_end,
        due_date=report.due_date,
        progress=report.progress,
        results=report.results,
        obstacles=report.obstacles,
        evaluation=report.evaluation,
        next_steps=report.next_steps,
        employee_view=report.employee_view,
        employee_view_at=report.employee_view_at,
    )
    writes.record(
        AuditAction.CREATE, correction, actor=actor, details={"corrects": str(report.uuid)}
    )
    return correction


@transaction.atomic
def employee_view_set(
    *, actor: User, report: Report, employee_view: str, medical_confirmed: bool = False
) -> Report:
    """The employee's later view on a final report: kept with the report (shown on its page
    and printed in the UWV file), while the PDF never changes. Before signing the employee
    responds instead (``report_respond``)."""
    writes.allowed(access.can_add_employee_view(actor, report))
    text = (employee_view or "").strip()
    if not text:
        writes.refuse("employee_view", _("Write your view first."))
    # The view is printed in the UWV file the employer downloads.
    words = medical.medical_words(text)
    medical.check(words, confirmed=medical_confirmed)
    report = writes.fresh(report, actor, lock=True)
    report.employee_view = text
    report.employee_view_at = timezone.now()
    report.save(update_fields=["employee_view", "employee_view_at", "updated_at"])
    details = {"employee_view": True, **({"medical_words_confirmed": words} if words else {})}
    writes.record(AuditAction.UPDATE, report, actor=actor, details=details)
    return report


# --- Notifications ----------------------------------------------------------------------------


def report_readers(report: Report) -> list[User]:
    """Who is told a report is final: the employee and the employer contacts of its BV."""
    t = report.trajectory
    readers = list(access.employer_contacts_of(t))
    if t.employee.user_id and t.employee.user.is_active:
        readers.append(t.employee.user)
    return readers


def reminders_due(*, today: date) -> list[tuple[int, int, str]]:
    """(report id, agency id, kind) of the reminders due today and not yet sent: 7 days
    before the due date ("soon"), and once when overdue."""
    drafts = Report.objects.filter(status=ReportStatus.DRAFT)
    soon = drafts.filter(
        reminder_sent_at__isnull=True,
        due_date__lte=today + timedelta(days=REMINDER_DAYS),
        due_date__gte=today,
    ).values_list("pk", "agency_id")
    overdue = drafts.filter(overdue_notice_sent_at__isnull=True, due_date__lt=today).values_list(
        "pk", "agency_id"
    )
    return [(pk, agency, "soon") for pk, agency in soon] + [
        (pk, agency, "overdue") for pk, agency in overdue
    ]


REMINDER_FIELDS = {"soon": "reminder_sent_at", "overdue": "overdue_notice_sent_at"}


def reminder_send(*, report_id: int, kind: str) -> bool:
    """Send one reminder to the primary specialist (an overdue one with the agency admins in
    copy), and mark it sent only after the mail went out: a failing mail server leaves it
    due, and the task retries. The row lock keeps two workers from sending it twice."""
    field = REMINDER_FIELDS[kind]
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("trajectory__employee")
            .filter(pk=report_id, status=ReportStatus.DRAFT, **{f"{field}__isnull": True})
            .first()
        )
        if report is None:
            return False
        writers = report_writers(report)
        admins = list(access.agency_admins(report.agency_id).values_list("email", flat=True))
        copy = admins if kind == "overdue" else []
        link = settings.SITE_URL + reverse("rapportages:detail", args=[report.uuid])
        context = {"report": report, "kind": kind, "link": link}
        for user in writers:
            notices.send(
                "rapportages/email/report_reminder",
                context,
                to=[user.email],
                cc=copy,
                language=user.language,
            )
        if not writers and copy:  # nobody to remind: the admins must know it is overdue
            notices.send(
                "rapportages/email/report_reminder",
                context,
                to=copy,
                language=report.agency.default_language,
            )
        Report.objects.filter(pk=report.pk).update(**{field: timezone.now()})
    return True


def report_final_notice(*, report_id: int, user_id: int) -> bool:
    """Tell one reader that a report is final: an email and an in-app notice, both in their
    language. The notice is made only after the mail went out, so a retry never makes two."""
    report = (
        Report.objects.select_related("trajectory__employee", "trajectory__legal_entity")
        .filter(pk=report_id, status=ReportStatus.FINAL)
        .first()
    )
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if report is None or user is None or user not in report_readers(report):
        return False
    url = reverse("rapportages:detail", args=[report.uuid])
    notices.send(
        "rapportages/email/report_final",
        {"report": report, "link": settings.SITE_URL + url},
        to=[user.email],
        language=user.language,
    )
    inbox.send(report=report, user=user, message="final", url=url)
    return True


def report_offered_notice(*, report_id: int, user_id: int) -> bool:
    """Ask one person to read a report and respond: an email and an in-app notice in their
    language, while the report is still out."""
    report = (
        Report.objects.select_related("trajectory__employee", "trajectory__legal_entity")
        .filter(pk=report_id, status=ReportStatus.DRAFT, review_requested_at__isnull=False)
        .first()
    )
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if report is None or user is None or user not in response_askees(report):
        return False
    url = reverse("rapportages:detail", args=[report.uuid])
    deadline = timezone.localtime(response_deadline(report))
    with translation.override(user.language):
        day = date_format(deadline, "DATE_FORMAT")
        notices.send(
            "rapportages/email/report_offered",
            {"report": report, "link": settings.SITE_URL + url, "deadline": day},
            to=[user.email],
            language=user.language,
        )
    day = deadline.date().isoformat()
    inbox.send(report=report, user=user, message="respond", url=url, day=day)
    return True


def report_writers(report: Report) -> list[User]:
    return [
        m.user
        for m in report.trajectory.memberships.select_related("user").filter(
            role=MemberRole.PRIMARY, user__is_active=True
        )
    ]


# --- The UWV bundle ---------------------------------------------------------------------------


@transaction.atomic
def bundle_request(*, actor: User, trajectory: Trajectory) -> BundleJob:
    """Queue the UWV file of the trajectory (``rapportages.bundle``): a cover, the reports the
    schedule asked for with their status, a RIV checklist, every final report as signed, and
    the appendices; one PDF and a ZIP of one PDF per document."""
    writes.allowed(access.can_request_bundle(actor, trajectory))
    job = BundleJob.objects.create(
        trajectory=trajectory, agency_id=trajectory.agency_id, requested_by=actor
    )
    writes.record(AuditAction.CREATE, job, actor=actor)
    from .tasks import build_bundle

    transaction.on_commit(lambda: build_bundle.delay(job.pk, agency_id=job.agency_id), robust=True)
    return job


def bundle_build(*, job_id: int) -> BundleJob | None:
    claimed = BundleJob.objects.filter(pk=job_id, status=BundleStatus.QUEUED).update(
        status=BundleStatus.RUNNING
    )
    if not claimed:
        return None
    job = BundleJob.objects.select_related("trajectory__agency", "trajectory__employee").get(
        pk=job_id
    )
    from . import bundle

    try:
        data, archive = bundle.build(job)
    except Exception as exc:
        BundleJob.objects.filter(pk=job_id).update(
            status=BundleStatus.FAILED, error=str(exc)[:500], finished_at=timezone.now()
        )
        raise
    job.pdf.save(f"uwv-{job.uuid}.pdf", ContentFile(data), save=False)
    job.pdf_sha256 = pdf.sha256(data)
    job.zip.save(f"uwv-{job.uuid}.zip", ContentFile(archive), save=False)
    job.zip_sha256 = pdf.sha256(archive)
    job.status = BundleStatus.DONE
    job.finished_at = timezone.now()
    job.save()
    return job
