"""The dashboards: an employer's view over all its BVs and a specialist's day.

Each is built from the scoping layer in a fixed number of queries, whatever the number of
trajectories: figures are computed in one pass over all visible trajectories, rows only for the
page shown. Business rules (WvP clock, norm, report schedule, risks) come from their own
modules; this one only combines them.
"""

import hashlib
import logging
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from urllib.parse import urlencode

import django_filters
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Prefetch, Subquery, Sum, Window
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal import access, charts, live
from portal.models import LegalEntity, Phase
from rapportages import riv_facts
from rapportages import selectors as report_selectors
from rapportages.schedule import next_progress_report_due
from sollicitaties.selectors import NormPosition, norm_positions, weekly_counts_per_trajectory
from trajecten import risks as trajectory_risks
from trajecten import wvp
from trajecten.constants import AssignmentStatus, MemberRole, TrajectoryStatus
from trajecten.models import (
    Appointment,
    Assignment,
    ConversationReport,
    Extension,
    SicknessCase,
    Task,
    Trajectory,
    TrajectoryMember,
)

PAGE_SIZE = 50
logger = logging.getLogger(__name__)


# --- Employer dashboard -----------------------------------------------------------------------


class EmployerDashboardFilter(django_filters.FilterSet):
    """Filters of the employer dashboard; every choice list comes from the scoping layer."""

    legal_entity = django_filters.ModelChoiceFilter(
        field_name="legal_entity", label=_("BV"), to_field_name="uuid", empty_label=_("All BVs")
    )
    phase = django_filters.ModelChoiceFilter(
        field_name="phase", label=_("Phase"), empty_label=_("All phases")
    )
    status = django_filters.ChoiceFilter(
        choices=TrajectoryStatus.choices, label=_("Status"), empty_label=_("All statuses")
    )
    specialist = django_filters.ModelChoiceFilter(
        field_name="memberships__user",
        label=_("Specialist"),
        to_field_name="uuid",
        empty_label=_("All specialists"),
        distinct=True,
    )

    class Meta:
        model = Trajectory
        fields = ["legal_entity", "phase", "status", "specialist"]

    def __init__(self, data=None, *, user, version: str = "", **kwargs):
        super().__init__(data, queryset=Trajectory.objects.visible_to(user), **kwargs)
        self.user, self.version = user, version
        self.filters["legal_entity"].queryset = LegalEntity.objects.visible_to(user).order_by(
            "name"
        )
        self.filters["phase"].queryset = Phase.objects.visible_to(user).order_by("position")
        self.filters["specialist"].queryset = access.visible_specialists(user).order_by(
            "last_name", "first_name"
        )

    @property
    def active_count(self) -> int:
        return sum(1 for name in self.form.fields if self.data.get(name))

    @cached_property
    def legal_entities(self) -> list:
        return list(self.filters["legal_entity"].queryset)

    @cached_property
    def selects(self) -> list[dict]:
        """The filter fields with their options, each list read once (rendering the form's
        widgets would count and read every choice list again)."""
        options = {
            "legal_entity": [(str(bv.uuid), bv.name) for bv in self.legal_entities],
            "status": [(value, label) for value, label in TrajectoryStatus.choices],
            **self._kept_options(),
        }
        return [
            {
                "name": name,
                "id": f"id_{name}",
                "label": self.filters[name].label,
                "empty": self.filters[name].extra.get("empty_label"),
                "options": options[name],
                "current": str(self.data.get(name, "")),
            }
            for name in ("legal_entity", "phase", "status", "specialist")
        ]

    def _kept_options(self) -> dict[str, list]:
        """The phases and specialists to choose from, kept in the cache at the dashboard's
        ``version`` for whoever shares its figures (``_viewer``): every service that renames
        a phase or a specialist or changes who works on a trajectory raises that version
        (``portal.live``), so a reload without a change reads two lists instead of querying
        them. The BV list is read every time: it names the viewer's scope."""

        def read() -> dict[str, list]:
            specialists = self.filters["specialist"].queryset
            return {
                "phase": [(str(p.pk), p.name) for p in self.filters["phase"].queryset],
                "specialist": [(str(u.uuid), u.get_full_name()) for u in specialists],
            }

        key = f"dashboard:filters:{CACHE_SHAPE}:{self.viewer}:{self.version}"
        return _kept(key if self.version else None, read)

    @cached_property
    def viewer(self) -> str:
        """Whose cache entries this filter's page reads (``_viewer``), named by its BV scope."""
        return _viewer(self.user, sorted(bv.pk for bv in self.legal_entities))


