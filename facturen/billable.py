"""What the file says an agency may bill, and has not billed yet (``unbilled``).

Three kinds of item, each with a key that stays the same however often it is asked for, so a
rerun finds the same items and ``BilledItem`` can say which were billed:

* ``product:<trajectory>``: the trajectory's product (base trajectory, feasibility study) at
  its current price, once it has started; products billed by the hour have none;
* ``renewal:<trajectory>:<month>``: a monthly renewal after the base period, at the price
  recorded with it (``trajecten.Renewal``), once its month has begun;
* ``hours:<time entry>``: billable time on a trajectory whose product bills by the hour, at
  the product's hourly rate, one line per trajectory with the hours added up.

Everything up to and including the run's last day is proposed, so a late entry (a time entry
written after its month was invoiced) goes on the next invoice, never lost and never twice.
Descriptions are in Dutch: the invoice is a Dutch document, as the reports for UWV are.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import translation

from trajecten.constants import TrajectoryStatus
from trajecten.models import Renewal, TimeEntry, Trajectory

from .models import BilledItem, InvoiceLine, money


@dataclass
class Item:
    kind: str
    trajectory: Trajectory
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    keys: list[str] = field(default_factory=list)
    period_start: date | None = None
    period_end: date | None = None

    @property
    def net_amount(self) -> Decimal:
        return money(self.quantity * self.unit_price)


def _who(trajectory: Trajectory) -> str:
    """The employee by initial, last name and personnel number, and the BV that employs
    them (an employer group books the costs per BV)."""
    employee = trajectory.employee
    initial = f"{employee.first_name[:1]}. " if employee.first_name else ""
    number = f", pers.nr. {employee.external_id}" if employee.external_id else ""
    return f"{initial}{employee.last_name}{number} ({trajectory.legal_entity.name})"


def unbilled(trajectories, *, agency_id: int, until: date) -> list[Item]:
    """The items of ``trajectories`` (a queryset the caller scoped) not billed yet, dated up
    to and including ``until``. A fixed number of queries, whatever the number of items."""
    billed = set(
        BilledItem.objects.filter(agency_id=agency_id, released_by__isnull=True).values_list(
            "key", flat=True
        )
    )
    running = (
        trajectories.filter(start_date__isnull=False, start_date__lte=until)
        .exclude(status=TrajectoryStatus.REFERRED)
        .select_related("employee", "legal_entity__employer", "product")
    )
    by_id = {t.pk: t for t in running}
    items: list[Item] = []
    with translation.override("nl"):
        for t in by_id.values():
            key = f"product:{t.uuid}"
            if t.product.hourly_rate is None and t.product.price > 0 and key not in billed:
                items.append(
                    Item(
                        kind=InvoiceLine.Kind.PRODUCT,
                        trajectory=t,
                        description=f"{t.product.get_kind_display()}: {_who(t)}",
                        quantity=Decimal("1"),
                        unit=InvoiceLine.Unit.PIECE,
                        unit_price=t.product.price,
                        keys=[key],
                        period_start=t.start_date,
                    )
                )
        renewals = Renewal.objects.filter(
            trajectory_id__in=list(by_id), period_start__lte=until
        ).order_by("trajectory_id", "period_start")
        for renewal in renewals:
            t = by_id[renewal.trajectory_id]
            key = f"renewal:{t.uuid}:{renewal.period_start:%Y-%m-%d}"
            if t.product.hourly_rate is not None or key in billed:
                continue
            end = renewal.period_start + relativedelta(months=1) - timedelta(days=1)
            items.append(
                Item(
                    kind=InvoiceLine.Kind.RENEWAL,
                    trajectory=t,
                    description=(
                        f"Verlenging 2e spoor, {renewal.period_start:%d-%m-%Y} t/m "
                        f"{end:%d-%m-%Y}: {_who(t)}"
                    ),
                    quantity=Decimal("1"),
                    unit=InvoiceLine.Unit.MONTH,
                    unit_price=renewal.price,
                    keys=[key],
                    period_start=renewal.period_start,
                    period_end=end,
                )
            )
        hourly = [pk for pk, t in by_id.items() if t.product.hourly_rate is not None]
        entries = defaultdict(list)
        for uuid, trajectory_id, day, minutes in (
            TimeEntry.objects.filter(
                trajectory_id__in=hourly, date__lte=until, category__billable=True
            )
            .order_by("date", "pk")
            .values_list("uuid", "trajectory_id", "date", "minutes")
        ):
            if f"hours:{uuid}" not in billed:
                entries[trajectory_id].append((uuid, day, minutes))
        for trajectory_id, rows in entries.items():
            t = by_id[trajectory_id]
            minutes = sum(m for _, _, m in rows)
            first, last = rows[0][1], rows[-1][1]
            items.append(
                Item(
                    kind=InvoiceLine.Kind.HOURS,
                    trajectory=t,
                    description=(
                        f"Uren {t.product.get_kind_display().lower()}, "
                        f"{first:%d-%m-%Y} t/m {last:%d-%m-%Y}: {_who(t)}"
                    ),
                    quantity=(Decimal(minutes) / 60).quantize(Decimal("0.01")),
                    unit=InvoiceLine.Unit.HOUR,
                    unit_price=t.product.hourly_rate,
                    keys=[f"hours:{uuid}" for uuid, _, _ in rows],
                    period_start=first,
                    period_end=last,
                )
            )
    order = {InvoiceLine.Kind.PRODUCT: 0, InvoiceLine.Kind.RENEWAL: 1, InvoiceLine.Kind.HOURS: 2}
    items.sort(
        key=lambda i: (
            i.trajectory.employee.last_name,
            i.trajectory.pk,
            order[i.kind],
            i.period_start or date.min,
        )
    )
    return items
