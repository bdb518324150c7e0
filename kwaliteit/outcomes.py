"""The outcome figures of a period: what an agency is judged on (Blik op Werk, domain.md
section 8). Every definition is written here once; the results page, its CSV and PDF, the API
and the agency overview all read them from here. docs/decisions/kwaliteit.md repeats them.

Over a period from ``start`` to ``end`` (whole days, both included), for the trajectories the
user may see (``portal.access``: an agency admin the agency, a specialist their caseload, an
employer contact their BVs):

* **Started**: trajectories whose start date lies in the period.
* **Closed**: trajectories ended with an end date in the period; **with placement** when the
  closing reason is a placement (new job at another employer, or a work-experience place or
  secondment leading to a contract), otherwise **without**; both split by closing reason.
* **Placement rate**: closed with placement / closed.
* **Days to placement** (median): over the trajectories closed with placement in the period
  that have a start date and a recorded placement, the days from the trajectory's start to the
  first day of the new work (the placement's start). Those without a recorded placement are
  counted beside the median, never guessed.
* **Intake within 5 working days**: of the trajectories referred in the period whose promise
  has been decided (an intake took place, or the deadline passed without one), the share with
  an intake on or before the fifth working day after the referral (Dutch public holidays
  excluded).
* **Reports on time**: of the reports (first versions) due in the period up to today, the
  share signed on or before their due date; a report unsigned after its due date is late.
* **Satisfaction**: the survey invitations of the trajectories closed in the period, per party
  (employees; employers' contacts). Response rate: answered / invited. Averages: the mean
  mark per question (guidance, communication, result) over the answers, and overall the mean
  of all marks given. "Not asked": closed trajectories with nobody of that party to invite (no
  email address, no active employer contact).

The small-number rule: no average of fewer than ``MIN_RESPONSES`` answers is shown, nor the
comments of such a group, and in a table of groups (per specialist, employer or quarter) so
many more are hidden that no hidden figure can be worked out from the total (``suppress``).
Response counts are shown: they tell who was asked, never what anyone answered.

The release rule (``release_period``): the rule must hold across every pair of requests, not
only inside one, or two periods that differ by one closing day give away the marks of the one
trajectory closed that day. So marks and comments are shown only for fixed periods that do not
overlap: a measurement year (12 months from the agency's start of the measurement period, or a
calendar year) and its four 3-month blocks (calendar quarters for a calendar year). A block's
marks are shown only when the small-number rule over the four blocks of its year lets them
(the same ``suppress`` as the year's table of quarters), so a year minus its shown blocks
always leaves the marks of at least five answers, or none. The breakdowns per specialist and
employer show marks only for a whole year. Any other period shows every count and placement
figure, with the marks and comments hidden.
"""

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise

from dateutil.relativedelta import relativedelta
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal import access, charts
from portal.models import User
from trajecten import workdays
from trajecten.constants import WITH_PLACEMENT, ClosingReason, MemberRole, TrajectoryStatus
from trajecten.models import Trajectory, TrajectoryMember

from .constants import MIN_RESPONSES, QUESTIONS, SurveyParty
from .models import SurveyInvitation


@dataclass
class Rate:
    hits: int = 0
    total: int = 0

    @property
    def percentage(self) -> int | None:
        return round(100 * self.hits / self.total) if self.total else None


# --- The definitions ---------------------------------------------------------------------------


def intake_rate(trajectories, *, start: date, end: date, today: date) -> Rate:
    """Counted per pair of referral and intake date (a few hundred, however many files)."""
    rate = Rate()
    pairs = (
        trajectories.filter(referral_date__range=(start, end))
        .order_by()
        .values_list("referral_date", "intake_date")
        .annotate(n=Count("id"))
    )
    for referral, intake, n in pairs:
        promise = workdays.intake_promise(referral, intake, today)
        if promise != "open":
            rate.total += n
            rate.hits += n * (promise == "met")
    return rate


def report_timeliness(user, *, start: date, end: date, today: date) -> list[tuple[date, int, int]]:
    """(due date, signed on time, due) of the reports counted as "reports on time", per due
    date; "on time" compares the signing day in the portal's time zone with the due date."""
    return list(
        access.report_deadlines(user)
        .filter(version=1, due_date__range=(start, min(end, today)))
        .order_by()
        .values("due_date")
        .annotate(hits=Count("id", filter=Q(signed_at__date__lte=F("due_date"))), total=Count("id"))
        .values_list("due_date", "hits", "total")
    )


