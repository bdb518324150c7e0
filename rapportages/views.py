"""Report pages: the file's reports tab, a report (draft or final), its PDF, the UWV bundle."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import access, audit
from portal.constants import AuditAction
from portal.downloads import content_disposition, download_name
from portal.files import private_download
from portal.models import Notification
from portal.shortcuts import form_errors_to, require, submit
from trajecten.shortcuts import get_trajectory

from . import content, services
from .forms import EmployeeViewForm, NarrativeForm, SignForm
from .models import BundleJob, Report


def _report(request, uuid) -> Report:
    return access.get_visible_or_404(
        Report.objects.visible_to(request.user).select_related(
            "trajectory__employee", "trajectory__legal_entity__employer", "trajectory__agency",
            "signed_by",
        ),
        uuid=uuid,
    )  # fmt: skip


@login_required
def detail(request, uuid):
    report = _report(request, uuid)
    user = request.user
    can_write = access.can_write_reports(user, report.trajectory) and not report.is_frozen
    form = NarrativeForm(request.POST or None, instance=report) if can_write else None
    if request.method == "POST":
        require(can_write)
        if submit(
            request, form,
            lambda data: services.report_save(actor=user, report=report, **data),
            success=_("Saved."),
        ):  # fmt: skip
            return redirect("rapportages:detail", uuid=report.uuid)
    audit.record(AuditAction.VIEW, report)
    blocks = (
        report.snapshot if report.is_frozen else content.build(report, today=timezone.localdate())
    )
    return render(
        request,
        "rapportages/detail.html",
        {
            "report": report,
            "s": blocks,
            "n": blocks.get("narrative") if report.is_frozen else report,
            "form": form,
            "can_sign": can_write,
            "show_bsn": access.can_see_bsn(user, report.trajectory),
            "can_correct": access.can_write_reports(user, report.trajectory)
            and report.status == "final"
            and not Report.objects.filter(supersedes=report).exists(),
            "view_form": EmployeeViewForm(initial={"employee_view": report.employee_view})
            if access.is_employee(user)
            else None,
        },
    )


@login_required
def sign(request, uuid):
    """The specialist reads the preview of the exact PDF and confirms. While something is
    missing (``services.sign_problems``) the page shows the narrative form with each message
    at its field, to complete it right here; only a complete draft is signed."""
    report = _report(request, uuid)
    user = request.user
    require(access.can_write_reports(user, report.trajectory) and not report.is_frozen)
    step = request.POST.get("step") if request.method == "POST" else None
    text = NarrativeForm(request.POST if step == "save" else None, instance=report)
    confirm = SignForm(request.POST if step == "sign" else None)
    if step == "save" and submit(
        request, text,
        lambda data: services.report_save(actor=user, report=report, **data),
        success=_("Saved."),
    ):  # fmt: skip
        return redirect("rapportages:sign", uuid=report.uuid)
    if step == "sign" and confirm.is_valid():
        try:
            services.report_sign(actor=user, report=report)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # not a missing part: already signed
                messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Signed. The PDF is being made."))
            return redirect("rapportages:detail", uuid=report.uuid)
    report.refresh_from_db()
    problems = services.sign_problems(report)
    if problems and step != "save":
        text = NarrativeForm(_current(text), instance=report)
        text.is_valid()
        form_errors_to(text, problems)
    return render(
        request,
        "rapportages/sign.html",
        {"report": report, "text": text, "form": confirm, "problems": problems},
    )


def _current(form) -> dict:
    """The stored values of an unbound model form, as if posted: to show messages at them."""
    return {name: form.initial.get(name) for name in form.fields}


@login_required
def preview(request, uuid):
    """The PDF as it would be if the specialist signed now: rendered, shown, not stored."""
    report = _report(request, uuid)
    require(access.can_write_reports(request.user, report.trajectory) and not report.is_frozen)
    data = services.report_preview(actor=request.user, report=report)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        download_name("voorbeeld", str(report), report.trajectory.employee.last_name, ext="pdf"),
        attachment=False,
    )
    return response


@login_required
@require_POST
def correct(request, uuid):
    report = _report(request, uuid)
    require(access.can_write_reports(request.user, report.trajectory))
    try:
        correction = services.report_correct(actor=request.user, report=report)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("rapportages:detail", uuid=report.uuid)
    messages.info(request, _("A new version has been made. Describe what it corrects."))
    return redirect("rapportages:detail", uuid=correction.uuid)


@login_required
@require_POST
def employee_view(request, uuid):
    report = _report(request, uuid)
    require(access.can_add_employee_view(request.user, report))
    form = EmployeeViewForm(request.POST)
    if form.is_valid():
        services.employee_view_set(actor=request.user, report=report, **form.cleaned_data)
        messages.success(request, _("Your view has been added to the report."))
    else:
        messages.error(request, " ".join(form.errors.get("employee_view", [])))
    return redirect("rapportages:detail", uuid=report.uuid)


@login_required
def download(request, uuid):
    report = _report(request, uuid)
    name = download_name(str(report), report.trajectory.employee.last_name, ext="pdf")
    return private_download(report, report.pdf, filename=name, content_type="application/pdf")


@login_required
@require_POST
def bundle_request(request, uuid):
    trajectory = get_trajectory(request, uuid)
    require(access.can_request_bundle(request.user, trajectory))
    job = services.bundle_request(actor=request.user, trajectory=trajectory)
    return redirect("rapportages:bundle", uuid=job.uuid)


@login_required
def bundle(request, uuid):
    job = access.get_visible_or_404(
        BundleJob.objects.visible_to(request.user).select_related("trajectory__employee"),
        uuid=uuid,
    )
    return render(request, "rapportages/bundle.html", {"job": job})


@login_required
def bundle_download(request, uuid):
    job = access.get_visible_or_404(BundleJob.objects.visible_to(request.user), uuid=uuid)
    return private_download(
        job,
        job.pdf,
        filename=download_name("uwv-dossier", job.trajectory.employee.last_name, ext="pdf"),
        content_type="application/pdf",
    )


@login_required
def notifications(request):
    notices = Notification.objects.visible_to(request.user)[:50]
    if request.method == "POST":
        Notification.objects.visible_to(request.user).filter(read_at__isnull=True).update(
            read_at=timezone.now()
        )
        return redirect("rapportages:notifications")
    return render(request, "rapportages/notifications.html", {"notices": notices})
