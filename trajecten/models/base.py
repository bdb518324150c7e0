import uuid

from django.db import models

from portal.models import Agency, ScopedQuerySet

__all__ = ["AgencyFromParent", "FileRecord", "ScopedQuerySet"]


class AgencyFromParent(models.Model):
    """A row that belongs to another agency-owned row (a search profile's function, an
    application's status change) and carries that row's agency, copied on every save, so that
    the row-level security policies (``portal.tenancy``) can guard it on its own."""

    #: The name of the foreign key whose ``agency_id`` this row copies.
    agency_parent: str = ""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+", editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self.agency_id = getattr(self, self.agency_parent).agency_id
        super().save(*args, **kwargs)


class FileRecord(models.Model):
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

    def save(self, *args, **kwargs) -> None:
        self.agency_id = self.trajectory.agency_id
        super().save(*args, **kwargs)

    @property
    def employee(self):
        return self.trajectory.employee
