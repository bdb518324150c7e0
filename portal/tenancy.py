"""Row-level security: PostgreSQL's second line of defence under the scoping layer.

The scoping layer (``portal.access``) decides what a user may see and every query goes through
it. Under it, on PostgreSQL, every table that holds agency data carries ``agency_id`` and has a
row-level security policy, enabled and *forced* (so it binds the table owner too), that lets a
row through only when it belongs to the agency set for the current transaction in the setting
``spoorboek.agency``. A query that forgets its scope returns nothing of another agency instead
of leaking it. The ORM still filters by agency: the policy is a guard, not the index path.

The setting holds one of:

* an agency id: that agency's rows only;
* ``identity``: before the user is known (the login page, a password reset, an invitation link,
  an API token or calendar-feed token being checked): the identity tables (users, invitations,
  API tokens, calendar feeds) are readable and writable, file data is not, nor the audit trail
  beyond events of no agency (a failed login with an unknown address);
* ``all``: every agency, for the platform's own jobs: migrations, the management commands that
  seed or sweep, Celery beat's sweeps that find due work across agencies, and platform operators
  (superusers without an agency) in the admin site;
* empty (the default on a fresh connection): nothing.

Who sets it: a web request runs in one transaction opened by ``TenancyMiddleware``, which sets
``identity`` and, once the user is known, their agency with ``set_config(..., true)``, so the
value dies with the transaction and a pooled connection carries nothing to the next request.
Celery tasks about one file are given the agency id (``AgencyTask``) and sweeps run as ``all``
(``SystemTask``); a task commits in several steps (claim, render, record), so outside a
transaction the value is set for the session and reset when the task ends.

The application connects as a role that does not own the tables (``DATABASE_APP_ROLE``); the
``migrate`` command runs as the owner, applies the policies after every migration and grants
the application role what it needs: no UPDATE or DELETE on the audit trail. SQLite (the
embedded default) has no row-level security; there the scoping layer stands alone.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from celery import Task
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

from .changelog import context as change_context

SETTING = "spoorboek.agency"
ALL = "all"
IDENTITY = "identity"
NOTHING = ""

#: Tables read before the user (and so the agency) is known; see the module docstring.
IDENTITY_TABLES = frozenset(
    {"portal_user", "portal_invitation", "portal_apitoken", "trajecten_calendarfeed"}
)
#: Written, never changed or removed, by the application role: the audit trail and the history
#: of the file (retention removes history through ``spoorboek_history_forget``, owned by the
#: owner: ``portal.changelog.triggers``).
APPEND_ONLY_TABLES = frozenset({"portal_auditevent", "portal_recordchange"})
#: Before the user is known only events of no agency (a failed login with an unknown address)
#: may be written; events about an account are written in its agency
#: (``audit.record_for_account``).
PLATFORM_EVENT_TABLES = frozenset({"portal_auditevent"})
POLICY = "spoorboek_tenant"
IDENTITY_POLICY = "spoorboek_identity"
PLATFORM_EVENTS_POLICY = "spoorboek_platform_events"


def enabled(using: str = DEFAULT_DB_ALIAS) -> bool:
    return connections[using].vendor == "postgresql"


def tenant_tables() -> list[str]:
    """Every table with an ``agency_id`` column: the tables the policies guard."""
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy
        and any(field.column == "agency_id" for field in model._meta.concrete_fields)
    }
    return sorted(tables)


def value_for(user) -> str:
    """The setting for a request by ``user``."""
    if not user.is_authenticated:
        return IDENTITY
    if user.agency_id:
        return str(user.agency_id)
    return ALL if user.is_superuser else IDENTITY


def _set(connection, value: str, *, local: bool) -> str:
    """Set the agency setting and return the value it had. The same statement carries who is
    writing, for the history triggers (``portal.changelog.context``): no extra query."""
    history_sql, history_params = change_context.settings_sql(local)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(current_setting(%s, true), ''), set_config(%s, %s, %s), "
            + history_sql,
            [SETTING, SETTING, value, local, *history_params],
        )
        return cursor.fetchone()[0]


def activate(value: str | int, using: str = DEFAULT_DB_ALIAS) -> str | None:
    """Set the agency (or ``identity`` / ``all``) for the rest of the current transaction and
    return the value it replaces: a request switches from ``identity`` to the agency once it
    knows the user."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    if not connection.in_atomic_block:
        raise RuntimeError("tenancy.activate() needs a transaction; use tenancy.scope().")
    return _set(connection, str(value), local=True)


