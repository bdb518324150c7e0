"""One application: recording it (on a phone too), its page, its status and evidence."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import access, audit
from portal.constants import AuditAction
from portal.files import private_download
from portal.shortcuts import form_errors_to, redirect_next, require, submit
from portal.uploads import download_name_for
from trajecten.shortcuts import get_trajectory

from .. import services
from ..constants import NEXT_STATUSES, ApplicationStatus
from ..forms import (
    ActivityForm,
    EvidenceForm,
    StatusForm,
)
from ..models import ApplicationActivity, Evidence


def _activity(request, uuid):
    return access.get_visible_or_404(
        ApplicationActivity.objects.visible_to(request.user).select_related(
            "trajectory__employee", "trajectory__agency"
        ),
        uuid=uuid,
    )


def _back(activity_or_trajectory, request):
    """Employees return to their own page, staff to the file's applications tab."""
    if access.is_employee(request.user):
        return redirect("sollicitaties:mine")
    trajectory = getattr(activity_or_trajectory, "trajectory", activity_or_trajectory)
    return redirect(reverse("trajecten:file", args=[trajectory.uuid]) + "?tab=applications")


@login_required
def activity_new(request, uuid):
    trajectory = get_trajectory(request, uuid)
    require(access.can_record_applications(request.user, trajectory))
    last_kind = (
        ApplicationActivity.objects.filter(trajectory=trajectory)
        .order_by("-created_at")
        .values_list("kind", flat=True)
        .first()
    )
    form = ActivityForm(request.POST or None, request.FILES or None, last_kind=last_kind)
    if submit(
        request, form,
        lambda data: services.activity_create(actor=request.user, trajectory=trajectory, **data),
        success=lambda activity: _recorded(request.user, activity),
        errors_to=_activity_errors_to,
    ):  # fmt: skip
        if left_out := _not_attached(request):  # recorded, but not all of it: a warning
            messages.warning(request, left_out)
        return _back(trajectory, request)
    return render(
        request,
        "sollicitaties/activity_form.html",
        # A file the phone dropped stays said at its field, and goes with the next try.
        {
            "form": form,
            "trajectory": trajectory,
            "dropped": _dropped(request),
            "not_attached": _not_attached(request),
        },
        status=422 if getattr(form, "key_reused", False) else 200,
    )


def _recorded(user, activity, *, done=None) -> str:
    """What the recorder reads on saving: recorded, and when it repeats an earlier entry, that
    it does not count and why (``repeats``), at the moment of recording."""
    original = _repeated(user, activity)
    if original is None:
        return done or _("The application has been recorded.")
    return _(
        "The application has been recorded. It repeats %(application)s of %(date)s (the same "
        "vacancy, or the same employment agency again), so it does not count toward the norm."
    ) % {"application": original.display_name, "date": date_format(original.date)}


def _dropped(request) -> str:
    return request.POST.get("evidence_dropped", "").strip()[:200]


def _not_attached(request) -> str:
    """The phone took a too-large evidence file out of the form (``upload-check.js``): the
    application is recorded, the file is not, and the message says so."""
    name = _dropped(request)
    if not name:
        return ""
    return _(
        "The evidence file %(name)s was not attached: it is larger than %(size)s. Add a smaller "
        "file on the application's page."
    ) % {"name": name, "size": filesizeformat(settings.UPLOAD_MAX_BYTES)}


def _repeated(user, activity):
    """The entry ``activity`` repeats (in its own file, as the user may see it)."""
    if activity.repeat_of is None:
        return None
    return (
        ApplicationActivity.objects.visible_to(user)
        .filter(trajectory_id=activity.trajectory_id, uuid=activity.repeat_of)
        .first()
    )


@login_required
def activity_edit(request, uuid):
    activity = _activity(request, uuid)
    require(access.can_record_applications(request.user, activity.trajectory))
    form = ActivityForm(request.POST or None, instance=activity)
    if submit(
        request, form,
        lambda data: services.activity_update(actor=request.user, activity=activity, **data),
        success=_("Saved."), errors_to=_activity_errors_to,
    ):  # fmt: skip
        return redirect("sollicitaties:detail", uuid=activity.uuid)
    return render(
        request,
        "sollicitaties/activity_form.html",
        {"form": form, "trajectory": activity.trajectory, "activity": activity},
    )


