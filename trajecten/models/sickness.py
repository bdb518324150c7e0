import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from portal.models import Agency
from portal.models.base import CopiesAgency

from .. import wvp
from ..constants import ExtensionKind
from .base import ScopedQuerySet
from .people import Employee


class SicknessCase(CopiesAgency, models.Model):
    """One waiting time of an employee: the first day of sickness and the WvP steps taken."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", editable=False)
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="sickness_cases")
    first_sick_day = models.DateField(_("first day of sickness"))
    recovery_date = models.DateField(_("recovery date"), null=True, blank=True)
    probleemanalyse_date = models.DateField(_("probleemanalyse"), null=True, blank=True)
    plan_van_aanpak_date = models.DateField(_("plan van aanpak"), null=True, blank=True)
    notification_42_date = models.DateField(_("42-week notification to UWV"), null=True, blank=True)
    first_year_evaluation_date = models.DateField(_("eerstejaarsevaluatie"), null=True, blank=True)
    final_evaluation_date = models.DateField(_("eindevaluatie"), null=True, blank=True)
    current_assessment_date = models.DateField(
        _("actueel oordeel (date)"),
        null=True,
        blank=True,
        help_text=_("The company doctor's current assessment for the final evaluation."),
    )
    current_assessment_by = models.CharField(
        _("actueel oordeel (company doctor)"), max_length=200, blank=True
    )
    wia_application_date = models.DateField(_("WIA application"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("sickness case")
        verbose_name_plural = _("sickness cases")
        ordering = ["-first_sick_day"]

    def __str__(self) -> str:
        return f"{self.employee} ({self.first_sick_day:%d-%m-%Y})"

    #: ``CopiesAgency``: the agency comes from here on every save.
    agency_parent = "employee"

    #: The dated WvP steps after the first day of sickness, as the clock reads them.
    STEP_DATES = (
        "probleemanalyse_date",
        "plan_van_aanpak_date",
        "notification_42_date",
        "first_year_evaluation_date",
        "final_evaluation_date",
        "current_assessment_date",
        "wia_application_date",
        "recovery_date",
    )

    def clean(self) -> None:
        errors = {}
        for name in self.STEP_DATES:
            value = getattr(self, name)
            if value and self.first_sick_day and value < self.first_sick_day:
                errors[name] = _("This date lies before the first day of sickness.")
        if errors:
            raise ValidationError(errors)

    def extension_weeks(self) -> int:
        """Total weeks of extension. Uses the prefetched list when there is one."""
        cache = getattr(self, "_prefetched_objects_cache", {})
        if "extensions" in cache:
            return sum(e.weeks for e in cache["extensions"])
        return self.extensions.aggregate(total=Sum("weeks"))["total"] or 0

    def dates(self, second_track_start=None, extension_weeks=None) -> wvp.CaseDates:
        """The clock's input. Pass ``extension_weeks`` when a list already annotated it."""
        return wvp.CaseDates(
            first_sick_day=self.first_sick_day,
            recovery_date=self.recovery_date,
            extension_weeks=self.extension_weeks() if extension_weeks is None else extension_weeks,
            probleemanalyse=self.probleemanalyse_date,
            plan_van_aanpak=self.plan_van_aanpak_date,
            notification_42=self.notification_42_date,
            first_year_evaluation=self.first_year_evaluation_date,
            second_track_start=second_track_start,
            final_evaluation=self.final_evaluation_date,
            wia_application=self.wia_application_date,
        )


class Extension(CopiesAgency, models.Model):
    """A loonsanctie or voluntary extension: moves week 104 and the WIA dates later."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", editable=False)
    case = models.ForeignKey(SicknessCase, on_delete=models.CASCADE, related_name="extensions")
    kind = models.CharField(_("kind"), max_length=20, choices=ExtensionKind.choices)
    weeks = models.PositiveSmallIntegerField(
        _("weeks"), validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    decided_on = models.DateField(_("decided on"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["decided_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.weeks}"

    #: ``CopiesAgency``: the agency comes from here on every save.
    agency_parent = "case"
