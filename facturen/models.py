"""Invoices of an agency to its employers (docs/invoices.md).

An invoice is proposed as a draft (``services.invoices_propose``), checked by an agency admin
and then issued: from then on nothing of it changes. Issuing gives it the next number of the
agency's one sequence (``InvoiceSequence``, locked while issuing, so numbers are consecutive
without gaps also when two admins issue at once), freezes the agency's and the buyer's details
on it and claims every billed item (``BilledItem``: a trajectory's product, a renewal month, a
time entry) once, so nothing is billed twice whatever reruns. A correction is a credit note: a
document of its own, numbered in the same sequence, that releases the items of the lines it
credits, so a corrected line can be billed again.
"""

import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.models import Agency, Employer, LegalEntity
from portal.models.base import CopiesAgency, ScopedQuerySet
from portal.models.tenants import kvk_validator

from .validators import validate_iban, validate_vat_number

CENT = Decimal("0.01")


def money(value) -> Decimal:
    """Rounded to the cent, half up, as the Dutch tax office and EN 16931 round."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class Grouping(models.TextChoices):
    EMPLOYER = "employer", _("One invoice per employer")
    LEGAL_ENTITY = "legal_entity", _("One invoice per BV")


VAT_RATES = [(Decimal("21.00"), "21%"), (Decimal("9.00"), "9%"), (Decimal("0.00"), "0%")]


class InvoiceProfile(models.Model):
    """The agency as the seller on its invoices, and how it bills."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="invoice_profile")
    legal_name = models.CharField(_("legal name"), max_length=200)
    street = models.CharField(_("street and number"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(
        _("country code"), max_length=2, default="NL",
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Two capital letters, such as NL."))],
    )  # fmt: skip
    kvk_number = models.CharField(_("KvK number"), max_length=8, validators=[kvk_validator])
    vat_number = models.CharField(
        _("VAT number"), max_length=14, validators=[validate_vat_number],
        help_text=_("The btw-id, such as NL123456789B01."),
    )  # fmt: skip
    iban = models.CharField(_("IBAN"), max_length=34, validators=[validate_iban])
    email = models.EmailField(_("email address for invoices"))
    payment_term_days = models.PositiveSmallIntegerField(
        _("payment term (days)"), default=30,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )  # fmt: skip
    vat_rate = models.DecimalField(
        _("VAT rate (%)"), max_digits=5, decimal_places=2, choices=VAT_RATES,
        default=Decimal("21.00"),
    )  # fmt: skip
    grouping = models.CharField(
        _("invoices"), max_length=20, choices=Grouping.choices, default=Grouping.EMPLOYER
    )
    number_prefix = models.CharField(
        _("number prefix"), max_length=10, blank=True,
        validators=[RegexValidator(r"^[A-Z0-9-]*$", _("Capital letters, digits and dashes."))],
        help_text=_("Put before every invoice number, such as SPW-. Numbers follow on."),
    )  # fmt: skip
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice details")
        verbose_name_plural = _("invoice details")

    def __str__(self) -> str:
        return self.legal_name


class BillingAddress(CopiesAgency, models.Model):
    """Where an employer, or one of its BVs, receives its invoices. A BV without one of its
    own gets its employer's address, under its own name and KvK number."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", editable=False)
    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="+")
    legal_entity = models.OneToOneField(
        LegalEntity, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name on the invoice"), max_length=200)
    street = models.CharField(_("street and number"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(
        _("country code"), max_length=2, default="NL",
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Two capital letters, such as NL."))],
    )  # fmt: skip
    kvk_number = models.CharField(
        _("KvK number"), max_length=8, blank=True, validators=[kvk_validator]
    )
    vat_number = models.CharField(
        _("VAT number"), max_length=14, blank=True, validators=[validate_vat_number]
    )
    email = models.EmailField(_("email address for invoices"), blank=True)
    reference = models.CharField(
        _("their reference"), max_length=100, blank=True,
        help_text=_("A purchase order or cost centre the employer wants on every invoice."),
    )  # fmt: skip

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice address")
        verbose_name_plural = _("invoice addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["employer"],
                condition=Q(legal_entity__isnull=True),
                name="billing_address_one_per_employer",
            )
        ]

    agency_parent = "employer"

    def __str__(self) -> str:
        return self.name


class InvoiceSequence(models.Model):
    """The agency's last issued number: locked (``SELECT ... FOR UPDATE``) in the transaction
    that issues, so two issues at once wait for each other and a rolled-back issue gives its
    number back."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return str(self.last_number)


class InvoiceQuerySet(ScopedQuerySet):
    def issued(self):
        return self.filter(status=Invoice.Status.ISSUED)


class Invoice(models.Model):
    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Proposed")
        ISSUED = "issued", _("Issued")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, related_name="+", verbose_name=_("employer")
    )
    legal_entity = models.ForeignKey(
        LegalEntity, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("BV"),
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INVOICE)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    sequence = models.PositiveIntegerField(null=True, editable=False)
    number = models.CharField(_("number"), max_length=20, blank=True, editable=False)
    period_end = models.DateField(_("billed up to and including"))
    issue_date = models.DateField(_("invoice date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    credits = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes",
        verbose_name=_("credits invoice"),
    )  # fmt: skip
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    #: The agency's and the buyer's details as they were when issued (never read again from
    #: the profile or the address, which may change later).
    seller = models.JSONField(default=dict, editable=False)
    buyer = models.JSONField(default=dict, editable=False)
    net_total = models.DecimalField(_("excl. VAT"), max_digits=12, decimal_places=2, default=0)
    vat_total = models.DecimalField(_("VAT"), max_digits=12, decimal_places=2, default=0)
    gross_total = models.DecimalField(_("incl. VAT"), max_digits=12, decimal_places=2, default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-sequence", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "sequence"],
                condition=Q(sequence__isnull=False),
                name="invoice_unique_sequence",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(sequence__isnull=False, issue_date__isnull=False),
                name="invoice_issued_has_number",
            ),
        ]
        indexes = [models.Index(fields=["agency", "status", "employer"], name="invoice_listing")]

    def __str__(self) -> str:
        return self.number or str(_("Proposed invoice"))

    @property
    def is_credit_note(self) -> bool:
        return self.kind == self.Kind.CREDIT_NOTE

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def sign(self) -> int:
        """+1 for an invoice, -1 for a credit note: what bookkeeping adds up."""
        return -1 if self.is_credit_note else 1


class InvoiceLine(CopiesAgency, models.Model):
    class Kind(models.TextChoices):
        PRODUCT = "product", _("Product")
        RENEWAL = "renewal", _("Monthly renewal")
        HOURS = "hours", _("Hours")

    class Unit(models.TextChoices):
        #: UN/ECE recommendation 20 codes, as UBL wants them.
        PIECE = "C62", _("piece")
        MONTH = "MON", _("month")
        HOUR = "HUR", _("hour")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", editable=False)
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    trajectory = models.ForeignKey(
        "trajecten.Trajectory", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )  # a trajectory removed under retention leaves its invoice lines as they were
    description = models.CharField(_("description"), max_length=300)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=9, decimal_places=2)
    unit = models.CharField(max_length=3, choices=Unit.choices)
    unit_price = models.DecimalField(_("price"), max_digits=10, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    net_amount = models.DecimalField(_("amount excl. VAT"), max_digits=12, decimal_places=2)
    #: What this line bills (``BilledItem.key``), claimed when the invoice is issued.
    item_keys = models.JSONField(default=list, editable=False)
    credited_line = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credited_by"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["invoice", "position"]

    agency_parent = "invoice"

    def __str__(self) -> str:
        return self.description


class BilledItem(models.Model):
    """One thing billed once: ``product:<trajectory>``, ``renewal:<trajectory>:<month>`` or
    ``hours:<time entry>``. Unique per agency while not released, so a second invoice that
    claims it cannot be issued; a credit note releases it."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=120)
    line = models.ForeignKey(InvoiceLine, on_delete=models.PROTECT, related_name="billed_items")
    released_by = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "key"],
                condition=Q(released_by__isnull=True),
                name="billed_item_once",
            )
        ]

    def __str__(self) -> str:
        return self.key
