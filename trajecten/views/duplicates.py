"""Possible duplicates: a referral named the email address of someone the referrer may not
see, so a second employee was created (``services.employee_find_or_create``). An agency admin
decides: the same person (merge) or two people (keep apart)."""

from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import access
from portal.decorators import agency_admin_required
from portal.shortcuts import act

from .. import services
from ..models import Trajectory

_TRAJECTORIES = Prefetch(
    "trajectories",
    queryset=Trajectory.objects.select_related("legal_entity__employer").order_by("created_at"),
)


@agency_admin_required
def possible_duplicates(request):
    employees = (
        access.possible_duplicate_employees(request.user)
        .select_related("possible_duplicate_of")
        .prefetch_related(
            _TRAJECTORIES,
            Prefetch("possible_duplicate_of__trajectories", queryset=_TRAJECTORIES.queryset),
        )
        .order_by("created_at")
    )
    return render(request, "trajecten/possible_duplicates.html", {"employees": employees})


@agency_admin_required
@require_POST
def possible_duplicate_decide(request, uuid, decision):
    employee = access.get_visible_or_404(
        access.possible_duplicate_employees(request.user), uuid=uuid
    )
    decide = {
        "samenvoegen": services.employee_duplicate_merge,
        "apart-houden": services.employee_duplicate_keep_apart,
    }.get(decision)
    if decide is None:
        return redirect("trajecten:possible_duplicates")
    done = _("Merged into one person.") if decision == "samenvoegen" else _("Kept apart.")
    act(request, lambda: decide(employee=employee, actor=request.user), success=done)
    return redirect("trajecten:possible_duplicates")