@dataclass
class BVFigures:
    name: str
    uuid: object
    referred: int = 0
    active: int = 0
    ended: int = 0
    with_risks: int = 0
    applications: int = 0
    below_norm: int = 0
    #: Trajectories whose RIV check has an open finding UWV would reject the file for.
    riv_at_risk: int = 0
    pk: int | None = None


FIGURES = ("referred", "active", "ended", "with_risks", "applications", "below_norm", "riv_at_risk")


@dataclass
class TrajectoryFacts:
    """What the dashboard knows about one trajectory, for figures and its row."""

    week: int
    weeks_left: int
    position: NormPosition | None
    next_report: date | None
    risks: list = field(default_factory=list)
    #: The RIV check's open findings UWV would reject the file for (``rapportages.riv_check``).
    riv_rejects: int = 0


@dataclass
class EmployerDashboard:
    filter: EmployerDashboardFilter
    page: Page
    rows: list
    per_bv: list[BVFigures]
    totals: BVFigures
    weekly: charts.Chart | None = None
    timeline: charts.Timeline | None = None
    #: The figures and the step they were computed at: what the rendered rows are kept and
    #: carried forward under (``row_html``), as the rows' facts are.
    figures: "_Figures | None" = None


CHART_WEEKS = 12


#: One trajectory's share of the figures per BV and of the weekly chart: (BV id, status, has
#: risks, below the norm, at risk in the RIV check, applications in the norm's current period,
#: counts per chart week). A plain tuple: 2,000 of them unpickle from the cache in 1.7 ms, as
#: dataclasses in 12 ms.
_Share = tuple[int, str, bool, bool, bool, int, tuple[int, ...]]


@dataclass
class _Figures:
    """The figures of one user's dashboard on one day, and the token they are true at: the
    cached state that a change updates one trajectory at a time (``_dashboard_figures``)."""

    token: str
    computed_at: datetime
    bvs: dict[int, tuple[str, object]]
    shares: dict[int, _Share]
    #: The last step: the token it started from and the trajectories it computed again
    #: (``None``: everything), so the page's rows can be carried forward the same way.
    previous: str = ""
    changed: frozenset[int] | None = None
    #: The facts that step computed (not cached: only for the request that computed them).
    fresh: dict[int, TrajectoryFacts] = field(default_factory=dict)

    def __getstate__(self):
        return {**self.__dict__, "fresh": {}}

    def per_bv(self) -> list[BVFigures]:
        per_bv: dict[int, BVFigures] = {}
        for bv_id, status, risk, below, riv, applications, _weeks in self.shares.values():
            bv = per_bv.get(bv_id)
            if bv is None:
                name, uuid = self.bvs[bv_id]
                bv = per_bv[bv_id] = BVFigures(name, uuid, pk=bv_id)
            setattr(bv, status, getattr(bv, status) + 1)
            if status == TrajectoryStatus.ENDED:
                continue
            bv.with_risks += risk
            bv.below_norm += below
            bv.riv_at_risk += riv
            bv.applications += applications
        return sorted(per_bv.values(), key=lambda b: b.name)

    def weekly_chart(self, per_bv: list[BVFigures], weeks: list[date]) -> charts.Chart:
        """Counting applications per week over the last ``CHART_WEEKS`` weeks, one line per
        BV (a BV's applications on ended trajectories count too)."""
        counts = {bv.pk: [0] * len(weeks) for bv in per_bv}
        for bv_id, *_figures, weeks_counted in self.shares.values():
            line = counts[bv_id]
            for i, n in enumerate(weeks_counted):
                line[i] += n
        return charts.line_chart(
            title=str(_("Applications per week, last 12 weeks")),
            categories=[date_format(w, "j M") for w in weeks],
            series=[(bv.name, counts[bv.pk]) for bv in per_bv],
        )


