"""SMS reminders for employees who gave a mobile number and their consent: an appointment
tomorrow, a report waiting for their response.

* A message names no health information and no employer: "Je hebt morgen om 10:00 een
  afspraak, zie Spoorboek" (in the person's language). The apps that know what is due
  (``trajecten``: appointments; ``rapportages``: reports) call ``queue``; a message is made
  once per person, kind and subject (``SmsMessage.key``), whatever reruns.
* Quiet hours (``SMS_QUIET_HOURS``, default 21:00 to 08:00): nothing is sent then; what falls
  due waits until they end.
* Sent by beat's sweep (``portal.tasks.send_due_sms``, every minute), one task per message,
  which claims it with a row lock and checks the consent again: withdrawing consent stops the
  next message (it is marked "not sent"). A provider that fails is tried again up to
  ``MAX_ATTEMPTS`` times, a minute apart, then the message is marked failed.
* The sender is pluggable (``SMS_BACKEND``): ``ConsoleBackend`` (the default: the message is
  written to the log, nothing leaves the machine) or ``TwilioBackend`` (Twilio's Messages
  API, over requests). Delivery status comes back to ``/sms/status/<SMS_STATUS_TOKEN>/``
  (Twilio's status callback) and is stored on the message.
"""

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from . import access, writes
from .constants import AuditAction
from .models import SmsConsent, SmsMessage, User

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_AFTER = timedelta(minutes=1)


class SendFailed(Exception):
    """The provider did not take the message; the message says why."""


@dataclass(frozen=True)
class Sent:
    provider: str
    provider_id: str
    status: str = SmsMessage.Status.SENT


class ConsoleBackend:
    """Writes the message to the log (the embedded default: nothing leaves the machine)."""

    name = "console"

    def send(self, *, to: str, text: str, status_url: str) -> Sent:
        logger.warning("SMS to %s: %s", to, text)
        print(f"SMS to {to}: {text}")
        return Sent(self.name, f"console-{uuid.uuid4()}")


