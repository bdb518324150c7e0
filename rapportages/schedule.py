"""When reports fall due: pure date arithmetic (domain.md section 5).

Progress reports at 3, 6 and 9 months after the start, then every 3 months while the trajectory
runs. Month arithmetic clamps to month ends (31 January + 1 month = 28/29 February) and is
always taken from the start date, so it does not drift.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from portal.models import Product
from trajecten.constants import TrajectoryStatus

INTERVAL_MONTHS = 3


def progress_report_due_dates(start: date, until: date) -> list[date]:
    """Due dates of progress reports from the start up to ``until`` (inclusive)."""
    dates, n = [], 1
    while (due := start + relativedelta(months=INTERVAL_MONTHS * n)) <= until:
        dates.append(due)
        n += 1
    return dates


def next_progress_report_due(
    start: date | None, today: date, end: date | None = None, delivered=frozenset()
):
    """The first progress report due after ``today`` that is not already signed (its number
    in ``delivered``: a report signed before its due date is not "next"), or None when the
    trajectory has not started or ends before it."""
    if start is None:
        return None
    n = 1
    while (due := start + relativedelta(months=INTERVAL_MONTHS * n)) <= today or n in delivered:
        n += 1
    if end and due > end:
        return None
    return due


TRAJECTORY_PLAN_DAYS = 14  # after the intake
FINAL_REPORT_DAYS = 14  # after the end


@dataclass(frozen=True)
class Due:
    kind: str
    number: int
    period_start: date
    period_end: date
    due_date: date


def reports_due(
    *,
    start: date | None,
    intake: date | None,
    end: date | None,
    ended: bool,
    feasibility: bool,
    today: date,
    lead_days: int = 14,
) -> list[Due]:
    """Every report a trajectory should have by ``today`` (drafts appear ``lead_days`` before
    their due date). Missed days are caught up: the list is derived, not incremental."""
    horizon = today + timedelta(days=lead_days)
    due: list[Due] = []
    if intake and start and not feasibility:
        plan_due = intake + timedelta(days=TRAJECTORY_PLAN_DAYS)
        if plan_due <= horizon:
            due.append(Due("trajectory_plan", 0, start, plan_due, plan_due))
    if start and not feasibility:
        last = min(horizon, end) if end else horizon
        for n, day in enumerate(progress_report_due_dates(start, last), start=1):
            period_start = start + relativedelta(months=INTERVAL_MONTHS * (n - 1))
            due.append(Due("progress", n, period_start, day - timedelta(days=1), day))
    if ended and end and start:
        kind = "feasibility_advice" if feasibility else "final"
        due.append(Due(kind, 0, start, end, end + timedelta(days=FINAL_REPORT_DAYS)))
    return due


def trajectory_reports_due(trajectory, *, today: date, lead_days: int) -> list:
    """The reports a trajectory should have by ``today`` (``reports_due`` for its dates)."""
    return reports_due(
        start=trajectory.start_date,
        intake=trajectory.intake_date,
        end=trajectory.end_date,
        ended=trajectory.status == TrajectoryStatus.ENDED,
        feasibility=trajectory.product.kind == Product.Kind.FEASIBILITY,
        today=today,
        lead_days=lead_days,
    )
