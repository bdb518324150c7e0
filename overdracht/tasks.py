"""The work of an import in the background (``overdracht.services``)."""

from celery import shared_task

from portal.tenancy import AgencyTask

from . import services


@shared_task(base=AgencyTask, acks_late=True)
def check_transfer(job_id: int, *, agency_id: int) -> None:
    """The dry run of an uploaded transfer archive."""
    services.transfer_check_run(job_id=job_id)


@shared_task(base=AgencyTask, acks_late=True)
def run_transfer(job_id: int, *, agency_id: int) -> None:
    """The import of a checked archive. A worker that dies midway leaves the job importing;
    delivered again (``acks_late``), it goes through the archive once more and skips what was
    imported (each trajectory by its key)."""
    services.transfer_import_run(job_id=job_id)