class TwilioBackend:
    """Twilio's Messages API: ``POST /2010-04-01/Accounts/{sid}/Messages.json`` with basic
    auth, ``To``, ``From`` and ``Body``, and a status callback to this installation
    (``SMS_TWILIO_*`` settings; ``SMS_TWILIO_BASE_URL`` is Twilio's API, or a fake in tests)."""

    name = "twilio"
    TIMEOUT = (5, 10)

    def send(self, *, to: str, text: str, status_url: str) -> Sent:
        sid = settings.SMS_TWILIO_ACCOUNT_SID
        data = {"To": to, "From": settings.SMS_TWILIO_FROM, "Body": text}
        if status_url:
            data["StatusCallback"] = status_url
        url = f"{settings.SMS_TWILIO_BASE_URL.rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json"
        try:
            response = requests.post(
                url,
                data=data,
                auth=(sid, settings.SMS_TWILIO_AUTH_TOKEN),
                timeout=self.TIMEOUT,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise SendFailed(f"{type(exc).__name__}") from exc
        if response.status_code >= 300:
            raise SendFailed(f"HTTP {response.status_code}: {response.text[:200]}")
        try:
            body = response.json()
        except ValueError as exc:
            raise SendFailed("not JSON") from exc
        return Sent(self.name, str(body.get("sid", "")), _status(body.get("status", "")))


#: Twilio's message statuses as ours (anything else: still on its way).
_TWILIO = {
    "delivered": SmsMessage.Status.DELIVERED,
    "undelivered": SmsMessage.Status.FAILED,
    "failed": SmsMessage.Status.FAILED,
}


def _status(provider_status: str) -> str:
    return _TWILIO.get(provider_status, SmsMessage.Status.SENT)


def backend():
    return import_string(settings.SMS_BACKEND)()


# --- Consent ---------------------------------------------------------------------------------


def normalise(mobile: str) -> str:
    """ "06 12 34 56 78", "06-12345678", "+31 6 1234 5678", "0031612345678": "+31612345678"."""
    digits = re.sub(r"[\s\-().]", "", mobile or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("06"):
        digits = "+31" + digits[1:]
    return digits


@transaction.atomic
def sms_consent_set(*, actor: User, mobile: str, consent: bool) -> SmsConsent | None:
    """The actor's own consent: given with their mobile number, or withdrawn (the consent is
    removed and every message still waiting is not sent)."""
    writes.allowed(access.can_get_sms(actor))
    current = SmsConsent.objects.select_for_update().filter(user=actor).first()
    if not consent:
        if current is not None:
            writes.record(AuditAction.DELETE, current, actor=actor, details={"sms_consent": False})
            current.delete()
        SmsMessage.objects.filter(user=actor, status=SmsMessage.Status.PENDING).update(
            status=SmsMessage.Status.CANCELLED, status_at=timezone.now()
        )
        return None
    number = normalise(mobile)
    if not number:
        writes.refuse("mobile", _("Enter your mobile number to get SMS reminders."))
    creating = current is None
    current = current or SmsConsent(agency_id=actor.agency_id, user=actor)
    changed = writes.apply(current, {"mobile": number, "consented_at": timezone.now()})
    return writes.saved(current, actor=actor, changed=changed, creating=creating, sms_consent=True)


# --- Queueing and sending --------------------------------------------------------------------


def _quiet_hours() -> tuple[int, int]:
    start, end = settings.SMS_QUIET_HOURS
    return int(start), int(end)


def allowed_from(now: datetime) -> datetime:
    """``now``, or when the quiet hours around it end."""
    start, end = _quiet_hours()
    local = timezone.localtime(now)
    if end <= local.hour < start:
        return now
    ends = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if local.hour >= start:
        ends += timedelta(days=1)
    return ends


def queue(*, user: User, kind: str, key: str, text: str, now: datetime) -> SmsMessage | None:
    """A reminder for ``user``, once per ``kind`` and ``key``; None without their consent.
    ``text`` names no health information and no employer (the caller's words, checked here
    for length: one SMS)."""
    if not SmsConsent.objects.filter(user=user).exists():
        return None
    message, _created = SmsMessage.objects.get_or_create(
        user=user,
        kind=kind,
        key=key[:200],
        defaults={"agency_id": user.agency_id, "text": text[:160], "send_after": allowed_from(now)},
    )
    return message


def due(*, now: datetime) -> list[tuple[int, int]]:
    """(message id, agency id) of the messages whose time has come (a sweep across
    agencies: ``SystemTask``)."""
    return list(
        SmsMessage.objects.filter(status=SmsMessage.Status.PENDING, send_after__lte=now)
        .order_by("send_after")
        .values_list("pk", "agency_id")[:500]
    )


def send_one(*, message_id: int, now: datetime) -> str:
    """Send one message if it is still due, and say what became of it (its status)."""
    with transaction.atomic():
        message = (
            SmsMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=SmsMessage.Status.PENDING, send_after__lte=now)
            .first()
        )
        if message is None:
            return ""
        consent = SmsConsent.objects.filter(user_id=message.user_id).first()
        active = User.objects.filter(pk=message.user_id, is_active=True).exists()
        if consent is None or not active:  # withdrawn since it was queued: not sent
            return _mark(message, SmsMessage.Status.CANCELLED, now)
        later = allowed_from(now)
        if later > now:  # the quiet hours began since it was queued
            message.send_after = later
            message.save(update_fields=["send_after"])
            return message.status
        message.attempts += 1
        try:
            sent = backend().send(
                to=consent.mobile, text=message.text, status_url=status_url(message.agency_id)
            )
        except SendFailed as exc:
            message.error = str(exc)[:300]
            if message.attempts >= MAX_ATTEMPTS:
                return _mark(message, SmsMessage.Status.FAILED, now)
            message.send_after = now + RETRY_AFTER
            message.save(update_fields=["attempts", "error", "send_after"])
            return message.status
        message.to, message.provider, message.provider_id = (
            consent.mobile,
            sent.provider,
            sent.provider_id,
        )
        message.sent_at = now
        message.error = ""
        return _mark(message, sent.status, now)


def _mark(message: SmsMessage, status: str, now: datetime) -> str:
    message.status, message.status_at = status, now
    message.save()
    return status


def status_url(agency_id: int) -> str:
    """Where the provider reports delivery: the secret token (the key) and the agency (whose
    messages the callback may read), or nothing when no token is set."""
    if not settings.SMS_STATUS_TOKEN:
        return ""
    path = reverse("sms_status", args=[settings.SMS_STATUS_TOKEN, agency_id])
    return settings.SITE_URL + path


def status_report(*, agency_id: int, provider_id: str, provider_status: str, now: datetime) -> bool:
    """The provider's word on a message (its status callback); False when no message of the
    agency is known by that id. A later "sent" never undoes "delivered" or "failed"."""
    message = (
        SmsMessage.objects.filter(agency_id=agency_id, provider_id=provider_id)
        .exclude(provider_id="")
        .first()
    )
    if message is None:
        return False
    status = _status(provider_status)
    if status == SmsMessage.Status.SENT and message.status != SmsMessage.Status.SENT:
        return True
    _mark(message, status, now)
    return True
