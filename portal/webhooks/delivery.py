"""Sending a delivery: signed, through an SSRF-safe client, retried with backoff, logged.

A delivery is sent after the commit of the change it tells of (``send_webhook``) and, when the
receiver did not answer 2xx, again by beat's sweep (``send_due_webhooks``, every minute) after
``RETRY_AFTER``: eight attempts over about 28 hours, then it is "failed" and waits in the log
for someone to send it again. A worker claims a delivery with a conditional update before it
sends, so two workers (the commit's and the sweep's) never send one twice at once.

Signed as Standard Webhooks specifies (``webhook-id``, ``webhook-timestamp`` and
``webhook-signature``: HMAC-SHA256 over ``id.timestamp.body``) by its reference library; the
id is the same on every attempt and replay, the timestamp is the attempt's. Sent with
requests-hardened: the host's address is resolved once, refused when it is private,
loopback, link-local or otherwise not public (unless ``WEBHOOK_ALLOW_PRIVATE_ADDRESSES``),
and the connection goes to that very address (no second lookup to rebind); no redirects
are followed, no proxy from the environment is used.
"""

import time
from dataclasses import dataclass
from datetime import timedelta

import requests
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from requests_hardened import Config, Manager
from requests_hardened.ip_filter import InvalidIPAddress
from standardwebhooks import Webhook

from ..constants import DeliveryStatus
from ..models import WebhookDelivery

#: After the first attempt fails, the next ones follow after these waits (Standard Webhooks'
#: suggested schedule, the first waits rounded up to beat's minute).
RETRY_AFTER = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_ATTEMPTS = len(RETRY_AFTER) + 1
#: (connect, read) seconds; a receiver should answer at once and work afterwards.
TIMEOUT = (5, 10)
#: A worker holds a claimed delivery this long: longer than an attempt can take.
LEASE = timedelta(minutes=2)
#: The attempts a delivery's log keeps (the latest; replays add to it).
LOG_LENGTH = 20
USER_AGENT = "Spoorboek-Webhooks/1"

#: What went wrong, as the log shows it (the code is stored, the words are the reader's).
ERRORS = {
    "http": _("The receiver answered with an error."),
    "timeout": _("The receiver did not answer in time."),
    "connection": _("No connection to the receiver."),
    "refused": _("Not sent: the address is in a private network."),
    "redirect": _("The receiver answered with a redirect, which is not followed."),
}


def client() -> requests.Session:
    session = Manager(
        Config(
            ip_filter_enable=not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES,
            ip_filter_allow_loopback_ips=False,
            never_redirect=True,
            default_timeout=TIMEOUT,
            user_agent_override=USER_AGENT,
        )
    ).get_session()
    session.trust_env = False  # no proxy or .netrc from the worker's environment
    return session


def headers(delivery: WebhookDelivery, secret: str, *, at=None) -> dict[str, str]:
    at = at or timezone.now()
    return {
        "Content-Type": "application/json",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(delivery.message_id, at, delivery.body),
    }


@dataclass(frozen=True)
class Attempt:
    status: int | None
    error: str
    ms: int

    @property
    def ok(self) -> bool:
        return not self.error


def post(url: str, body: str, signed: dict[str, str]) -> Attempt:
    """One POST; never raises for what the network or the receiver does."""
    started = time.monotonic()
    status, error = None, ""
    try:
        with client() as session:
            response = session.post(url, data=body.encode(), headers=signed, stream=True)
            status = response.status_code
            response.close()  # the answer's body is not read: nothing in it is used
        if 300 <= status < 400:
            error = "redirect"
        elif not 200 <= status < 300:
            error = "http"
    except InvalidIPAddress:
        error = "refused"
    except requests.Timeout:
        error = "timeout"
    except (requests.RequestException, OSError, ValueError):
        error = "connection"
    return Attempt(status, error, int((time.monotonic() - started) * 1000))


def _due(now):
    """The deliveries that may be sent now: waiting for an attempt whose time has come, of an
    endpoint that is on and whose owner still has an account, and held by no worker (or by
    one whose lease has run out: it died)."""
    return WebhookDelivery.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=now,
        endpoint__is_active=True,
        endpoint__owner__is_active=True,
    )


def _claim(delivery_id: int, now) -> WebhookDelivery | None:
    """The delivery if it is due and nobody else is sending it, held for ``LEASE``."""
    if not _due(now).filter(pk=delivery_id).update(claimed_until=now + LEASE):
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def deliver(*, delivery_id: int) -> WebhookDelivery | None:
    """Send one delivery if it is due (the task calls this); ``None`` when there was nothing
    to send: delivered already, not due, another worker has it, or its endpoint is off."""
    now = timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    attempt = post(endpoint.url, delivery.body, headers(delivery, endpoint.secret, at=now))
    attempts = delivery.attempts + 1
    entry = {"at": now.isoformat(), "status": attempt.status, "error": attempt.error,
             "ms": attempt.ms}  # fmt: skip
    done = timezone.now()
    if attempt.ok:
        status, next_at = DeliveryStatus.DELIVERED, None
    elif attempts >= MAX_ATTEMPTS:
        status, next_at = DeliveryStatus.FAILED, None
    else:
        status, next_at = DeliveryStatus.PENDING, done + RETRY_AFTER[attempts - 1]
    WebhookDelivery.objects.filter(pk=delivery.pk, claimed_until=delivery.claimed_until).update(
        status=status,
        attempts=attempts,
        next_attempt_at=next_at,
        claimed_until=None,
        response_status=attempt.status,
        last_error=attempt.error,
        log=[*delivery.log, entry][-LOG_LENGTH:],
        delivered_at=done if attempt.ok else None,
    )
    delivery.refresh_from_db()
    return delivery


#: How many deliveries one sweep queues (the next sweep, a minute later, takes the rest).
SWEEP_LIMIT = 500


def deliveries_due(*, now) -> list[tuple[int, int]]:
    """(id, agency id) of the deliveries due to be sent (``send_due_webhooks``)."""
    due = _due(now).order_by("next_attempt_at", "id")
    return list(due.values_list("id", "agency_id")[:SWEEP_LIMIT])


#: How long a delivered message stays in its endpoint's log. Failed and waiting ones stay
#: until they are delivered or their endpoint is removed: nothing undelivered is thrown away.
KEEP_DELIVERED = timedelta(days=90)


def log_prune(*, now) -> int:
    """Daily (beat): remove delivered messages older than ``KEEP_DELIVERED``."""
    deleted, _by_model = WebhookDelivery.objects.filter(
        status=DeliveryStatus.DELIVERED, delivered_at__lt=now - KEEP_DELIVERED
    ).delete()
    return deleted
