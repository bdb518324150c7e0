"""SMS reminders: a person's consent (with their mobile number) and every message, with its
delivery status (``portal.sms``)."""

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import ScopedQuerySet
from .tenants import Agency

#: A mobile number as a provider takes it: E.164, "+" and the country code (a Dutch 06 number
#: is written +316...; ``portal.sms.normalise`` turns 06 into +316).
mobile_validator = RegexValidator(
    r"^\+[1-9][0-9]{7,14}$", _("Enter a mobile number such as 06 12345678 or +31 6 12345678.")
)


class SmsConsent(models.Model):
    """A person's consent to SMS reminders, given by themself, with the number to use.
    Withdrawn by removing it (``portal.sms.sms_consent_set``): the next message is not sent."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sms_consent"
    )
    mobile = models.CharField(_("mobile number"), max_length=16, validators=[mobile_validator])
    consented_at = models.DateTimeField(_("consent given"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("SMS consent")
        verbose_name_plural = _("SMS consents")

    def __str__(self) -> str:
        return f"{self.user}: {self.mobile}"


class SmsMessage(models.Model):
    """One SMS reminder: made once per person, kind and subject (``key``: never twice), sent
    by the sweep once quiet hours allow, its status kept as the provider reports it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Not sent (consent withdrawn or no longer due)")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sms_messages"
    )
    kind = models.CharField(_("kind"), max_length=20)
    key = models.CharField(max_length=200)
    text = models.CharField(_("text"), max_length=160)
    to = models.CharField(max_length=16, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    send_after = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    provider = models.CharField(max_length=20, blank=True)
    provider_id = models.CharField(max_length=100, blank=True, db_index=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    status_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("SMS message")
        verbose_name_plural = _("SMS messages")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="sms_message_once")
        ]
        indexes = [
            models.Index(
                fields=["send_after"],
                condition=models.Q(status="pending"),
                name="sms_message_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.user} {self.status}"
