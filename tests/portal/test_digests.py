"""Notices people want (issue 44, item 3): per kind of notice the email at once, in a daily or
weekly digest, or none; in-app always; a digest in the person's language at their hour, never
empty, never twice."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from portal import digests
from portal.api_tokens import token_create
from portal.models import DigestSchedule, NoticePreference, Notification
from portal.tasks import send_due_digests
from tests.conftest import CAST_NAMES
from trajecten.models import Message
from trajecten.tasks import notify_message, send_referral_notice

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def at(day: int, hour: int, minute: int = 5) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, hour, minute, tzinfo=AMSTERDAM)


def choose(user, **choices):
    digests.notice_preferences_set(actor=user, choices=choices, hour=8, weekday=0)


def refer(cast, user=None, when=None):
    """A referral notice for ``user``, made at ``when`` (default: the 3rd at 07:00)."""
    user = user or cast.specialist_a
    with time_machine.travel(when or at(3, 7), tick=False):
        send_referral_notice.delay(cast.traj_x1.pk, user.pk, agency_id=cast.agency_a.pk)


def test_by_default_a_notice_comes_at_once_by_email_and_in_spoorboek(cast):
    refer(cast)
    assert [m.to for m in mail.outbox] == [[cast.specialist_a.email]]
    notice = Notification.objects.get(user=cast.specialist_a)
    assert notice.kind == "referral" and notice.emailed_at is not None and notice.digest == ""
    assert cast.traj_x1.employee.full_name in notice.text


def test_off_means_in_spoorboek_only(cast):
    choose(cast.specialist_a, referral="off")
    refer(cast)
    assert mail.outbox == []
    assert Notification.objects.filter(user=cast.specialist_a, kind="referral").exists()


def test_a_daily_digest_goes_at_the_chosen_hour_once_and_lists_everything(cast):
    digests.notice_preferences_set(
        actor=cast.specialist_a, choices={"referral": "daily"}, hour=17, weekday=0
    )
    refer(cast, when=at(3, 9))
    refer(cast, when=at(3, 9))
    assert mail.outbox == []
    with time_machine.travel(at(3, 16), tick=False):
        assert send_due_digests.delay().get() == 0  # not yet its hour
    with time_machine.travel(at(3, 17), tick=False):
        assert send_due_digests.delay().get() == 1
        assert send_due_digests.delay().get() == 0  # never twice
    [digest] = mail.outbox
    assert digest.to == [cast.specialist_a.email]
    assert "Spoorboek vandaag: 2 meldingen" in digest.subject
    assert digest.body.count(cast.traj_x1.employee.full_name) == 2
    assert not Notification.objects.filter(emailed_at__isnull=True, user=cast.specialist_a)
    with time_machine.travel(at(4, 17), tick=False):
        assert send_due_digests.delay().get() == 0  # nothing waiting: nothing sent
    assert len(mail.outbox) == 1


def test_a_missed_hour_is_caught_up_and_a_late_notice_waits_for_the_next_day(cast):
    digests.notice_preferences_set(
        actor=cast.specialist_a, choices={"referral": "daily"}, hour=8, weekday=0
    )
    refer(cast, when=at(3, 7))
    with time_machine.travel(at(3, 11), tick=False):  # beat was down from 8 to 11
        assert send_due_digests.delay().get() == 1
    refer(cast, when=at(3, 12))
    with time_machine.travel(at(3, 12), tick=False):
        assert send_due_digests.delay().get() == 0  # today's went
    with time_machine.travel(at(4, 8), tick=False):
        assert send_due_digests.delay().get() == 1
    assert len(mail.outbox) == 2


def test_a_weekly_digest_goes_on_the_chosen_day(cast):
    digests.notice_preferences_set(
        actor=cast.specialist_a, choices={"referral": "weekly"}, hour=9, weekday=4
    )  # Friday
    refer(cast, when=at(1, 10))  # Tuesday
    with time_machine.travel(at(1, 11), tick=False):
        assert send_due_digests.delay().get() == 0  # waits for Friday
    with time_machine.travel(at(4, 9), tick=False):  # Friday
        assert send_due_digests.delay().get() == 1
    refer(cast, when=at(5, 9))
    with time_machine.travel(at(5, 10), tick=False):
        assert send_due_digests.delay().get() == 0  # next Friday
    assert "deze week" in mail.outbox[0].subject


def test_two_workers_at_once_send_one_digest(cast):
    digests.notice_preferences_set(
        actor=cast.specialist_a, choices={"referral": "daily"}, hour=8, weekday=0
    )
    refer(cast)
    now = at(3, 9)
    first = digests.digest_send(user_id=cast.specialist_a.pk, period="daily", now=now)
    second = digests.digest_send(user_id=cast.specialist_a.pk, period="daily", now=now)
    assert (first, second) == (1, 0)
    assert len(mail.outbox) == 1


def test_a_failing_mail_server_loses_nothing_and_the_retry_sends_it(cast, settings):
    digests.notice_preferences_set(
        actor=cast.specialist_a, choices={"referral": "daily"}, hour=8, weekday=0
    )
    refer(cast)
    settings.EMAIL_BACKEND = "tests.portal.test_digests.FailingBackend"
    with pytest.raises(OSError):
        digests.digest_send(user_id=cast.specialist_a.pk, period="daily", now=at(3, 9))
    assert DigestSchedule.objects.get(user=cast.specialist_a).daily_sent_on is None
    assert Notification.objects.get(user=cast.specialist_a).emailed_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert digests.digest_send(user_id=cast.specialist_a.pk, period="daily", now=at(3, 10)) == 1


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("mail server down")


@pytest.mark.parametrize(
    ("language", "subject", "greeting"),
    [
        ("nl", "Spoorboek vandaag: 1 melding", "Beste"),
        ("en", "Spoorboek today: 1 notice", "Dear"),
        ("pl", "Spoorboek dzisiaj: 1 powiadomienie", "Dzień dobry"),
    ],
)
def test_the_digest_speaks_the_readers_language(cast, language, subject, greeting):
    user = cast.specialist_a
    user.language = language
    user.save(update_fields=["language"])
    digests.notice_preferences_set(actor=user, choices={"referral": "daily"}, hour=8, weekday=0)
    refer(cast)
    digests.digest_send(user_id=user.pk, period="daily", now=at(3, 9))
    [digest] = mail.outbox
    assert digest.subject == subject
    assert digest.body.startswith(greeting)
    html = digest.alternatives[0][0]
    assert cast.traj_x1.employee.full_name in html
    assert reverse("portal:notice_settings") in digest.body


def test_a_message_in_a_digest_names_nobody_as_its_email_does(cast):
    digests.notice_preferences_set(
        actor=cast.contact_x_all, choices={"message": "daily"}, hour=8, weekday=0
    )
    with time_machine.travel(at(3, 7), tick=False):
        message = Message.objects.create(
            trajectory=cast.traj_x1, author=cast.specialist_a, body="Graag even bellen"
        )
        notify_message.delay(message.pk, cast.contact_x_all.pk, agency_id=cast.agency_a.pk)
    assert mail.outbox == []
    digests.digest_send(user_id=cast.contact_x_all.pk, period="daily", now=at(3, 9))
    [digest] = mail.outbox
    assert cast.traj_x1.employee.last_name not in digest.body
    assert "Graag even bellen" not in digest.body


# --- The page and the API --------------------------------------------------------------------


def test_the_settings_page_offers_the_kinds_of_the_role_and_saves(cast, login):
    client = login(cast.employee_x1)
    url = reverse("portal:notice_settings")
    page = client.get(url).content.decode()
    assert "kind_report_final" in page and "kind_referral" not in page
    response = client.post(
        url,
        {
            "kind_report_final": "weekly",
            "kind_report_respond": "immediate",
            "hour": "18",
            "weekday": "6",
        },
    )
    assert response.status_code == 302
    assert digests.preferences_of(cast.employee_x1)["report_final"] == "weekly"
    assert DigestSchedule.objects.get(user=cast.employee_x1).hour == 18
    again = client.post(url, {"kind_report_final": "never", "hour": "18", "weekday": "6"})
    assert again.status_code == 200  # a choice that does not exist: said, nothing lost
    assert digests.preferences_of(cast.employee_x1)["report_final"] == "weekly"


@pytest.mark.parametrize("who", CAST_NAMES)
def test_everyone_reads_and_sets_only_their_own(cast, login, who):
    user = getattr(cast, who)
    response = login(user).get(reverse("portal:notice_settings"))
    assert response.status_code == 200
    other = cast.specialist_b if user != cast.specialist_b else cast.specialist_a
    NoticePreference.objects.create(
        agency=other.agency, user=other, kind="referral", delivery="off"
    )
    assert list(NoticePreference.objects.visible_to(user).filter(user=other)) == []


def test_the_api_reads_and_sets_the_same_choices(cast):
    _token, raw = token_create(user=cast.contact_x_all, name="t", read_only=False, valid_days=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = client.get("/api/v1/notice-settings/").json()
    assert body["preferences"] == {
        "message": "immediate",
        "report_respond": "immediate",
        "report_final": "immediate",
    }
    put = client.put(
        "/api/v1/notice-settings/",
        {"preferences": {"message": "off"}, "hour": 7, "weekday": 2},
        format="json",
    )
    assert put.status_code == 200 and put.json()["preferences"]["message"] == "off"
    refused = client.put(
        "/api/v1/notice-settings/",
        {"preferences": {"referral": "daily"}, "hour": 7, "weekday": 2},
        format="json",
    )
    assert refused.status_code == 400
    assert digests.preferences_of(cast.contact_x_all)["message"] == "off"
