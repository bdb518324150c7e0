"""The application norm: N counting activities per P weeks, in periods aligned to the
trajectory's start. Pure arithmetic on days, so year ends and ISO week 53 need no care: a
period is always exactly 7P days."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Norm:
    count: int
    weeks: int


@dataclass(frozen=True)
class Period:
    number: int  # 1-based
    start: date
    end: date  # inclusive
    count: int
    required: int
    in_progress: bool

    @property
    def met(self) -> bool:
        return self.count >= self.required

    @property
    def below(self) -> bool:
        """Completed and short of the norm: what the specialist is warned about."""
        return not self.in_progress and not self.met


def period_of(start: date, day: date, weeks: int) -> tuple[date, date]:
    """The norm period that ``day`` falls in."""
    length = 7 * weeks
    index = max(0, (day - start).days // length)
    begin = start + timedelta(days=index * length)
    return begin, begin + timedelta(days=length - 1)


def periods(
    start: date, today: date, norm: Norm, counting_dates: Iterable[date], end: date | None = None
) -> list[Period]:
    """Every period from the start up to and including the one with ``today`` (or the end)."""
    last_day = min(today, end) if end else today
    if last_day < start:
        return []
    length = 7 * norm.weeks
    n = (last_day - start).days // length + 1
    counts = [0] * n
    for day in counting_dates:
        index = (day - start).days // length
        if 0 <= index < n and day <= last_day:
            counts[index] += 1
    result = []
    for i in range(n):
        begin = start + timedelta(days=i * length)
        finish = begin + timedelta(days=length - 1)
        result.append(
            Period(i + 1, begin, finish, counts[i], norm.count, in_progress=finish >= today)
        )
    return result
