"""Webhook endpoints and their deliveries (``portal.webhooks``)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..constants import DeliveryStatus
from ..fields import BoundedTextField
from .base import CopiesAgency, ScopedQuerySet
from .tenants import Agency


class WebhookEndpoint(models.Model):
    """An address of another system (an agency's or an employer's verzuim system) that is told
    of events. It sends what its ``owner`` may see, read through ``portal.access`` at each
    event: an employer contact's endpoint hears of their BVs' trajectories only, and stops
    when the owner's account is closed."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(_("address"), max_length=500)
    description = models.CharField(_("description"), max_length=100, blank=True)
    #: The ``WebhookEvent`` values it subscribes to.
    events = models.JSONField(_("events"), default=list)
    #: ``whsec_`` and base64, as Standard Webhooks writes it; the receiver checks with it.
    secret = models.CharField(max_length=100, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    #: The RIV check's open findings last told, per trajectory (uuid -> sorted rule keys);
    #: ``None`` until the first check after registering, which tells nothing (a baseline).
    riv_state = models.JSONField(null=True, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(CopiesAgency, models.Model):
    """One event for one endpoint, kept until it is delivered (and after, as its log). Made in
    the transaction of the change it tells of, so a change and its delivery are saved together
    or not at all; sent after the commit and retried by beat's sweep."""

    agency_parent = "endpoint"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+", editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=40)
    #: The body exactly as signed and sent (every attempt sends the same bytes): ids, dates
    #: and codes, a few hundred characters (a file with every RIV finding open stays far
    #: under the limit).
    body = BoundedTextField(max_length=20000)
    status = models.CharField(
        _("status"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    #: A worker sending it holds it until then (``webhooks.deliver`` claims it).
    claimed_until = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    #: Every attempt: when, the answer's status or the error, how long it took.
    log = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_due",
            ),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id}"

    @property
    def message_id(self) -> str:
        """The ``webhook-id`` header: the same on every attempt and replay, so a receiver
        that got it before can tell."""
        return f"msg_{self.uuid.hex}"