def current(using: str = DEFAULT_DB_ALIAS) -> str | None:
    """The setting now (None without PostgreSQL)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(current_setting(%s, true), '')", [SETTING])
        return cursor.fetchone()[0]


@contextmanager
def scope(value: str | int, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Run the block with the setting ``value``, then put back what was there.

    Inside a transaction (a task run eagerly within a request, a test) the value lives in that
    transaction only. Outside one (a worker, a command) it holds for the session, across the
    block's own transactions, and is reset after; if the reset fails the connection is closed,
    so the value can never outlive the block on a pooled connection."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    local = connection.in_atomic_block
    previous = _set(connection, str(value), local=local)
    try:
        yield
    finally:
        try:
            _set(connection, previous, local=local)
        except DatabaseError:
            # Inside a broken transaction its rollback restores the value; a session that
            # cannot be reset is thrown away.
            if not local:
                connection.close()


class AgencyTask(Task):
    """A task about one agency's file: it takes a keyword-only ``agency_id`` and runs in that
    agency, whatever it reads."""

    def __call__(self, *args, **kwargs):
        with (
            change_context.recording(via="task", path=self.name, push=False),
            scope(kwargs["agency_id"]),
        ):
            return super().__call__(*args, **kwargs)


class SystemTask(Task):
    """A beat sweep that finds due work across agencies (the work it starts runs per agency)."""

    def __call__(self, *args, **kwargs):
        with change_context.recording(via="task", path=self.name, push=False), scope(ALL):
            return super().__call__(*args, **kwargs)


class SystemCommand(BaseCommand):
    """A management command of the platform (seeding, sweeping): runs in scope ``all``."""

    def execute(self, *args, **options):
        name = type(self).__module__.rsplit(".", 1)[-1]
        with change_context.recording(via="command", path=name, push=False), scope(ALL):
            return super().execute(*args, **options)


def system_command(command_class: type[BaseCommand]) -> type[BaseCommand]:
    """``command_class`` (one of Django's) run in scope ``all``, like ``SystemCommand``."""
    return type("Command", (SystemCommand, command_class), {"__module__": command_class.__module__})


# --- Policies --------------------------------------------------------------------------------

FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION spoorboek_setting() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(current_setting('spoorboek.agency', true), '') $$;
CREATE OR REPLACE FUNCTION spoorboek_agency() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN spoorboek_setting() ~ '^[0-9]{1,18}$'
                      THEN spoorboek_setting()::bigint END $$;
"""
# How the policy reads to the planner matters as much as what it says:
# * the functions are wrapped in sub-selects, so PostgreSQL evaluates them once per query (an
#   init plan) instead of per row (called per row they made a dashboard query 10x slower);
# * agency_id is compared with ===, bigint equality (the built-in int8eq) whose selectivity
#   estimate is "keeps nearly every row" (neqsel). The ORM's own agency_id = X already tells the
#   planner how many rows the agency has; with plain = the policy's clause counted the same
#   selectivity a second time, and the under-estimate, compounded over the joined tables, chose
#   nested loops that made the specialist's day 3.5 s instead of 40 ms.
FUNCTIONS_SQL += """
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_operator WHERE oprname = '===' AND oprleft = 'bigint'::regtype
                   AND oprright = 'bigint'::regtype) THEN
        CREATE OPERATOR === (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = int8eq,
                             RESTRICT = neqsel);
    END IF;