def rate_of(counts) -> Rate:
    """The rate of (key, hits, total) rows, as ``report_timeliness`` gives them."""
    rate = Rate()
    for _key, hits, total in counts:
        rate.hits += hits
        rate.total += total
    return rate


@dataclass
class Closed:
    """One trajectory closed in the period, as the figures need it."""

    pk: int
    start_date: date | None
    end_date: date
    reason: str
    employer_id: int
    employer: str
    placement_start: date | None
    specialist_id: int | None

    @property
    def placed(self) -> bool:
        return self.reason in WITH_PLACEMENT

    @property
    def days_to_placement(self) -> int | None:
        if self.placed and self.start_date and self.placement_start:
            return (self.placement_start - self.start_date).days
        return None


def closed_in(trajectories, *, start: date, end: date) -> list[Closed]:
    primary = TrajectoryMember.objects.filter(
        trajectory_id=OuterRef("pk"), role=MemberRole.PRIMARY
    ).values("user_id")[:1]
    rows = (
        trajectories.filter(status=TrajectoryStatus.ENDED, end_date__range=(start, end))
        .annotate(primary_id=Subquery(primary))
        .values_list(
            "pk",
            "start_date",
            "end_date",
            "closing_reason",
            "legal_entity__employer_id",
            "legal_entity__employer__name",
            "placement__start_date",
            "primary_id",
        )
        .order_by("end_date", "pk")
    )
    return [Closed(*row) for row in rows]


def by_reason(closed: list[Closed], *, placed: bool) -> list[tuple[ClosingReason, int]]:
    """Closed trajectories per closing reason, in the list's order, with or without placement."""
    counts = Counter(c.reason for c in closed)
    return [
        (reason, counts[reason.value])
        for reason in ClosingReason
        if (reason in WITH_PLACEMENT) == placed and counts[reason.value]
    ]


def median_days(closed: list[Closed]) -> float | None:
    """Whole days, or a half day between the middle two of an even count."""
    days = [c.days_to_placement for c in closed if c.days_to_placement is not None]
    if not days:
        return None
    median = statistics.median(days)
    return int(median) if median == int(median) else median


# --- Satisfaction and the small-number rule ----------------------------------------------------


@dataclass
class Tally:
    """The invitations of one party about one trajectory (or summed over a group)."""

    invited: int = 0
    answered: int = 0
    declined: int = 0
    sums: tuple[int, int, int] = (0, 0, 0)  # the marks per question, added up


def tallies_for(user, *, start: date, end: date) -> dict[tuple[int, str], Tally]:
    """Per (trajectory, party), the invitations of the trajectories closed in the period
    (``closed_in``'s rows), counted and added up in the database: one row per trajectory and
    party, never an answer."""
    answered = Q(answered_at__isnull=False)
    rows = (
        SurveyInvitation.objects.visible_to(user)
        .filter(trajectory__status=TrajectoryStatus.ENDED, trajectory__end_date__range=(start, end))
        .order_by()
        .values("trajectory_id", "party")
        .annotate(
            invited=Count("id"),
            answered=Count("id", filter=answered),
            declined=Count("id", filter=Q(declined_at__isnull=False)),
            **{q: Sum(q, filter=answered) for q in QUESTIONS},
        )
        .values_list("trajectory_id", "party", "invited", "answered", "declined", *QUESTIONS)
    )
    return {
        (tid, party): Tally(invited, n, declined, tuple(m or 0 for m in marks))
        for tid, party, invited, n, declined, *marks in rows
    }


def comments_for(user, *, start: date, end: date) -> dict[str, list[str]]:
    """The comments of the period per party, sorted by their text (so their order tells
    nothing of who wrote which); for agency staff, under the small-number rule."""
    rows = (
        SurveyInvitation.objects.visible_to(user)
        .filter(trajectory__status=TrajectoryStatus.ENDED, trajectory__end_date__range=(start, end))
        .filter(answered_at__isnull=False)
        .exclude(comment="")
        .order_by("comment")
        .values_list("party", "comment")
    )
    comments = defaultdict(list)
    for party, comment in rows:
        comments[party].append(comment)
    return comments


@dataclass
class Satisfaction:
    """One party's survey figures over a group of closed trajectories."""

    invited: int = 0
    answered: int = 0
    declined: int = 0
    not_asked: int = 0
    hidden: bool = True  # the small-number rule hides the averages
    averages: dict[str, float | None] = field(default_factory=dict)
    overall: float | None = None

    @property
    def response_rate(self) -> Rate:
        return Rate(self.answered, self.invited)

    @property
    def too_few(self) -> bool:
        """Answers there are, but too few to show."""
        return self.hidden and self.answered > 0


