"""Report tasks. Each takes ids, re-reads, returns early when the work is done, and calls a
service; the database, not the broker, knows what is due."""

from celery import shared_task
from django.utils import timezone

from portal import notices
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


@shared_task(base=AgencyTask, acks_late=True)
def notify_report_final(report_id: int, *, agency_id: int) -> int:
    """A report is final: one notice task per reader (the employee and the employer contacts
    of its BV), so a retry never mails someone twice."""
    report = Report.objects.select_related("trajectory__legal_entity").filter(pk=report_id).first()
    readers = [u.pk for u in services.report_readers(report)] if report else []
    for user_id in readers:
        send_report_final_notice.delay(report_id, user_id, agency_id=agency_id)
    return len(readers)


@shared_task(base=AgencyTask, bind=True, acks_late=True, max_retries=5, default_retry_delay=120)
def send_report_final_notice(self, report_id: int, user_id: int, *, agency_id: int) -> bool:
    with notices.retried(self):
        return services.report_final_notice(report_id=report_id, user_id=user_id)


@shared_task(base=AgencyTask, bind=True, acks_late=True, max_retries=5, default_retry_delay=120)
def notify_report_offered(self, report_id: int, user_id: int, *, agency_id: int) -> bool:
    """Ask one person to read a report and respond (one task per person: a retry never mails
    someone twice)."""
    with notices.retried(self):
        return services.report_offered_notice(report_id=report_id, user_id=user_id)


@shared_task(base=SystemTask, acks_late=True)
def send_report_reminders() -> int:
    """Daily (beat): queue the reminders that are due, one task each, in their agency."""
    due = services.reminders_due(today=timezone.localdate())
    for report_id, agency_id, kind in due:
        send_report_reminder.delay(report_id, kind, agency_id=agency_id)
    return len(due)


@shared_task(base=AgencyTask, bind=True, acks_late=True, max_retries=8, default_retry_delay=300)
def send_report_reminder(self, report_id: int, kind: str, *, agency_id: int) -> bool:
    """One reminder; marked sent only after the mail went out. A mail server that fails
    leaves it due: the task retries (every 5 minutes, 8 times), and tomorrow's run finds it
    again after that."""
    with notices.retried(self):
        return services.reminder_send(report_id=report_id, kind=kind)


@shared_task(base=AgencyTask, acks_late=True, soft_time_limit=300, time_limit=330)
def build_bundle(job_id: int, *, agency_id: int) -> str:
    job = services.bundle_build(job_id=job_id)
    return "built" if job else "nothing to do"


@shared_task(base=SystemTask, acks_late=True)
def tell_riv_findings() -> int:
    """Hourly (beat): webhooks of changed RIV findings (``riv_findings_tell``)."""
    return services.riv_findings_tell(today=timezone.localdate())


@shared_task(base=SystemTask, acks_late=True)
def queue_sms_reminders() -> int:
    """Every quarter hour: the SMS reminders that fell due (appointments tomorrow, reports
    awaiting the employee's response); ``portal.tasks.send_due_sms`` sends them."""
    return services.sms_reminders_queue(now=timezone.now())