END $$;
"""
# After a bulk job (the daily dispatcher's catch-up, an import) the planner's statistics are
# stale until autovacuum's analyse comes round, and a plan chosen on them can be many times
# slower. Only a table's owner may ANALYZE it; this function, owned by the owner (migrate
# creates it), lets the application role analyse a table of this schema, nothing else.
FUNCTIONS_SQL += """
CREATE OR REPLACE FUNCTION spoorboek_analyze(tbl text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_tables WHERE schemaname = 'public' AND tablename = tbl) THEN
            RAISE EXCEPTION 'spoorboek_analyze: no table %', tbl;
        END IF;
        EXECUTE format('ANALYZE public.%I', tbl);
    END $$;
REVOKE ALL ON FUNCTION spoorboek_analyze(text) FROM PUBLIC;
"""
SETTING_NOW = "(SELECT spoorboek_setting())"
TENANT_ROWS = f"(agency_id === (SELECT spoorboek_agency()) OR {SETTING_NOW} = 'all')"


#: (name, the tables it guards, the rows it lets through). Permissive: a row passes when any
#: policy of its table lets it through.
POLICIES = [
    (POLICY, lambda table: True, TENANT_ROWS),
    (IDENTITY_POLICY, IDENTITY_TABLES.__contains__, f"({SETTING_NOW} = 'identity')"),
    (
        PLATFORM_EVENTS_POLICY,
        PLATFORM_EVENT_TABLES.__contains__,
        f"({SETTING_NOW} = 'identity' AND agency_id IS NULL)",
    ),
]


def policy_statements(table: str) -> list[str]:
    """The statements that put ``table`` under row-level security (idempotent)."""
    statements = [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
    ]
    for name, guards, rows in POLICIES:
        statements.append(f'DROP POLICY IF EXISTS {name} ON "{table}"')
        if guards(table):
            statements.append(f'CREATE POLICY {name} ON "{table}" USING {rows} WITH CHECK {rows}')
    return statements


def grant_statements(role: str) -> list[str]:
    """What the application role may do: data, never the schema; the audit trail append-only."""
    statements = [
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
        f'GRANT EXECUTE ON FUNCTION spoorboek_setting(), spoorboek_agency() TO "{role}"',
        f'GRANT EXECUTE ON FUNCTION spoorboek_analyze(text) TO "{role}"',
        f'GRANT EXECUTE ON FUNCTION spoorboek_history_forget(bigint[], bigint[]) TO "{role}"',
    ]
    statements += [f'REVOKE UPDATE, DELETE ON "{t}" FROM "{role}"' for t in APPEND_ONLY_TABLES]
    return statements


def apply_policies(using: str = DEFAULT_DB_ALIAS, verbosity: int = 1) -> None:
    """Put every tenant table under its policy and grant the application role its rights.
    Runs after every ``migrate`` (as the owner), so a new tenant table is never left open."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    role = settings.DATABASE_APP_ROLE
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(FUNCTIONS_SQL)
        tables = tenant_tables()
        for table in tables:
            for statement in policy_statements(table):
                cursor.execute(statement)
        granted = False
        if role:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() and role != connection.get_connection_params().get("user"):
                for statement in grant_statements(role):
                    cursor.execute(statement)
                granted = True
    if verbosity >= 1:
        print(
            f"  Row-level security on {len(tables)} tenant tables"
            + (f"; rights granted to {role}" if granted else "")
        )


def post_migrate(sender, using=DEFAULT_DB_ALIAS, verbosity=1, **kwargs) -> None:
    from .changelog import triggers

    triggers.install(using=using, verbosity=verbosity)  # first: the grants name its function
    apply_policies(using=using, verbosity=verbosity)


#: A bulk job that loaded at least this many rows analyses the table it loaded.
ANALYZE_AFTER_ROWS = 1000


def analyze_after_bulk(model, *, rows: int, using: str = DEFAULT_DB_ALIAS) -> bool:
    """ANALYZE ``model``'s table after a bulk job loaded ``rows`` into it, so the next pages
    are planned on true figures (after the dispatcher's catch-up of 56,000 drafts the
    specialist's day took 6x as long until the tables were analysed). PostgreSQL only; returns
    whether it analysed."""
    connection = connections[using]
    if rows < ANALYZE_AFTER_ROWS or connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT spoorboek_analyze(%s)", [model._meta.db_table])
    return True