def satisfaction(tallies: dict, closed_ids, party: str, *, hidden=None) -> Satisfaction:
    """The figures of ``party`` over the trajectories ``closed_ids``: the mean mark per
    question over the answers, and overall the mean of all marks given."""
    invited = answered = declined = not_asked = 0
    sums = [0, 0, 0]
    for pk in closed_ids:
        tally = tallies.get((pk, party))
        if tally is None:
            not_asked += 1
            continue
        invited += tally.invited
        answered += tally.answered
        declined += tally.declined
        for i, mark in enumerate(tally.sums):
            sums[i] += mark
    total = Tally(invited, answered, declined, tuple(sums))
    figures = Satisfaction(invited, answered, declined, not_asked)
    figures.hidden = total.answered < MIN_RESPONSES if hidden is None else hidden
    if not figures.hidden:
        n = total.answered
        figures.averages = {q: round(total.sums[i] / n, 1) for i, q in enumerate(QUESTIONS)}
        figures.overall = round(sum(total.sums) / (3 * n), 1)
    return figures


def suppress(answered: dict) -> set:
    """The groups of a table whose averages are hidden: each with fewer than MIN_RESPONSES
    answers (but some), and, while the hidden ones together hold fewer than MIN_RESPONSES, the
    smallest shown ones too, so that no hidden group can be worked out from the total minus
    the groups shown."""
    hidden = {key for key, n in answered.items() if 0 < n < MIN_RESPONSES}
    shown = sorted(
        ((n, str(key), key) for key, n in answered.items() if n >= MIN_RESPONSES),
        key=lambda item: item[:2],
    )
    while hidden and sum(answered[k] for k in hidden) < MIN_RESPONSES and shown:
        hidden.add(shown.pop(0)[2])
    return hidden


# --- The whole -----------------------------------------------------------------------------------


@dataclass
class Group:
    """A row of a breakdown: per specialist, per employer or per quarter."""

    name: str
    closed: int
    placed: int
    employee: Satisfaction
    employer: Satisfaction

    @property
    def placement_rate(self) -> Rate:
        return Rate(self.placed, self.closed)


@dataclass
class Outcomes:
    start: date
    end: date
    started: int
    closed: int
    with_placement: list[tuple[ClosingReason, int]]
    without_placement: list[tuple[ClosingReason, int]]
    placement_rate: Rate
    median_days_to_placement: float | None
    placements_measured: int
    intake: Rate
    reports: Rate
    employee: Satisfaction
    employer: Satisfaction
    quarters: list[Group]
    by_specialist: list[Group] = field(default_factory=list)
    by_employer: list[Group] = field(default_factory=list)
    comments: dict[str, list[str]] | None = None  # for agency staff only
    marks_released: bool = True  # a fixed period of the release rule (``release_period``)
    placement_chart: object = None
    satisfaction_chart: object = None

    @property
    def with_total(self) -> int:
        return sum(n for _label, n in self.with_placement)

    @property
    def without_total(self) -> int:
        return sum(n for _label, n in self.without_placement)

    @property
    def placements_unmeasured(self) -> int:
        return self.with_total - self.placements_measured

    # What the page, the PDF and the CSV print, in the order they print it.

    min_responses = MIN_RESPONSES

    @property
    def promises(self) -> list[tuple[str, Rate]]:
        return [
            (_("Intake within 5 working days"), self.intake),
            (_("Reports on time"), self.reports),
        ]

    @property
    def parties(self) -> list[Satisfaction]:
        return [self.employee, self.employer]

    @property
    def average_rows(self) -> list[tuple[str, float | None, float | None]]:
        labels = {
            "guidance": _("Average: guidance"),
            "communication": _("Average: communication"),
            "result": _("Average: result"),
        }
        rows = [
            (labels[q], self.employee.averages.get(q), self.employer.averages.get(q))
            for q in QUESTIONS
        ]
        return [*rows, (_("Average: overall"), self.employee.overall, self.employer.overall)]

    @property
    def sees_comments(self) -> bool:
        return self.comments is not None

    @property
    def comment_lists(self) -> list[tuple[str, list[str], bool]]:
        """(party, its comments, hidden by the small-number rule) for agency staff."""
        return [
            (SurveyParty(party).label, self.comments.get(party, []), getattr(self, party).hidden)
            for party in SurveyParty.values
        ]


