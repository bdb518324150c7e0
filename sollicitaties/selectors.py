"""Reads for the application log, each starting from the scoping layer."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Prefetch

from portal import access
from trajecten.models import SearchProfile, Trajectory

from . import matching
from .constants import COUNTING_KINDS
from .models import (
    ApplicationActivity,
    Evidence,
    StatusChange,
    TempAgencyRegistration,
    Vacancy,
)
from .norm import Norm, periods
from .services import norm_for


def activities(*, user, trajectory: Trajectory):
    """A trajectory's activities with their history and, where the user may see it, evidence."""
    return (
        access.visible_records(ApplicationActivity, user)
        .filter(trajectory=trajectory)
        .select_related("recorded_by")
        .prefetch_related(
            Prefetch("status_changes", queryset=StatusChange.objects.order_by("date", "id")),
            Prefetch("evidence", queryset=access.visible_records(Evidence, user)),
        )
    )


def compliance(*, user, trajectory: Trajectory, today: date) -> tuple[Norm, list]:
    """The norm and every period from the start to today, in one query for the dates."""
    norm = norm_for(trajectory)
    if trajectory.start_date is None:
        return norm, []
    dates = (
        access.visible_records(ApplicationActivity, user)
        .filter(trajectory=trajectory, kind__in=COUNTING_KINDS)
        .values_list("date", flat=True)
    )
    return norm, periods(trajectory.start_date, today, norm, dates, trajectory.end_date)


def registrations(*, user, trajectory: Trajectory):
    return access.visible_records(TempAgencyRegistration, user).filter(trajectory=trajectory)


def suggestions(*, user, trajectory: Trajectory, today: date):
    """Vacancies matching the latest search profile of the trajectory."""
    profile = (
        access.visible_records(SearchProfile, user)
        .filter(trajectory=trajectory)
        .prefetch_related("functions")
        .first()
    )
    if profile is None:
        return []
    vacancies = access.scope(Vacancy.objects.all(), user)
    return matching.suggest(
        profile=profile, functions=list(profile.functions.all()), vacancies=vacancies, today=today
    )


@dataclass
class OverviewRow:
    trajectory: Trajectory
    norm: Norm
    current_count: int
    current_end: date | None
    last_complete_met: bool | None
    by_status: dict


def employer_overview(*, user, today: date) -> list[OverviewRow]:
    """Per trajectory the user may see: counting activities in the current norm period
    against the norm, whether the last complete period met it, and counts by status. Three
    queries whatever the number of trajectories."""
    trajectories = list(
        access.visible_trajectories(user)
        .filter(start_date__isnull=False)
        .select_related("employee", "legal_entity__employer", "agency", "application_norm")
        .order_by("legal_entity__name", "employee__last_name")
    )
    ids = [t.pk for t in trajectories]
    window = today - timedelta(days=7 * 26 * 2)
    recent = defaultdict(list)
    for trajectory_id, day in (
        access.visible_records(ApplicationActivity, user)
        .filter(trajectory_id__in=ids, kind__in=COUNTING_KINDS, date__gte=window)
        .values_list("trajectory_id", "date")
    ):
        recent[trajectory_id].append(day)
    statuses = defaultdict(Counter)
    for row in (
        access.visible_records(ApplicationActivity, user)
        .filter(trajectory_id__in=ids)
        .values("trajectory_id", "status")
        .annotate(n=Count("id"))
    ):
        statuses[row["trajectory_id"]][row["status"]] = row["n"]
    rows = []
    for t in trajectories:
        norm = norm_for(t)
        length = 7 * norm.weeks
        index = max(0, (today - t.start_date).days // length)
        current_start = t.start_date + timedelta(days=index * length)
        previous_start = current_start - timedelta(days=length)
        days = recent[t.pk]
        current = sum(1 for d in days if current_start <= d <= today)
        previous = sum(1 for d in days if previous_start <= d < current_start)
        rows.append(
            OverviewRow(
                trajectory=t,
                norm=norm,
                current_count=current,
                current_end=current_start + timedelta(days=length - 1),
                last_complete_met=(previous >= norm.count) if index > 0 else None,
                by_status=dict(statuses[t.pk]),
            )
        )
    return rows


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
        entry.this_period += row.current_count
        entry.below_last_period += row.last_complete_met is False
    return sorted(totals.values(), key=lambda t: t.name)
