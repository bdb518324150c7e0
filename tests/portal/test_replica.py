"""Reads that may lag go to a streaming replica when one is configured (``portal.replica``).

Against a real one: ``.ci/start-replica`` starts a PostgreSQL streaming replica of the test
cluster on loopback and CI sets ``SPOORBOEK_TEST_REPLICA_URL``; the test database created on the
primary reaches it by replication, like everything written to it."""

import os
import time
from datetime import date

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import replica
from tests.factories import TrajectoryFactory
from trajecten.constants import TrajectoryStatus

URL = os.environ.get("SPOORBOEK_TEST_REPLICA_URL", "")

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def _attach(host: str, port: int):
    """The ``replica`` alias, at runtime, for the test database on another server, connected
    as the application role (as in production: bound by the row-level security policies)."""
    config = {
        **connections["default"].settings_dict,
        "HOST": host,
        "PORT": port,
        "OPTIONS": {"options": f"-c role={settings.DATABASE_APP_ROLE}"},
        "ATOMIC_REQUESTS": False,
        "CONN_MAX_AGE": None,  # one connection for the whole test
    }
    connections.settings[replica.REPLICA] = config
    return connections[replica.REPLICA]


def _connect_as_production_would(replica_connection, monkeypatch) -> None:
    """pytest-django allows only the aliases a test declared when it started (this one is
    added later): connect past that guard, the way ``ensure_connection`` does."""

    def ensure_connection():
        if replica_connection.connection is None:
            with replica_connection.wrap_database_errors:
                replica_connection.connect()

    monkeypatch.setattr(replica_connection, "ensure_connection", ensure_connection)


def _detach():
    if replica.REPLICA in connections.settings:
        connections[replica.REPLICA].close()
        del connections[replica.REPLICA]
        del connections.settings[replica.REPLICA]


@pytest.fixture
def streaming_replica(monkeypatch):
    if not URL:
        pytest.skip("SPOORBOEK_TEST_REPLICA_URL not set (.ci/start-replica starts one)")
    from urllib.parse import urlsplit

    parts = urlsplit(URL)
    replica_connection = _attach(parts.hostname, parts.port or 5432)
    _connect_as_production_would(replica_connection, monkeypatch)
    yield replica_connection
    _detach()


def _caught_up(replica_connection, seconds: float = 30) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        lsn = cursor.fetchone()[0]
    deadline = time.monotonic() + seconds
    with replica_connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            if cursor.fetchone()[0]:
                return
            time.sleep(0.1)
    raise AssertionError("the replica did not catch up")


def _tables(ctx) -> str:
    return " ".join(q["sql"] for q in ctx.captured_queries)


def test_the_agency_overview_and_outcomes_read_from_the_replica(cast, login, streaming_replica):
    with streaming_replica.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0]  # a real standby: it cannot be written to
    TrajectoryFactory(legal_entity=cast.x1, status=TrajectoryStatus.ENDED,
                      end_date=date(2026, 10, 1), closing_reason="new_job")  # fmt: skip
    TrajectoryFactory(legal_entity=cast.y1, status=TrajectoryStatus.ENDED,
                      end_date=date(2026, 10, 2), closing_reason="no_cooperation")  # fmt: skip
    _caught_up(streaming_replica)
    client = login(cast.admin_a)
    period = {"start": "2026-03-01", "end": "2026-10-15"}
    with (
        CaptureQueriesContext(streaming_replica) as on_replica,
        CaptureQueriesContext(connection) as on_primary,
    ):
        response = client.get(reverse("dashboards:agency_overview"), period)
    assert response.status_code == 200
    overview = response.context["overview"]
    # Agency A's closings only: the replica enforces the same row-level security.
    assert (overview.closed_with_total, overview.closed_without_total) == (1, 1)
    assert "trajecten_trajectory" in _tables(on_replica)
    assert "set_config" in _tables(on_replica)  # the request's agency, set on the replica too
    assert "trajecten_trajectory" not in _tables(on_primary)  # only session, user, audit

    with CaptureQueriesContext(streaming_replica) as on_replica:
        assert client.get(reverse("kwaliteit:results"), period).status_code == 200
        assert client.get("/api/v1/outcomes/", period).status_code == 200
    assert "trajecten_trajectory" in _tables(on_replica)


def test_the_other_agency_sees_nothing_of_it_on_the_replica(cast, login, streaming_replica):
    TrajectoryFactory(legal_entity=cast.x1, status=TrajectoryStatus.ENDED,
                      end_date=date(2026, 10, 1), closing_reason="new_job")  # fmt: skip
    _caught_up(streaming_replica)
    from portal import tenancy
    from trajecten.models import Trajectory

    with tenancy.scope(cast.agency_b.pk):  # as a request of agency B sets it
        on_primary = set(Trajectory.objects.values_list("pk", "agency_id"))
        with replica.reads():  # the setting travels to the replica, and binds there
            on_replica = set(Trajectory.objects.values_list("pk", "agency_id"))
    assert on_replica == on_primary and on_replica
    assert {agency for _pk, agency in on_replica} == {cast.agency_b.pk}
    response = login(cast.admin_b).get(
        reverse("dashboards:agency_overview"), {"start": "2026-03-01", "end": "2026-10-15"}
    )
    assert response.context["overview"].closed_with_total == 0


def test_writes_and_other_pages_stay_on_the_primary(cast, login, streaming_replica):
    _caught_up(streaming_replica)
    with CaptureQueriesContext(streaming_replica) as on_replica:
        assert login(cast.specialist_a).get(reverse("trajecten:list")).status_code == 200
    assert on_replica.captured_queries == []


def test_a_replica_that_cannot_be_reached_is_skipped(cast, login, caplog, monkeypatch):
    """The figures come from the primary, right, with a warning in the log."""
    _connect_as_production_would(_attach("127.0.0.1", 1), monkeypatch)  # nothing listens there
    try:
        TrajectoryFactory(legal_entity=cast.x1, status=TrajectoryStatus.ENDED,
                          end_date=date(2026, 10, 1), closing_reason="new_job")  # fmt: skip
        response = login(cast.admin_a).get(
            reverse("dashboards:agency_overview"), {"start": "2026-03-01", "end": "2026-10-15"}
        )
        assert response.status_code == 200
        assert response.context["overview"].closed_with_total == 1
        assert "replica cannot be reached" in caplog.text
    finally:
        _detach()


def test_without_a_replica_everything_reads_from_the_primary():
    assert not replica.configured()
    assert replica.ReplicaRouter().db_for_read(None) == "default"
    with replica.reads():
        assert replica.ReplicaRouter().db_for_read(None) == "default"
