"""Two workers at once (issue 44, item 3): a digest and an SMS go once, whichever worker gets
them first; the other finds nothing to send. PostgreSQL, real concurrent transactions."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection

from portal import digests, sms, tenancy
from portal.models import Notification, SmsMessage
from tests.concurrency import run_concurrently
from tests.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrent transactions"
)
NOW = datetime.datetime(2026, 12, 3, 9, 5, tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_workers_send_one_digest(attempt, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = UserFactory(specialist=True)
    with tenancy.scope(user.agency_id):
        digests.notice_preferences_set(actor=user, choices={"referral": "daily"}, hour=8, weekday=0)
        digests.deliver(
            user=user,
            kind="referral",
            message="referral",
            params={"name": "Nieuw"},
            url="/x/",
            email=("x", {}),
        )
    Notification.objects.filter(user=user).update(created_at=NOW - datetime.timedelta(hours=2))
    sent = []

    def send():
        with tenancy.scope(user.agency_id):
            sent.append(digests.digest_send(user_id=user.pk, period="daily", now=NOW))

    assert run_concurrently(send) == []
    assert sorted(sent) == [0, 1]
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_workers_send_one_sms(attempt, capsys):
    employee = EmployeeFactory(with_login=True)
    user = employee.user
    with tenancy.scope(user.agency_id):
        sms.sms_consent_set(actor=user, mobile="0612345678", consent=True)
        message = sms.queue(user=user, kind="appointment", key="a", text="Morgen", now=NOW)
    results = []

    def send():
        with tenancy.scope(user.agency_id):
            results.append(sms.send_one(message_id=message.pk, now=NOW))

    assert run_concurrently(send) == []
    assert sorted(results) == ["", "sent"]
    assert capsys.readouterr().out.count("SMS to +31612345678") == 1
    with tenancy.scope(user.agency_id):
        assert SmsMessage.objects.get().status == "sent"
