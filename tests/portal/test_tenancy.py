"""Row-level security, PostgreSQL's second line of defence under the scoping layer
(``portal.tenancy``). The suite runs as the application role on PostgreSQL (see
``tests/conftest.py``); on SQLite these tests skip and the scoping layer stands alone."""

import psycopg
import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.http import JsonResponse
from django.urls import path

from portal import tenancy
from portal.models import AuditEvent, User
from sollicitaties.models import ApplicationActivity, StatusChange
from tests.factories import TrajectoryFactory
from trajecten.models import Employee, Trajectory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row-level security needs PostgreSQL"
)

#: Tables without an agency id, and why no policy guards them. A new table must either carry
#: the agency (and so get a policy) or be named here with its reason.
NOT_TENANT_DATA = {
    "portal_agency": "the tenants themselves: sweeps iterate them; no personal data",
    "portal_user_groups": "Django's permission links (unused): two ids",
    "portal_user_user_permissions": "Django's permission links (unused): two ids",
    "portal_employercontact_legal_entities": "two ids; both rows carry their agency",
    "portal_invitation_legal_entities": "two ids; both rows carry their agency",
    "account_emailaddress": "allauth's login identities, read before the agency is known",
    "account_emailconfirmation": "allauth's login identities, read before the agency is known",
    "mfa_authenticator": "allauth's second factors, read before the agency is known",
    "django_session": "sessions, read before the agency is known",
    "django_admin_log": "the admin site's log of platform operators",
    "django_content_type": "Django's catalogue of models",
    "auth_permission": "Django's catalogue of permissions",
    "auth_group": "Django's permission groups (unused)",
    "auth_group_permissions": "Django's permission links (unused): two ids",
    "django_migrations": "the schema's history",
}


def unscoped_view(request):
    """A deliberately careless view: reads every tenant table without the scoping layer."""
    return JsonResponse(
        {
            "trajectories": sorted(Trajectory.objects.values_list("agency_id", flat=True)),
            "employees": sorted(Employee.objects.values_list("agency_id", flat=True)),
            "users": sorted(User.objects.values_list("agency_id", flat=True)),
            "applications": sorted(ApplicationActivity.objects.values_list("agency_id", flat=True)),
            "status_changes": StatusChange.objects.count(),
            "audit": sorted(set(AuditEvent.objects.values_list("agency_id", flat=True))),
        }
    )


urlpatterns = [path("unscoped/", unscoped_view)]


