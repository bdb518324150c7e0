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
