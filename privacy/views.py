"""The right of access: an employee (or an agency admin on their behalf) asks for everything
the portal holds about them, and downloads it while it lasts."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import access
from portal.downloads import download_name
from portal.files import private_download
from portal.shortcuts import act
from trajecten.models import AccessExport, Employee

from . import access_export


@login_required
def access_exports(request, uuid):
    employee = access.get_visible_or_404(Employee.objects.visible_to(request.user), uuid=uuid)
    if not access.can_request_access_export(request.user, employee):
        raise Http404
    if request.method == "POST":
        prepared = _("Your download is being prepared. This page shows it when it is ready.")
        act(request, lambda: access_export.export_request(employee=employee, actor=request.user),
            success=prepared)  # fmt: skip
        return redirect("privacy:access_exports", uuid=employee.uuid)
    exports = AccessExport.objects.filter(employee=employee).visible_to(request.user)
    return render(
        request,
        "privacy/access_exports.html",
        {
            "employee": employee,
            "exports": exports.select_related("requested_by"),
            "now": timezone.now(),
            "days": access_export.EXPORT_DAYS,
        },
    )


@login_required
def access_export_download(request, uuid):
    export = access.get_visible_or_404(
        AccessExport.objects.select_related("employee").visible_to(request.user), uuid=uuid
    )
    if export.status != AccessExport.Status.READY:
        raise Http404
    if export.expires_at and export.expires_at < timezone.now():
        return render(request, "privacy/access_export_expired.html", status=410)
    return private_download(
        export,
        export.file,
        filename=download_name("spoorboek-inzage", f"{timezone.localdate():%Y%m%d}", ext="zip"),
        content_type="application/zip",
    )
