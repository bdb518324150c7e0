"""The privacy app's work in the background. The tasks keep the names they were registered
under in ``trajecten.tasks`` (``name=``), so messages already queued before an upgrade, the
beat schedule and the queue routes find them."""

from celery import shared_task
from django.utils import timezone

from portal.tenancy import AgencyTask, SystemTask
from trajecten.models import AccessExport

from . import access_export, retention


@shared_task(base=SystemTask, acks_late=True, name="trajecten.tasks.apply_retention")
def apply_retention() -> dict:
    """Daily: remove the files whose keeping period has passed (``privacy.retention``)."""
    runs = retention.apply(today=timezone.localdate())
    access_export.exports_expire(now=timezone.now())
    return {run.agency.pk: dict(run.counts) for run in runs}


@shared_task(
    base=AgencyTask,
    bind=True,
    acks_late=True,
    max_retries=3,
    default_retry_delay=60,
    name="trajecten.tasks.build_access_export",
)
def build_access_export(self, export_id: int, *, agency_id: int) -> None:
    """Build an employee's access export (``privacy.access_export``)."""
    try:
        access_export.export_build(export_id=export_id)
    except OSError as exc:
        if self.request.retries >= self.max_retries:
            AccessExport.objects.filter(pk=export_id).update(status=AccessExport.Status.FAILED)
            return
        raise self.retry(exc=exc) from exc
