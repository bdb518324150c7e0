from django.db.models import QuerySet

from portal import access

from .models import Trajectory


def trajectory_detail_queryset(*, user) -> QuerySet[Trajectory]:
    """A trajectory with what its summary shows, scoped to the user."""
    return access.visible_trajectories(user).select_related(
        "employee", "legal_entity__employer", "agency"
    )


def trajectory_members(*, trajectory: Trajectory) -> QuerySet:
    return trajectory.memberships.select_related("user").order_by("role", "user__last_name")
