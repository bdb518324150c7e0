from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.fields import BoundedTextField
from portal.models import Agency

from .base import FileRecord, ScopedQuerySet


class Message(FileRecord):
    """One message in a trajectory's thread between its employer contacts and its specialists
    (domain.md section 4). The employer's only write in the portal. Messages are never edited
    or deleted: the thread is part of the file."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    body = BoundedTextField(_("message"), max_length=4000)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["trajectory", "created_at"], name="message_thread")]

    def __str__(self) -> str:
        return f"{self.author} {self.created_at:%d-%m-%Y %H:%M}"


class ThreadRead(models.Model):
    """How far a user has read a trajectory's thread: messages after ``read_at`` are unread."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+", editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    trajectory = models.ForeignKey(
        "trajecten.Trajectory", on_delete=models.CASCADE, related_name="+"
    )
    read_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "trajectory"], name="thread_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.read_at:%d-%m-%Y %H:%M}"