def _activity_errors_to(form, exc) -> None:
    """A likely duplicate is said at the top, with the box to confirm it shown."""
    duplicate = getattr(exc, "error_dict", {}).pop("confirm_duplicate", None)
    if duplicate:
        form.show_confirm = True
        form.add_error(None, duplicate)
    reused = getattr(exc, "error_dict", {}).pop("idempotency_key", None)
    if reused:  # the form's key, sent before with other details: said at the top
        form.key_reused = True
        form.add_error(None, reused)
    form_errors_to(form, exc)


@login_required
def activity_detail(request, uuid):
    activity = _activity(request, uuid)
    audit.record(AuditAction.VIEW, activity)
    can_record = access.can_record_applications(request.user, activity.trajectory)
    return render(
        request,
        "sollicitaties/activity_detail.html",
        {
            "activity": activity,
            "history": activity.status_changes.select_related("changed_by"),
            "evidence": Evidence.objects.visible_to(request.user).filter(activity=activity),
            "can_record": can_record,
            "next_statuses": NEXT_STATUSES.get(activity.status, []),
            "all_statuses": ApplicationStatus.choices,
            "evidence_form": EvidenceForm() if can_record else None,
            "show_notes": access.sees_private_notes(request.user),
            "undo": status_undo_offer(request),
            "repeated": _repeated(request.user, activity),
        },
    )


@login_required
@require_POST
def activity_status(request, uuid):
    activity = _activity(request, uuid)
    require(access.can_record_applications(request.user, activity.trajectory))
    form = StatusForm(request.POST)
    if form.is_valid():
        activity = services.activity_status_set(
            actor=request.user, activity=activity, on=timezone.localdate(), **form.cleaned_data
        )
        latest = activity.status_changes.order_by("-date", "-created_at", "-pk").first()
        # Shown once, inside the application's own card, with a button to take it back.
        request.session[STATUS_UNDO_KEY] = {"activity": str(activity.uuid), "change": latest.pk}
    else:
        messages.error(request, _("That status does not exist."))
    return _back_to_card(request, activity)


@login_required
@require_POST
def activity_status_undo(request, uuid):
    """A mis-tapped status taken back (``services.activity_status_undo``)."""
    activity = _activity(request, uuid)
    require(access.can_record_applications(request.user, activity.trajectory))
    try:
        change_id = int(request.POST.get("change", ""))
    except ValueError:
        raise Http404 from None
    try:
        activity = services.activity_status_undo(
            actor=request.user, activity=activity, change_id=change_id
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(application)s: the status is back to %(status)s.")
            % {"application": activity.display_name, "status": activity.get_status_display()},
        )
    return _back_to_card(request, activity)


STATUS_UNDO_KEY = "status_undo"


def status_undo_offer(request):
    """The status change to offer an undo for on this page, once; ``None`` if there is none."""
    return request.session.pop(STATUS_UNDO_KEY, None)


def _back_to_card(request, activity):
    """Back to the page the button was on, scrolled to the application's card (not the top
    of the page), or to the application's own page."""
    response = redirect_next(request, reverse("sollicitaties:detail", args=[activity.uuid]))
    if "#" not in response["Location"]:
        response["Location"] += f"#activity-{activity.uuid}"
    return response


@login_required
@require_POST
def evidence_add(request, uuid):
    activity = _activity(request, uuid)
    require(access.can_record_applications(request.user, activity.trajectory))
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        services.evidence_add(
            actor=request.user, activity=activity, upload=form.cleaned_data["file"]
        )
        messages.success(request, _("The evidence has been added."))
    else:
        for error in form.errors.get("file", []):
            messages.error(request, error)
    return redirect("sollicitaties:detail", uuid=activity.uuid)


@login_required
def evidence_download(request, uuid):
    evidence = access.get_visible_or_404(Evidence.objects.visible_to(request.user), uuid=uuid)
    return private_download(
        evidence,
        evidence.file,
        filename=download_name_for(evidence.file, evidence.original_name or _("evidence")),
        content_type=evidence.content_type,
    )
