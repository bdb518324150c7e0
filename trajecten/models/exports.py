import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import Agency

from .base import ScopedQuerySet


class AccessExport(models.Model):
    """Everything the portal holds about one employee, as a ZIP built by a task (the right of
    access, AVG art. 15). Available for a limited time, then removed."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+", editable=False)
    employee = models.ForeignKey(
        "trajecten.Employee", on_delete=models.CASCADE, related_name="access_exports"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    #: Medical notes are the employee's and their specialists' only (domain.md section 6): an
    #: archive with them is the employee's own; one an admin prepares leaves them out.
    includes_medical = models.BooleanField(default=False, editable=False)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("access export")
        verbose_name_plural = _("access exports")

    def __str__(self) -> str:
        return f"{self.employee} {self.created_at:%d-%m-%Y}"


class TransferImport(models.Model):
    """One transfer archive an agency admin uploaded (``overdracht``): checked first (the dry
    run), then imported, each by a task that counts its progress on this row. The outcome per
    trajectory is kept in ``results``, worded in the language of the admin who started it."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("Being checked")
        CHECKED = "checked", _("Checked")
        IMPORTING = "importing", _("Being imported")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Could not be read")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+", editable=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    #: Stored under a generated name (``overdracht.services``), never the uploaded one.
    file = models.FileField(upload_to="imports/%Y/%m/")
    #: Takes the place of a primary specialist the agency does not have (a file from another
    #: agency): chosen when uploading, optional.
    assign_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    original_name = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKING)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    #: ``{"error": "...", "check": [outcome per trajectory], "import": [...]}`` (``overdracht``).
    results = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("transfer import")
        verbose_name_plural = _("transfer imports")

    def __str__(self) -> str:
        return self.original_name or str(self.uuid)
