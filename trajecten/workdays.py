"""Working days in the Netherlands: Monday to Friday, except Dutch public holidays as the
maintained ``holidays`` package lists them (it includes Good Friday, and Liberation Day only in
lustrum years)."""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.Netherlands(years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


@lru_cache(maxsize=8192)
def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself does not count)."""
    day = start
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def intake_promise(referral_date: date, intake_date: date | None, today: date) -> str:
    """The promise of an intake within 5 working days of the referral: 'met', 'missed' or
    'open' (no intake yet, deadline not passed). One definition for the file, the dashboards
    and the outcome figures."""
    deadline = add_working_days(referral_date, 5)
    if intake_date:
        return "met" if intake_date <= deadline else "missed"
    return "missed" if today > deadline else "open"
