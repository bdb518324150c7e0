"""The RIV check's input (``riv_check.RivFile``) for any number of trajectories, as of a day,
read in a fixed number of queries (``QUERIES``): the trajectories through the scoping layer,
with what the check needs of one row each (the extensions decided by the day, the search
profile in force on it) as subqueries; every dated fact of their whole file in one read (the
conversations, the counting applications, the days reports were signed final:
``access.riv_file_rows``, so the check finds the same for the agency and the employer); the
trainings; and the reasons signed off. ``results`` and ``checked`` put them through
``riv_check.check``. Four queries, because the specialist's day reads them beside its own."""

from collections import defaultdict
from datetime import date

from django.db.models import (
    CharField,
    Count,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat, TruncDate
from django.utils import timezone

from portal import access
from portal.models import Product
from sollicitaties.constants import COUNTING_KINDS
from sollicitaties.models import ApplicationActivity
from sollicitaties.norm import Norm
from trajecten.models import (
    ConversationReport,
    Extension,
    SearchFunction,
    SearchProfile,
    Training,
    Trajectory,
)

from . import riv_check
from .constants import PUBLISHED
from .models import Report, RivException

#: The queries ``load`` makes, whatever the number of trajectories (the tests hold it).
QUERIES = 4


def load(*, user, ids, on: date) -> dict[int, riv_check.RivFile]:
    """The files of the trajectories in ``ids`` that ``user`` may see, by id, as of ``on``."""
    return {t.pk: file for t, file in _load(user=user, ids=ids, on=on)}


def _one_row_each(queryset: QuerySet, on: date) -> QuerySet:
    """The trajectories with the extensions decided by ``on`` (their weeks, and the last day one
    was decided) and the search profile in force on ``on`` (the latest agreed by then)."""
    decided = Extension.objects.filter(case_id=OuterRef("sickness_case_id"), decided_on__lte=on)
    profile = (
        access.riv_file_rows(SearchProfile, of=OuterRef("pk"))
        .filter(valid_from__lte=on)
        .order_by("-valid_from", "-version")
    )
    functions = (
        SearchFunction.objects.filter(profile_id=OuterRef("riv_profile"))
        .order_by()
        .values("profile_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return queryset.annotate(
        riv_extension_weeks=Coalesce(
            Subquery(
                decided.order_by().values("case_id").annotate(w=Sum("weeks")).values("w"),
                output_field=IntegerField(),
            ),
            0,
        ),
        riv_extension_last=Subquery(decided.order_by("-decided_on").values("decided_on")[:1]),
        riv_profile=Subquery(profile.values("id")[:1]),
        riv_profile_version=Subquery(profile.values("version")[:1]),
        riv_profile_from=Subquery(profile.values("valid_from")[:1]),
        riv_profile_hours=Subquery(profile.values("hours_per_week")[:1]),
        riv_profile_sectors=Subquery(profile.values("sectors")[:1]),
        riv_profile_functions=Coalesce(Subquery(functions, output_field=IntegerField()), 0),
    )


def _load(*, user, ids, on: date) -> list[tuple[Trajectory, riv_check.RivFile]]:
    """``ids``: a list of ids, or a queryset of ``Trajectory.objects.visible_to(user)`` (read
    as it is, with what the caller annotated on it)."""
    if isinstance(ids, QuerySet):
        if ids._visible_to_user != user.pk:
            raise ValueError("the trajectories must come from Trajectory.objects.visible_to(user)")
        visible = ids
    else:
        visible = Trajectory.objects.visible_to(user).filter(id__in_list=list(ids))
    trajectories = list(
        _one_row_each(visible, on).select_related(
            "sickness_case", "product", "agency", "application_norm", "work_capacity", "employee"
        )
    )
    ids = [t.pk for t in trajectories]
    conversations, applications, reports = _dated(ids)
    trainings = defaultdict(list)
    for tid, name, end, status in access.riv_file_rows(Training, ids).values_list(
        "trajectory_id", "name", "end_date", "status"
    ):
        trainings[tid].append(riv_check.TrainingFact(name, end, status))
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
                conversations=conversations[t.pk],
                applications=applications[t.pk],
                trainings=trainings[t.pk],
                reports=reports[t.pk],
                exceptions=exceptions[t.pk],
            ),
        )
        for t in trajectories
    ]