def _catalog(sql: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {row[0] for row in cursor.fetchall()}


def test_every_tenant_table_has_row_level_security_enabled_and_forced(db):
    with_agency = _catalog(
        "SELECT table_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND column_name = 'agency_id'"
    )
    secured = _catalog(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind = 'r' "
        "AND c.relrowsecurity AND c.relforcerowsecurity "
        "AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)"
    )
    all_tables = _catalog(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
    )
    assert len(with_agency) > 40
    assert with_agency - secured == set()
    # Every other table is named, with its reason, as holding no agency's data.
    assert all_tables - with_agency == set(NOT_TENANT_DATA)
    # The agency id is indexed on every tenant table (RLS alone uses no index; the ORM does).
    indexed = _catalog(
        "SELECT t.relname FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
        "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0] "
        "WHERE a.attname = 'agency_id'"
    )
    assert with_agency - indexed == set()


def test_the_application_role_owns_nothing_bypasses_nothing_and_cannot_rewrite_the_audit(cast):
    role = settings.DATABASE_APP_ROLE
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == role  # the suite really runs as the application role
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
        assert cursor.fetchone() == (False, False)
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s",
            [role],
        )
        assert cursor.fetchone()[0] == 0
    AuditEvent.objects.create(agency=cast.agency_a, action="view")
    for statement in ("UPDATE portal_auditevent SET path = 'x'", "DELETE FROM portal_auditevent"):
        with (
            pytest.raises(DatabaseError, match="permission denied"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)


def test_the_policy_does_not_skew_the_planners_estimate(cast):
    """The ORM's agency_id = X already tells the planner how many rows an agency has; the
    policy's clause must not count that again (see ``tenancy.TENANT_ROWS``): with two agencies
    of equal size a plain = would halve the estimate, on every table of a join."""
    from portal.models import TimeCategory

    TimeCategory.objects.bulk_create(
        TimeCategory(agency=agency, name=f"category {n}")
        for agency in (cast.agency_a, cast.agency_b)
        for n in range(1000)
    )

    def estimated_rows() -> float:
        with connection.cursor() as cursor:
            cursor.execute(
                "EXPLAIN (FORMAT JSON) SELECT * FROM portal_timecategory WHERE agency_id = %s",
                [cast.agency_a.pk],
            )
            return cursor.fetchone()[0][0]["Plan"]["Plan Rows"]

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL ROLE NONE")  # the connecting superuser: no policy applies
        cursor.execute("ANALYZE portal_timecategory")
        unguarded = estimated_rows()
        cursor.execute(f'SET LOCAL ROLE "{settings.DATABASE_APP_ROLE}"')
        tenancy.activate(cast.agency_a.pk)
        guarded = estimated_rows()
    assert unguarded > 900
    assert guarded >= 0.9 * unguarded


@pytest.mark.urls(__name__)
def test_an_unscoped_query_in_a_request_of_agency_a_returns_nothing_of_agency_b(cast, login):
    for trajectory in (cast.traj_x1, cast.traj_z1):
        activity = ApplicationActivity.objects.create(
            trajectory=trajectory,
            kind="written_application",
            organisation="PostNL",
            recorded_by=trajectory.employee.user,
            recorded_by_role="employee",
        )
        StatusChange.objects.create(
            activity=activity, status="sent", changed_by=activity.recorded_by
        )
    a, b = cast.agency_a.pk, cast.agency_b.pk
    with_all = login(cast.admin_b).get("/unscoped/").json()
    assert set(with_all["trajectories"]) == {b}

    seen = login(cast.specialist_a).get("/unscoped/").json()
    assert set(seen["trajectories"]) == set(seen["employees"]) == {a}
    assert set(seen["users"]) == {a}
    assert set(seen["applications"]) == {a}
    assert seen["audit"] == [a]
    assert seen["status_changes"] == StatusChange.objects.filter(agency_id=a).count() > 0
    # The same careless query outside a request, in the platform's scope, sees both: the
    # request's setting, not the data, made the difference.
    assert set(Trajectory.objects.values_list("agency_id", flat=True)) == {a, b}


@pytest.mark.urls(__name__)
def test_before_login_a_request_sees_identities_but_no_file_data(cast, client):
    seen = client.get("/unscoped/").json()
    assert seen["trajectories"] == seen["employees"] == seen["applications"] == []
    assert seen["audit"] in ([], [None])  # only events of no agency
    assert cast.agency_a.pk in seen["users"] and cast.agency_b.pk in seen["users"]


def test_a_rolled_back_savepoint_restores_the_agency_of_the_transaction(cast):
    a, b = cast.agency_a.pk, cast.agency_b.pk
    with transaction.atomic():
        tenancy.activate(a)
        with pytest.raises(RuntimeError), transaction.atomic():
            tenancy.activate(b)
            assert set(Trajectory.objects.values_list("agency_id", flat=True)) == {b}
            raise RuntimeError("rolled back")
        assert tenancy.current() == str(a)
        assert set(Trajectory.objects.values_list("agency_id", flat=True)) == {a}
        with pytest.raises(RuntimeError), tenancy.scope(b):
            raise RuntimeError("rolled back")
        assert tenancy.current() == str(a)
        with tenancy.scope(b):
            assert set(Trajectory.objects.values_list("agency_id", flat=True)) == {b}
        assert set(Trajectory.objects.values_list("agency_id", flat=True)) == {a}
    # A row of another agency cannot be written in this one either.
    with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        tenancy.activate(a)
        TrajectoryFactory(legal_entity=cast.z1)


def test_a_prepared_statement_binds_to_the_agency_it_runs_under(cast):
    """With prepared statements (``DATABASE_PREPARED_STATEMENTS``) PostgreSQL plans a repeated
    query once per connection and then keeps a generic plan. The policies read the agency
    when the statement runs, not when it was planned, so the one prepared query sees agency
    A's rows under A and only B's under B. (Run here through a server-side binding cursor on
    the test's own connection, whatever the setting.)"""
    a, b = cast.agency_a.pk, cast.agency_b.pk
    query = Trajectory.objects.filter(end_date=None).values_list("agency_id", flat=True).query
    sql, params = query.sql_with_params()
    connection.ensure_connection()
    raw = connection.connection
    threshold, raw.prepare_threshold = raw.prepare_threshold, 0  # Django turns them off
    try:
        prepared = psycopg.Cursor(raw)

        def agencies() -> set[int]:
            prepared.execute(sql, params, prepare=True)
            return {agency for (agency,) in prepared.fetchall()}

        for _ in range(12):
            with tenancy.scope(a):
                assert agencies() == {a}
        prepared.execute(
            "SELECT generic_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            ['SELECT "trajecten_trajectory"."agency_id" %end_date" IS NULL%'],
        )
        assert prepared.fetchone()[0] > 0  # planned once, then run as it was planned
        for _ in range(3):
            with tenancy.scope(b):
                assert agencies() == {b}
    finally:
        raw.prepare_threshold = threshold


@pytest.mark.urls(__name__)
def test_a_reused_connection_carries_no_agency_from_one_request_or_task_to_the_next(
    transactional_db,
):
    """Outside a test's transaction, as in production: each request commits, and what it set
    dies with its transaction; the connection is the same one throughout."""
    from django.test import Client

    from tests.conftest import enrol_totp
    from tests.factories import LegalEntityFactory, UserFactory

    def unscoped_agencies():
        return set(Trajectory.objects.values_list("agency_id", flat=True))

    trajectory_a = TrajectoryFactory()
    trajectory_b = TrajectoryFactory(legal_entity=LegalEntityFactory())
    a, b = trajectory_a.agency_id, trajectory_b.agency_id
    user_a = UserFactory(agency_id=a, specialist=True)
    user_b = UserFactory(agency_id=b, specialist=True)
    clients = {}
    for user in (user_a, user_b):
        enrol_totp(user)
        clients[user] = Client()
        clients[user].force_login(user)
    with connection.cursor() as cursor:  # leave the test's own scope: a fresh connection
        cursor.execute("SELECT set_config(%s, '', false)", [tenancy.SETTING])
    backend = connection.connection.info.backend_pid

    assert unscoped_agencies() == set()  # nothing is set: nothing is seen
    assert set(clients[user_a].get("/unscoped/").json()["trajectories"]) == {a}
    assert tenancy.current() == "" and unscoped_agencies() == set()
    assert set(clients[user_b].get("/unscoped/").json()["trajectories"]) == {b}
    assert tenancy.current() == "" and unscoped_agencies() == set()

    # A task of agency A commits in several steps: the agency holds for them all, then goes.
    with tenancy.scope(a):
        with transaction.atomic():
            assert unscoped_agencies() == {a}
        assert unscoped_agencies() == {a}
    assert tenancy.current() == "" and unscoped_agencies() == set()
    with pytest.raises(RuntimeError), tenancy.scope(b):
        raise RuntimeError("rolled back")
    assert tenancy.current() == ""
    assert connection.connection.info.backend_pid == backend  # one connection throughout
    with connection.cursor() as cursor:  # back to the test's scope, for the teardown
        cursor.execute("SELECT set_config(%s, %s, false)", [tenancy.SETTING, tenancy.ALL])


def test_a_bulk_job_analyses_what_it_loaded_as_the_application_role(cast, monkeypatch):
    """The dispatcher's catch-up inserts thousands of drafts; it analyses the table itself
    (``tenancy.analyze_after_bulk``), through the owner's function, so the next pages are
    planned on true figures. The threshold is lowered here: five drafts stand for thousands."""
    from datetime import timedelta

    from django.utils import timezone

    from rapportages.models import Report
    from rapportages.services import reports_schedule

    monkeypatch.setattr(tenancy, "ANALYZE_AFTER_ROWS", 1)

    def estimated() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'rapportages_report'")
            return cursor.fetchone()[0]

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == settings.DATABASE_APP_ROLE  # not the owner
    for t in (cast.traj_x1, cast.traj_x2, cast.traj_y1):
        t.start_date = timezone.localdate() - timedelta(days=400)
        t.save(update_fields=["start_date"])
    before = estimated()  # -1 (never analysed) or what an earlier analyse saw
    created = reports_schedule(today=timezone.localdate())
    assert created >= 3
    assert estimated() == Report.objects.count() != before


def test_an_employee_import_analyses_what_it_loaded(cast, monkeypatch):
    """An HR system's first import loads thousands of employees; the import analyses the
    employee and employment tables itself (the threshold lowered: four stand for thousands)."""
    from trajecten.models import Employee
    from trajecten.services import people

    monkeypatch.setattr(tenancy, "ANALYZE_AFTER_ROWS", 4)

    def estimated(table: str) -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            return cursor.fetchone()[0]

    rows = [
        {"external_id": f"HR-{n}", "first_name": "Hr", "last_name": f"Import {n}",
         "legal_entity": str(cast.x1.uuid)}
        for n in range(4)
    ]  # fmt: skip
    people.employees_import(actor=cast.admin_a, rows=rows, dry_run=True)
    before = estimated("trajecten_employee")
    people.employees_import(actor=cast.admin_a, rows=rows, dry_run=False)
    assert estimated("trajecten_employee") == Employee.objects.count() != before
    assert estimated("trajecten_employment") > 0
