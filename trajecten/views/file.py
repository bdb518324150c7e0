"""The trajectory file page and the changes to the trajectory itself."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal import access, audit
from portal.constants import AuditAction
from portal.shortcuts import form_errors_to, require

from .. import messaging, selectors, services
from ..forms import (
    AcceptReferralForm,
    ActionListForm,
    CloseForm,
    ExtensionForm,
    MemberForm,
    PhaseForm,
    SicknessCaseForm,
    StartForm,
    TrajectorySummaryForm,
)
from ..models import Task
from ..shortcuts import get_trajectory

TAB_LABELS = {
    "overview": gettext_lazy("Overview"),
    "conversations": gettext_lazy("Conversations"),
    "messages": gettext_lazy("Messages"),
    "profile": gettext_lazy("Profile"),
    "agenda": gettext_lazy("Appointments and assignments"),
    "trainings": gettext_lazy("Trainings"),
    "documents": gettext_lazy("Documents"),
    "tasks": gettext_lazy("Tasks"),
    "time": gettext_lazy("Time spent"),
    "log": gettext_lazy("Log"),
}


@login_required
def trajectory_file(request, uuid):
    trajectory = get_trajectory(request, uuid)
    user, today = request.user, timezone.localdate()
    tabs = selectors.tabs_for(user)
    tab = request.GET.get("tab", "overview")
    if tab not in tabs:
        tab = "overview"
    audit.record(AuditAction.VIEW, trajectory, details={"tab": tab})
    labels = {**TAB_LABELS, **{t.key: t.label for t in selectors.EXTRA_TABS}}
    context = {
        "trajectory": trajectory,
        "clock": selectors.wvp_clock(trajectory=trajectory, today=today),
        "tabs": [(t, labels[t]) for t in tabs],
        "tab": tab,
        "can_edit": access.can_edit_trajectory(user, trajectory),
        "can_write": access.can_write_records(user, trajectory),
        "can_write_time": access.can_write_time(user, trajectory),
        "is_employer": access.is_employer_contact(user),
        **selectors.tab_context(
            tab=tab, user=user, trajectory=trajectory, today=today, params=request.GET
        ),
    }
    if tab == "messages":
        messaging.thread_read(user=user, trajectory=trajectory)
        context["message_draft"] = request.session.pop("message_draft", "")
    if access.is_employer_contact(user):
        context["time_total"] = selectors.time_totals_for_employer(user=user, trajectory=trajectory)
    return render(request, "trajecten/file.html", context)


def _edit(
    request, uuid, form_class, template_title, *, instance_of=None, save=None, tab="overview"
):
    """A small form about the trajectory itself, for those who may edit it."""
    trajectory = get_trajectory(request, uuid)
    require(access.can_edit_trajectory(request.user, trajectory))
    kwargs = {"instance": instance_of(trajectory)} if instance_of else {"trajectory": trajectory}
    form = form_class(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            save(trajectory, form)
        except ValidationError as exc:
            form_errors_to(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{trajectory_url(trajectory)}?tab={tab}")
    return render(
        request,
        "trajecten/trajectory_form.html",
        {"form": form, "trajectory": trajectory, "title": template_title},
    )


def trajectory_url(trajectory) -> str:
    from django.urls import reverse

    return reverse("trajecten:file", args=[trajectory.uuid])


def _save_model_form(trajectory, form):
    obj = form.save()
    audit.record(AuditAction.UPDATE, obj, details={"fields": form.changed_data})


@login_required
def summary_edit(request, uuid):
    return _edit(
        request, uuid, TrajectorySummaryForm, _("Trajectory details"),
        instance_of=lambda t: t, save=_save_model_form,
    )  # fmt: skip


@login_required
def wvp_edit(request, uuid):
    return _edit(
        request, uuid, SicknessCaseForm, _("WvP steps and dates"),
        instance_of=lambda t: t.sickness_case, save=_save_model_form,
    )  # fmt: skip


@login_required
def extension_add(request, uuid):
    def save(trajectory, form):
        extension = form.save(commit=False)
        extension.case = trajectory.sickness_case
        extension.save()
        audit.record(
            AuditAction.UPDATE, trajectory.sickness_case, details={"extension": extension.weeks}
        )

    return _edit(request, uuid, lambda data, trajectory: ExtensionForm(data),
                 _("Extension of the waiting time"), save=save)  # fmt: skip


@login_required
def phase_set(request, uuid):
    def save(trajectory, form):
        services.phase_change(
            trajectory=trajectory,
            phase=form.cleaned_data["phase"],
            on=form.cleaned_data["on"],
            actor=request.user,
        )

    return _edit(request, uuid, PhaseForm, _("Change phase"), save=save)


@login_required
def close(request, uuid):
    def save(trajectory, form):
        services.trajectory_close(
            trajectory=trajectory,
            reason=form.cleaned_data["closing_reason"],
            end_date=form.cleaned_data["end_date"],
            note=form.cleaned_data["closing_note"],
            actor=request.user,
        )

    return _edit(request, uuid, lambda data, trajectory: CloseForm(data),
                 _("Close the trajectory"), save=save)  # fmt: skip


@login_required
def accept_referral(request, uuid):
    """An agency admin assigns a specialist and starts the referred trajectory."""
    trajectory = get_trajectory(request, uuid)
    require(access.can_manage_agency(request.user))

    def save(trajectory, form):
        services.member_set(
            trajectory=trajectory, user=form.cleaned_data["specialist"], role="primary"
        )
        services.trajectory_start(
            trajectory=trajectory, start_date=form.cleaned_data["start_date"], actor=request.user
        )

    del trajectory
    return _edit(request, uuid, AcceptReferralForm, _("Accept the referral"), save=save)


@login_required
def start(request, uuid):
    def save(trajectory, form):
        services.trajectory_start(
            trajectory=trajectory, start_date=form.cleaned_data["start_date"], actor=request.user
        )

    return _edit(request, uuid, lambda data, trajectory: StartForm(data),
                 _("Start the trajectory"), save=save)  # fmt: skip


@login_required
def member_add(request, uuid):
    def save(trajectory, form):
        services.member_set(
            trajectory=trajectory, user=form.cleaned_data["user"], role=form.cleaned_data["role"]
        )

    return _edit(request, uuid, MemberForm, _("Add a colleague"), save=save)


@login_required
@require_POST
def member_remove(request, uuid, member_id):
    trajectory = get_trajectory(request, uuid)
    require(access.can_edit_trajectory(request.user, trajectory))
    member = trajectory.memberships.filter(pk=member_id).first()
    if member is None:
        raise Http404
    try:
        services.member_remove(trajectory=trajectory, member=member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(trajectory_url(trajectory))


@login_required
def action_list_apply(request, uuid):
    def save(trajectory, form):
        n = services.action_list_apply(
            trajectory=trajectory, template=form.cleaned_data["template"], actor=request.user
        )
        messages.info(request, _("%(n)s tasks added.") % {"n": n})

    def form(data, trajectory):
        return ActionListForm(data, trajectory=trajectory, user=request.user)

    return _edit(request, uuid, form, _("Apply an action list"), save=save, tab="tasks")


@login_required
@require_POST
def task_done(request, uuid, task_uuid):
    trajectory = get_trajectory(request, uuid)
    task = access.get_visible_or_404(
        Task.objects.visible_to(request.user).filter(trajectory=trajectory), uuid=task_uuid
    )
    require(access.can_write_records(request.user, trajectory))
    services.task_mark_done(task=task, on=timezone.localdate(), actor=request.user)
    return redirect(f"{trajectory_url(trajectory)}?tab=tasks")
