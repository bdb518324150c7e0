"""In-app notices."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import ScopedQuerySet
from .tenants import Agency


class Notification(models.Model):
    """An in-app notice (next to the email) for one user."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(_("notice"), max_length=300)
    # What the notice says, kept apart from its words so each reader sees it in the language
    # they use today (``text`` is the sentence in their language when it was sent, shown for
    # notices without a ``message``). The app that sends a kind of notice words it; see
    # ``rapportages.notices``.
    message = models.CharField(max_length=40, blank=True, default="")
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return self.text
