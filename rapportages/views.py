"""Report pages: the file's reports tab, a report (draft or final), its PDF, the UWV bundle."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import access, audit, digests
from portal.constants import AuditAction
from portal.downloads import content_disposition, download_name
from portal.files import private_download
from portal.models import Notification
from portal.shortcuts import act, authentication_method, form_errors_to, require, submit
from trajecten.shortcuts import get_trajectory

from . import content, narrative, riv_panel, selectors, services
from .constants import ReportStatus
from .forms import (
    EmployeeViewForm,
    NarrativeForm,
    RejectForm,
    ResponseForm,
    RivExceptionForm,
    SignForm,
)
from .models import BundleJob, Report, RivException


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
    initial = None
    if can_write and request.GET.get("begintekst") and not report.review_requested_at:
        # A first "voortgang" from the period's figures, to edit; saved only when saved.
        initial = {"progress": services.report_starting_text(actor=user, report=report)}
    form = (
        NarrativeForm(request.POST or None, instance=report, initial=initial) if can_write else None
    )
    if request.method == "POST":
        require(can_write)
        if submit(
            request, form,
            lambda data: services.report_save(actor=user, report=report, **data),
            success=_("Saved."),
        ):  # fmt: skip
            return redirect("rapportages:detail", uuid=report.uuid)
    audit.record(AuditAction.VIEW, report)
    return render(request, "rapportages/detail.html", _detail_context(user, report, form=form))


def _detail_context(user, report: Report, **overrides) -> dict:
    """What a report's page shows this user: the frozen snapshot once signed; while it is out
    for a response exactly the text that was given out; before that, the blocks as of today.
    And the actions this user has on it."""
    if report.is_frozen:
        blocks = report.snapshot
    elif report.review_snapshot:
        blocks = report.review_snapshot
    else:
        blocks = content.build(report, today=timezone.localdate())
    party = access.report_party(user, report)
    answered = services.current_responses(report)
    can_write = access.can_write_reports(user, report.trajectory)
    return {
        "report": report,
        "s": blocks,
        # The narrative: as frozen (signed, or out for a response), else as being written.
        "n": blocks.get("narrative") if report.is_frozen or report.review_snapshot else report,
        "form": None,
        "can_sign": can_write and not report.is_frozen,
        "show_bsn": access.can_see_bsn(user, report.trajectory),
        "can_correct": can_write
        and report.status == ReportStatus.FINAL
        and not Report.objects.filter(supersedes=report).exists(),
        "respond_form": ResponseForm(initial={"content_sha256": report.review_sha256})
        if party and party not in answered
        else None,
        "party": party,
        "deadline": services.response_deadline(report),
        "all_answered": set(services.respondents(report)) <= set(answered),
        "my_response": answered.get(party) if party else None,
        "responses": selectors.responses_seen(user, report),
        "can_approve": report.status == ReportStatus.APPROVAL
        and access.can_approve_report(user, report),
        "reject_form": RejectForm(),
        "view_form": EmployeeViewForm(initial={"employee_view": report.employee_view})
        if access.is_employee(user) and report.status == ReportStatus.FINAL
        else None,
        **overrides,
    }


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
            services.report_sign(
                actor=user, report=report, confirmed=confirm.cleaned_data["confirm"]
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # not a missing part: already signed
                messages.error(request, " ".join(exc.messages))
            elif "confirm" in exc.error_dict:  # the box, said at the box
                confirm.add_error("confirm", exc.error_dict["confirm"])
        else:
            if report.agency.four_eyes:
                messages.success(request, _("Signed. A colleague approves it before it is final."))
            else:
                messages.success(request, _("Signed. The PDF is being made."))
            return redirect("rapportages:detail", uuid=report.uuid)
    report.refresh_from_db()
    problems = services.text_problems(report)
    # Numbers in the text that differ from the report's figures: said at their fields before
    # the text is given out (``narrative.mismatches``; keeping them is confirmed there).
    differ = {}
    if not report.review_requested_at:
        differ = narrative.mismatches(
            {f: getattr(report, f) for f in narrative.FIELDS},
            content.build(report, today=timezone.localdate()),
        )
    if (problems or differ) and step != "save":
        text = NarrativeForm(_current(text), instance=report)
        text.is_valid()
        if problems:
            form_errors_to(text, problems)
        if differ:
            form_errors_to(text, ValidationError(differ))
    return render(
        request,
        "rapportages/sign.html",
        {
            "report": report,
            "text": text,
            "form": confirm,
            "problems": problems,
            "figures_differ": bool(differ),
            "offer_ready": not report.review_requested_at
            and not services.text_problems(report, for_signing=False),
            "window_late": services.window_ends_late(report, today=timezone.localdate()),
            "day_choices": _days_to_respond(report),
            "waiting": services.response_problems(report) if report.review_requested_at else [],
            "deadline": services.response_deadline(report),
            "responses": services.current_responses(report).values(),
            "all_answered": set(services.respondents(report))
            <= set(services.current_responses(report)),
        },
    )


def _days_to_respond(report: Report) -> list[tuple[int, bool]]:
    """(days, chosen) to offer: 1 up to the agency's days; chosen the most that still ends by
    the due date (at least 1)."""
    most = report.agency.response_days
    fits = max(1, min(most, (report.due_date - timezone.localdate()).days))
    return [(n, n == fits) for n in range(1, most + 1)]


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


def _post_action(request, uuid, allowed, action, success):
    """A button on a report's page: check, call the service, say what happened, go back."""
    report = _report(request, uuid)
    require(allowed(request.user, report))
    act(request, lambda: action(report), success=success)
    return report


