"""What earlier reports told, so that nothing falls between two reports (domain.md section 5).

A report is the file *as of its cut-off*: the end of its period, or the day its text was
frozen (offered for a response, else signed) when that is earlier. An entry recorded after a
report was frozen, for a day that report covered (an application registered back-dated, a
conversation written up late), is in no report unless the next one says so. And a report
signed before its period ended leaves the days after its cut-off to the next report.

So each report lists the **additions to earlier reports**: entries dated before its own period
that no earlier report told, for days some earlier frozen report covered, each with why: recorded
later ("nagekomen, vastgelegd op …"), or dated after that report's cut-off ("na de stand van de
vorige rapportage"). Entries in its own table that an earlier report covered but did not hold
carry the same note. An earlier report is never changed; the later one says what is new.

Which entries an earlier report told is not stored, it is replayed: the frozen reports in the
order they were frozen, each telling the entries of its period up to its cut-off that were
recorded before it froze, plus (when it was signed with a block of late entries) the late
entries of its time. Pure functions over plain values, so the replay is tested on its own.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from .constants import FROZEN, ReportKind
from .models import Report

#: The snapshot schema from which a frozen report lists late entries (older ones did not).
LATE_SCHEMA = 3


@dataclass(frozen=True)
class Told:
    """An earlier frozen report: the period it covered and the moment its text was fixed."""

    start: date
    end: date
    cutoff: date
    frozen_at: datetime
    lists_late: bool


@dataclass(frozen=True)
class Entry:
    """A dated record of the file: an application, a conversation (one day) or a training
    (``first`` to ``last``), and when it was recorded."""

    key: tuple
    first: date
    last: date
    recorded: datetime


def cutoff(report, day: date) -> date:
    """The one cut-off of a report whose text is fixed on ``day``: nothing dated after it is
    in the report."""
    return min(report.period_end, day)


def frozen_at(report) -> datetime | None:
    """When a report's text was fixed: offered for a response, else signed."""
    return report.review_requested_at or report.signed_at


def told_before(report) -> list[Told]:
    """The trajectory's frozen reports other than ``report`` (and its other versions), in the
    order their texts were fixed. One query."""
    rows = (
        Report.objects.filter(trajectory_id=report.trajectory_id, status__in=FROZEN)
        .exclude(kind=report.kind, number=report.number)
        .values(
            "period_start", "period_end", "review_requested_at", "signed_at", "kind",
            "snapshot__schema",
        )
    )  # fmt: skip
    told = []
    for row in rows:
        fixed = row["review_requested_at"] or row["signed_at"]
        if fixed is None:
            continue
        told.append(
            Told(
                start=row["period_start"],
                end=row["period_end"],
                cutoff=min(row["period_end"], timezone.localdate(fixed)),
                frozen_at=fixed,
                lists_late=(row["snapshot__schema"] or 0) >= LATE_SCHEMA
                and row["kind"] != ReportKind.FINAL,
            )
        )
    return sorted(told, key=lambda t: t.frozen_at)


@dataclass(frozen=True)
class Untold:
    """Why an earlier report did not tell an entry: ``late`` (recorded on ``day``, after that
    report was fixed) or ``after_cutoff`` (dated after that report's cut-off ``day``)."""

    why: str
    day: date
    #: The entry's own (last) day.
    dated: date

    def note(self) -> str:
        """The note beside the entry in a report (Dutch, as reports are): back-dated entries
        are "nagekomen"; one recorded on its own day after the report was fixed that day is
        not late, only after the report."""
        stamp = self.day.strftime("%d-%m-%Y")
        if self.why == "late" and self.day > self.dated:
            return f"nagekomen, vastgelegd op {stamp}"
        if self.why == "late":
            return "vastgelegd na het opmaken van de vorige rapportage"
        return f"na de stand van de vorige rapportage ({stamp})"


def _covered(entry: Entry, reports: Iterable[Told]) -> bool:
    """Its day lies in the period of a report that was frozen: that report was its place."""
    return any(r.start <= entry.last <= r.end for r in reports)


def untold(entries: list[Entry], told: list[Told]) -> dict[tuple, Untold]:
    """The entries for days an earlier report covered that no earlier report told, by key,
    with why: recorded after that report was fixed (``late``), or dated after its cut-off
    (``after_cutoff``, a report fixed before its period ended). A training still running at a
    report's cut-off is told once it has ended."""
    reported: set[tuple] = set()
    for i, report in enumerate(told):
        for e in entries:
            if e.key in reported or e.recorded > report.frozen_at:
                continue
            if e.first <= report.cutoff and e.last >= report.start:
                if e.last <= report.cutoff:
                    reported.add(e.key)
            elif report.lists_late and e.last < report.start and _covered(e, told[:i]):
                reported.add(e.key)
    result = {}
    for e in entries:
        if e.key in reported or not _covered(e, told):
            continue
        within = [r for r in told if r.start <= e.last <= r.cutoff]
        if within:
            result[e.key] = Untold("late", timezone.localdate(e.recorded), e.last)
        else:
            cutoffs = [r.cutoff for r in told if r.start <= e.last <= r.end]
            result[e.key] = Untold("after_cutoff", max(cutoffs), e.last)
    return result
