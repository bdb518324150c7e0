"""In-app notices."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..constants import NoticeDelivery, NoticeKind
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
    #: The kind the reader chooses the email of (``NoticePreference``); blank: no email.
    kind = models.CharField(max_length=20, choices=NoticeKind.choices, blank=True)
    #: Waiting for the reader's daily or weekly digest (``portal.digests``); blank: not.
    digest = models.CharField(max_length=10, blank=True)
    #: When the email about it went out (at once, or in a digest).
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_user_unread"),
            models.Index(
                fields=["user", "digest"],
                condition=models.Q(emailed_at__isnull=True) & ~models.Q(digest=""),
                name="notification_digest_waiting",
            ),
        ]

    def __str__(self) -> str:
        return self.text


class NoticePreference(models.Model):
    """How one person wants to hear of one kind of notice by email (without a row: at once)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences"
    )
    kind = models.CharField(_("kind of notice"), max_length=20, choices=NoticeKind.choices)
    delivery = models.CharField(_("email"), max_length=10, choices=NoticeDelivery.choices)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice preference")
        verbose_name_plural = _("notice preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notice_preference_once")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {self.delivery}"


class DigestSchedule(models.Model):
    """When one person's digests go out, and the day each last went: the claim that keeps a
    digest from going twice is a conditional update of ``daily_sent_on``/``weekly_sent_on``
    (``portal.digests``)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_schedule"
    )
    hour = models.PositiveSmallIntegerField(
        _("hour of the digest"), default=8, validators=[MaxValueValidator(23)]
    )
    weekday = models.PositiveSmallIntegerField(
        _("day of the weekly digest"),
        default=0,
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    daily_sent_on = models.DateField(null=True, blank=True, editable=False)
    weekly_sent_on = models.DateField(null=True, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("digest schedule")
        verbose_name_plural = _("digest schedules")

    def __str__(self) -> str:
        return f"{self.user}: {self.hour}:00"
