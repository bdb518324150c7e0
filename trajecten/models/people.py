"""People and the trajectory itself."""

import uuid
from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.constants import Language
from portal.models import Agency, LegalEntity, Phase, Product
from portal.models.base import CopiesAgency

from .. import workdays
from ..constants import (
    WITH_PLACEMENT,
    ClosingReason,
    MemberRole,
    ReferralBasis,
    SpecialTrack,
    TrajectoryStatus,
)
from .base import ScopedQuerySet


def bsn_validator(value: str) -> None:
    """A BSN has 9 digits and passes the eleven test (elfproef)."""
    digits = [int(c) for c in value] if value.isdigit() and len(value) == 9 else None
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    if digits is None or sum(d * w for d, w in zip(digits, weights, strict=True)) % 11:
        raise ValidationError(_("A BSN has 9 digits and passes the eleven test."))


class Employee(models.Model):
    """A (sick) employee. One person with employments at two BVs is one Employee."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="employees")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employee_profile",
        verbose_name=_("login"),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=150)
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    bsn = models.CharField(
        _("BSN"),
        max_length=9,
        blank=True,
        validators=[bsn_validator],
        help_text=_(
            "Only when the agency records it (settings). Agency staff see it; the documents "
            "for UWV print it (reports, the UWV file), also the copies the employer hands in. "
            "No employer screen or API answer shows it."
        ),
    )
    guidance_language = models.CharField(
        _("guidance language"), max_length=2, choices=Language.choices, default=Language.DUTCH
    )
    external_id = models.CharField(
        _("personnel number"),
        max_length=100,
        blank=True,
        help_text=_("The employee's id in the employer's HR system, for imports."),
    )
    possible_duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="possible_duplicates",
        editable=False,
        verbose_name=_("possibly the same person as"),
        help_text=_(
            "Set when a referral named the email address of someone the referrer may not see; "
            "an agency admin merges the two or keeps them apart."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "external_id"],
                condition=~Q(external_id=""),
                name="employee_unique_external_id",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Employment(CopiesAgency, models.Model):
    """An employee's employment at one BV."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", editable=False)
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="employments")
    legal_entity = models.ForeignKey(
        LegalEntity, on_delete=models.PROTECT, related_name="employments", verbose_name=_("BV")
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    hours_per_week = models.DecimalField(
        _("hours per week"), max_digits=4, decimal_places=1, null=True, blank=True
    )

    class Meta:
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "legal_entity"], name="employment_unique_per_bv"
            )
        ]

    def __str__(self) -> str:
        return f"{self.employee} @ {self.legal_entity}"

    #: ``CopiesAgency``: the agency comes from here on every save.
    agency_parent = "employee"

    def clean(self) -> None:
        if self.legal_entity.agency_id != self.employee.agency_id:
            raise ValidationError(_("The BV belongs to another agency."))


class TrajectoryQuerySet(ScopedQuerySet):
    def for_file(self):
        """With what the file's header shows: ``Trajectory.objects.visible_to(user).for_file()``."""
        return self.select_related(
            "employee", "legal_entity__employer", "agency", "product", "phase", "sickness_case"
        ).prefetch_related("sickness_case__extensions")


