"""The tenant and what it owns of its own: the agency with its settings and phases,
products and time categories, its employers and their BVs."""

import uuid
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..constants import Language, PhaseSet
from ..uploads import GeneratedName
from ..validators import date_not_in_future
from .base import CopiesAgency, ScopedQuerySet


class Agency(models.Model):
    """A re-integration agency: the tenant. Everything a customer owns hangs off one agency."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200, unique=True)
    default_language = models.CharField(
        _("default language"), max_length=2, choices=Language.choices, default=Language.DUTCH
    )
    logo = models.ImageField(_("logo"), upload_to=GeneratedName("agency-logos"), blank=True)
    phase_set = models.CharField(
        _("phase set"),
        max_length=20,
        choices=PhaseSet.choices,
        default=PhaseSet.SIX_STEPS,
        help_text=_("The phases new trajectories go through."),
    )
    application_norm_count = models.PositiveSmallIntegerField(
        _("application norm: activities"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("Counting application activities expected per norm period."),
    )
    application_norm_weeks = models.PositiveSmallIntegerField(
        _("application norm: period in weeks"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(26)],
    )
    count_repeats_once = models.BooleanField(
        _("count repeated applications once"),
        default=True,
        help_text=_(
            "A second registration with the same employment agency, or a second application "
            "to the same vacancy within the days below, is shown as a repeat and does not "
            "count toward the norm."
        ),
    )
    repeat_window_days = models.PositiveSmallIntegerField(
        _("days within which an application to the same vacancy is a repeat"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    retention_months = models.PositiveSmallIntegerField(
        _("retention after the trajectory ends (months)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    retention_months_self_insurer = models.PositiveSmallIntegerField(
        _("retention for self-insuring employers (months)"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    share_time_totals_with_employer = models.BooleanField(
        _("show employers the total time spent"),
        default=False,
        help_text=_("Employer contacts see the hours spent per trajectory, never the entries."),
    )
    share_application_evidence_with_employer = models.BooleanField(
        _("show employers the evidence of applications"),
        default=False,
        help_text=_("Letters and screenshots the employee uploads. Notes are never shown."),
    )
    record_bsn = models.BooleanField(
        _("record the BSN"),
        default=False,
        help_text=_(
            "UWV asks for the BSN on every RIV document. Agency staff see it; the documents "
            "for UWV print it (reports, the UWV file), also the copies the employer downloads "
            "to hand in. No employer screen or API answer shows it."
        ),
    )
    response_days = models.PositiveSmallIntegerField(
        _("days to respond to a report"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_(
            "After this many days without a response from the employee (or, for a plan, the "
            "employer) the specialist may sign; the report says so."
        ),
    )
    contact_alert_days = models.PositiveSmallIntegerField(
        _("days without a conversation before a warning"),
        default=14,
        validators=[MinValueValidator(7), MaxValueValidator(60)],
        help_text=_(
            "Too little personal contact is a known cause of failed trajectories: after this "
            "many days without a conversation with the employee the specialist's day and the "
            "employer's dashboard say so."
        ),
    )
    four_eyes = models.BooleanField(
        _("four-eyes check on reports"),
        default=False,
        help_text=_(
            "A second specialist or an admin approves every signed report before it reaches "
            "the employer and UWV."
        ),
    )
    survey_valid_days = models.PositiveSmallIntegerField(
        _("days a survey link works"),
        default=30,
        validators=[MinValueValidator(8), MaxValueValidator(90)],
        help_text=_(
            "The satisfaction survey sent at closing to the employee and the employer; one "
            "reminder follows after 7 days."
        ),
    )
    measurement_period_start = models.DateField(
        _("start of the measurement period"),
        null=True,
        blank=True,
        validators=[date_not_in_future],
        help_text=_(
            "The quality mark's 12-month measurement period starts on this day. Empty: the "
            "calendar year."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def measurement_period(self, today: date) -> tuple[date, date]:
        """The 12 months from the set start, or the calendar year of ``today``. Always a fixed
        period (never "the last 12 months"): survey marks are released only for fixed periods
        that do not overlap (``kwaliteit.outcomes.release_period``)."""
        if self.measurement_period_start:
            start = self.measurement_period_start
            return start, start + relativedelta(months=12) - timedelta(days=1)
        return date(today.year, 1, 1), date(today.year, 12, 31)


class Phase(models.Model):
    """One phase of an agency's phase set, in order."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="phases")
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=100)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["agency", "position"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "position"], name="phase_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class Product(models.Model):
    """What an agency sells, with its price excluding VAT."""

    class Kind(models.TextChoices):
        BASE_3_MONTHS = "base_3m", _("2e spoor base trajectory, 3 months")
        BASE_6_MONTHS = "base_6m", _("2e spoor base trajectory, 6 months")
        FEASIBILITY = "feasibility", _("Feasibility study (haalbaarheidsonderzoek)")
        RENEWAL = "renewal", _("Monthly renewal after the base period")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="products")
    kind = models.CharField(_("product"), max_length=20, choices=Kind.choices)
    price = models.DecimalField(_("price excl. VAT (EUR)"), max_digits=8, decimal_places=2)
    base_months = models.PositiveSmallIntegerField(_("base period (months)"), null=True, blank=True)
    budget_hours = models.DecimalField(
        _("time budget (hours)"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    hourly_rate = models.DecimalField(
        _("hourly rate excl. VAT (EUR)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "Set for a product billed by the hour: its trajectories are invoiced for their "
            "billable time at this rate, instead of the price above and monthly renewals."
        ),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["agency", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "kind"], name="product_unique_kind")
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class TimeCategory(models.Model):
    """An agency's category for time entries (coaching, reporting, travel, ...)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="time_categories")
    name = models.CharField(_("name"), max_length=100)
    billable = models.BooleanField(_("billable"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("time category")
        verbose_name_plural = _("time categories")
        ordering = ["agency", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="time_category_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Employer(models.Model):
    """A client organisation (often a holding) of one agency."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="employers")
    name = models.CharField(_("name"), max_length=200)
    is_self_insurer = models.BooleanField(
        _("self-insurer (eigenrisicodrager)"),
        default=False,
        help_text=_("Files of self-insuring employers are kept longer."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="employer_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


kvk_validator = RegexValidator(r"^\d{8}$", _("A KvK number has exactly 8 digits."))
payroll_tax_validator = RegexValidator(
    r"^\d{9}L\d{2}$", _("A payroll tax number looks like 123456789L01.")
)


class LegalEntity(CopiesAgency, models.Model):
    """A legal entity (BV) of an employer group: the employing company of an employee."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", editable=False)
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="legal_entities")
    name = models.CharField(_("name"), max_length=200)
    kvk_number = models.CharField(
        _("KvK number"), max_length=8, blank=True, validators=[kvk_validator]
    )
    payroll_tax_number = models.CharField(
        _("payroll tax number"), max_length=12, blank=True, validators=[payroll_tax_validator]
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal entity (BV)")
        verbose_name_plural = _("legal entities (BVs)")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["employer", "name"], name="legal_entity_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    #: ``CopiesAgency``: the agency comes from here on every save.
    agency_parent = "employer"
