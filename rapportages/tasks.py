"""Report tasks. Each takes ids, re-reads, returns early when the work is done, and calls a
service; the database, not the broker, knows what is due."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal import access
from portal.tenancy import AgencyTask, SystemTask

from . import services
from .models import Report

RENDER_TIME_LIMIT = 120


@shared_task(base=SystemTask, acks_late=True)
def schedule_reports() -> int:
    """Daily (beat): create the drafts that have fallen due."""
    return services.reports_schedule(today=timezone.localdate())


@shared_task(
    base=AgencyTask,
    bind=True,
    acks_late=True,
    max_retries=6,
    soft_time_limit=RENDER_TIME_LIMIT,
    time_limit=RENDER_TIME_LIMIT + 30,
)
def render_report(self, report_id: int, *, agency_id: int) -> str:
    """Render a signed report's PDF. On failure the report stays 'signed, PDF pending' with
    the error shown, and the task retries with exponential backoff."""
    try:
        report = services.report_render(report_id=report_id)
    except Exception as exc:
        services.report_render_failed(report_id=report_id, error=f"{type(exc).__name__}: {exc}")
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 3600)) from exc
    return "rendered" if report else "nothing to do"


@shared_task(base=SystemTask, acks_late=True)
def render_pending_reports() -> int:
    """Every few minutes (beat): queue again the renders that were lost (the database, not the
    broker, knows which signed reports still lack their PDF)."""
    pending = services.reports_pending_render(now=timezone.now())
    for report_id, agency_id in pending:
        render_report.delay(report_id, agency_id=agency_id)
    return len(pending)


@shared_task(base=AgencyTask, bind=True, acks_late=True, max_retries=5, default_retry_delay=120)
def notify_report_final(self, report_id: int, *, agency_id: int) -> None:
    """Email and in-app notice to the employee and the employer contacts."""
    report = (
        Report.objects.select_related("trajectory__employee", "trajectory__legal_entity")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        return
    url = reverse("rapportages:detail", args=[report.uuid])
    readers = services.report_readers(report)
    try:
        for user in readers:
            with translation.override(user.language):
                subject = _("A report is ready: %(report)s") % {"report": report}
                body = _(
                    "%(report)s about %(name)s is final. Read it in Spoorboek:\n\n%(link)s"
                ) % {
                    "report": report,
                    "name": report.employee.full_name,
                    "link": settings.SITE_URL + url,
                }
            send_mail(subject, body, None, [user.email])
    except OSError as exc:
        raise self.retry(exc=exc) from exc
    with translation.override("nl"):
        services.notify(
            users=readers,
            text=_("Report ready: %(report)s (%(name)s)")
            % {"report": report, "name": report.employee.full_name},
            url=url,
            agency_id=report.agency_id,
        )


@shared_task(base=SystemTask, bind=True, acks_late=True, max_retries=5, default_retry_delay=120)
def send_report_reminders(self) -> int:
    """Daily (beat): remind the primary specialist 7 days before a report is due, and once
    when it is overdue (then with the agency admins in copy)."""
    claimed = services.reminders_due(today=timezone.localdate())
    for report_id, kind in claimed:
        report = Report.objects.select_related("trajectory__employee").get(pk=report_id)
        writers = services.report_writers(report)
        copy = []
        if kind == "overdue":
            copy = list(access.agency_admins(report.agency_id).values_list("email", flat=True))
        for user in writers:
            with translation.override(user.language):
                subject = (
                    _("Report due in a week: %(report)s") if kind == "soon"
                    else _("Report overdue: %(report)s")
                ) % {"report": report}  # fmt: skip
                body = _("%(report)s about %(name)s is due on %(date)s.\n\n%(link)s") % {
                    "report": report,
                    "name": report.employee.full_name,
                    "date": report.due_date.strftime("%d-%m-%Y"),
                    "link": settings.SITE_URL + reverse("rapportages:detail", args=[report.uuid]),
                }
            send_mail(subject, body, None, [user.email], fail_silently=False)
            if copy:
                send_mail(subject, body, None, copy)
    return len(claimed)


@shared_task(base=AgencyTask, acks_late=True, soft_time_limit=300, time_limit=330)
def build_bundle(job_id: int, *, agency_id: int) -> str:
    job = services.bundle_build(job_id=job_id)
    return "built" if job else "nothing to do"