def _shares(
    *, user, today: date, ids: list[int] | None = None
) -> tuple[dict[int, TrajectoryFacts], dict[int, _Share], dict[int, tuple[str, object]]]:
    """The facts, the shares and the BVs of the visible trajectories (all, or those in
    ``ids``): four queries."""
    facts, trajectories = _facts_for(user=user, today=today, ids=ids)
    weeks = charts.last_weeks(today, CHART_WEEKS)
    counts = weekly_counts_per_trajectory(user=user, since=weeks[0], until=today, ids=ids)
    shares, bvs = {}, {}
    for t in trajectories:
        f = facts[t.pk]
        below = f.position is not None and f.position.below_norm and t.is_active
        shares[t.pk] = (
            t.legal_entity_id,
            str(t.status),
            bool(f.risks),
            bool(below),
            f.riv_rejects > 0,
            f.position.current_count if f.position else 0,
            tuple(counts.get((t.pk, w), 0) for w in weeks),
        )
        bvs[t.legal_entity_id] = (t.legal_entity.name, t.legal_entity.uuid)
    return facts, shares, bvs


#: The shape of what the dashboard caches: raised whenever it changes, so that during a
#: rolling upgrade old and new web workers never read each other's entries.
CACHE_SHAPE = 3


def _from_cache(key: str):
    """A cached value, or ``None`` when it is missing or cannot be read back (written by a
    version of this code whose classes have changed since): then it is computed again."""
    try:
        return cache.get(key)
    except (pickle.UnpicklingError, AttributeError, ImportError, TypeError, EOFError):
        logger.warning("Unreadable dashboard cache entry %s: computed again.", key)
        return None


#: How long figures, row facts and the rendered live region are kept before they are
#: computed afresh. The services announce every change a dashboard shows (a trajectory's
#: through its employer and agency, a name or an agency setting through ``live.bump_agency``);
#: this bounds what none announces (a change in the Django admin, the day's clock).
FACTS_SECONDS = 600
FIGURES_FRESH = timedelta(seconds=FACTS_SECONDS)


def _viewer(user, scope: list[int]) -> str:
    """Whose figures a cache entry holds. An employer contact sees exactly the trajectories of
    the BVs in their scope (``access``: nothing else of the contact enters the rule, and the
    facts of a trajectory are the same for every contact), so the contacts of one agency with
    the same BVs share their entries: the scope is named in full (a digest of every id, never
    a hash that two scopes could share). The first of an employer's twenty HR people to poll
    after a change counts it; the others read it. Agency staff see what their caseload
    allows, so their entries are their own."""
    if access.is_employer_contact(user):
        return f"contacts:{user.agency_id}:{_digest(sorted(scope))}"
    return f"user:{user.pk}"


def _digest(ids: list) -> str:
    """A cache-key name for a list of ids (or strings): every one counts, unlike ``hash()``."""
    return hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:32]


def _dashboard_figures(
    *, user, today: date, viewer: str, keys: list[str], version: str
) -> _Figures:
    """The figures at ``version``: from the cache when nothing changed since they were
    computed; else, when ``portal.live`` can tell which trajectories changed, the cached
    figures with those trajectories' shares computed again; else all of them afresh. The
    cache key names the BVs the user may see (``viewer``, the filter's), so a narrowed scope
    never shows figures computed over the wider one."""
    key = f"dashboard:figures:{CACHE_SHAPE}:{viewer}:{today.isoformat()}:{get_language()}"
    cached = _from_cache(key) if version else None
    if cached is not None and timezone.now() - cached.computed_at > FIGURES_FRESH:
        cached = None
    if cached is not None and cached.token == version:
        return cached
    changed = live.changed_trajectories(keys, cached.token, version) if cached is not None else None
    if changed is None:
        figures = _Figures(version, timezone.now(), {}, {})
        figures.fresh, figures.shares, figures.bvs = _shares(user=user, today=today)
    else:
        figures = cached
        figures.previous, figures.token, figures.changed = cached.token, version, frozenset(changed)
        figures.fresh, shares, bvs = _shares(user=user, today=today, ids=sorted(changed))
        for pk in changed:
            figures.shares.pop(pk, None)
        figures.shares.update(shares)
        figures.bvs.update(bvs)
    if version:
        cache.set(key, figures, FACTS_SECONDS)
    return figures


