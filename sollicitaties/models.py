"""Application activities, their status history and evidence, temp-agency registrations, the
norm per trajectory, and the vacancy board (Jobport)."""

import functools
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _

from portal.fields import BoundedTextField
from portal.models import Agency
from portal.uploads import GeneratedName
from trajecten.models import AgencyFromParent, FileRecord, ScopedQuerySet

from .constants import (
    COUNTING_KINDS,
    STATUS_KINDS,
    ActivityKind,
    ApplicationStatus,
    Channel,
    RecordedBy,
)


@functools.cache
def _labels(choices, language: str | None) -> dict[str, str]:
    with override(language):
        return {value: str(label) for value, label in choices.choices}


class ApplicationActivity(FileRecord):
    date = models.DateField(_("date"), default=timezone.localdate)
    kind = models.CharField(_("kind"), max_length=30, choices=ActivityKind.choices)
    channel = models.CharField(_("channel"), max_length=30, choices=Channel.choices, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    vacancy_title = models.CharField(_("vacancy"), max_length=200, blank=True)
    vacancy_url = models.URLField(_("link to the vacancy"), max_length=500, blank=True)
    hours_per_week = models.DecimalField(
        _("hours per week"), max_digits=3, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )  # fmt: skip
    place = models.CharField(_("place"), max_length=100, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    notes = BoundedTextField(
        _("notes"),
        max_length=5000,
        blank=True,
        help_text=_("Private: only you and the agency read these."),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SENT,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    recorded_by_role = models.CharField(max_length=20, choices=RecordedBy.choices, editable=False)
    vacancy = models.ForeignKey(
        "sollicitaties.Vacancy", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: Chosen by the phone when the form is shown: an application sent again (a retry after a
    #: lost connection, the offline outbox) is recorded once (``services.activity_create``).
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    #: What was sent with the key (a SHA-256 of the fields): the same key with other fields
    #: is refused, never answered as the first one (``services.activity_create``).
    idempotency_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    #: The application this one repeats (the same agency registered again, the same vacancy
    #: within the agency's window): kept, shown, not counted (``repeats``).
    repeat_of = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("application activity")
        verbose_name_plural = _("application activities")
        ordering = ["-date", "-created_at"]
        indexes = [
            models.Index(fields=["trajectory", "date"], name="activity_trajectory_date"),
            # The API lists newest first per agency (cursor pagination on created_at).
            models.Index(fields=["agency", "-created_at"], name="activity_agency_recent"),
        ]

    def __str__(self) -> str:
        what = " – ".join(x for x in (self.organisation, self.vacancy_title) if x)
        return what or str(self.get_kind_display())

    @property
    def counts(self) -> bool:
        """Counts toward the norm: a counting kind, and not a repeat (``repeats.COUNTING``)."""
        return self.kind in COUNTING_KINDS and self.repeat_of is None

    @property
    def display_name(self) -> str:
        """How a person names this application: "PostNL – Planner distributie"."""
        name = self.organisation or self.kind_label
        return f"{name} – {self.vacancy_title}" if self.vacancy_title else name

    @property
    def kind_label(self) -> str:
        """``get_kind_display`` without rebuilding the choices on every call (long lists)."""
        return _labels(ActivityKind, get_language())[self.kind]

    @property
    def status_label(self) -> str:
        return _labels(ApplicationStatus, get_language())[self.status]

    @property
    def has_status_flow(self) -> bool:
        """Reading vacancies or a workshop has no sent / invited / hired."""
        return self.kind in STATUS_KINDS


class StatusChange(AgencyFromParent):
    """The dated history of an application's status."""

    agency_parent = "activity"

    activity = models.ForeignKey(
        ApplicationActivity, on_delete=models.CASCADE, related_name="status_changes"
    )
    status = models.CharField(_("status"), max_length=20, choices=ApplicationStatus.choices)
    date = models.DateField(_("date"), default=timezone.localdate)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["date", "created_at"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.date:%d-%m-%Y}"


class Evidence(FileRecord):
    """The letter, the confirmation email, a screenshot: proof for the UWV file."""

    activity = models.ForeignKey(
        ApplicationActivity, on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=GeneratedName("evidence"))
    original_name = models.CharField(
        _("file name"), max_length=255, blank=True, editable=False,
        help_text=_("The name the file had when it was uploaded; display text only."),
    )  # fmt: skip
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveIntegerField(editable=False, default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.original_name or str(_("evidence"))


class TempAgencyRegistration(FileRecord):
    agency_name = models.CharField(_("temp agency"), max_length=200)
    date = models.DateField(_("registered on"), default=timezone.localdate)

    class Meta:
        verbose_name = _("temp-agency registration")
        verbose_name_plural = _("temp-agency registrations")
        ordering = ["date"]

    def __str__(self) -> str:
        return self.agency_name


class ApplicationNorm(FileRecord):
    """A trajectory's own norm, when it differs from the agency's default (with a reason)."""

    trajectory = models.OneToOneField(
        "trajecten.Trajectory", on_delete=models.CASCADE, related_name="application_norm"
    )
    count = models.PositiveSmallIntegerField(
        _("counting activities"), validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    weeks = models.PositiveSmallIntegerField(
        _("per weeks"), validators=[MinValueValidator(1), MaxValueValidator(26)]
    )
    reason = models.CharField(_("reason"), max_length=500)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("application norm")
        verbose_name_plural = _("application norms")

    def __str__(self) -> str:
        return f"{self.count}/{self.weeks}"


class Vacancy(models.Model):
    """A vacancy on the agency's board (Jobport)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="vacancies")
    title = models.CharField(_("title"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200)
    place = models.CharField(_("place"), max_length=100)
    hours_per_week = models.DecimalField(
        _("hours per week"), max_digits=3, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )  # fmt: skip
    url = models.URLField(_("link"), max_length=500, blank=True)
    closing_date = models.DateField(_("closing date"), null=True, blank=True)
    function_category = models.CharField(_("function category"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("vacancy")
        verbose_name_plural = _("vacancies")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "closing_date"], name="vacancy_agency_closing")]

    def __str__(self) -> str:
        return f"{self.title} – {self.organisation}"
