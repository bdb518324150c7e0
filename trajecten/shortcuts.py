"""What other apps' views use of the file: the trajectory, if the user may see it."""

from portal import access

from .models import Trajectory


def get_trajectory(request, uuid) -> Trajectory:
    """The trajectory with what the file's header shows, if the user may see it; 404 otherwise."""
    return access.get_visible_or_404(
        Trajectory.objects.visible_to(request.user).for_file(), uuid=uuid
    )
