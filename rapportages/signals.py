"""When a trajectory closes, its final report (or feasibility advice) is drafted at once."""

from django.dispatch import receiver
from django.utils import timezone

from trajecten.services import trajectory_closed

from . import services


@receiver(trajectory_closed)
def _draft_final_report(sender, trajectory_id: int, **kwargs) -> None:
    services.reports_schedule(today=timezone.localdate(), trajectory_ids=[trajectory_id])