def _facts_for(
    *, user, today: date, ids: list[int] | None = None
) -> tuple[dict[int, TrajectoryFacts], list[Trajectory]]:
    """Facts for the visible trajectories (all, or those in ``ids``), and those trajectories:
    three queries, and the RIV check's (``riv_facts.QUERIES``)."""
    extensions = (
        Extension.objects.filter(case_id=OuterRef("sickness_case_id"))
        .values("case_id")
        .annotate(total=Sum("weeks"))
        .values("total")
    )
    visible = Trajectory.objects.visible_to(user)
    if ids is not None:
        visible = visible.filter(id__in_list=ids)
    trajectories = list(
        visible.select_related(
            "sickness_case", "product", "agency", "application_norm", "legal_entity"
        )
        .annotate(
            extension_weeks=Coalesce(Subquery(extensions), 0),
            last_contact=access.last_conversation_date(),
        )
        .only(
            *("id", "status", "start_date", "end_date", "intake_date", "referral_date"),
            *("legal_entity__name", "legal_entity__uuid", "legal_entity__employer_id"),
            "product__kind",
            *("agency__application_norm_count", "agency__application_norm_weeks"),
            "agency__contact_alert_days",
            *("application_norm__count", "application_norm__weeks", "application_norm__trajectory"),
            *(f"sickness_case__{name}" for name in ("first_sick_day", *SicknessCase.STEP_DATES)),
        )
    )
    positions = norm_positions(user=user, trajectories=trajectories, today=today)
    signed = report_selectors.delivered(user=user, trajectories=trajectories)
    progress_signed = report_selectors.delivered_progress(signed)
    overdue = report_selectors.overdue_reports(
        user=user, trajectories=trajectories, today=today, signed=signed
    )
    riv = riv_facts.results(user=user, ids=[t.pk for t in trajectories if not t.is_ended], on=today)
    facts: dict[int, TrajectoryFacts] = {}
    for t in trajectories:
        dates = t.sickness_case.dates(
            second_track_start=t.start_date, extension_weeks=t.extension_weeks
        )
        clock_end = wvp.waiting_time_end(dates.first_sick_day, dates.extension_weeks)
        position = positions.get(t.pk)
        below = position is not None and position.below_norm and t.is_active
        found = trajectory_risks.risks(
            dates=dates,
            active=not t.is_ended,
            below_norm=(position.previous_count, position.norm.count) if below else None,
            overdue=overdue.get(t.pk, []),
            today=today,
            last_contact=t.last_contact,
            contact_days=t.agency.contact_alert_days if t.is_active else None,
        )
        checked = riv.get(t.pk)
        if checked and any(f.rule == "second_track_late" for f in checked.excepted):
            # The valid reason for the late start is on file (the RIV check shows it): the
            # employer is no longer asked to write it down.
            found = [r for r in found if r.key != "second_track_late"]
        done = progress_signed.get(t.pk, frozenset())
        facts[t.pk] = TrajectoryFacts(
            week=wvp.wvp_week(dates.first_sick_day, today),
            weeks_left=max(0, (clock_end - today).days // 7),
            position=position,
            next_report=(
                next_progress_report_due(t.start_date, today, t.end_date, done)
                if t.is_active
                else None
            ),
            risks=found,
            riv_rejects=len(checked.rejects) if checked else 0,
        )
    return facts, trajectories


def _totals(per_bv: list[BVFigures]) -> BVFigures:
    total = BVFigures(_("All BVs"), None)
    for bv in per_bv:
        for name in FIGURES:
            setattr(total, name, getattr(total, name) + getattr(bv, name))
    return total


def _primary_specialists() -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=TrajectoryMember.objects.filter(role=MemberRole.PRIMARY).select_related("user"),
        to_attr="primary_memberships",
    )