@login_required
@require_POST
def offer(request, uuid):
    """Give the draft to the employee (and for a plan the employer) to read and respond.
    Medical words in the narrative are named first; the sign page then asks to confirm."""
    report = _report(request, uuid)
    require(access.can_write_reports(request.user, report.trajectory))
    days = request.POST.get("response_days", "")
    try:
        services.report_offer(
            actor=request.user, report=report,
            medical_confirmed=request.POST.get("medical_confirmed") == "on",
            figures_confirmed=request.POST.get("figures_confirmed") == "on",
            response_days=int(days) if days.isdigit() else None,
        )  # fmt: skip
    except ValidationError as exc:
        refused = getattr(exc, "error_dict", {})
        if "figures_confirmed" in refused:  # said at each field on the sign page
            messages.error(request, " ".join(exc.error_dict["figures_confirmed"][0].messages))
            return redirect(reverse("rapportages:sign", args=[report.uuid]) + "?cijfers=1")
        messages.error(request, " ".join(exc.messages))
        if "medical_confirmed" in refused:
            return redirect(reverse("rapportages:sign", args=[report.uuid]) + "?medisch=1")
    else:
        messages.success(
            request,
            _("The report is out for a response. You can sign when it is in, or when the time "
              "to respond is over."),
        )  # fmt: skip
    return redirect("rapportages:sign", uuid=report.uuid)


@login_required
@require_POST
def withdraw(request, uuid):
    report = _post_action(
        request, uuid,
        lambda user, r: access.can_write_reports(user, r.trajectory),
        lambda r: services.report_withdraw(actor=request.user, report=r),
        _("The report is back with you. Give it out again when the text is ready."),
    )  # fmt: skip
    return redirect("rapportages:detail", uuid=report.uuid)


def _form_action(request, uuid, *, allowed, form_class, write, success, form_name):
    """A small form on a report's page (a response, a rejection): check, parse, call the
    service; on a refusal the page again, with the message at the field."""
    report = _report(request, uuid)
    require(allowed(request.user, report))
    form = form_class(request.POST)
    if submit(request, form, lambda data: write(report, data), success=success):
        return redirect("rapportages:detail", uuid=report.uuid)
    context = _detail_context(request.user, report, **{form_name: form})
    return render(request, "rapportages/detail.html", context)


@login_required
@require_POST
def respond(request, uuid):
    """The employee's (or for a plan the employer's) signed response."""
    return _form_action(
        request, uuid,
        allowed=lambda user, r: access.report_party(user, r) is not None,
        form_class=ResponseForm,
        write=lambda r, data: services.report_respond(
            actor=request.user, report=r, authenticated_by=authentication_method(request),
            **data,
        ),
        success=_("Thank you. Your response is recorded with the report."),
        form_name="respond_form",
    )  # fmt: skip


