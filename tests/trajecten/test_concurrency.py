"""The daily renewal task is safe to run concurrently: the database keeps one row per period."""

import threading
from datetime import date

import pytest
from django.db import connection, connections

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
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait(timeout=10)
            services.renewals_record(today=date(2026, 1, 15))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    # 30 April 2025 .. 30 December 2025: 9 monthly renewals per trajectory, never doubled.
    assert Renewal.objects.count() == 20 * 9
    assert Renewal.objects.values("trajectory", "period_start").distinct().count() == 20 * 9