def employer_dashboard(
    *,
    user,
    data,
    page_number,
    today: date,
    keys: list[str] = (),
    version: str = "",
    dashboard_filter: EmployerDashboardFilter | None = None,
) -> EmployerDashboard:
    """Every trajectory of the contact's BVs (or, for agency staff, of what they may see).

    The figures per BV need the facts (clock, norm, reports, risks) of every trajectory; they
    are cached under the live-update ``version`` of ``keys`` the page was rendered with
    (``portal.live``), and after a change only the changed trajectories are computed again
    (``_dashboard_figures``). The facts of the page's rows are cached under the version too
    (per language, as their risk sentences are translated)."""
    if dashboard_filter is None:
        dashboard_filter = EmployerDashboardFilter(data or None, user=user)
    # The BVs the user may see, as a list: the same scope, but it lets PostgreSQL use the
    # trajectories' BV index instead of sorting the agency's every trajectory.
    bv_ids = [bv.pk for bv in dashboard_filter.legal_entities]
    viewer = dashboard_filter.viewer
    figures = _dashboard_figures(
        user=user, today=today, viewer=viewer, keys=list(keys), version=version
    )
    per_bv = figures.per_bv()
    weekly = figures.weekly_chart(per_bv, charts.last_weeks(today, CHART_WEEKS))
    # Which trajectories the page lists, in order, and what the page itself shows of them (the
    # timeline, the count): a light query. The rows' other columns are read only for the rows
    # rendered again (``row_html``).
    rows = (
        dashboard_filter.qs.filter(legal_entity_id__in=bv_ids)
        .select_related("employee")
        .only("uuid", "status", "employee__first_name", "employee__last_name")
        .order_by("legal_entity__name", "employee__last_name", "employee__first_name", "id")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(page_number)
    page_rows = list(page.object_list)
    facts = _row_facts(
        user=user, today=today, ids=[t.pk for t in page_rows], viewer=viewer, figures=figures
    )
    for t in page_rows:
        t.facts = facts[t.pk]
    return EmployerDashboard(
        figures=figures,
        filter=dashboard_filter,
        page=page,
        rows=page_rows,
        per_bv=per_bv,
        totals=_totals(per_bv),
        weekly=weekly,
        timeline=charts.timeline(
            title=str(_("Where each trajectory stands in the WvP waiting time")),
            rows=[
                (t.employee.full_name, t.facts.week, f"#t-{t.uuid}")
                for t in page_rows
                if not t.is_ended
            ],
        ),
    )


#: The query parameters the employer dashboard's live region depends on (besides ``v``).
LIVE_PARAMS = frozenset({"legal_entity", "phase", "status", "specialist", "page"})


def live_body_key(
    *, dashboard_filter: EmployerDashboardFilter, params: list, today: date, version: str
) -> str | None:
    """The cache key of the employer dashboard's rendered live region (figures, charts and
    the page of rows) at ``version``, or ``None`` when it is not to be cached.

    The region shows nothing but the data its key names: whose view (``_viewer``: contacts
    with the same BVs share it), the version of everything it follows (every service that
    changes a trajectory, a conversation report, a BV's, a specialist's or a phase's name or
    an agency setting raises it, ``portal.live``), the day, the language and the filters and
    page asked for. So the second of an employer's HR people to open the dashboard after a
    change, and every reload until the next one, read it instead of rendering fifty rows.
    Only a valid filter with a plain page number, each parameter once, is cached (any other
    query string is rendered as it is and not kept, so no one fills the cache with variants;
    the page links repeat the query string, so a repeated parameter would show in them)."""
    if not version or any(name not in LIVE_PARAMS for name, _value in params):
        return None
    if len(params) != len({name for name, _value in params}):
        return None
    if dashboard_filter.is_bound and not dashboard_filter.is_valid():
        return None
    page = dict(params).get("page", "1")
    if not (page.isdigit() and len(page) <= 4):
        return None
    query = _digest([urlencode(params)])
    return (
        f"dashboard:live:{CACHE_SHAPE}:{dashboard_filter.viewer}:{version}:{today.isoformat()}:"
        f"{get_language()}:{query}"
    )


def live_body(*, key: str | None, render: Callable[[], tuple[str, int]]) -> tuple[str, int]:
    """The employer dashboard's rendered live region and the number of rows it lists: from
    the cache under ``key`` (``live_body_key``), else rendered now and kept there."""
    return _kept(key, render)


def _kept(key: str | None, compute: Callable):
    """The value kept in the cache under ``key``, else computed now and kept there for
    ``FACTS_SECONDS``; without a key, computed and not kept."""
    value = _from_cache(key) if key else None
    if value is None:
        value = compute()
        if key:
            cache.set(key, value, FACTS_SECONDS)
    return value


def _row_facts(*, user, today: date, ids: list[int], viewer: str, figures: _Figures) -> dict:
    """The facts of the page's rows, cached under the figures' token (shared as the figures
    are: ``_viewer``) and carried forward as ``_carried`` tells."""

    def compute(missing: list[int]) -> dict:
        facts = {pk: figures.fresh[pk] for pk in missing if pk in figures.fresh}
        wanted = [pk for pk in missing if pk not in facts]
        if wanted:
            facts |= _facts_for(user=user, today=today, ids=wanted)[0]
        return facts

    return _carried("facts", viewer=viewer, today=today, ids=ids, figures=figures, compute=compute)


def row_html(*, user, dashboard: EmployerDashboard, today: date, render: Callable) -> list[str]:
    """The page's rows rendered (``render`` takes a trajectory with its ``facts``), in order:
    kept under the figures' token and carried forward as ``_carried`` tells, so after a
    change only the changed trajectory's row is read and rendered again (fifty rows were
    three quarters of rendering the live region)."""
    facts = {t.pk: t.facts for t in dashboard.rows}

    def compute(missing: list[int]) -> dict[int, str]:
        full = _full_rows(user=user, ids=missing)
        for pk, t in full.items():
            t.facts = facts[pk]
        return {pk: render(t) for pk, t in full.items()}

    rendered = _carried(
        "rows",
        viewer=dashboard.filter.viewer,
        today=today,
        ids=list(facts),
        figures=dashboard.figures,
        compute=compute,
    )
    # A row gone between the two reads (ended access, a deleted trajectory) is left out.
    return [rendered[pk] for pk in facts if pk in rendered]


def _full_rows(*, user, ids: list[int]) -> dict[int, Trajectory]:
    """What a row shows of each trajectory in ``ids`` (two queries)."""
    last_shared = (
        ConversationReport.objects.visible_to(user)
        .filter(trajectory=OuterRef("pk"))
        .order_by("-date", "-id")
    )
    rows = (
        Trajectory.objects.visible_to(user)
        .filter(id__in=ids)
        .select_related("employee", "legal_entity", "phase")
        .prefetch_related(_primary_specialists())
        .annotate(
            last_conversation_date=Subquery(last_shared.values("date")[:1]),
            last_conversation_uuid=Subquery(last_shared.values("uuid")[:1]),
        )
    )
    return {t.pk: t for t in rows}


def _carried(
    what: str, *, viewer: str, today: date, ids: list[int], figures: _Figures, compute: Callable
) -> dict:
    """Per trajectory in ``ids``, a value kept under the figures' token (per viewer, day,
    language and set of rows). After a step that computed only some trajectories again
    (``_dashboard_figures``), the values of the step before are carried forward but for the
    changed trajectories; those and any other missing are computed (``compute`` takes their
    ids). A step that computed everything carries nothing, so nothing is carried longer than
    the figures are kept."""

    def key(token: str) -> str:
        return (
            f"dashboard:{what}:{CACHE_SHAPE}:{viewer}:{token}:{today.isoformat()}:"
            f"{get_language()}:{_digest(ids)}"
        )

    token = figures.token
    values = _from_cache(key(token)) if token else None
    if values is None:
        values = {}
        if figures.changed is not None and figures.previous:
            earlier = _from_cache(key(figures.previous)) or {}
            values = {pk: v for pk, v in earlier.items() if pk not in figures.changed}
        values |= compute([pk for pk in ids if pk not in values])
        if token:
            cache.set(key(token), values, FACTS_SECONDS)
    return values


# --- Specialist's day -------------------------------------------------------------------------


@dataclass
class SpecialistDay:
    caseload: dict
    appointments_today: list
    appointments_week: list
    overdue_tasks: list
    overdue_assignments: list
    reports: list
    below_norm: list
    intakes_at_risk: list
    possible_duplicates: int = 0
    #: Active trajectories without a conversation for longer than the agency allows, with
    #: the number of days, longest first.
    little_contact: list = field(default_factory=list)
    #: Trajectories (not ended) whose RIV check has an open finding UWV would reject the file
    #: for, with their check: the most urgent repair first.
    riv_at_risk: list = field(default_factory=list)
    #: The figures above the lists: every row, also past a list's ``LIST_LIMIT``.
    overdue_count: int = 0
    reports_count: int = 0
    riv_count: int = 0


LIST_LIMIT = 50
INTAKE_WARNING_DAYS = 2


def specialist_day(*, user, today: date) -> SpecialistDay:
    """A specialist's caseload at a glance (an agency admin sees the whole agency): counts by
    status, appointments, overdue tasks and assignments, reports due, trajectories below the
    norm and intake promises at risk. Each list is capped at ``LIST_LIMIT``."""
    tz = timezone.get_current_timezone()
    start_of_day = datetime.combine(today, time.min, tzinfo=tz)
    week_end = start_of_day + timedelta(days=7 - today.weekday())
    appointments = list(
        Appointment.objects.visible_to(user)
        .filter(starts_at__gte=start_of_day, starts_at__lt=week_end)
        .select_related("trajectory__employee")
        .order_by("starts_at")[: LIST_LIMIT * 2]
    )
    tomorrow = start_of_day + timedelta(days=1)
    visible = Trajectory.objects.visible_to(user)
    counts = dict(visible.values_list("status").annotate(n=Count("id")))
    # The files that have not ended, each read once with its RIV check (``riv_facts``): the
    # active ones feed the norm and the contact signal, the referred ones the intake promise.
    open_files = riv_facts.checked(
        user=user,
        trajectories=visible.exclude(status=TrajectoryStatus.ENDED).annotate(
            last_contact=access.last_conversation_date()
        ),
        on=today,
    )
    active = sorted(
        (t for t, _result in open_files if t.status == TrajectoryStatus.ACTIVE),
        key=lambda t: (t.employee.last_name, t.employee.first_name, t.pk),
    )
    little_contact = []
    for t in active:
        days = trajectory_risks.days_without_contact(
            start=t.start_date, last_contact=t.last_contact, today=today
        )
        if days is not None and days > t.agency.contact_alert_days:
            little_contact.append((t, days))
    little_contact.sort(key=lambda pair: -pair[1])
    positions = norm_positions(user=user, trajectories=active, today=today)
    below = [
        (t, positions[t.pk]) for t in active if t.pk in positions and positions[t.pk].below_norm
    ]
    intakes = []
    for t, _result in open_files:
        if t.status != TrajectoryStatus.REFERRED or t.intake_date is not None:
            continue
        deadline = t.intake_deadline()
        if (deadline - today).days <= INTAKE_WARNING_DAYS:
            intakes.append((t, deadline))
    intakes.sort(key=lambda pair: pair[1])
    overdue_tasks = Task.objects.visible_to(user).filter(done_on__isnull=True, due_date__lt=today)
    overdue_assignments = Assignment.objects.visible_to(user).filter(
        status=AssignmentStatus.OPEN, due_date__lt=today
    )
    tasks = _capped(overdue_tasks.select_related("trajectory__employee").order_by("due_date", "id"))
    assignments = _capped(
        overdue_assignments.select_related("trajectory__employee").order_by("due_date", "id")
    )
    reports = _capped(report_selectors.drafts_due(user=user, today=today))
    riv = riv_facts.at_risk(open_files)
    return SpecialistDay(
        caseload=counts,
        appointments_today=[a for a in appointments if a.starts_at < tomorrow],
        appointments_week=[a for a in appointments if a.starts_at >= tomorrow],
        overdue_tasks=tasks.rows,
        overdue_assignments=assignments.rows,
        reports=reports.rows,
        below_norm=below[:LIST_LIMIT],
        intakes_at_risk=intakes[:LIST_LIMIT],
        little_contact=little_contact[:LIST_LIMIT],
        # Agency admins only (an empty queryset for anyone else: no query).
        possible_duplicates=access.possible_duplicate_employees(user).count(),
        overdue_count=tasks.total + assignments.total,
        reports_count=reports.total,
        riv_at_risk=riv[:LIST_LIMIT],
        riv_count=len(riv),
    )


@dataclass
class Capped:
    """The first ``LIST_LIMIT`` rows of a list and how many there are in all."""

    rows: list
    total: int


def _capped(queryset) -> Capped:
    """One query: each row carries the count of all rows (a window over the filtered rows,
    taken before the limit), so the figure needs no query of its own."""
    rows = list(queryset.annotate(all_rows=Window(Count("id")))[:LIST_LIMIT])
    return Capped(rows, rows[0].all_rows if rows else 0)
