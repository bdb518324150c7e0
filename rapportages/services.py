"""Reports: scheduling, signing, rendering, correcting, notifying, bundling."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal import access, audit, live, notices, writes
from portal.constants import AuditAction
from portal.models import Notification, Product, User
from trajecten.constants import MemberRole, TrajectoryStatus
from trajecten.models import SearchProfile, Trajectory

from . import content, pdf
from .constants import DRAFT_LEAD_DAYS, REMINDER_DAYS, BundleStatus, ReportKind, ReportStatus
from .models import BundleJob, Report
from .schedule import reports_due

# --- Scheduling -------------------------------------------------------------------------------


def trajectory_reports_due(trajectory, *, today: date, lead_days: int) -> list:
    """The reports a trajectory should have by ``today`` (``schedule.reports_due`` for it)."""
    return reports_due(
        start=trajectory.start_date,
        intake=trajectory.intake_date,
        end=trajectory.end_date,
        ended=trajectory.status == TrajectoryStatus.ENDED,
        feasibility=trajectory.product.kind == Product.Kind.FEASIBILITY,
        today=today,
        lead_days=lead_days,
    )


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
        trajectories = trajectories.filter(pk__in=trajectory_ids)
        existing = existing.filter(trajectory_id__in=trajectory_ids)
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


def sign_problems(report: Report) -> ValidationError | None:
    """What stops a report from being signed, field by field (``None`` when nothing does):
    UWV reads every block, so it must be there before the specialist signs."""
    problems: dict[str, list] = {}
    required = REQUIRED_TO_SIGN.get(report.kind, ("evaluation", "next_steps"))
    for name in (*required, *(("correction_note",) if report.supersedes_id else ())):
        if not getattr(report, name).strip():
            problems[name] = [_("Write this part before signing.")]
    if report.discussed_on is None:
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


def snapshot_for(report: Report, *, signer: User, day: date) -> dict:
    """Everything the PDF shows, as it will be frozen when ``signer`` signs on ``day``: the
    preview is rendered from exactly this, so what the specialist reads is what is signed."""
    return {
        **content.build(report, today=day),
        "narrative": {
            "progress": report.progress,
            "results": report.results,
            "obstacles": report.obstacles,
            "evaluation": report.evaluation,
            "next_steps": report.next_steps,
            "correction_note": report.correction_note,
            "discussed_on": content.day_label(report.discussed_on),
        },
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


@transaction.atomic
def report_sign(*, actor: User, report: Report) -> Report:
    """Freeze the content as the snapshot and queue the PDF. Only a complete draft can be
    signed (``sign_problems``), by one of the trajectory's specialists."""
    writes.allowed(access.can_write_reports(actor, report.trajectory))
    locked = writes.fresh(report, actor, lock=True)
    if locked.status != ReportStatus.DRAFT:
        raise ValidationError(_("This report has already been signed."))
    if problems := sign_problems(locked):
        raise problems
    locked.snapshot = snapshot_for(locked, signer=actor, day=timezone.localdate())
    locked.status = ReportStatus.SIGNED
    locked.signed_by = actor
    locked.signed_at = timezone.now()
    locked.save()
    audit.record(AuditAction.UPDATE, locked, actor=actor, details={"signed": True})
    live.bump_trajectory(locked.trajectory)
    from .tasks import render_report

    transaction.on_commit(
        lambda: render_report.delay(locked.pk, agency_id=locked.agency_id), robust=True
    )
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
    audit.record(
        AuditAction.CREATE, correction, actor=actor, details={"corrects": str(report.uuid)}
    )
    live.bump_trajectory(correction.trajectory)
    return correction


def employee_view_set(*, actor: User, report: Report, employee_view: str) -> Report:
    """The employee's own view. Before signing it is part of the report; after, it is kept
    with the report (shown on its page and printed in the UWV bundle): the PDF of a final
    report never changes."""
    writes.allowed(access.can_add_employee_view(actor, report))
    text = (employee_view or "").strip()
    if not text:
        writes.refuse("employee_view", _("Write your view first."))
    report = writes.fresh(report, actor, lock=True)
    report.employee_view = text
    report.employee_view_at = timezone.now()
    report.save(update_fields=["employee_view", "employee_view_at", "updated_at"])
    audit.record(AuditAction.UPDATE, report, actor=actor, details={"employee_view": True})
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
    with translation.override(user.language):
        text = _("Report ready: %(report)s (%(name)s)") % {
            "report": report,
            "name": report.employee.full_name,
        }
    Notification.objects.create(agency_id=report.agency_id, user=user, text=text[:300], url=url)
    return True


def report_writers(report: Report) -> list[User]:
    return [
        m.user
        for m in report.trajectory.memberships.select_related("user").filter(
            role=MemberRole.PRIMARY, user__is_active=True
        )
    ]


# --- The UWV bundle ---------------------------------------------------------------------------


def bundle_request(*, actor: User, trajectory: Trajectory) -> BundleJob:
    """Queue the UWV bundle of the file: every final report, the application log, the
    conversations shared with the employer, and the placement, in one PDF."""
    writes.allowed(access.can_request_bundle(actor, trajectory))
    job = BundleJob.objects.create(
        trajectory=trajectory, agency_id=trajectory.agency_id, requested_by=actor
    )
    audit.record(AuditAction.CREATE, job, actor=actor)
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
    from .bundle import bundle_context

    try:
        _html, data = pdf.render_to_pdf("rapportages/pdf/bundle.html", bundle_context(job))
    except Exception as exc:
        BundleJob.objects.filter(pk=job_id).update(
            status=BundleStatus.FAILED, error=str(exc)[:500], finished_at=timezone.now()
        )
        raise
    job.pdf.save(f"uwv-{job.uuid}.pdf", ContentFile(data), save=False)
    job.pdf_sha256 = pdf.sha256(data)
    job.status = BundleStatus.DONE
    job.finished_at = timezone.now()
    job.save()
    return job
