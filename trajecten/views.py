from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from portal import access, audit
from portal.constants import AuditAction

from . import selectors


@login_required
def trajectory_detail(request, uuid):
    trajectory = access.get_visible_or_404(
        selectors.trajectory_detail_queryset(user=request.user), uuid=uuid
    )
    audit.record(AuditAction.VIEW, trajectory)
    return render(
        request,
        "trajecten/trajectory_detail.html",
        {
            "trajectory": trajectory,
            "members": selectors.trajectory_members(trajectory=trajectory),
            "can_edit": access.can_edit_trajectory(request.user, trajectory),
        },
    )
