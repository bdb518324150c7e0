"""The team pages: the list and one member's page with its actions (``portal.team`` writes).

A user the viewer may not see is a 404 (another agency, or any colleague for a non-admin);
a non-admin on their own member page sees it but may not act: 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import access, selectors, team
from .decorators import agency_admin_required
from .forms import MemberForm, StandInForm, TransferForm
from .models import Invitation, StandIn, User
from .shortcuts import act, form_errors_to, require, submit


@agency_admin_required
def team_list(request):
    users = list(selectors.team_list(user=request.user))
    invitations = Invitation.objects.visible_to(request.user).filter(accepted_at__isnull=True)
    return render(
        request,
        "portal/team.html",
        {"users": users, "with_mfa": team.has_mfa(users), "invitations": invitations},
    )


def _member(request, uuid):
    member = access.get_visible_or_404(User.objects.visible_to(request.user), uuid=uuid)
    require(access.can_manage_agency(request.user))
    return member


def _primary_trajectories(request, member):
    return (
        team.open_primary_trajectories(request.user, member)
        .select_related("employee")
        .order_by("employee__last_name", "employee__first_name")
    )


def _page(request, member, **forms):
    trajectories = _primary_trajectories(request, member)
    context = {
        "member": member,
        "has_mfa": bool(team.has_mfa([member])),
        "form": forms.get("form") or MemberForm(member=member),
        "trajectories": trajectories,
        "stand_ins": StandIn.objects.visible_to(request.user)
        .filter(absent=member)
        .select_related("stand_in"),
    }
    if member.is_specialist:
        context["transfer_form"] = forms.get("transfer_form") or TransferForm(
            actor=request.user, member=member, trajectories=trajectories
        )
        context["stand_in_form"] = forms.get("stand_in_form") or StandInForm(
            actor=request.user, member=member
        )
    status = 400 if any(f.errors for f in forms.values()) else 200
    return render(request, "portal/team_member.html", context, status=status)


@login_required
def member_detail(request, uuid):
    member = _member(request, uuid)
    if request.method != "POST":
        return _page(request, member)
    form = MemberForm(request.POST, member=member)
    if submit(
        request, form,
        lambda data: team.member_update(actor=request.user, member=member, **data),
        success=_("Saved."),
    ):  # fmt: skip
        return redirect("portal:team_member", uuid=member.uuid)
    return _page(request, member, form=form)


def _act(request, uuid, action, success):
    """A one-button action on a member: the service's refusal is said on the page."""
    member = _member(request, uuid)
    act(request, lambda: action(actor=request.user, member=member),
        success=success % {"name": member.get_full_name()})  # fmt: skip
    return redirect("portal:team_member", uuid=member.uuid)


@login_required
@require_POST
def member_deactivate(request, uuid):
    done = _("%(name)s can no longer log in; their API tokens and calendar link stopped.")
    return _act(request, uuid, team.member_deactivate, done)


@login_required
@require_POST
def member_reactivate(request, uuid):
    return _act(request, uuid, team.member_reactivate, _("%(name)s can log in again."))


@login_required
@require_POST
def member_mfa_reset(request, uuid):
    done = _(
        "Two-step verification of %(name)s was reset: they set it up again at their next login."
    )
    return _act(request, uuid, team.mfa_reset, done)


@login_required
@require_POST
def member_transfer(request, uuid):
    member = _member(request, uuid)
    form = TransferForm(
        request.POST, actor=request.user, member=member,
        trajectories=_primary_trajectories(request, member),
    )  # fmt: skip
    if form.is_valid():
        try:
            moved = team.trajectories_transfer(
                actor=request.user, from_user=member, to_user=form.cleaned_data["to_user"],
                trajectories=list(form.cleaned_data["trajectories"]),
            )  # fmt: skip
        except ValidationError as exc:
            form_errors_to(form, exc)
        else:
            name = form.cleaned_data["to_user"].get_full_name()
            messages.success(request, ngettext(
                "%(n)s trajectory now has %(name)s as primary specialist.",
                "%(n)s trajectories now have %(name)s as primary specialist.",
                moved,
            ) % {"n": moved, "name": name})  # fmt: skip
            return redirect("portal:team_member", uuid=member.uuid)
    return _page(request, member, transfer_form=form)


@login_required
@require_POST
def stand_in_create(request, uuid):
    member = _member(request, uuid)
    form = StandInForm(request.POST, actor=request.user, member=member)
    if submit(
        request, form,
        lambda data: team.stand_in_create(actor=request.user, absent=member, **data),
        success=_("The stand-in has been arranged."),
    ):  # fmt: skip
        return redirect(reverse("portal:team_member", args=[member.uuid]) + "#stand-ins")
    return _page(request, member, stand_in_form=form)


@login_required
@require_POST
def stand_in_delete(request, uuid):
    record = access.get_visible_or_404(StandIn.objects.visible_to(request.user), uuid=uuid)
    require(access.can_manage_agency(request.user))
    act(request, lambda: team.stand_in_delete(actor=request.user, stand_in=record),
        success=_("The stand-in has been removed."))  # fmt: skip
    return redirect(reverse("portal:team_member", args=[record.absent.uuid]) + "#stand-ins")
