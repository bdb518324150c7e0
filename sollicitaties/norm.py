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
    #: Cut short by the end of the trajectory: judged neither met nor below, never running.
    partial: bool = False

    @property
    def met(self) -> bool:
        return self.count >= self.required

    @property
    def below(self) -> bool:
        """Completed and short of the norm: what the specialist is warned about."""
        return not self.in_progress and not self.partial and not self.met

    @property
    def complete(self) -> bool:
        """A whole period that has ended: the ones a "norm met in X of Y" counts."""
        return not self.in_progress and not self.partial


def period_of(start: date, day: date, weeks: int) -> tuple[date, date]:
    """The norm period that ``day`` falls in."""
    length = 7 * weeks
    index = max(0, (day - start).days // length)
    begin = start + timedelta(days=index * length)
    return begin, begin + timedelta(days=length - 1)


def periods(
    start: date, today: date, norm: Norm, counting_dates: Iterable[date], end: date | None = None
) -> list[Period]:
    """Every period from the start up to and including the one with ``today`` (or the end),
    each as it stood on ``today``: running only while it has not ended on that day; the last
    period of a trajectory that ended before that period did is partial, not running. Counts
    are over all the given dates, whatever period a report looks at."""
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
        partial = end is not None and end < finish and end <= today
        result.append(
            Period(
                i + 1, begin, finish, counts[i], norm.count,
                in_progress=not partial and finish >= today, partial=partial,
            )
        )  # fmt: skip
    return result


def overlapping(all_periods: list[Period], start: date, end: date) -> list[Period]:
    """The periods that overlap ``start``..``end`` (a report's period)."""
    return [p for p in all_periods if p.start <= end and p.end >= start]
