"""``__in_list``: a list of any length as one query parameter (``portal.lookups``)."""

import uuid

import pytest
from django.db import DatabaseError, connection, transaction

from tests.factories import EmployeeFactory, TrajectoryFactory
from trajecten.models import Employee, Trajectory

pytestmark = pytest.mark.django_db

#: More values than a prepared statement on PostgreSQL can bind (65,535).
TOO_MANY = 70_000


def _unknown_ids(n: int) -> list[int]:
    return list(range(10**12, 10**12 + n))


def test_finds_the_listed_rows_by_id_uuid_and_text_and_nothing_for_an_empty_list():
    one, two, _other = TrajectoryFactory.create_batch(3)
    assert set(Trajectory.objects.filter(pk__in_list=[one.pk, two.pk, None])) == {one, two}
    assert list(Trajectory.objects.filter(uuid__in_list=[str(one.uuid), uuid.uuid4()])) == [one]
    employee = EmployeeFactory(external_id="HR-1")
    EmployeeFactory(external_id="HR-2")
    found = Employee.objects.filter(external_id__in_list=["HR-1", "HR-9"])
    assert list(found) == [employee]
    assert not Trajectory.objects.filter(pk__in_list=[]).exists()


def test_a_list_is_one_parameter_however_long():
    _sql, params = Trajectory.objects.filter(pk__in_list=_unknown_ids(3)).query.sql_with_params()
    assert len(params) == 1


def test_a_list_longer_than_a_statement_can_bind_finds_its_rows():
    wanted = TrajectoryFactory()
    TrajectoryFactory()
    ids = [*_unknown_ids(TOO_MANY), wanted.pk]
    assert list(Trajectory.objects.filter(pk__in_list=ids).values_list("pk", flat=True)) == [
        wanted.pk
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's server-side binding")
def test_with_prepared_statements_the_list_binds_where_in_cannot():
    """Server-side binding (``DATABASE_PREPARED_STATEMENTS``): ``__in`` with 70,000 values
    fails, ``__in_list`` finds the row."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    wanted = TrajectoryFactory()
    ids = [*_unknown_ids(TOO_MANY), wanted.pk]
    connection.ensure_connection()
    raw = connection.connection
    factory, raw.cursor_factory = raw.cursor_factory, ServerBindingCursor
    try:
        assert list(Trajectory.objects.filter(pk__in_list=ids)) == [wanted]
        with pytest.raises(DatabaseError), transaction.atomic():  # a savepoint: goes on after
            list(Trajectory.objects.filter(pk__in=ids))
    finally:
        raw.cursor_factory = factory


def test_a_foreign_key_takes_the_list_of_ids():
    wanted, _other = TrajectoryFactory.create_batch(2)
    found = Trajectory.objects.filter(legal_entity_id__in_list=[wanted.legal_entity_id])
    assert list(found) == [wanted]
