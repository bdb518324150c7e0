"""The write path of webhook endpoints: register, change, a new secret, a test, send again,
remove. Each checks the actor's right (``portal.access``), writes, audits (never the secret)
and queues its sending on commit."""

import base64
import ipaddress
import secrets
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access, writes
from ..constants import WEBHOOK_TEST_EVENT, AuditAction, DeliveryStatus, WebhookEvent
from ..models import User, WebhookDelivery, WebhookEndpoint
from . import events


def new_secret() -> str:
    """32 random bytes, written as Standard Webhooks does (``whsec_`` and base64)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str) -> str:
    """The address as given, or a refusal on ``url``: https to a host whose every address is
    public (unless the operator allows private addresses). Sending checks the address again,
    at the moment of connecting (``delivery``), since a name may point elsewhere tomorrow."""
    url = (url or "").strip()
    parts = urlsplit(url)
    allow_private = settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        writes.refuse("url", _("Give an address that starts with https://."))
    if parts.username or parts.password:
        writes.refuse("url", _("Leave the user name and password out of the address."))
    try:
        found = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        writes.refuse("url", _("This host cannot be found. Check the address."))
    if not allow_private and not all(_public(info[4][0]) for info in found):
        writes.refuse(
            "url", _("This address is in a private network. Webhooks go to public addresses only.")
        )
    return url


def _events(chosen) -> list[str]:
    chosen = [e for e in WebhookEvent.values if e in set(chosen or ())]
    if not chosen:
        writes.refuse("events", _("Choose at least one event."))
    return chosen


def _checked(url: str, events) -> dict:
    """The address and the events, or every refusal of both at once."""
    checked, errors = {}, {}
    for name, check, value in (("url", check_url, url), ("events", _events, events)):
        try:
            checked[name] = check(value)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return checked


@transaction.atomic
def webhook_endpoint_create(
    *, actor: User, url: str, events: list[str], description: str = ""
) -> WebhookEndpoint:
    writes.allowed(access.can_manage_webhooks(actor))
    endpoint = WebhookEndpoint(agency_id=actor.agency_id, owner=actor, secret=new_secret())
    writes.apply(endpoint, {**_checked(url, events), "description": description.strip()})
    writes.saved(endpoint, actor=actor, changed=None, creating=True, events=endpoint.events)
    return endpoint


@transaction.atomic
def webhook_endpoint_update(
    *,
    actor: User,
    endpoint: WebhookEndpoint,
    url: str,
    events: list[str],
    description: str = "",
    is_active: bool = True,
) -> WebhookEndpoint:
    """Switched off, its deliveries wait (nothing is lost); switched on again, they go."""
    writes.allowed(access.can_edit_webhook(actor, endpoint))
    endpoint = writes.fresh(endpoint, actor, lock=True)
    was_active = endpoint.is_active
    changed = writes.apply(
        endpoint,
        {**_checked(url, events), "description": description.strip(), "is_active": is_active},
    )
    writes.saved(endpoint, actor=actor, changed=changed, creating=False)
    if is_active and not was_active:
        _send_again(endpoint.deliveries.filter(status=DeliveryStatus.PENDING))
    return endpoint


@transaction.atomic
def webhook_secret_renew(*, actor: User, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret at once (the old one stops signing): for a secret that leaked."""
    writes.allowed(access.can_edit_webhook(actor, endpoint))
    endpoint = writes.fresh(endpoint, actor, lock=True)
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret"])
    writes.record(AuditAction.UPDATE, endpoint, actor=actor, details={"secret": "renewed"})
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, actor: User, endpoint: WebhookEndpoint) -> None:
    """Removes the endpoint with its log; what was not yet sent is not sent."""
    writes.allowed(access.can_edit_webhook(actor, endpoint))
    endpoint = writes.fresh(endpoint, actor, lock=True)
    writes.record(AuditAction.DELETE, endpoint, actor=actor, details={"url": endpoint.url})
    endpoint.delete()


@transaction.atomic
def webhook_test(*, actor: User, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A ``webhook.test`` event, whatever the endpoint subscribes to, to try the receiver."""
    writes.allowed(access.can_edit_webhook(actor, endpoint))
    endpoint = writes.fresh(endpoint, actor)
    _sends(endpoint)
    body = events.dumps(WEBHOOK_TEST_EVENT, {"endpoint": str(endpoint.uuid)})
    delivery = events.delivery_for(endpoint, WEBHOOK_TEST_EVENT, body)
    writes.record(AuditAction.UPDATE, endpoint, actor=actor, details={"test": True})
    return delivery


@transaction.atomic
def webhook_replay(*, actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again now, the same message (its id too, so a receiver that had it
    can tell), whatever became of it before."""
    writes.allowed(access.can_edit_webhook(actor, delivery.endpoint))
    delivery = writes.fresh(delivery, actor, lock=True)
    _sends(delivery.endpoint)
    _send_again(WebhookDelivery.objects.filter(pk=delivery.pk), force=True)
    writes.record(
        AuditAction.UPDATE, delivery.endpoint, actor=actor, details={"replay": str(delivery.uuid)}
    )
    return delivery


@transaction.atomic
def webhook_replay_failed(*, actor: User, endpoint: WebhookEndpoint) -> int:
    """Every failed delivery of the endpoint again (after a receiver was down for days)."""
    writes.allowed(access.can_edit_webhook(actor, endpoint))
    endpoint = writes.fresh(endpoint, actor, lock=True)
    _sends(endpoint)
    count = _send_again(endpoint.deliveries.filter(status=DeliveryStatus.FAILED), force=True)
    writes.record(AuditAction.UPDATE, endpoint, actor=actor, details={"replay_failed": count})
    return count


def _sends(endpoint: WebhookEndpoint) -> None:
    """Refuses a test or a replay that would only wait: the page says "sent" for what goes."""
    if not endpoint.is_active:
        raise ValidationError(_("Switch the endpoint on first."))
    if not endpoint.owner.is_active:
        raise ValidationError(
            _("Its owner's account is closed: register the endpoint again under your own.")
        )


def _send_again(deliveries, *, force: bool = False) -> int:
    """Due now, and queued after the commit. ``force``: from any status, with a fresh round of
    attempts (a replay)."""
    from ..tasks import send_webhook

    now = timezone.now()
    rows = list(deliveries.values_list("id", "agency_id"))
    fields = {"next_attempt_at": now}  # a worker that holds one keeps it (and sends it)
    if force:
        fields.update(status=DeliveryStatus.PENDING, attempts=0, delivered_at=None)
    WebhookDelivery.objects.filter(pk__in=[pk for pk, _a in rows]).update(**fields)

    def queue() -> None:
        for pk, agency_id in rows:
            send_webhook.delay(pk, agency_id=agency_id)

    transaction.on_commit(queue, robust=True)
    return len(rows)
