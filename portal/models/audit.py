"""The append-only audit trail."""

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..constants import AuditAction, Role
from .base import ScopedQuerySet
from .tenants import Agency


class AppendOnlyQuerySet(ScopedQuerySet):
    """The audit trail's and the file's history's: rows are added, never changed or removed
    (on PostgreSQL the application role has no right to either: ``portal.tenancy``)."""

    def update(self, **kwargs):
        raise PermissionError(f"{self.model._meta.verbose_name_plural} is append-only.")

    def delete(self):
        raise PermissionError(f"{self.model._meta.verbose_name_plural} is append-only.")


class AuditEvent(models.Model):
    """One line of the append-only audit trail: who did what to whose file, when, from where."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    actor_email = models.CharField(_("user email"), max_length=254, blank=True)
    actor_role = models.CharField(_("role"), max_length=20, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=50, blank=True)
    object_uuid = models.UUIDField(_("object"), null=True, blank=True)
    object_repr = models.CharField(_("description"), max_length=200, blank=True)
    subject_uuid = models.UUIDField(
        _("person"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("The employee whose file this concerns."),
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    outcome = models.CharField(
        _("outcome"),
        max_length=10,
        choices=[("success", _("Succeeded")), ("failure", _("Failed"))],
        default="success",
    )
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["agency", "-at"], name="audit_agency_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only.")

    @property
    def object_type_label(self) -> str:
        """The object kind in the reader's language (model verbose name)."""
        if self.object_type == "session":
            return gettext("session")
        for model in apps.get_models():
            if model._meta.model_name == self.object_type:
                return str(model._meta.verbose_name)
        return self.object_type

    @property
    def actor_role_label(self) -> str:
        return Role(self.actor_role).label if self.actor_role in Role.values else ""
