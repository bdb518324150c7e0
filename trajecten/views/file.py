"""The trajectory file page and the changes to the trajectory itself."""

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from portal import access, audit
from portal.constants import AuditAction
from portal.shortcuts import act, require, submit

from .. import file_parts, messaging, selectors, services
from ..forms import (
    AcceptReferralForm,
    ActionListForm,
    CloseForm,
    EmployeeDetailsForm,
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
    "history": gettext_lazy("History"),
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
    labels = {**TAB_LABELS, **{t.key: t.label for t in selectors.extra_tabs()}}
    clock = selectors.wvp_clock(trajectory=trajectory, today=today)
    clock = replace(
        clock,
        signals=file_parts.noted_signals(user=user, trajectory=trajectory, signals=clock.signals),
    )
    context = {
        "trajectory": trajectory,
        "clock": clock,
        "tabs": [(t, labels[t]) for t in tabs],
        "tab": tab,
        "can_edit": access.can_edit_trajectory(user, trajectory),
        "can_write": access.can_write_records(user, trajectory),
        "can_write_time": access.can_write_time(user, trajectory),
        "can_accept_referral": access.can_accept_referral(user, trajectory),
        "can_prepare_access_export": access.can_prepare_access_export(user, trajectory),
        "can_transfer": access.can_transfer_files(user),
        "is_employer": access.is_employer_contact(user),
        "show_bsn": access.can_see_bsn(user, trajectory),
        **selectors.tab_context(
            tab=tab, user=user, trajectory=trajectory, today=today, params=request.GET
        ),
    }
    if tab == "messages":
        messaging.thread_read(user=user, trajectory=trajectory)
        context["message_draft"] = request.session.pop("message_draft", "")
        context["message_medical"] = request.session.pop("message_medical", False)
    if access.is_employer_contact(user):
        context["time_total"] = selectors.time_totals_for_employer(user=user, trajectory=trajectory)
    return render(request, "trajecten/file.html", context)


def _edit(request, uuid, form_class, title, *, save, instance_of=None, tab="overview", right=None):
    """A small form about the trajectory itself. ``save(trajectory, data)`` calls the service
    with the form's parsed data; the service's refusals go back onto the form."""
    trajectory = get_trajectory(request, uuid)
    require((right or access.can_edit_trajectory)(request.user, trajectory))
    kwargs = {"instance": instance_of(trajectory)} if instance_of else {"trajectory": trajectory}
    form = form_class(request.POST or None, **kwargs)
    if submit(request, form, lambda data: save(trajectory, data), success=_("Saved.")):
        return redirect(f"{trajectory_url(trajectory)}?tab={tab}")
    return render(
        request,
        "trajecten/trajectory_form.html",
        {"form": form, "trajectory": trajectory, "title": title},
    )


def trajectory_url(trajectory) -> str:
    from django.urls import reverse

    return reverse("trajecten:file", args=[trajectory.uuid])


def _form(form_class):
    """A form that takes only the data (not the trajectory)."""
    return lambda data, trajectory: form_class(data)


@login_required
def summary_edit(request, uuid):
    def save(trajectory, data):
        services.trajectory_update(actor=request.user, trajectory=trajectory, **data)

    return _edit(request, uuid, TrajectorySummaryForm, _("Trajectory details"),
                 instance_of=lambda t: t, save=save)  # fmt: skip


@login_required
def employee_edit(request, uuid):
    def save(trajectory, data):
        services.employee_update(actor=request.user, trajectory=trajectory, **data)

    def form(data, trajectory):
        return EmployeeDetailsForm(data, trajectory=trajectory, user=request.user)

    return _edit(request, uuid, form, _("Employee details"), save=save)


@login_required
def wvp_edit(request, uuid):
    def save(trajectory, data):
        services.sickness_case_update(actor=request.user, trajectory=trajectory, **data)

    return _edit(request, uuid, SicknessCaseForm, _("WvP steps and dates"),
                 instance_of=lambda t: t.sickness_case, save=save)  # fmt: skip


@login_required
def extension_add(request, uuid):
    def save(trajectory, data):
        services.extension_add(actor=request.user, trajectory=trajectory, **data)

    return _edit(request, uuid, _form(ExtensionForm), _("Extension of the waiting time"),
                 save=save)  # fmt: skip


@login_required
def phase_set(request, uuid):
    def save(trajectory, data):
        services.phase_change(actor=request.user, trajectory=trajectory, **data)

    return _edit(request, uuid, PhaseForm, _("Change phase"), save=save)


@login_required
def close(request, uuid):
    def save(trajectory, data):
        services.trajectory_close(actor=request.user, trajectory=trajectory, **data)

    return _edit(request, uuid, _form(CloseForm), _("Close the trajectory"), save=save)


@login_required
def accept_referral(request, uuid):
    """An agency admin assigns a specialist and starts the referred trajectory."""

    def save(trajectory, data):
        services.referral_accept(actor=request.user, trajectory=trajectory, **data)

    return _edit(request, uuid, AcceptReferralForm, _("Accept the referral"), save=save,
                 right=access.can_accept_referral)  # fmt: skip


@login_required
def start(request, uuid):
    def save(trajectory, data):
        services.trajectory_start(actor=request.user, trajectory=trajectory, **data)

    return _edit(request, uuid, _form(StartForm), _("Start the trajectory"), save=save)


@login_required
def member_add(request, uuid):
    def save(trajectory, data):
        services.member_set(actor=request.user, trajectory=trajectory, **data)

    return _edit(request, uuid, MemberForm, _("Add a colleague"), save=save)


@login_required
@require_POST
def member_remove(request, uuid, member_id):
    trajectory = get_trajectory(request, uuid)
    require(access.can_edit_trajectory(request.user, trajectory))
    member = trajectory.memberships.filter(pk=member_id).first()
    if member is None:
        raise Http404
    act(request, lambda: services.member_remove(actor=request.user, trajectory=trajectory,
                                                member=member), success=None)  # fmt: skip
    return redirect(trajectory_url(trajectory))


@login_required
def action_list_apply(request, uuid):
    def save(trajectory, data):
        n = services.action_list_apply(actor=request.user, trajectory=trajectory, **data)
        messages.info(request, ngettext("%(n)s task added.", "%(n)s tasks added.", n) % {"n": n})

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
    today = timezone.localdate()
    act(request, lambda: services.task_mark_done(actor=request.user, task=task, on=today),
        success=None)  # fmt: skip
    return redirect(f"{trajectory_url(trajectory)}?tab=tasks")
