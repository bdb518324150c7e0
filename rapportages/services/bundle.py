"""The UWV file of a trajectory (``rapportages.bundle`` builds it)."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from portal import access, writes
from portal.constants import AuditAction
from portal.models import User
from trajecten.models import Trajectory

from .. import pdf
from ..constants import (
    BundleStatus,
)
from ..models import BundleJob


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
    from ..tasks import build_bundle

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
    from .. import bundle

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
