"""When a trajectory closes, its final report (or feasibility advice) is drafted at once."""

from django.dispatch import receiver
from django.utils import timezone

from portal import tenancy
from trajecten.services import trajectory_closed

from . import services


@receiver(trajectory_closed)
def _draft_final_report(sender, trajectory_id: int, agency_id: int, **kwargs) -> None:
    """Runs after the commit, where the request's agency no longer holds: sets it again."""
    with tenancy.scope(agency_id):
        services.reports_schedule(today=timezone.localdate(), trajectory_ids=[trajectory_id])
