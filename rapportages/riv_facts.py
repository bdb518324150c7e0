"""The RIV check's input (``riv_check.RivFile``) for any number of trajectories, read in a
fixed number of queries: the trajectories through the scoping layer, then each kind of record
of their whole file (``access.riv_file_rows``: the check finds the same for the agency and the
employer), and the exceptions signed off. ``results`` puts them through ``riv_check.check``."""

from collections import defaultdict
from datetime import date

from django.db.models import BooleanField, Count, QuerySet, Value
from django.utils import timezone

from portal import access
from portal.models import Product
from sollicitaties.constants import COUNTING_KINDS
from sollicitaties.models import ApplicationActivity
from sollicitaties.norm import Norm
from trajecten.models import ConversationReport, Extension, SearchProfile, Training, Trajectory

from . import riv_check
from .constants import PUBLISHED
from .models import Report, RivException

#: The queries ``load`` makes, whatever the number of trajectories (the tests hold it).
QUERIES = 7


def load(*, user, ids) -> dict[int, riv_check.RivFile]:
    """The files of the trajectories in ``ids`` that ``user`` may see, by id."""
    return {t.pk: file for t, file in _load(user=user, ids=ids)}


def _load(*, user, ids) -> list[tuple[Trajectory, riv_check.RivFile]]:
    """``ids``: a list of ids, or a queryset of trajectories (read as a subquery)."""
    visible = Trajectory.objects.visible_to(user)
    if isinstance(ids, QuerySet):
        visible = visible.filter(id__in=ids.values("id"))
    else:
        visible = visible.filter(id__in_list=list(ids))
    trajectories = list(
        visible.select_related(
            "sickness_case", "product", "agency", "application_norm", "work_capacity", "employee"
        )
    )
    ids = [t.pk for t in trajectories]
    extensions = defaultdict(list)
    for case_id, decided, weeks in Extension.objects.filter(
        case_id__in_list=[t.sickness_case_id for t in trajectories]
    ).values_list("case_id", "decided_on", "weeks"):
        extensions[case_id].append((decided, weeks))
    profiles = defaultdict(list)
    for row in (
        access.riv_file_rows(SearchProfile, ids)
        .annotate(n_functions=Count("functions"))
        .values(
            "trajectory_id", "version", "valid_from", "hours_per_week", "sectors", "n_functions"
        )
    ):
        sectors = [s for s in row["sectors"].replace(";", ",").split(",") if s.strip()]
        profiles[row["trajectory_id"]].append(
            riv_check.ProfileFact(
                row["version"],
                row["valid_from"],
                row["hours_per_week"],
                row["n_functions"],
                len(sectors),
            )
        )
    # Both kinds of date in one read (a union): the specialist's day keeps its query budget.
    conversations, applications = defaultdict(list), defaultdict(list)
    talks = access.riv_file_rows(ConversationReport, ids).values_list(
        "trajectory_id", "date", Value(True, output_field=BooleanField())
    )
    counting = (
        access.riv_file_rows(ApplicationActivity, ids)
        .filter(kind__in=COUNTING_KINDS, repeat_of__isnull=True)
        .values_list("trajectory_id", "date", Value(False, output_field=BooleanField()))
    )
    for tid, day, is_talk in talks.order_by().union(counting.order_by(), all=True):
        (conversations if is_talk else applications)[tid].append(day)
    trainings = defaultdict(list)
    for tid, name, end, status, uuid in access.riv_file_rows(Training, ids).values_list(
        "trajectory_id", "name", "end_date", "status", "uuid"
    ):
        trainings[tid].append(riv_check.TrainingFact(name, end, status, uuid))
    reports = _finals(access.riv_file_rows(Report, ids))
    exceptions = defaultdict(list)
    for e in (
        RivException.objects.visible_to(user)
        .filter(trajectory_id__in_list=ids, withdrawn_at__isnull=True)
        .select_related("signed_by")
    ):
        exceptions[e.trajectory_id].append(
            riv_check.ExceptionFact(
                e.rule,
                e.subject,
                e.reason_kind,
                e.reason,
                e.signed_by.get_full_name(),
                timezone.localdate(e.signed_at),
                e.uuid,
            )
        )
    return [
        (
            t,
            _file(
                t,
                extensions=extensions[t.sickness_case_id],
                profiles=profiles[t.pk],
                conversations=conversations[t.pk],
                applications=applications[t.pk],
                trainings=trainings[t.pk],
                reports=reports[t.pk],
                exceptions=exceptions[t.pk],
            ),
        )
        for t in trajectories
    ]