@login_required
@require_POST
def approve(request, uuid):
    report = _post_action(
        request, uuid, access.can_approve_report,
        lambda r: services.report_approve(actor=request.user, report=r),
        _("Approved. The PDF is being made."),
    )  # fmt: skip
    return redirect("rapportages:detail", uuid=report.uuid)


@login_required
@require_POST
def reject(request, uuid):
    """Four-eyes: back to the writer, with the reason."""
    return _form_action(
        request, uuid,
        allowed=access.can_approve_report,
        form_class=RejectForm,
        write=lambda r, data: services.report_reject(actor=request.user, report=r, **data),
        success=_("Sent back to the specialist with your reason."),
        form_name="reject_form",
    )  # fmt: skip


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
    """The employee's later view on a final report."""
    return _form_action(
        request, uuid,
        allowed=access.can_add_employee_view,
        form_class=EmployeeViewForm,
        write=lambda r, data: services.employee_view_set(actor=request.user, report=r, **data),
        success=_("Your view has been added to the report."),
        form_name="view_form",
    )  # fmt: skip


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
    return _bundle_file(request, uuid, "pdf", "application/pdf")


@login_required
def bundle_download_zip(request, uuid):
    """The same documents one PDF each, as UWV's upload asks."""
    return _bundle_file(request, uuid, "zip", "application/zip")


def _bundle_file(request, uuid, field: str, content_type: str):
    job = access.get_visible_or_404(BundleJob.objects.visible_to(request.user), uuid=uuid)
    return private_download(
        job,
        getattr(job, field),
        filename=download_name("uwv-dossier", job.trajectory.employee.last_name, ext=field),
        content_type=content_type,
    )


@login_required
def notifications(request):
    notices = list(Notification.objects.visible_to(request.user)[:50])
    if request.method == "POST":
        Notification.objects.visible_to(request.user).filter(read_at__isnull=True).update(
            read_at=timezone.now()
        )
        return redirect("rapportages:notifications")
    for notice in notices:
        notice.wording = digests.wording(notice)
    return render(request, "rapportages/notifications.html", {"notices": notices})


@login_required
def riv_exception(request, uuid):
    """Sign off why an open finding of the RIV check does not apply (the file's RIV tab)."""
    trajectory = get_trajectory(request, uuid)
    if not access.can_see_riv_check(request.user, trajectory):
        raise Http404  # the employee's file has no RIV check (as the tab and the API)
    require(access.can_sign_riv_exception(request.user, trajectory))
    params = request.POST if request.method == "POST" else request.GET
    rule, subject = params.get("rule", ""), params.get("subject", "")
    found = riv_panel.panel(user=request.user, trajectory=trajectory, on=timezone.localdate())
    finding = next(
        (
            f
            for group in (found.groups if found else [])
            for f in group["findings"]
            if (f["rule"], f["subject"]) == (rule, subject)
        ),
        None,
    )
    back = f"{reverse('trajecten:file', args=[trajectory.uuid])}?tab=riv"
    if finding is None:
        messages.info(request, _("The RIV check no longer shows this finding."))
        return redirect(back)
    form = RivExceptionForm(request.POST or None, rule=rule)
    written = submit(
        request,
        form,
        lambda data: services.riv_exception_sign(
            actor=request.user, trajectory=trajectory, rule=rule, subject=subject, **data
        ),
        success=_("The reason has been signed off: the finding shows as a valid reason."),
    )
    if written:
        return redirect(back)
    return render(
        request,
        "rapportages/riv_exception.html",
        {"trajectory": trajectory, "finding": finding, "form": form},
    )


@login_required
@require_POST
def riv_exception_withdraw(request, uuid):
    exception = access.get_visible_or_404(
        RivException.objects.visible_to(request.user).select_related("trajectory"), uuid=uuid
    )
    act(
        request,
        lambda: services.riv_exception_withdraw(actor=request.user, exception=exception),
        success=_("The reason has been withdrawn: the finding is open again."),
    )
    return redirect(f"{reverse('trajecten:file', args=[exception.trajectory.uuid])}?tab=riv")
