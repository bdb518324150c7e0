"""Two admins issue at once (issue 44, item 2): numbers stay consecutive without gaps, and an
item two proposals both hold is billed by one of them only. PostgreSQL, real concurrent
transactions (the sequence row is locked while issuing; SQLite writes one at a time anyway)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from facturen import services
from facturen.models import BilledItem, Invoice, InvoiceLine, InvoiceSequence
from portal import tenancy
from tests.concurrency import run_concurrently
from tests.factories import EmployerFactory, LegalEntityFactory, TrajectoryFactory, UserFactory

from .conftest import NOV_30, PROFILE, address

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrent transactions"
)
NOW = datetime.datetime(2026, 12, 5, 10, tzinfo=ZoneInfo("Europe/Amsterdam"))


def _agency_with_two_proposals():
    admin = UserFactory(admin=True)
    employers = [EmployerFactory(agency=admin.agency) for _ in range(2)]
    for employer in employers:
        TrajectoryFactory(
            legal_entity=LegalEntityFactory(employer=employer),
            start_date=datetime.date(2026, 11, 2),
        )
    with tenancy.scope(admin.agency_id):
        services.profile_save(actor=admin, **PROFILE)
        for employer in employers:
            services.billing_address_save(actor=admin, employer=employer, **address())
        drafts = services.invoices_propose(actor=admin, until=NOV_30)
    return admin, drafts


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_issues_at_once_take_consecutive_numbers(attempt):
    with time_machine.travel(NOW, tick=False):
        admin, drafts = _agency_with_two_proposals()
        queue = list(drafts)

        def issue():
            invoice = queue.pop()
            with tenancy.scope(admin.agency_id):
                services.invoice_issue(actor=admin, invoice=invoice)

        assert run_concurrently(issue) == []
    with tenancy.scope(admin.agency_id):
        numbers = sorted(Invoice.objects.values_list("sequence", flat=True))
        assert numbers == [1, 2]
        assert InvoiceSequence.objects.get(agency=admin.agency).last_number == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_an_item_in_two_proposals_is_billed_once(attempt):
    """Two proposals hold the same product (two runs raced); issued at once, one wins and
    the other is refused, without taking a number."""
    with time_machine.travel(NOW, tick=False):
        admin, drafts = _agency_with_two_proposals()
        with tenancy.scope(admin.agency_id):
            first = drafts[0]
            twin = Invoice.objects.create(
                agency=admin.agency, employer=first.employer, period_end=NOV_30
            )
            line = first.lines.get()
            line.pk, line.invoice = None, twin
            line.save()
        refused = []

        def issue(invoice):
            def run():
                with tenancy.scope(admin.agency_id):
                    try:
                        services.invoice_issue(actor=admin, invoice=invoice)
                    except ValidationError as exc:
                        refused.append(exc)

            return run

        runs = iter([issue(first), issue(twin)])
        assert run_concurrently(lambda: next(runs)()) == []
    assert len(refused) == 1
    assert "intussen" in refused[0].messages[0]
    with tenancy.scope(admin.agency_id):
        assert list(Invoice.objects.filter(status="issued").values_list("sequence", flat=True)) == [
            1
        ]
        assert BilledItem.objects.count() == 1
        assert InvoiceLine.objects.filter(billed_items__isnull=False).count() == 1