def _finals(queryset) -> dict[int, list[riv_check.ReportFact]]:
    """Per trajectory, each report signed final: the day its first final version was signed
    (a correction later does not make it late) and the version that counts now."""
    first: dict[tuple, date] = {}
    newest: dict[tuple, tuple] = {}
    for tid, kind, number, version, signed_at, uuid in queryset.filter(
        status__in=PUBLISHED, signed_at__isnull=False
    ).values_list("trajectory_id", "kind", "number", "version", "signed_at", "uuid"):
        key = (tid, kind, number)
        day = timezone.localdate(signed_at)
        first[key] = min(first.get(key, day), day)
        if key not in newest or newest[key][0] < version:
            newest[key] = (version, uuid)
    found = defaultdict(list)
    for (tid, kind, number), day in first.items():
        found[tid].append(riv_check.ReportFact(kind, number, day, newest[(tid, kind, number)][1]))
    return found


def _file(t: Trajectory, **records) -> riv_check.RivFile:
    case = t.sickness_case
    capacity = getattr(t, "work_capacity", None)
    own = getattr(t, "application_norm", None)
    norm = (
        Norm(own.count, own.weeks)
        if own
        else Norm(t.agency.application_norm_count, t.agency.application_norm_weeks)
    )
    return riv_check.RivFile(
        first_sick_day=case.first_sick_day,
        recovery_date=case.recovery_date,
        extensions=tuple(records["extensions"]),
        steps={
            "probleemanalyse": case.probleemanalyse_date,
            "plan_van_aanpak": case.plan_van_aanpak_date,
            "notification_42": case.notification_42_date,
            "first_year_evaluation": case.first_year_evaluation_date,
            "current_assessment": case.current_assessment_date,
            "final_evaluation": case.final_evaluation_date,
        },
        wia_application=case.wia_application_date,
        referral_date=t.referral_date,
        intake=t.intake_date,
        feasibility=t.product.kind == Product.Kind.FEASIBILITY,
        referral_basis=t.referral_basis,
        advice_date=t.referral_advice_date,
        start=t.start_date,
        end=t.end_date if t.is_ended else None,
        fml_date=capacity.advice_date if capacity else None,
        capacity_hours=capacity.hours_per_week if capacity else None,
        profiles=tuple(records["profiles"]),
        conversations=tuple(records["conversations"]),
        applications=tuple(records["applications"]),
        norm=norm,
        contact_days=t.agency.contact_alert_days,
        reports=tuple(records["reports"]),
        trainings=tuple(records["trainings"]),
        exceptions=tuple(records["exceptions"]),
    )


def results(*, user, ids, on: date) -> dict[int, riv_check.Result]:
    """The check of every trajectory in ``ids`` that ``user`` may see, as of ``on``."""
    return {pk: riv_check.check(file, on) for pk, file in load(user=user, ids=ids).items()}


def at_risk(*, user, trajectories: QuerySet, on: date) -> list[tuple[Trajectory, riv_check.Result]]:
    """The trajectories of ``trajectories`` (a queryset) whose check as of ``on`` has an open
    finding UWV would reject the file for, with their results: the most urgent repair first."""
    found = []
    for t, file in _load(user=user, ids=trajectories):
        checked = riv_check.check(file, on)
        if checked.at_risk:
            found.append((t, checked))
    found.sort(key=lambda pair: (pair[1].repair_by, pair[0].employee.last_name, pair[0].pk))
    return found


def result(*, user, trajectory: Trajectory, on: date) -> riv_check.Result | None:
    """The check of one trajectory (``None`` when ``user`` may not see it)."""
    return results(user=user, ids=[trajectory.pk], on=on).get(trajectory.pk)
