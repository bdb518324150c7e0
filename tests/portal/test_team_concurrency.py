"""Two admins deactivating each other at the same moment (issue 38, item 12): one succeeds and
the other is told the rule ("the agency needs at least one active admin"), never a deadlock's
503; the agency keeps an admin."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from portal import team, tenancy
from portal.models import User
from tests.concurrency import run_concurrently
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrent transactions"
)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_admins_deactivating_each_other_at_once_keep_one(attempt):
    agency = AgencyFactory()
    first = UserFactory(agency=agency, admin=True)
    second = UserFactory(agency=agency, admin=True)
    pairs = itertools.cycle([(first, second), (second, first)])
    turns = [next(pairs), next(pairs)]

    def deactivate():
        actor, member = turns.pop()
        with tenancy.scope(agency.pk):
            team.member_deactivate(actor=actor, member=member)

    errors = run_concurrently(deactivate)
    assert len(errors) == 1, errors
    assert isinstance(errors[0], ValidationError), repr(errors[0])
    assert "minstens één actieve beheerder" in " ".join(errors[0].messages)
    with tenancy.scope(agency.pk):
        assert User.objects.filter(agency=agency, role="agency_admin", is_active=True).count() == 1