def _groups(
    closed: list[Closed], tallies: dict, key, names: dict, released: dict | None = None
) -> list[Group]:
    """One row per value of ``key(closed)``, with the small-number rule over the rows; a party
    that ``released`` names False has its marks hidden in every row."""
    members = defaultdict(list)
    for c in closed:
        members[key(c)].append(c.pk)
    hidden = {
        party: suppress(
            {
                k: sum(tallies[pk, party].answered for pk in ids if (pk, party) in tallies)
                for k, ids in members.items()
            }
        )
        for party in SurveyParty.values
    }
    placed = {c.pk for c in closed if c.placed}
    rows = []
    for k in names:
        ids = members.get(k, [])

        def figures(party, ids=ids, k=k):
            low = (
                (released is not None and not released[party])
                or k in hidden[party]
                or not any(tallies[pk, party].answered for pk in ids if (pk, party) in tallies)
            )
            return satisfaction(tallies, ids, party, hidden=low)

        rows.append(
            Group(
                name=names[k],
                closed=len(ids),
                placed=sum(pk in placed for pk in ids),
                employee=figures(SurveyParty.EMPLOYEE),
                employer=figures(SurveyParty.EMPLOYER),
            )
        )
    return rows


def quarters(start: date, end: date) -> list[tuple[date, date]]:
    """The calendar quarters the period touches, each cut to the period (the last quarter of
    year 9999 ends on ``date.max``)."""
    result, q_start = [], date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
    while q_start <= end:
        month = q_start.month + 3
        if q_start.year == date.max.year and month > 12:
            result.append((max(q_start, start), end))
            break
        q_next = date(q_start.year + (month > 12), (month - 1) % 12 + 1, 1)
        result.append((max(q_start, start), min(q_next - timedelta(days=1), end)))
        q_start = q_next
    return result


def _quarter_label(start: date, end: date) -> str:
    if start.day == 1 and start.month % 3 == 1 and quarters(start, end) == [(start, end)]:
        return _("Q%(quarter)d %(year)d") % {
            "quarter": (start.month - 1) // 3 + 1,
            "year": start.year,
        }
    return f"{date_format(start, 'SHORT_DATE_FORMAT')} – {date_format(end, 'SHORT_DATE_FORMAT')}"


# --- The release rule ------------------------------------------------------------------------


@dataclass(frozen=True)
class Release:
    """The fixed period a request's marks belong to: a measurement year with its four
    3-month blocks, and the block asked for (None: the whole year was asked)."""

    year: tuple[date, date]
    blocks: tuple[tuple[date, date], ...]
    block: tuple[date, date] | None = None

    @property
    def spans(self) -> list[tuple[date, date]]:
        """The rows of the table per quarter: the year's blocks, or the one block asked."""
        return [self.block] if self.block else list(self.blocks)


#: A calendar year: the anchor when an agency has not set its own measurement period.
CALENDAR = date(2000, 1, 1)


def _months_after(anchor: date, months: int) -> date | None:
    try:
        return anchor + relativedelta(months=months)
    except (OverflowError, ValueError):  # past year 9999
        return None


def release_period(anchor: date, start: date, end: date) -> Release | None:
    """The release of the period ``start``..``end`` when it is a measurement year counted in
    whole years from ``anchor`` or one of that year's four 3-month blocks; else None: the
    period's marks are not shown. Each boundary is computed from the anchor itself, so the
    years and blocks follow each other without a gap or an overlap (also from 29 February)."""
    months = 12 * (start.year - anchor.year) + start.month - anchor.month
    for m in (months - 1, months, months + 1):  # the block starting on ``start``, if any
        if m % 3 or _months_after(anchor, m) != start:
            continue
        year_m = m - m % 12
        edges = [_months_after(anchor, year_m + 3 * i) for i in range(5)]
        if None in edges:
            return None
        blocks = tuple((a, b - timedelta(days=1)) for a, b in pairwise(edges))
        year = (edges[0], edges[4] - timedelta(days=1))
        if (start, end) == year:
            return Release(year, blocks)
        if (start, end) in blocks:
            return Release(year, blocks, (start, end))
    return None


def _released_blocks(user, release: Release, trajectories) -> dict[str, bool]:
    """Per party: may the asked block's marks be shown? Only when ``suppress`` over the four
    blocks of its year leaves it shown: the year minus the shown blocks then holds at least
    ``MIN_RESPONSES`` answers, or none."""
    start, end = release.year
    closed = closed_in(trajectories, start=start, end=end)
    tallies = tallies_for(user, start=start, end=end)
    block_of = {c.pk: next(b for b in release.blocks if b[0] <= c.end_date <= b[1]) for c in closed}
    released = {}
    for party in SurveyParty.values:
        answered = dict.fromkeys(release.blocks, 0)
        for pk, block in block_of.items():
            if (pk, party) in tallies:
                answered[block] += tallies[pk, party].answered
        hidden = suppress(answered)
        released[party] = release.block not in hidden and answered[release.block] >= MIN_RESPONSES
    return released


