"""The daily renewal task is safe to run concurrently: the database keeps one row per period."""

from datetime import date

import pytest
from django.db import connection

from tests.concurrency import run_concurrently
from tests.factories import AgencyFactory, LegalEntityFactory, TrajectoryFactory
from trajecten import services
from trajecten.models import Renewal

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrent transactions"
)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_record_each_renewal_once():
    agency = AgencyFactory()
    for _ in range(20):
        t = TrajectoryFactory(legal_entity=LegalEntityFactory(employer__agency=agency))
        t.start_date, t.referral_date = date(2025, 1, 31), date(2025, 1, 20)
        t.save()
    errors = run_concurrently(lambda: services.renewals_record(today=date(2026, 1, 15)))
    assert errors == []
    # 30 April 2025 .. 30 December 2025: 9 monthly renewals per trajectory, never doubled.
    assert Renewal.objects.count() == 20 * 9
    assert Renewal.objects.values("trajectory", "period_start").distinct().count() == 20 * 9
