"""Drafts as they fall due (the daily dispatcher)."""

from datetime import date

from portal import live, tenancy
from trajecten.constants import TrajectoryStatus
from trajecten.models import Trajectory

from ..constants import (
    DRAFT_LEAD_DAYS,
)
from ..models import Report
from ..schedule import trajectory_reports_due


def reports_schedule(*, today: date, trajectory_ids=None) -> int:
    """Create every draft that has fallen due and does not exist yet; returns how many.

    Derived from the database each run, so missed days are caught up. Safe to run twice or
    concurrently: existing keys are skipped and the unique constraint drops any race."""
    trajectories = (
        Trajectory.objects.filter(start_date__isnull=False)
        .exclude(status=TrajectoryStatus.REFERRED)
        .select_related("product")
        .only("id", "agency_id", "start_date", "intake_date", "end_date", "status",
              "product__kind")
    )  # fmt: skip
    existing = Report.objects.filter(version=1)
    if trajectory_ids is not None:
        trajectories = trajectories.filter(pk__in_list=trajectory_ids)
        existing = existing.filter(trajectory_id__in_list=trajectory_ids)
    existing = set(existing.values_list("trajectory_id", "kind", "number"))
    new = []
    for t in trajectories.iterator(chunk_size=2000):
        for due in trajectory_reports_due(t, today=today, lead_days=DRAFT_LEAD_DAYS):
            if (t.pk, due.kind, due.number) in existing:
                continue
            new.append(
                Report(
                    trajectory_id=t.pk,
                    agency_id=t.agency_id,
                    kind=due.kind,
                    number=due.number,
                    period_start=due.period_start,
                    period_end=due.period_end,
                    due_date=due.due_date,
                )
            )
    created = Report.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    # A bulk insert sends no signals: the open dashboards are told here, in one query.
    live.bump_trajectories(t.trajectory_id for t in created)
    tenancy.analyze_after_bulk(Report, rows=len(created))  # a catch-up loads thousands
    return len(created)
