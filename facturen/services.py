"""Every write of invoicing (the write path of ``portal.writes``): the agency's invoice
details and the employers' invoice addresses, proposing a month's invoices, checking them
(a line out, a proposal away), issuing and crediting. See ``facturen.models`` for the rules
that hold the numbers together."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import iban
from stdnum.eu import vat

from portal import access, writes
from portal.constants import AuditAction
from portal.models import Employer, LegalEntity, Product, User
from trajecten.models import Trajectory

from .billable import Item, unbilled
from .models import (
    BilledItem,
    BillingAddress,
    Grouping,
    Invoice,
    InvoiceLine,
    InvoiceProfile,
    InvoiceSequence,
    money,
)

PROFILE_FIELDS = ("legal_name", "street", "postcode", "city", "country", "kvk_number",
                  "vat_number", "iban", "email", "payment_term_days", "vat_rate", "grouping",
                  "number_prefix")  # fmt: skip
ADDRESS_FIELDS = ("name", "street", "postcode", "city", "country", "kvk_number", "vat_number",
                  "email", "reference")  # fmt: skip


def _compact(changes: dict) -> dict:
    """Numbers as they are stored: no spaces or dots, capitals (``NL91 ABNA 0417 1643 00``)."""
    out = {k: v.strip() if isinstance(v, str) else v for k, v in changes.items()}
    if out.get("iban"):
        out["iban"] = iban.compact(out["iban"])
    if out.get("vat_number"):
        out["vat_number"] = vat.compact(out["vat_number"])
    if out.get("postcode"):
        out["postcode"] = out["postcode"].upper()
    return out


# --- Details ------------------------------------------------------------------------------


@transaction.atomic
def profile_save(*, actor: User, **fields) -> InvoiceProfile:
    """The agency's details as the seller. Changing them changes no issued invoice (each
    keeps the details it was issued with)."""
    writes.allowed(access.can_manage_invoices(actor))
    profile = InvoiceProfile.objects.visible_to(
        actor
    ).select_for_update().first() or InvoiceProfile(agency_id=actor.agency_id)
    creating = profile.pk is None
    changes = _compact({k: fields[k] for k in PROFILE_FIELDS if k in fields})
    changed = writes.apply(profile, changes)
    InvoiceSequence.objects.get_or_create(agency_id=actor.agency_id)
    return writes.saved(profile, actor=actor, changed=changed, creating=creating)


@transaction.atomic
def billing_address_save(
    *, actor: User, employer: Employer, legal_entity: LegalEntity | None = None, **fields
) -> BillingAddress:
    """An employer's invoice address, or one BV's own."""
    writes.allowed(access.can_manage_invoices(actor))
    employer = writes.fresh(employer, actor)
    if legal_entity is not None:
        legal_entity = writes.fresh(legal_entity, actor)
        if legal_entity.employer_id != employer.pk:
            raise ValidationError(_("This BV belongs to another employer."))
    address = (
        BillingAddress.objects.visible_to(actor)
        .filter(employer=employer, legal_entity=legal_entity)
        .select_for_update()
        .first()
    ) or BillingAddress(employer=employer, legal_entity=legal_entity)
    creating = address.pk is None
    changes = _compact({k: fields[k] for k in ADDRESS_FIELDS if k in fields})
    changed = writes.apply(address, changes)
    return writes.saved(address, actor=actor, changed=changed, creating=creating)


@transaction.atomic
def product_prices_set(*, actor: User, prices: dict[str, tuple]) -> list[Product]:
    """The agency's prices: ``{kind: (price, hourly_rate or None)}``. A price applies to what
    is proposed from now on: an issued invoice keeps its own, and a recorded renewal month the
    price it was recorded with."""
    writes.allowed(access.can_manage_invoices(actor))
    products = {p.kind: p for p in Product.objects.visible_to(actor).select_for_update()}
    errors, changed_products = {}, []
    for kind, (price, hourly_rate) in prices.items():
        product = products.get(kind)
        if product is None:
            continue
        if price is None or price < 0:
            errors[f"price_{kind}"] = _("Enter a price of 0 or more.")
        if hourly_rate is not None and hourly_rate <= 0:
            errors[f"hourly_{kind}"] = _("Enter an hourly rate above 0, or leave it empty.")
        if kind == Product.Kind.RENEWAL and hourly_rate is not None:
            errors[f"hourly_{kind}"] = _("The monthly renewal is not billed by the hour.")
        if errors:
            continue
        changed = writes.apply(product, {"price": price, "hourly_rate": hourly_rate})
        if changed:
            changed_products.append(writes.saved(product, actor=actor, changed=changed,
                                                 creating=False))  # fmt: skip
    if errors:
        raise ValidationError(errors)
    return changed_products


# --- Proposing ----------------------------------------------------------------------------


def last_day_of_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


@transaction.atomic
def invoices_propose(*, actor: User | None, until: date, agency_id: int | None = None):
    """Propose the invoices of everything unbilled up to and including ``until``: one per
    employer or one per BV, as the agency bills. A new proposal replaces the proposals not
    issued yet (a line taken out comes back: it is still unbilled). Without an actor: the
    monthly run of beat (``facturen.tasks``), for ``agency_id``."""
    if actor is not None:
        writes.allowed(access.can_manage_invoices(actor))
        agency_id = actor.agency_id
        trajectories = Trajectory.objects.visible_to(actor)
        drafts = Invoice.objects.visible_to(actor)
    else:
        trajectories = Trajectory.objects.filter(agency_id=agency_id)
        drafts = Invoice.objects.filter(agency_id=agency_id)
    profile = InvoiceProfile.objects.filter(agency_id=agency_id).first()
    if profile is None:
        raise ValidationError(_("Enter the agency's invoice details first."))
    if until > timezone.localdate():
        raise ValidationError({"until": _("Invoices are proposed up to today at the latest.")})
    drafts.filter(status=Invoice.Status.DRAFT).delete()
    groups: dict[tuple, list[Item]] = defaultdict(list)
    for item in unbilled(trajectories, agency_id=agency_id, until=until):
        bv = item.trajectory.legal_entity
        target = bv.pk if profile.grouping == Grouping.LEGAL_ENTITY else None
        groups[(bv.employer_id, target)].append(item)
    proposed = []
    for (employer_id, legal_entity_id), items in sorted(groups.items(), key=_group_order):
        invoice = Invoice.objects.create(
            agency_id=agency_id,
            employer_id=employer_id,
            legal_entity_id=legal_entity_id,
            period_end=until,
        )
        lines = InvoiceLine.objects.bulk_create(
            InvoiceLine(
                agency_id=agency_id,
                invoice=invoice,
                position=n,
                kind=item.kind,
                trajectory=item.trajectory,
                description=item.description,
                period_start=item.period_start,
                period_end=item.period_end,
                quantity=item.quantity,
                unit=item.unit,
                unit_price=item.unit_price,
                vat_rate=profile.vat_rate,
                net_amount=item.net_amount,
                item_keys=item.keys,
            )
            for n, item in enumerate(items, start=1)
        )
        _set_totals(invoice, lines)
        writes.record(AuditAction.CREATE, invoice, actor=actor, details={"lines": len(items)})
        proposed.append(invoice)
    return proposed


def _group_order(entry):
    (employer_id, legal_entity_id), _items = entry
    return (employer_id, legal_entity_id or 0)


def vat_breakdown(lines) -> list[tuple[Decimal, Decimal, Decimal]]:
    """(rate, amount excl. VAT, VAT) per VAT rate: the VAT is taken over the rate's total, as
    EN 16931 does (BR-CO-17), not added up per line."""
    totals: dict[Decimal, Decimal] = defaultdict(Decimal)
    for line in lines:
        totals[line.vat_rate] += line.net_amount
    return [
        (rate, money(net), money(net * rate / 100))
        for rate, net in sorted(totals.items(), reverse=True)
    ]


def _set_totals(invoice: Invoice, lines=None) -> None:
    """The totals over ``lines`` (those just written), else over the stored ones."""
    breakdown = vat_breakdown(invoice.lines.all() if lines is None else lines)
    invoice.net_total = money(sum((net for _, net, _ in breakdown), Decimal(0)))
    invoice.vat_total = money(sum((tax for _, _, tax in breakdown), Decimal(0)))
    invoice.gross_total = invoice.net_total + invoice.vat_total
    invoice.save(update_fields=["net_total", "vat_total", "gross_total"])


def _draft(actor: User, invoice: Invoice) -> Invoice:
    writes.allowed(access.can_manage_invoices(actor))
    invoice = writes.fresh(invoice, actor, lock=True)
    if not invoice.is_draft:
        raise ValidationError(_("This invoice has been issued: correct it with a credit note."))
    return invoice


@transaction.atomic
def invoice_line_remove(*, actor: User, invoice: Invoice, position: int) -> Invoice:
    """Take a line out of a proposal: what it bills stays unbilled, for a next invoice."""
    invoice = _draft(actor, invoice)
    deleted, _rows = invoice.lines.filter(position=position).delete()
    if not deleted:
        raise ValidationError(_("This line is no longer on the proposal."))
    if not invoice.lines.exists():  # its last line: the proposal goes
        _delete(invoice, actor=actor)
        return invoice
    _set_totals(invoice)
    writes.record(AuditAction.UPDATE, invoice, actor=actor, details={"removed_line": position})
    return invoice


@transaction.atomic
def invoice_draft_delete(*, actor: User, invoice: Invoice) -> None:
    _delete(_draft(actor, invoice), actor=actor)


def _delete(invoice: Invoice, *, actor: User) -> None:
    writes.record(AuditAction.DELETE, invoice, actor=actor)
    invoice.delete()


# --- Issuing and crediting ----------------------------------------------------------------


def _seller(profile: InvoiceProfile) -> dict:
    return {
        "name": profile.legal_name,
        "street": profile.street,
        "postcode": profile.postcode,
        "city": profile.city,
        "country": profile.country,
        "kvk_number": profile.kvk_number,
        "vat_number": profile.vat_number,
        "iban": profile.iban,
        "email": profile.email,
        "trade_name": profile.agency.name,
    }


def _buyer(invoice: Invoice) -> dict:
    """The buyer's details: the BV's own address, else the employer's (under the BV's name
    and KvK number when the invoice is addressed to a BV)."""
    addresses = {
        a.legal_entity_id: a
        for a in BillingAddress.objects.filter(
            employer_id=invoice.employer_id, agency_id=invoice.agency_id
        )
    }
    bv = invoice.legal_entity
    address = (bv and addresses.get(bv.pk)) or addresses.get(None)
    if address is None:
        raise ValidationError(
            _("Enter the invoice address of %(employer)s first.") % {"employer": invoice.employer}
        )
    own = bv is not None and address.legal_entity_id == bv.pk
    return {
        "name": address.name if (own or bv is None) else bv.name,
        "street": address.street,
        "postcode": address.postcode,
        "city": address.city,
        "country": address.country,
        "kvk_number": (bv.kvk_number if bv and not own else "") or address.kvk_number,
        "vat_number": address.vat_number,
        "email": address.email,
        "reference": address.reference,
    }


def _next_number(agency_id: int, profile: InvoiceProfile) -> tuple[int, str]:
    """The next number, with the agency's sequence row locked until the transaction ends:
    a second issue waits here, and a rollback leaves no gap."""
    InvoiceSequence.objects.get_or_create(agency_id=agency_id)
    sequence = InvoiceSequence.objects.select_for_update().get(agency_id=agency_id)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number, f"{profile.number_prefix}{sequence.last_number:06d}"


def _claim(invoice: Invoice, lines) -> None:
    """Every item of every line billed once: a unique row per item while not released."""
    try:
        with transaction.atomic():
            BilledItem.objects.bulk_create(
                BilledItem(agency_id=invoice.agency_id, key=key, line=line)
                for line in lines
                for key in line.item_keys
            )
    except IntegrityError:
        raise ValidationError(
            _("Part of this invoice has been billed meanwhile. Propose the invoices again.")
        ) from None


def _issue(invoice: Invoice, *, actor: User | None, profile: InvoiceProfile) -> None:
    invoice.sequence, invoice.number = _next_number(invoice.agency_id, profile)
    invoice.status = Invoice.Status.ISSUED
    invoice.issue_date = timezone.localdate()
    invoice.issued_at = timezone.now()
    invoice.issued_by = actor
    invoice.save()


@transaction.atomic
def invoice_issue(*, actor: User, invoice: Invoice) -> Invoice:
    """Give a checked proposal its number and send it out; from now on it never changes."""
    invoice = _draft(actor, invoice)
    profile = InvoiceProfile.objects.visible_to(actor).select_related("agency").first()
    if profile is None:
        raise ValidationError(_("Enter the agency's invoice details first."))
    lines = list(invoice.lines.all())
    if not lines:
        raise ValidationError(_("This proposal has no lines."))
    invoice.seller = _seller(profile)
    invoice.buyer = _buyer(invoice)
    invoice.due_date = timezone.localdate() + timedelta(days=profile.payment_term_days)
    _claim(invoice, lines)
    _issue(invoice, actor=actor, profile=profile)
    writes.record(AuditAction.UPDATE, invoice, actor=actor, details={"issued": invoice.number})
    return invoice


@transaction.atomic
def credit_note_create(
    *, actor: User, invoice: Invoice, positions: list[int] | None = None, reason: str
) -> Invoice:
    """Correct an issued invoice: a credit note for some or all of its lines, numbered in the
    same sequence and issued at once. What the credited lines billed can be billed again."""
    writes.allowed(access.can_manage_invoices(actor))
    invoice = writes.fresh(invoice, actor, lock=True)
    if invoice.is_draft or invoice.is_credit_note:
        raise ValidationError(_("Only an issued invoice can be credited."))
    reason = reason.strip()
    if not reason:
        writes.refuse("reason", _("Say why the invoice is corrected."))
    open_lines = list(invoice.lines.filter(credited_by__isnull=True))
    if positions:
        wanted = set(positions)
        open_lines = [line for line in open_lines if line.position in wanted]
        if len(open_lines) != len(wanted):
            writes.refuse("positions", _("Choose lines of this invoice not credited yet."))
    if not open_lines:
        raise ValidationError(_("Every line of this invoice has been credited already."))
    profile = InvoiceProfile.objects.visible_to(actor).first()
    note = Invoice.objects.create(
        agency_id=invoice.agency_id,
        employer_id=invoice.employer_id,
        legal_entity_id=invoice.legal_entity_id,
        kind=Invoice.Kind.CREDIT_NOTE,
        period_end=invoice.period_end,
        credits=invoice,
        reason=reason,
        seller=invoice.seller,
        buyer=invoice.buyer,
    )
    lines = InvoiceLine.objects.bulk_create(
        InvoiceLine(
            agency_id=invoice.agency_id,
            invoice=note,
            position=n,
            kind=line.kind,
            trajectory_id=line.trajectory_id,
            description=line.description,
            period_start=line.period_start,
            period_end=line.period_end,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
            net_amount=line.net_amount,
            credited_line=line,
        )
        for n, line in enumerate(open_lines, start=1)
    )
    BilledItem.objects.filter(line__in=open_lines, released_by__isnull=True).update(
        released_by=note
    )
    _set_totals(note, lines)
    _issue(note, actor=actor, profile=profile)
    writes.record(
        AuditAction.CREATE, note, actor=actor, details={"credits": invoice.number,
                                                        "issued": note.number}
    )  # fmt: skip
    return note
