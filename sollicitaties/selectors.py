"""Reads for the application log, each starting from the scoping layer."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch

from portal import access
from trajecten.file_parts import LogEntry
from trajecten.models import SearchProfile, Trajectory

from . import matching, repeats
from .constants import NEXT_STATUSES, REQUIRED_TEMP_AGENCIES
from .models import (
    ApplicationActivity,
    Evidence,
    StatusChange,
    TempAgencyRegistration,
    Vacancy,
)
from .norm import Norm, period_of, periods
from .repeats import COUNTING
from .services import norm_for


def activities(*, user, trajectory: Trajectory):
    """A trajectory's activities with their history and, where the user may see it, evidence."""
    return (
        ApplicationActivity.objects.visible_to(user)
        .filter(trajectory=trajectory)
        .select_related("recorded_by")
        .prefetch_related(
            Prefetch("status_changes", queryset=StatusChange.objects.order_by("date", "id")),
            Prefetch("evidence", queryset=Evidence.objects.visible_to(user)),
        )
    )


def compliance(*, user, trajectory: Trajectory, today: date) -> tuple[Norm, list]:
    """The norm and every period from the start to today, in one query for the dates."""
    norm = norm_for(trajectory)
    if trajectory.start_date is None:
        return norm, []
    dates = (
        ApplicationActivity.objects.visible_to(user)
        .filter(COUNTING, trajectory=trajectory)
        .values_list("date", flat=True)
    )
    return norm, periods(trajectory.start_date, today, norm, dates, trajectory.end_date)


def registrations(*, user, trajectory: Trajectory):
    return TempAgencyRegistration.objects.visible_to(user).filter(trajectory=trajectory)


#: Suggestions shown at most (``matching.suggest``'s own default).
LIMIT = 20


def suggestions(*, user, trajectory: Trajectory, today: date):
    """Vacancies matching the latest search profile of the trajectory, except the ones the
    employee already applied to (by the vacancy, or the same employer and function as
    ``repeats`` compares them: applying again would not count)."""
    profile = (
        SearchProfile.objects.visible_to(user)
        .filter(trajectory=trajectory)
        .prefetch_related("functions")
        .first()
    )
    if profile is None:
        return []
    applied = ApplicationActivity.objects.visible_to(user).filter(trajectory=trajectory)
    vacancies = Vacancy.objects.visible_to(user).exclude(
        pk__in=applied.filter(vacancy__isnull=False).values("vacancy_id")
    )
    done = {
        repeats.key_of(kind, organisation, title)
        for kind, organisation, title in applied.values_list(
            "kind", "organisation", "vacancy_title"
        )
    } - {None}  # an entry that is never a repeat (reading vacancies) rules nothing out
    found = matching.suggest(
        profile=profile, functions=list(profile.functions.all()), vacancies=vacancies,
        today=today, limit=LIMIT + len(done),
    )  # fmt: skip
    return [
        s
        for s in found
        if repeats.key_of("written_application", s.vacancy.organisation, s.vacancy.title)
        not in done
    ][:LIMIT]


@dataclass(frozen=True)
class NormPosition:
    """Where a trajectory stands against its norm today."""

    norm: Norm
    current_count: int
    current_end: date
    previous_count: int | None  # None while the first period runs

    @property
    def last_complete_met(self) -> bool | None:
        return None if self.previous_count is None else self.previous_count >= self.norm.count

    @property
    def below_norm(self) -> bool:
        return self.last_complete_met is False


def norm_positions(*, user, trajectories: list[Trajectory], today: date) -> dict[int, NormPosition]:
    """Per started trajectory: counting activities in the current norm period and in the last
    complete one. One query whatever the number of trajectories (the trajectories need
    ``agency`` and ``application_norm`` loaded)."""
    started = [t for t in trajectories if t.start_date]
    if not started:
        return {}
    longest = max(norm_for(t).weeks for t in started)
    recent = defaultdict(list)
    for trajectory_id, day in (
        ApplicationActivity.objects.visible_to(user)
        .filter(
            COUNTING,
            trajectory_id__in_list=[t.pk for t in started],
            date__gte=today - timedelta(days=7 * longest * 2),
        )
        .values_list("trajectory_id", "date")
    ):
        recent[trajectory_id].append(day)
    positions = {}
    for t in started:
        norm = norm_for(t)
        current_start, current_end = period_of(t.start_date, today, norm.weeks)
        previous_start = current_start - timedelta(days=7 * norm.weeks)
        days = recent[t.pk]
        positions[t.pk] = NormPosition(
            norm=norm,
            current_count=sum(1 for d in days if current_start <= d <= today),
            current_end=current_end,
            previous_count=(
                sum(1 for d in days if previous_start <= d < current_start)
                if current_start > t.start_date
                else None
            ),
        )
    return positions