class Trajectory(CopiesAgency, models.Model):
    """A 2e spoor trajectory of one employee at one employing BV."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="trajectories")
    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="trajectories", verbose_name=_("employee")
    )
    legal_entity = models.ForeignKey(
        LegalEntity,
        on_delete=models.PROTECT,
        related_name="trajectories",
        verbose_name=_("employing BV"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=TrajectoryStatus.choices,
        default=TrajectoryStatus.REFERRED,
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    sickness_case = models.ForeignKey(
        "trajecten.SicknessCase",
        on_delete=models.PROTECT,
        related_name="trajectories",
        verbose_name=_("sickness case"),
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    referral_date = models.DateField(_("referral date"))
    intake_date = models.DateField(_("intake date"), null=True, blank=True)
    referral_basis = models.CharField(
        _("referral basis"), max_length=20, choices=ReferralBasis.choices, blank=True
    )
    referral_advice_date = models.DateField(_("date of the advice"), null=True, blank=True)
    guidance_language = models.CharField(
        _("guidance language"), max_length=2, choices=Language.choices, default=Language.DUTCH
    )
    special_track = models.CharField(
        _("special track"), max_length=20, choices=SpecialTrack.choices, blank=True
    )
    contact_preferences = models.CharField(
        _("contact preferences"),
        max_length=300,
        blank=True,
        help_text=_("How and when the employee prefers to be contacted."),
    )
    phase = models.ForeignKey(
        Phase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("phase"),
    )
    closing_reason = models.CharField(
        _("closing reason"), max_length=30, choices=ClosingReason.choices, blank=True
    )
    closing_note = models.CharField(_("closing explanation"), max_length=500, blank=True)
    external_ref = models.CharField(
        _("external reference"),
        max_length=100,
        blank=True,
        editable=False,
        help_text=_(
            "The trajectory's key in the system it came from (a transfer archive); unique in "
            "the agency, so importing the same file twice changes nothing."
        ),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="TrajectoryMember", related_name="trajectories"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = TrajectoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("trajectory")
        verbose_name_plural = _("trajectories")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["agency", "status"], name="trajectory_agency_status"),
            models.Index(fields=["agency", "-created_at"], name="trajectory_agency_recent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "external_ref"],
                condition=~Q(external_ref=""),
                name="trajectory_unique_external_ref",
            )
        ]

    def __str__(self) -> str:
        return f"{self.employee} ({self.legal_entity})"

    #: ``CopiesAgency``: the agency comes from here on every save.
    agency_parent = "employee"

    def clean(self) -> None:
        if self.legal_entity.agency_id != self.employee.agency_id:
            raise ValidationError(_("The BV and the employee belong to different agencies."))

    @property
    def is_active(self) -> bool:
        return self.status == TrajectoryStatus.ACTIVE

    @property
    def ordered(self) -> bool:
        """Placed by a verzuim system's order (``services.referral_order``)."""
        return self.external_ref.startswith("order:")

    @property
    def is_ended(self) -> bool:
        return self.status == TrajectoryStatus.ENDED

    @property
    def ended_with_placement(self) -> bool:
        return self.closing_reason in WITH_PLACEMENT

    def intake_deadline(self) -> date:
        """The promise: an intake within 5 working days of the referral."""
        return workdays.add_working_days(self.referral_date, 5)

    def intake_promise(self, today: date) -> str:
        """'met', 'missed' or 'open' (no intake yet, deadline not passed)."""
        return workdays.intake_promise(self.referral_date, self.intake_date, today)

    def base_period_end(self) -> date | None:
        """The day after the base period; monthly renewals start there."""
        if not (self.start_date and self.product.base_months):
            return None
        return self.start_date + relativedelta(months=self.product.base_months)

    def renewal_dates(self, until: date) -> list[date]:
        """Start dates of the monthly renewals due up to ``until`` (inclusive), while running.

        Month arithmetic clamps to month ends (31 January + 1 month = 28/29 February) and is
        always taken from the base period end, so it does not drift."""
        first = self.base_period_end()
        if first is None:
            return []
        last = min(until, self.end_date) if self.end_date else until
        dates, n = [], 0
        while (day := first + relativedelta(months=n)) <= last:
            dates.append(day)
            n += 1
        return dates


class TrajectoryMember(CopiesAgency, models.Model):
    """Caseload rights: a specialist sees the trajectories they are a member of."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", editable=False)
    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="trajectory_memberships"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=MemberRole.choices, default=MemberRole.PRIMARY
    )

    class Meta:
        verbose_name = _("trajectory member")
        verbose_name_plural = _("trajectory members")
        constraints = [
            models.UniqueConstraint(fields=["trajectory", "user"], name="member_unique_user"),
            models.UniqueConstraint(
                fields=["trajectory"],
                condition=Q(role=MemberRole.PRIMARY),
                name="member_one_primary",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    #: ``CopiesAgency``: the agency comes from here on every save.
    agency_parent = "trajectory"

    def clean(self) -> None:
        from portal import access

        if not access.can_be_member(self.user, self.trajectory):
            raise ValidationError(_("Only staff of the trajectory's agency can be members."))
