import uuid

from django.db import models

from portal.models import Agency, ScopedQuerySet
from portal.models.base import CopiesAgency

__all__ = ["AgencyFromParent", "FileRecord", "ScopedQuerySet"]


class AgencyFromParent(CopiesAgency, models.Model):
    """A row that belongs to another agency-owned row (a search profile's function, an
    application's status change), with the agency field it copies (``CopiesAgency``)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+", editable=False)

    class Meta:
        abstract = True


class FileRecord(CopiesAgency, models.Model):
    """A record in a trajectory's file. Carries the agency (for scoping and row-level
    security) copied from its trajectory, and a UUID for URLs."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", editable=False)
    trajectory = models.ForeignKey(
        "trajecten.Trajectory", on_delete=models.CASCADE, related_name="%(class)ss"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    agency_parent = "trajectory"

    @property
    def employee(self):
        return self.trajectory.employee
