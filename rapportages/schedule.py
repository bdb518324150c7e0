"""When reports fall due: pure date arithmetic (domain.md section 5).

Progress reports at 3, 6 and 9 months after the start, then every 3 months while the trajectory
runs. Month arithmetic clamps to month ends (31 January + 1 month = 28/29 February) and is
always taken from the start date, so it does not drift.
"""

from datetime import date

from dateutil.relativedelta import relativedelta

INTERVAL_MONTHS = 3


def progress_report_due_dates(start: date, until: date) -> list[date]:
    """Due dates of progress reports from the start up to ``until`` (inclusive)."""
    dates, n = [], 1
    while (due := start + relativedelta(months=INTERVAL_MONTHS * n)) <= until:
        dates.append(due)
        n += 1
    return dates


def next_progress_report_due(start: date | None, today: date, end: date | None = None):
    """The first progress report due after ``today``, or None when the trajectory has not
    started or ends before it."""
    if start is None:
        return None
    n = 1
    while (due := start + relativedelta(months=INTERVAL_MONTHS * n)) <= today:
        n += 1
    if end and due > end:
        return None
    return due