def outcomes(*, user, start: date, end: date, today: date) -> Outcomes:
    """The figures of the period for what ``user`` may see, in a fixed number of queries
    (more for admins: the specialists' names; for staff: the comments; for one block of a
    measurement year: its year's answers per block)."""
    trajectories = Trajectory.objects.visible_to(user)
    closed = closed_in(trajectories, start=start, end=end)
    closed_ids = [c.pk for c in closed]
    tallies = tallies_for(user, start=start, end=end)
    placed = [c for c in closed if c.placed]
    release = release_period(user.agency.measurement_period_start or CALENDAR, start, end)
    if release is None:
        released = dict.fromkeys(SurveyParty.values, False)
    elif release.block:
        released = _released_blocks(user, release, trajectories)
    else:
        released = None  # a whole year: the small-number rule alone
    spans = release.spans if release else quarters(start, end)
    quarter_names = {span: _quarter_label(*span) for span in spans}

    def quarter_of(c: Closed):
        return next(span for span in spans if span[0] <= c.end_date <= span[1])

    def party_figures(party):
        hidden = None if released is None else not released[party]
        return satisfaction(tallies, closed_ids, party, hidden=hidden)

    result = Outcomes(
        start=start,
        end=end,
        started=trajectories.filter(start_date__range=(start, end)).count(),
        closed=len(closed),
        with_placement=by_reason(closed, placed=True),
        without_placement=by_reason(closed, placed=False),
        placement_rate=Rate(len(placed), len(closed)),
        median_days_to_placement=median_days(closed),
        placements_measured=sum(c.days_to_placement is not None for c in closed),
        intake=intake_rate(trajectories, start=start, end=end, today=today),
        reports=rate_of(report_timeliness(user, start=start, end=end, today=today)),
        employee=party_figures(SurveyParty.EMPLOYEE),
        employer=party_figures(SurveyParty.EMPLOYER),
        quarters=_groups(closed, tallies, quarter_of, quarter_names, released),
        marks_released=release is not None,
    )
    if access.sees_outcome_breakdowns(user):
        whole_year = release is not None and release.block is None
        _add_breakdowns(
            result,
            user,
            closed,
            tallies,
            released=None if whole_year else dict.fromkeys(SurveyParty.values, False),
        )
    if access.sees_survey_comments(user):
        comments = comments_for(user, start=start, end=end) if release else defaultdict(list)
        result.comments = {
            party: comments[party]
            for party in SurveyParty.values
            if not getattr(result, party).hidden
        }
    _add_charts(result)
    return result


def _add_breakdowns(
    result: Outcomes, user, closed: list[Closed], tallies: dict, *, released: dict | None
) -> None:
    """Per specialist and per employer; marks only for a whole measurement year (a block's
    row of one employer could otherwise be worked out from the year's)."""
    ids = {c.specialist_id for c in closed if c.specialist_id}
    people = {
        pk: f"{first} {last}".strip()
        for pk, first, last in User.objects.visible_to(user)
        .filter(pk__in=ids)
        .values_list("pk", "first_name", "last_name")
    }
    specialists = dict(sorted(people.items(), key=lambda item: item[1]))
    if any(c.specialist_id is None for c in closed):
        specialists[None] = _("Without a primary specialist")
    result.by_specialist = _groups(
        closed, tallies, lambda c: c.specialist_id, specialists, released
    )
    employers = dict(
        sorted({c.employer_id: c.employer for c in closed}.items(), key=lambda i: i[1])
    )
    result.by_employer = _groups(closed, tallies, lambda c: c.employer_id, employers, released)


def _add_charts(result: Outcomes) -> None:
    labels = [q.name for q in result.quarters]
    result.placement_chart = charts.line_chart(
        title=_("Placement rate per quarter (%)"),
        categories=labels,
        series=[(_("Placement rate"), [q.placement_rate.percentage for q in result.quarters])],
        y_max=100,
    )
    result.satisfaction_chart = charts.line_chart(
        title=_("Average mark per quarter (1-10)"),
        categories=labels,
        series=[
            (SurveyParty.EMPLOYEE.label, [q.employee.overall for q in result.quarters]),
            (SurveyParty.EMPLOYER.label, [q.employer.overall for q in result.quarters]),
        ],
        y_max=10,
    )