@dataclass
class OverviewRow:
    trajectory: Trajectory
    position: NormPosition
    by_status: dict


def employer_overview(*, user, today: date) -> list[OverviewRow]:
    """Per trajectory the user may see: counting activities in the current norm period
    against the norm, whether the last complete period met it, and counts by status. Three
    queries whatever the number of trajectories."""
    trajectories = list(
        Trajectory.objects.visible_to(user)
        .filter(start_date__isnull=False)
        .select_related("employee", "legal_entity__employer", "agency", "application_norm")
        .order_by("legal_entity__name", "employee__last_name")
    )
    positions = norm_positions(user=user, trajectories=trajectories, today=today)
    statuses = defaultdict(Counter)
    for row in (
        ApplicationActivity.objects.visible_to(user)
        .filter(trajectory_id__in_list=[t.pk for t in trajectories])
        .values("trajectory_id", "status")
        .annotate(n=Count("id"))
    ):
        statuses[row["trajectory_id"]][row["status"]] = row["n"]
    return [
        OverviewRow(trajectory=t, position=positions[t.pk], by_status=dict(statuses[t.pk]))
        for t in trajectories
    ]


@dataclass
class LegalEntityTotals:
    name: str
    trajectories: int = 0
    this_period: int = 0
    below_last_period: int = 0


def per_legal_entity(rows: list[OverviewRow]) -> list[LegalEntityTotals]:
    """Totals per BV from the overview rows: several BVs at a glance."""
    totals: dict[int, LegalEntityTotals] = {}
    for row in rows:
        bv = row.trajectory.legal_entity
        entry = totals.setdefault(bv.pk, LegalEntityTotals(bv.name))
        entry.trajectories += 1
        entry.this_period += row.position.current_count
        entry.below_last_period += row.position.below_norm
    return sorted(totals.values(), key=lambda t: t.name)


# --- The file's Applications tab and log (added in ``apps.py``: ``trajecten.file_parts``) --


ACTIVITIES_PER_PAGE = 25


def file_tab_context(*, user, trajectory, today, params=None) -> dict:
    """The Applications tab: norm periods, temp agencies and the activities, newest first,
    25 to a page (the CSV export holds them all)."""
    norm, periods = compliance(user=user, trajectory=trajectory, today=today)
    registered = list(registrations(user=user, trajectory=trajectory))
    page = Paginator(activities(user=user, trajectory=trajectory), ACTIVITIES_PER_PAGE).get_page(
        (params or {}).get("page")
    )
    return {
        "activities": page.object_list,
        "page": page,
        "norm": norm,
        "periods": periods,
        "registrations": registered,
        "temp_agencies": {
            "count": len({r.agency_name.strip().lower() for r in registered}),
            "required": REQUIRED_TEMP_AGENCIES,
        },
        "can_record": access.can_record_applications(user, trajectory),
        "can_set_norm": access.can_edit_trajectory(user, trajectory),
        "show_notes": access.sees_private_notes(user),
        "next_statuses": NEXT_STATUSES,
    }


def log_entries(*, user, trajectory) -> list[LogEntry]:
    entries = [
        LogEntry(a.date, "application", str(a))
        for a in ApplicationActivity.objects.visible_to(user).filter(trajectory=trajectory)
    ]
    entries += [
        LogEntry(r.date, "temp_agency", r.agency_name)
        for r in registrations(user=user, trajectory=trajectory)
    ]
    return entries


def weekly_counts_per_trajectory(
    *, user, since: date, until: date, ids=None
) -> dict[tuple[int, date], int]:
    """Counting applications the user may see per trajectory and ISO week (its Monday) between
    two dates, of all trajectories or those in ``ids``: one query. The norm counts the same
    kinds, so a week's bar and the norm agree."""
    from django.db.models.functions import TruncWeek

    rows = ApplicationActivity.objects.visible_to(user).filter(COUNTING, date__range=(since, until))
    if ids is not None:
        rows = rows.filter(trajectory_id__in_list=ids)
    rows = (
        rows.annotate(week=TruncWeek("date"))
        .values_list("trajectory_id", "week")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(pk, _as_date(week)): n for pk, week, n in rows}


def _as_date(value) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value
