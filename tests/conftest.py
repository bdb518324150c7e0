"""The shared cast: two agencies, each role, BV-restricted contacts, and employees.

Agency A: employer X (BVs x1, x2) and employer Y (BV y1). Agency B: employer Z (BV z1).

    traj_x1  employee_x1 at x1, specialist_a
    traj_x2  employee_x2 at x2, specialist_a2
    traj_y1  employee_y1 at y1, specialist_a2
    traj_z1  employee_z1 at z1, specialist_b       (agency B)

contact_x_all sees all BVs of X, contact_x1 only x1, contact_y all of Y, contact_z all of Z.
Staff users have TOTP enrolled, as the portal demands.
"""

from types import SimpleNamespace

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import DatabaseError, connection

from tests.factories import (
    AgencyFactory,
    EmployeeFactory,
    EmployerContactFactory,
    EmployerFactory,
    LegalEntityFactory,
    TrajectoryFactory,
    UserFactory,
)

STAFF_NAMES = [
    "admin_a",
    "specialist_a",
    "specialist_a2",
    "contact_x_all",
    "contact_x1",
    "contact_y",
    "admin_b",
    "specialist_b",
    "contact_z",
]
EMPLOYEE_NAMES = ["employee_x1", "employee_x2", "employee_y1", "employee_z1"]
CAST_NAMES = STAFF_NAMES + EMPLOYEE_NAMES

#: Statements a request adds on PostgreSQL for row-level security (``portal.tenancy``): inside
#: a test's transaction, the savepoint and release of the request's transaction and the
#: setting set to ``identity``, to the user's agency and back. A page's query budget is its
#: own statements plus these.
RLS_QUERIES = 5 if connection.vendor == "postgresql" else 0


def enrol_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def pytest_collection_modifyitems(config, items):
    """``make test`` runs on every core (pytest-xdist, ``--dist loadgroup``). The tests that
    talk to a real Redis (REDIS_URL's queues with real Celery workers, or a Redis of their
    own on a port picked from the process id) carry the ``redis`` marker and run on one
    worker, one after another: two workers would take each other's tasks from the same queue
    or start their Redis on the same port."""
    for item in items:
        if item.get_closest_marker("redis"):
            item.add_marker(pytest.mark.xdist_group("redis"))


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit and throttle counters must not carry over from one test to the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def cast(db):
    c = SimpleNamespace()
    c.agency_a = AgencyFactory(name="Agency A")
    c.agency_b = AgencyFactory(name="Agency B")
    c.employer_x = EmployerFactory(agency=c.agency_a, name="Employer X")
    c.employer_y = EmployerFactory(agency=c.agency_a, name="Employer Y")
    c.employer_z = EmployerFactory(agency=c.agency_b, name="Employer Z")
    c.x1 = LegalEntityFactory(employer=c.employer_x, name="X1 BV")
    c.x2 = LegalEntityFactory(employer=c.employer_x, name="X2 BV")
    c.y1 = LegalEntityFactory(employer=c.employer_y, name="Y1 BV")
    c.z1 = LegalEntityFactory(employer=c.employer_z, name="Z1 BV")

    c.admin_a = UserFactory(agency=c.agency_a, admin=True, email="admin@a.example")
    c.specialist_a = UserFactory(agency=c.agency_a, specialist=True, email="spec@a.example")
    c.specialist_a2 = UserFactory(agency=c.agency_a, specialist=True, email="spec2@a.example")
    c.contact_x_all = EmployerContactFactory(employer=c.employer_x).user
    c.contact_x1 = EmployerContactFactory(employer=c.employer_x, legal_entities=[c.x1]).user
    c.contact_y = EmployerContactFactory(employer=c.employer_y).user
    c.admin_b = UserFactory(agency=c.agency_b, admin=True, email="admin@b.example")
    c.specialist_b = UserFactory(agency=c.agency_b, specialist=True, email="spec@b.example")
    c.contact_z = EmployerContactFactory(employer=c.employer_z).user

    def trajectory(bv, specialist, first_name):
        employee = EmployeeFactory(agency=bv.agency, with_login=True, first_name=first_name)
        return TrajectoryFactory(legal_entity=bv, employee=employee, specialist=specialist)

    c.traj_x1 = trajectory(c.x1, c.specialist_a, "Xavier")
    c.traj_x2 = trajectory(c.x2, c.specialist_a2, "Xenia")
    c.traj_y1 = trajectory(c.y1, c.specialist_a2, "Yara")
    c.traj_z1 = trajectory(c.z1, c.specialist_b, "Zbigniew")
    c.employee_x1 = c.traj_x1.employee.user
    c.employee_x2 = c.traj_x2.employee.user
    c.employee_y1 = c.traj_y1.employee.user
    c.employee_z1 = c.traj_z1.employee.user

    for name in STAFF_NAMES:
        user = getattr(c, name)
        # Fixed names: tests look for the employees' names, so no random name may match them.
        user.first_name, user.last_name = "Cast", name.replace("_", " ").title()
        user.save(update_fields=["first_name", "last_name"])
        enrol_totp(user)
    return c


