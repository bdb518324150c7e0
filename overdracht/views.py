"""Hand-over pages for agency admins: upload a transfer archive, read its dry run, import it
while a progress bar runs; export one trajectory or all of an employer's."""

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import access, audit
from portal.constants import AuditAction
from portal.downloads import content_disposition, download_name
from portal.models import Employer
from portal.shortcuts import act, submit
from trajecten.constants import TrajectoryStatus
from trajecten.models import Trajectory, TransferImport

from . import export, services
from .forms import TransferUploadForm

RUNNING = (TransferImport.Status.CHECKING, TransferImport.Status.IMPORTING)


def _admin_only(request) -> None:
    if not access.can_transfer_files(request.user):
        raise Http404


@login_required
def transfers(request):
    _admin_only(request)
    form = TransferUploadForm(request.POST or None, request.FILES or None, user=request.user)
    job = submit(
        request, form,
        lambda data: services.transfer_upload(
            actor=request.user, upload=data["file"], assign_to=data["assign_to"]
        ),
        success=_("The archive was received and is being checked. Nothing is imported yet."),
    )  # fmt: skip
    if job:
        return redirect("overdracht:transfer", uuid=job.uuid)
    jobs = TransferImport.objects.visible_to(request.user).select_related("started_by")[:20]
    employers = Employer.objects.visible_to(request.user).order_by("name")
    return render(
        request,
        "overdracht/transfers.html",
        {"form": form, "jobs": jobs, "employers": employers},
    )


def _job(request, uuid) -> TransferImport:
    _admin_only(request)
    return access.get_visible_or_404(
        TransferImport.objects.visible_to(request.user).select_related("started_by", "assign_to"),
        uuid=uuid,
    )


def _context(job: TransferImport) -> dict:
    stage = "import" if job.status == TransferImport.Status.DONE else "check"
    outcomes = job.results.get(stage, [])
    return {
        "job": job,
        "running": job.status in RUNNING,
        "processed": services.processed(job),
        "outcomes": outcomes,
        "problems": [o for o in outcomes if o["errors"] or o["warnings"]],
        "summary": services.summary(outcomes),
        "created": {o["key"]: o.get("uuid") for o in outcomes if o.get("uuid")},
    }


@login_required
def transfer(request, uuid):
    job = _job(request, uuid)
    return render(request, "overdracht/transfer.html", _context(job))


@login_required
def transfer_progress(request, uuid):
    """The progress bar, polled by htmx while a job runs; when it has finished, the page is
    loaded again to show the outcome."""
    job = _job(request, uuid)
    if job.status not in RUNNING:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "overdracht/_progress.html", _context(job))


@login_required
@require_POST
def transfer_start(request, uuid):
    job = _job(request, uuid)
    act(
        request,
        lambda: services.transfer_import_start(actor=request.user, job=job),
        success=_("The import has started."),
    )
    return redirect("overdracht:transfer", uuid=job.uuid)


def _download(request, trajectories, name: str):
    """The archive of ``trajectories`` (scoped), written to a temporary file and streamed;
    each file that leaves is in the audit trail of its employee."""
    rows = list(export.trajectories_for(trajectories))
    if not rows:
        raise Http404
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it when sent)
    export.write(rows, source=str(request.user.agency), out=handle)
    for trajectory in rows:
        audit.record(AuditAction.DOWNLOAD, trajectory, details={"transfer": True})
    handle.seek(0)
    response = FileResponse(handle, content_type="application/zip")
    response["Content-Disposition"] = content_disposition(
        download_name("spoorboek-overdracht", name, f"{timezone.localdate():%Y%m%d}", ext="zip")
    )
    return response


@login_required
def export_trajectory(request, uuid):
    _admin_only(request)
    trajectory = access.get_visible_or_404(
        Trajectory.objects.visible_to(request.user).select_related("employee"), uuid=uuid
    )
    started = (
        Trajectory.objects.visible_to(request.user)
        .filter(pk=trajectory.pk, start_date__isnull=False)
        .exclude(status=TrajectoryStatus.REFERRED)
    )
    return _download(request, started, trajectory.employee.full_name)


@login_required
def export_employer(request, uuid):
    """All of an employer's trajectories that have started (a referral not yet accepted has
    no history to hand over)."""
    _admin_only(request)
    employer = access.get_visible_or_404(Employer.objects.visible_to(request.user), uuid=uuid)
    trajectories = (
        Trajectory.objects.visible_to(request.user)
        .filter(legal_entity__employer=employer, start_date__isnull=False)
        .exclude(status=TrajectoryStatus.REFERRED)
    )
    return _download(request, trajectories, employer.name)
