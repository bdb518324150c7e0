"""The records of a trajectory's file. Who may see each is decided in ``portal.access``."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.fields import BoundedTextField
from portal.uploads import GeneratedName
from portal.validators import date_not_in_future

from ..constants import (
    AssignmentStatus,
    ContractType,
    ConversationKind,
    DocumentKind,
    TrainingStatus,
    Visibility,
)
from .base import AgencyFromParent, FileRecord


class PersonProfile(FileRecord):
    trajectory = models.OneToOneField(
        "trajecten.Trajectory", on_delete=models.CASCADE, related_name="person_profile"
    )
    education = BoundedTextField(_("education"), max_length=5000, blank=True)
    work_history = BoundedTextField(_("work history"), max_length=5000, blank=True)
    competences = BoundedTextField(_("competences"), max_length=5000, blank=True)
    motivators = BoundedTextField(_("motivators"), max_length=5000, blank=True)
    test_results = BoundedTextField(_("test results (summary)"), max_length=5000, blank=True)
    wishes = BoundedTextField(_("wishes"), max_length=5000, blank=True)

    class Meta:
        verbose_name = _("person profile")
        verbose_name_plural = _("person profiles")

    def __str__(self) -> str:
        return str(_("Person profile"))


class WorkCapacity(FileRecord):
    """Possibilities and limitations in functional terms only. There is deliberately no field
    for a diagnosis anywhere in Spoorboek."""

    trajectory = models.OneToOneField(
        "trajecten.Trajectory", on_delete=models.CASCADE, related_name="work_capacity"
    )
    advice_date = models.DateField(_("date of the advice / FML"), null=True, blank=True)
    advice_author = models.CharField(
        _("author of the advice"),
        max_length=200,
        blank=True,
        help_text=_("For example: the company doctor or arbeidsdeskundige, by name."),
    )
    fml_reference = models.CharField(
        _("FML reference"),
        max_length=200,
        blank=True,
        help_text=_("The Functionele Mogelijkhedenlijst this is based on: its title or number."),
    )
    possibilities = BoundedTextField(_("possibilities (functional)"), max_length=5000, blank=True)
    limitations = BoundedTextField(
        _("limitations (functional)"),
        max_length=5000,
        blank=True,
        help_text=_("Functional terms only (e.g. 'no lifting over 10 kg'). Never a diagnosis."),
    )
    hours_per_day = models.DecimalField(
        _("hours per day"), max_digits=3, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(24)],
    )  # fmt: skip
    hours_per_week = models.DecimalField(
        _("hours per week"), max_digits=3, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
    )  # fmt: skip

    class Meta:
        verbose_name = _("work capacity")
        verbose_name_plural = _("work capacities")

    def __str__(self) -> str:
        return str(_("Work capacity"))


class MedicalNote(FileRecord):
    """Only with the employee's recorded consent; seen by the employee and the trajectory's
    specialists, never by agency admins outside the trajectory or by any employer."""

    consent_date = models.DateField(_("date of the employee's consent"))
    consent_text = models.CharField(_("what the employee consented to"), max_length=300)
    note = BoundedTextField(_("note"), max_length=10000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("medical note")
        verbose_name_plural = _("medical notes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(_("Medical note"))


class SearchProfile(FileRecord):
    """One version of the search profile. A change makes a new version; old ones are kept."""

    version = models.PositiveSmallIntegerField(_("version"), editable=False)
    valid_from = models.DateField(
        _("valid from"),
        default=timezone.localdate,
        help_text=_("The day this version was agreed; reports print the version in force."),
    )
    sectors = models.CharField(_("sectors"), max_length=300)
    kinds_of_work = models.CharField(_("kinds of work"), max_length=300, blank=True)
    region = models.CharField(_("region"), max_length=200)
    travel_minutes = models.PositiveSmallIntegerField(
        _("maximum travel time (minutes)"), null=True, blank=True
    )
    hours_per_week = models.DecimalField(
        _("hours per week"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    wage_indication = models.CharField(_("wage indication"), max_length=100, blank=True)
    agreed_with_employee = models.BooleanField(_("agreed with the employee"), default=False)
    change_note = models.CharField(_("what changed and why"), max_length=500, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("search profile")
        verbose_name_plural = _("search profiles")
        ordering = ["trajectory", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["trajectory", "version"], name="search_profile_unique_version"
            )
        ]

    def __str__(self) -> str:
        return _("Search profile, version %(n)s") % {"n": self.version}

    def narrowness_warning(self, functions=None) -> str:
        """A too narrow, wish-driven profile is the classic cause of a wage sanction."""
        functions = list(self.functions.all()) if functions is None else functions
        sectors = [s for s in self.sectors.replace(";", ",").split(",") if s.strip()]
        if len(functions) <= 1 or len(sectors) <= 1:
            return str(
                _(
                    "This search profile is narrow (one function or one sector). UWV often "
                    "judges a narrow profile as insufficient effort: widen it or record why."
                )
            )
        return ""


class SearchFunction(AgencyFromParent):
    """A function in a search profile, with why it is suitable (passend)."""

    agency_parent = "profile"

    profile = models.ForeignKey(SearchProfile, on_delete=models.CASCADE, related_name="functions")
    title = models.CharField(_("function"), max_length=200)
    reason = models.CharField(
        _("why it is suitable"),
        max_length=500,
        help_text=_("Fits experience, education, health (functional) and last wage?"),
    )

    class Meta:
        verbose_name = _("function")
        verbose_name_plural = _("functions")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class ConversationReport(FileRecord):
    # A report of a conversation that took place (an appointment is how one is planned).
    date = models.DateField(_("date"), default=timezone.localdate, validators=[date_not_in_future])
    kind = models.CharField(_("kind"), max_length=20, choices=ConversationKind.choices)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    participants = models.CharField(_("participants"), max_length=300, blank=True)
    summary = BoundedTextField(_("summary"), max_length=10000)
    agreements = BoundedTextField(_("agreements"), max_length=5000, blank=True)
    next_appointment = models.CharField(_("next appointment"), max_length=200, blank=True)
    visibility = models.CharField(
        _("visible to"), max_length=20, choices=Visibility.choices, default=Visibility.AGENCY
    )
    contains_medical = models.BooleanField(
        _("contains medical information"),
        default=False,
        help_text=_("Then it can never be shared with the employer."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("conversation report")
        verbose_name_plural = _("conversation reports")
        ordering = ["-date", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(contains_medical=True) & models.Q(visibility="employer")),
                name="conversation_medical_never_to_employer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d-%m-%Y}"

    def clean(self) -> None:
        if self.contains_medical and self.visibility == Visibility.EMPLOYER:
            raise ValidationError(
                {
                    "visibility": _(
                        "A conversation with medical information can never be shared with "
                        "the employer."
                    )
                }
            )


class Appointment(FileRecord):
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(
        _("where"), max_length=300, help_text=_("An address, or the link of an online meeting.")
    )
    with_whom = models.CharField(_("with whom"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=200)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return self.subject

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end lies before the start.")})


class Assignment(FileRecord):
    title = models.CharField(_("assignment"), max_length=200)
    description = BoundedTextField(_("description"), max_length=5000, blank=True)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=10, choices=AssignmentStatus.choices, default=AssignmentStatus.OPEN
    )
    result = BoundedTextField(_("result"), max_length=5000, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["status", "due_date"]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == AssignmentStatus.OPEN and self.due_date < today


class Training(FileRecord):
    name = models.CharField(_("training or test"), max_length=200)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    online = models.BooleanField(_("online"), default=False)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=TrainingStatus.choices, default=TrainingStatus.PLANNED
    )
    certificate = models.FileField(
        _("certificate"), upload_to=GeneratedName("certificates"), blank=True
    )
    certificate_name = models.CharField(
        _("certificate's file name"), max_length=255, blank=True, editable=False
    )
    result = BoundedTextField(
        _("result"),
        max_length=2000,
        blank=True,
        help_text=_("What came out of it, in a sentence or two."),
    )

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["-start_date"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end lies before the start.")})


class Document(FileRecord):
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=GeneratedName("documents"))
    original_name = models.CharField(
        _("file name"), max_length=255, blank=True, editable=False,
        help_text=_("The name the file had when it was uploaded; display text only."),
    )  # fmt: skip
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveIntegerField(editable=False, default=0)
    visibility = models.CharField(
        _("visible to"), max_length=20, choices=Visibility.choices, default=Visibility.AGENCY
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Placement(FileRecord):
    trajectory = models.OneToOneField(
        "trajecten.Trajectory", on_delete=models.CASCADE, related_name="placement"
    )
    new_employer = models.CharField(_("new employer"), max_length=200)
    function = models.CharField(_("function"), max_length=200)
    start_date = models.DateField(_("start"))
    hours_per_week = models.DecimalField(
        _("hours per week"), max_digits=3, decimal_places=1,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )  # fmt: skip
    contract_type = models.CharField(_("contract"), max_length=20, choices=ContractType.choices)
    contract_end_date = models.DateField(
        _("contract end"),
        null=True,
        blank=True,
        help_text=_("A work-experience place must last at least 6 months."),
    )
    aftercare_until = models.DateField(_("aftercare until"), null=True, blank=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")

    def __str__(self) -> str:
        return f"{self.function} – {self.new_employer}"

    def clean(self) -> None:
        from dateutil.relativedelta import relativedelta

        if self.contract_type == ContractType.WORK_EXPERIENCE and self.start_date:
            minimum = self.start_date + relativedelta(months=6)
            if not self.contract_end_date or self.contract_end_date < minimum:
                raise ValidationError(
                    {"contract_end_date": _("A work-experience place lasts at least 6 months.")}
                )


class TimeEntry(FileRecord):
    date = models.DateField(_("date"), default=timezone.localdate)
    minutes = models.PositiveSmallIntegerField(
        _("minutes"), validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    category = models.ForeignKey(
        "portal.TimeCategory",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("category"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        ordering = ["-date", "-created_at"]

    def __str__(self) -> str:
        return f"{self.date:%d-%m-%Y} {self.minutes} min"