@pytest.fixture
def login(client):
    """Log a user in as after a full login (password and, where enrolled, MFA)."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run ``transaction.on_commit`` callbacks (queued tasks, emails) as a real commit would:
    on PostgreSQL with no agency set, as after a request's commit (its setting died with its
    transaction), so a callback that reads agency data must set the agency itself."""
    from contextlib import ExitStack

    from portal import tenancy

    def _run(func, *args, **kwargs):
        after_commit = ExitStack()
        with after_commit, django_capture_on_commit_callbacks(execute=True):
            result = func(*args, **kwargs)
            after_commit.enter_context(tenancy.scope(tenancy.NOTHING))  # for the callbacks
        return result

    return _run


# --- Row-level security (PostgreSQL) -------------------------------------------------------------
# CI connects as a superuser, whom row-level security never binds. So that the suite proves
# the policies, each database test runs as the application role (`DATABASE_APP_ROLE`), as in
# production. The test's own setup (factories across agencies) runs in scope `all`; the
# requests and tasks under test set their own agency, so the policies bind them as in
# production and a forgotten scope shows up as a failing test.


def _on_postgres() -> bool:
    return connection.vendor == "postgresql"


def _superuser_session(conn=connection) -> bool:
    """Whether the login behind ``conn`` is a superuser (whom row-level security never binds),
    whatever role the connection has switched to since."""
    with conn.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = session_user")
        return cursor.fetchone()[0]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    if not _on_postgres():
        return
    from django.conf import settings

    from portal import tenancy

    with django_db_blocker.unblock():
        if not _superuser_session():
            return  # not a superuser: the tests run as whoever connects
        role = settings.DATABASE_APP_ROLE
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if not cursor.fetchone():
                try:
                    cursor.execute(f'CREATE ROLE "{role}" NOLOGIN NOSUPERUSER NOBYPASSRLS')
                except DatabaseError:  # another pytest-xdist worker created it meanwhile
                    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
                    if not cursor.fetchone():
                        raise
        tenancy.apply_policies(verbosity=0)


def worker_environment() -> dict[str, str]:
    """The environment of a real Celery worker a test starts: the test database, connected as
    the application role as in production (PGOPTIONS sets the role after the CI superuser's
    login), with the test's private files."""
    from django.conf import settings

    db = connection.settings_dict
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "SPOORBOEK_PRIVATE_ROOT": str(settings.MEDIA_ROOT),
    }
    if _superuser_session():
        env["PGOPTIONS"] = f"-c role={settings.DATABASE_APP_ROLE}"
    return env


@pytest.fixture(scope="session", autouse=True)
def _live_server_as_application_role():
    """The live server's request threads (browser tests) open their own connections as the CI
    superuser; they switch to the application role, so the pages Playwright drives are under
    the policies as well."""
    if not _on_postgres():
        yield
        return
    import threading

    from django.conf import settings
    from django.db.backends.signals import connection_created

    def switch(sender, connection, **kwargs):
        if "process_request_thread" in threading.current_thread().name and _superuser_session(
            connection
        ):
            with connection.cursor() as cursor:
                cursor.execute(f'SET ROLE "{settings.DATABASE_APP_ROLE}"')

    connection_created.connect(switch, weak=False)
    yield
    connection_created.disconnect(switch)


@pytest.fixture(autouse=True)
def _application_role(request):
    if "_django_db_helper" not in request.fixturenames or not _on_postgres():
        yield
        return
    request.getfixturevalue("_django_db_helper")
    from django.conf import settings

    from portal import tenancy

    superuser = _superuser_session()
    with connection.cursor() as cursor:
        if superuser:
            cursor.execute(f'SET ROLE "{settings.DATABASE_APP_ROLE}"')
        cursor.execute("SELECT set_config(%s, %s, false)", [tenancy.SETTING, tenancy.ALL])
    yield
    if connection.connection is not None and not connection.needs_rollback:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, '', false)", [tenancy.SETTING])
            if superuser:
                cursor.execute("RESET ROLE")


@pytest.fixture
def api():
    """``api(user)`` -> an APIClient authenticated with a fresh personal token."""
    from rest_framework.test import APIClient

    from portal.api_tokens import token_create

    def _client(user, read_only=False, language="nl"):
        _token, raw = token_create(user=user, name="test", read_only=read_only, valid_days=30)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE=language)
        return client

    return _client
