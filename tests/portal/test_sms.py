"""SMS reminders (issue 44, item 3): for employees who gave a mobile number and their consent;
the text names no health information and no employer; quiet hours; a pluggable sender (the
console by default, Twilio's Messages API tested here against a local fake); delivery status
stored; withdrawing consent stops the next message."""

import base64
import datetime
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from portal import access, sms
from portal.api_tokens import token_create
from portal.models import SmsConsent, SmsMessage
from portal.tasks import send_due_sms
from rapportages.tasks import queue_sms_reminders
from trajecten.models import Appointment

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, hour, minute, tzinfo=AMSTERDAM)


class FakeTwilio:
    """Twilio's Messages API on 127.0.0.1: records each message, answers as Twilio does (or
    with the next status of ``failures``)."""

    def __init__(self, failures=()):
        self.failures = list(failures)
        self.received: list[dict] = []

    def __enter__(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                form = dict(urllib.parse.parse_qsl(body))
                auth = base64.b64decode(self.headers["Authorization"].split()[1]).decode()
                fake.received.append({"path": self.path, "auth": auth, **form})
                status = fake.failures.pop(0) if fake.failures else 201
                answer = json.dumps({"sid": f"SM{len(fake.received):032d}", "status": "queued"})
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer.encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def twilio(settings):
    with FakeTwilio() as fake:
        settings.SMS_BACKEND = "portal.sms.TwilioBackend"
        settings.SMS_TWILIO_BASE_URL = fake.url
        settings.SMS_TWILIO_ACCOUNT_SID = "AC123"
        settings.SMS_TWILIO_AUTH_TOKEN = "secret-token"
        settings.SMS_STATUS_TOKEN = "status-key"
        yield fake


def consent(user, mobile="06 12 34 56 78"):
    return sms.sms_consent_set(actor=user, mobile=mobile, consent=True)


def appointment(cast, starts: datetime.datetime) -> Appointment:
    return Appointment.objects.create(
        trajectory=cast.traj_x1,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        location="Kantoor Utrecht",
        subject="Gesprek over de rugklachten bij Bakkerij Zoet",
    )


def run(now):
    with time_machine.travel(now, tick=False):
        queue_sms_reminders.delay().get()
        send_due_sms.delay().get()


def test_an_appointment_tomorrow_is_an_sms_naming_only_the_time(cast, twilio):
    consent(cast.employee_x1)
    appointment(cast, at(4, 10))
    run(at(3, 12))
    [sent] = twilio.received
    assert sent["To"] == "+31612345678"
    assert sent["Body"] == "Je hebt morgen om 10:00 een afspraak, zie Spoorboek"
    assert sent["auth"] == "AC123:secret-token"
    assert sent["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
    assert sent["StatusCallback"].endswith(f"/sms/status/status-key/{cast.agency_a.pk}/")
    message = SmsMessage.objects.get()
    assert (message.status, message.provider) == ("sent", "twilio")
    run(at(3, 12, 15))  # every quarter hour again: never twice
    assert len(twilio.received) == 1


def test_without_consent_nothing_is_sent(cast, twilio):
    appointment(cast, at(4, 10))
    run(at(3, 12))
    assert twilio.received == [] and not SmsMessage.objects.exists()


def test_quiet_hours_hold_a_message_until_eight(cast, twilio):
    consent(cast.employee_x1)
    appointment(cast, at(4, 9))
    run(at(3, 22))
    assert twilio.received == []
    assert SmsMessage.objects.get().send_after == at(4, 8)
    run(at(4, 7, 59))
    assert twilio.received == []
    run(at(4, 8))
    assert len(twilio.received) == 1


def test_withdrawing_consent_stops_the_next_message(cast, twilio, login):
    consent(cast.employee_x1)
    appointment(cast, at(4, 9))
    run(at(3, 22))  # queued, held by the quiet hours
    client = login(cast.employee_x1)
    response = client.post(reverse("portal:notice_settings"), {"sms": "1", "mobile": ""})
    assert response.status_code == 302
    run(at(4, 8))
    assert twilio.received == []
    assert SmsMessage.objects.get().status == "cancelled"
    assert not SmsConsent.objects.exists()


def test_a_provider_that_fails_is_tried_again_then_given_up(cast, settings):
    with FakeTwilio(failures=[500, 500, 500]) as fake:
        settings.SMS_BACKEND = "portal.sms.TwilioBackend"
        settings.SMS_TWILIO_BASE_URL = fake.url
        consent(cast.employee_x1)
        appointment(cast, at(4, 10))
        run(at(3, 12))
        assert SmsMessage.objects.get().status == "pending"
        run(at(3, 12, 1))
        run(at(3, 12, 2))
        message = SmsMessage.objects.get()
        assert (message.status, message.attempts) == ("failed", 3)
        assert "HTTP 500" in message.error
        assert len(fake.received) == 3


def test_a_retry_after_one_failure_sends_once(cast, settings):
    with FakeTwilio(failures=[503]) as fake:
        settings.SMS_BACKEND = "portal.sms.TwilioBackend"
        settings.SMS_TWILIO_BASE_URL = fake.url
        consent(cast.employee_x1)
        appointment(cast, at(4, 10))
        run(at(3, 12))
        run(at(3, 12, 1))
        run(at(3, 12, 2))
        assert SmsMessage.objects.get().status == "sent"
        assert len(fake.received) == 2


def test_the_delivery_status_is_stored_from_the_providers_callback(cast, twilio, client):
    consent(cast.employee_x1)
    appointment(cast, at(4, 10))
    run(at(3, 12))
    message = SmsMessage.objects.get()
    url = reverse("sms_status", args=["status-key", cast.agency_a.pk])
    answer = client.post(url, {"MessageSid": message.provider_id, "MessageStatus": "delivered"})
    assert answer.status_code == 204
    message.refresh_from_db()
    assert message.status == "delivered"
    wrong = reverse("sms_status", args=["guessed", cast.agency_a.pk])
    assert client.post(wrong, {"MessageSid": message.provider_id}).status_code == 404
    other = reverse("sms_status", args=["status-key", cast.agency_b.pk])
    assert client.post(other, {"MessageSid": message.provider_id}).status_code == 404


def test_the_console_sender_is_the_default_and_sends_nothing_out(cast, capsys):
    consent(cast.employee_x1)
    appointment(cast, at(4, 10))
    run(at(3, 12))
    assert "SMS to +31612345678: Je hebt morgen om 10:00 een afspraak" in capsys.readouterr().out
    assert SmsMessage.objects.get().provider == "console"


def test_a_report_awaiting_the_employees_response_is_an_sms_two_days_before(cast, twilio):
    from rapportages.models import Report

    consent(cast.employee_x1)
    report = Report.objects.create(
        agency=cast.agency_a,
        trajectory=cast.traj_x1,
        kind="progress",
        number=1,
        period_start=datetime.date(2026, 9, 1),
        period_end=datetime.date(2026, 11, 30),
        due_date=datetime.date(2026, 12, 10),
        review_requested_at=at(1, 9),
        review_sha256="a" * 64,
    )
    days = report.days_to_respond
    run(at(1, 9) + datetime.timedelta(days=days - 3))
    assert twilio.received == []  # not yet two days before
    run(at(1, 10) + datetime.timedelta(days=days - 2))
    [sent] = twilio.received
    assert sent["Body"] == "Er staat een rapportage voor je klaar om op te reageren, zie Spoorboek"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "You have an appointment tomorrow at 10:00, see Spoorboek"),
        ("pl", "Jutro o 10:00 masz spotkanie, zobacz Spoorboek"),
    ],
)
def test_the_sms_speaks_the_employees_language(cast, twilio, language, text):
    cast.employee_x1.language = language
    cast.employee_x1.save(update_fields=["language"])
    consent(cast.employee_x1)
    appointment(cast, at(4, 10))
    run(at(3, 12))
    assert twilio.received[0]["Body"] == text


def test_only_an_employee_consents_for_themself_and_a_bad_number_is_refused(cast, login):
    assert access.can_get_sms(cast.employee_x1) and not access.can_get_sms(cast.specialist_a)
    page = login(cast.specialist_a).get(reverse("portal:notice_settings")).content.decode()
    assert 'name="mobile"' not in page
    client = login(cast.employee_x1)
    response = client.post(
        reverse("portal:notice_settings"), {"sms": "1", "consent": "on", "mobile": "bel me"}
    )
    assert response.status_code == 200
    assert "mobiel nummer" in response.content.decode()
    assert not SmsConsent.objects.exists()


def test_the_api_sets_the_consent_too(cast):
    _token, raw = token_create(user=cast.employee_x1, name="t", read_only=False, valid_days=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = client.get("/api/v1/notice-settings/").json()
    assert body["sms"] == {"consent": False, "mobile": ""}
    put = client.put(
        "/api/v1/notice-settings/",
        {
            "preferences": {},
            "hour": 8,
            "weekday": 0,
            "sms": {"consent": True, "mobile": "+31 6 1234 5678"},
        },
        format="json",
    )
    assert put.status_code == 200
    assert put.json()["sms"] == {"consent": True, "mobile": "+31612345678"}