def _dated(ids: list[int]) -> tuple[dict, dict, dict]:
    """Per trajectory, in one read (a union): the days of its conversations, of its counting
    applications (repeats left out) and, per report, the day its first final version was
    signed (a correction later does not make it late)."""
    tag = CharField()
    talks = access.riv_file_rows(ConversationReport, ids).values_list(
        "trajectory_id", "date", Value("c", output_field=tag)
    )
    counting = (
        access.riv_file_rows(ApplicationActivity, ids)
        .filter(kind__in=COUNTING_KINDS, repeat_of__isnull=True)
        .values_list("trajectory_id", "date", Value("a", output_field=tag))
    )
    signed = (
        access.riv_file_rows(Report, ids)
        .filter(status__in=PUBLISHED, signed_at__isnull=False)
        .values_list(
            "trajectory_id",
            TruncDate("signed_at", tzinfo=timezone.get_current_timezone()),
            Concat(Value("r:"), "kind", Value(":"), Cast("number", output_field=tag)),
        )
    )
    conversations, applications = defaultdict(list), defaultdict(list)
    first: dict[tuple, date] = {}
    for tid, day, what in talks.order_by().union(counting.order_by(), signed.order_by(), all=True):
        if what == "c":
            conversations[tid].append(day)
        elif what == "a":
            applications[tid].append(day)
        else:
            _r, kind, number = what.split(":")
            key = (tid, kind, int(number))
            first[key] = min(first.get(key, day), day)
    reports = defaultdict(list)
    for (tid, kind, number), day in first.items():
        reports[tid].append(riv_check.ReportFact(kind, number, day))
    return conversations, applications, reports


def _file(t: Trajectory, **records) -> riv_check.RivFile:
    case = t.sickness_case
    capacity = getattr(t, "work_capacity", None)
    sectors = [x for x in (t.riv_profile_sectors or "").replace(";", ",").split(",") if x.strip()]
    profile = (
        riv_check.ProfileFact(
            t.riv_profile_version,
            t.riv_profile_from,
            t.riv_profile_hours,
            t.riv_profile_functions,
            len(sectors),
        )
        if t.riv_profile
        else None
    )
    own = getattr(t, "application_norm", None)
    norm = (
        Norm(own.count, own.weeks)
        if own
        else Norm(t.agency.application_norm_count, t.agency.application_norm_weeks)
    )
    return riv_check.RivFile(
        first_sick_day=case.first_sick_day,
        recovery_date=case.recovery_date,
        # The extensions decided by the day loaded for, as one: the last day and all weeks.
        extensions=((t.riv_extension_last, t.riv_extension_weeks),)
        if t.riv_extension_weeks
        else (),
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
        profiles=(profile,) if profile else (),
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
    return {pk: riv_check.check(file, on) for pk, file in load(user=user, ids=ids, on=on).items()}


def checked(*, user, trajectories: QuerySet, on: date) -> list[tuple[Trajectory, riv_check.Result]]:
    """Each trajectory of ``trajectories`` (of ``Trajectory.objects.visible_to(user)``, with
    whatever the caller annotated) with its check as of ``on``."""
    return [(t, riv_check.check(file, on)) for t, file in _load(user=user, ids=trajectories, on=on)]


def at_risk(pairs: list[tuple[Trajectory, riv_check.Result]]) -> list:
    """Those of ``checked``'s pairs with an open finding UWV would reject the file for: the
    most urgent repair first."""
    found = [(t, result) for t, result in pairs if result.at_risk]
    found.sort(key=lambda pair: (pair[1].repair_by, pair[0].employee.last_name, pair[0].pk))
    return found


def result(*, user, trajectory: Trajectory, on: date) -> riv_check.Result | None:
    """The check of one trajectory (``None`` when ``user`` may not see it)."""
    return results(user=user, ids=[trajectory.pk], on=on).get(trajectory.pk)
