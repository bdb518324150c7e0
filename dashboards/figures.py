"""Agency figures for admins: the quality-mark overview and the billing overview, per period,
each also as CSV. Computed from the scoping layer in a fixed number of queries.

The quality-mark figures (intake within 5 working days, reports on time, closed with and
without placement per closing reason) are defined once, in ``kwaliteit.outcomes``; this
overview adds the current counts by status, phase and specialist and shows them by month.

Definitions of what only this module computes (written down because an auditor will ask):

* Billing: a base fee (or feasibility study) in the month a trajectory started, at the product's
  current price in the agency settings (a price change applies to trajectories started after
  it; products carry no price history), and each monthly renewal in the month it starts, at the
  price recorded on the renewal. Amounts exclude VAT. A product billed by the hour
  (``Product.hourly_rate``) has neither: its hours are on the invoices only (``facturen``),
  which otherwise bill exactly these amounts.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kwaliteit import outcomes
from kwaliteit.outcomes import Rate
from portal import charts
from portal.models import Product
from trajecten.constants import MemberRole, TrajectoryStatus
from trajecten.models import Renewal, Trajectory, TrajectoryMember


@dataclass
class AgencyOverview:
    start: date
    end: date
    by_status: list[tuple[str, int]]
    by_phase: list[tuple[str, int]]
    by_specialist: list[tuple[str, int]]
    intake: Rate
    reports: Rate
    closed_with_placement: list[tuple[str, int]] = field(default_factory=list)
    closed_without_placement: list[tuple[str, int]] = field(default_factory=list)
    #: Placements and reports on time per month of the period (the figures above, by month).
    placements_chart: object = None
    reports_chart: object = None

    @property
    def closed_with_total(self) -> int:
        return sum(n for _label, n in self.closed_with_placement)

    @property
    def closed_without_total(self) -> int:
        return sum(n for _label, n in self.closed_without_placement)


def _without_primary(running) -> list[tuple[str, int]]:
    """Running trajectories nobody leads, as a row of their own (so the rows add up)."""
    n = running.exclude(
        pk__in=TrajectoryMember.objects.filter(role=MemberRole.PRIMARY).values("trajectory_id")
    ).count()
    return [(str(_("Without a primary specialist")), n)] if n else []


def agency_overview(*, user, start: date, end: date, today: date) -> AgencyOverview:
    trajectories = Trajectory.objects.visible_to(user)
    status_labels = dict(TrajectoryStatus.choices)
    by_status = Counter(dict(trajectories.values_list("status").annotate(n=Count("id"))))
    # "Running" is what the status figures call active: started and not ended, so the rows
    # by phase and by specialist add up to that figure (a referral has no phase yet).
    running = trajectories.filter(status=TrajectoryStatus.ACTIVE)
    by_phase = (
        running.values("phase__position", "phase__name")
        .annotate(n=Count("id"))
        .order_by("phase__position")
    )
    by_specialist = (
        TrajectoryMember.objects.filter(
            trajectory__in=running.values("id"), role=MemberRole.PRIMARY
        )
        .values("user__first_name", "user__last_name")
        .annotate(n=Count("trajectory_id"))
        .order_by("user__last_name", "user__first_name")
    )
    intake = outcomes.intake_rate(trajectories, start=start, end=end, today=today)
    months = _months(start, end)
    reports_by_month = {m: Rate() for m in months}
    timeliness = outcomes.report_timeliness(user, start=start, end=end, today=today)
    for due_date, hits, total in timeliness:
        reports_by_month[due_date.replace(day=1)].total += total
        reports_by_month[due_date.replace(day=1)].hits += hits
    closed = outcomes.closed_in(trajectories, start=start, end=end)
    placed_by_month = Counter(c.end_date.replace(day=1) for c in closed if c.placed)
    labels = [date_format(m, "M Y") for m in months]
    return AgencyOverview(
        start=start,
        end=end,
        by_status=[(label, by_status.get(value, 0)) for value, label in status_labels.items()],
        by_phase=[(row["phase__name"] or str(_("No phase")), row["n"]) for row in by_phase],
        by_specialist=[
            (f"{row['user__first_name']} {row['user__last_name']}".strip(), row["n"])
            for row in by_specialist
        ]
        + _without_primary(running),
        intake=intake,
        reports=outcomes.rate_of(timeliness),
        closed_with_placement=[(r.label, n) for r, n in outcomes.by_reason(closed, placed=True)],
        closed_without_placement=[
            (r.label, n) for r, n in outcomes.by_reason(closed, placed=False)
        ],
        placements_chart=charts.bar_chart(
            title=str(_("Placements per month")),
            categories=labels,
            series=[(str(_("Closed with placement")), [placed_by_month[m] for m in months])],
        ),
        reports_chart=charts.bar_chart(
            title=str(_("Reports per month: on time and in all")),
            categories=labels,
            series=[
                (str(_("Reports due")), [reports_by_month[m].total for m in months]),
                (str(_("On time")), [reports_by_month[m].hits for m in months]),
            ],
        ),
    )


def _months(start: date, end: date) -> list[date]:
    """The first day of every month from ``start`` to ``end``."""
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        if month.year == date.max.year and month.month == 12:
            break  # the last month of the calendar
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def overview_csv_rows(overview: AgencyOverview) -> list[list]:
    rows = [[_("Figure"), _("Item"), _("Value")]]
    rows += [[_("Trajectories by status"), label, n] for label, n in overview.by_status]
    rows += [[_("Running trajectories by phase"), label, n] for label, n in overview.by_phase]
    rows += [
        [_("Running trajectories by specialist"), name, n] for name, n in overview.by_specialist
    ]
    for title, rate in (
        (_("Intake within 5 working days"), overview.intake),
        (_("Reports on time"), overview.reports),
    ):
        rows += [
            [title, _("on time"), rate.hits],
            [title, _("total"), rate.total],
            [title, _("rate (%)"), "" if rate.percentage is None else rate.percentage],
        ]
    rows += [[_("Closed with placement"), label, n] for label, n in overview.closed_with_placement]
    rows += [
        [_("Closed without placement"), label, n] for label, n in overview.closed_without_placement
    ]
    return rows


# --- Billing ----------------------------------------------------------------------------------


@dataclass
class BillingLine:
    employer: str
    month: date
    base_count: int = 0
    base_amount: Decimal = Decimal("0")
    renewal_count: int = 0
    renewal_amount: Decimal = Decimal("0")

    @property
    def total(self) -> Decimal:
        return self.base_amount + self.renewal_amount


def billing(*, user, start: date, end: date) -> tuple[list[BillingLine], BillingLine]:
    """Per employer and month: base fees of trajectories started and monthly renewals."""
    lines: dict[tuple[str, date], BillingLine] = {}  # employer names are unique per agency

    def line(employer: str, day: date) -> BillingLine:
        month = day.replace(day=1)
        return lines.setdefault((employer, month), BillingLine(employer, month))

    prices = {
        kind: Decimal("0") if hourly_rate is not None else price
        for kind, price, hourly_rate in Product.objects.visible_to(user).values_list(
            "kind", "price", "hourly_rate"
        )
    }  # base fee at the current price, see the module docstring
    for employer, started, kind in (
        Trajectory.objects.visible_to(user)
        .filter(start_date__range=(start, end))
        .values_list("legal_entity__employer__name", "start_date", "product__kind")
    ):
        entry = line(employer, started)
        entry.base_count += 1
        entry.base_amount += prices.get(kind, Decimal("0"))
    for employer, period_start, price in (
        Renewal.objects.visible_to(user)
        .filter(period_start__range=(start, end), trajectory__product__hourly_rate__isnull=True)
        .values_list("trajectory__legal_entity__employer__name", "period_start", "price")
    ):
        entry = line(employer, period_start)
        entry.renewal_count += 1
        entry.renewal_amount += price
    result = sorted(lines.values(), key=lambda b: (b.month, b.employer))
    total = BillingLine(str(_("Total")), start)
    for entry in result:
        total.base_count += entry.base_count
        total.base_amount += entry.base_amount
        total.renewal_count += entry.renewal_count
        total.renewal_amount += entry.renewal_amount
    return result, total


def billing_csv_rows(lines: list[BillingLine]) -> list[list]:
    rows = [
        [
            _("Employer"),
            _("Month"),
            _("Trajectories started"),
            _("Base fees (EUR excl. VAT)"),
            _("Renewals"),
            _("Renewals (EUR excl. VAT)"),
            _("Total (EUR excl. VAT)"),
        ]
    ]
    for b in lines:
        rows.append(
            [
                b.employer,
                b.month.strftime("%Y-%m"),
                b.base_count,
                b.base_amount,
                b.renewal_count,
                b.renewal_amount,
                b.total,
            ]
        )
    return rows


def group_by_month(lines: list[BillingLine]) -> list[tuple[date, list[BillingLine]]]:
    months = defaultdict(list)
    for entry in lines:
        months[entry.month].append(entry)
    return sorted(months.items())
