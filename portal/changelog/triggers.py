"""Installing the history triggers, and removing history with the file (retention).

The triggers are django-history-triggers' own (one per table and statement kind, on SQLite and
PostgreSQL alike, so ``.update()``, bulk writes and raw SQL are recorded as a ``save()`` is).
``tracked_field`` is its filter: the tracked tables' columns (``portal.changelog.TRACKED``)
except ``updated_at``, which changes with every save and says nothing. One trigger of our own
on the history table fills in what the row knows and the session does not: the agency (for
row-level security and scoping) and the trajectory (for the trajectory's history), and an id
and the time for a change made outside any recording context.

Installed after every ``migrate`` (``portal.apps``), before the policies and grants: the
application role may insert history, never change or remove it (``portal.tenancy``). Retention
removes a file's history through ``spoorboek_history_forget``, a function owned by the tables'
owner that removes only the history of the trajectories and sickness cases it is given.
"""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from history import conf as history_conf
from history.backends.postgres import TRIGGER_FUNCTION_SQL, PostgresHistoryBackend
from history.backends.sqlite import SQLiteHistoryBackend
from history.models import TriggerType

from .registry import TRACKED, by_label

#: Columns not recorded: they change with every save and tell nothing.
UNRECORDED = frozenset({"updated_at"})


def tracked_field(model, field, trigger_type) -> bool:
    """django-history-triggers' ``HISTORY_FILTER``."""
    if by_label(model._meta.label_lower) is None:
        return False
    return not isinstance(field, models.BinaryField) and field.name not in UNRECORDED


def _table(label: str) -> str:
    return apps.get_model(label)._meta.db_table


def _django_ids(using: str):
    """The content type id of a model, in the database ``using`` (made if missing)."""
    return lambda model: ContentType.objects.db_manager(using).get_for_model(model).pk


def _trajectory_cases(ct_of, *, json_field, cast) -> str:
    """``CASE content_type_id ... END``: where each tracked table's trajectory is."""
    whens = []
    for tracked in TRACKED:
        ct = ct_of(apps.get_model(tracked.label))
        match tracked.trajectory:
            case "self":
                value = "NEW.object_id"
            case None:
                value = "NULL"
            case "trajectory_id":
                continue  # the ELSE branch
            case (fk_column, parent_label):
                value = (
                    f"(SELECT trajectory_id FROM {_table(parent_label)} "
                    f"WHERE id = {cast(json_field(fk_column))})"
                )
        whens.append(f"WHEN {ct} THEN {value}")
    default = cast(json_field("trajectory_id"))
    return f"CASE NEW.content_type_id {' '.join(whens)} ELSE {default} END"


def _postgres_fill(ct_of, table: str) -> str:
    cases = _trajectory_cases(
        ct_of, json_field=lambda c: f"NEW.snapshot->>'{c}'", cast=lambda v: f"({v})::bigint"
    )
    return f"""
CREATE OR REPLACE FUNCTION spoorboek_history_fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.agency_id := (NEW.snapshot->>'agency_id')::bigint;
    NEW.trajectory_id := {cases};
    NEW.session_id := coalesce(NEW.session_id, gen_random_uuid());
    NEW.session_date := coalesce(NEW.session_date, now());
    NEW.via := coalesce(NEW.via, '');
    NEW.path := coalesce(NEW.path, '');
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS spoorboek_history_fill ON "{table}";
CREATE TRIGGER spoorboek_history_fill BEFORE INSERT ON "{table}"
    FOR EACH ROW EXECUTE FUNCTION spoorboek_history_fill();
"""


def _sqlite_fill(ct_of, table: str) -> list[str]:
    cases = _trajectory_cases(
        ct_of, json_field=lambda c: f"json_extract(NEW.snapshot, '$.{c}')", cast=lambda v: v
    )
    return [
        "DROP TRIGGER IF EXISTS spoorboek_history_fill",
        f"""CREATE TRIGGER spoorboek_history_fill AFTER INSERT ON "{table}" BEGIN
    UPDATE "{table}" SET
        agency_id = json_extract(NEW.snapshot, '$.agency_id'),
        trajectory_id = {cases},
        session_id = coalesce(NEW.session_id, lower(hex(randomblob(16)))),
        session_date = coalesce(NEW.session_date, strftime('%Y-%m-%d %H:%M:%f', 'now'))
    WHERE id = NEW.id;
END""",
    ]


def _forget_sql(ct_of, table: str) -> str:
    case_ct = ct_of(apps.get_model("trajecten.SicknessCase"))
    extension_ct = ct_of(apps.get_model("trajecten.Extension"))
    return f"""
CREATE OR REPLACE FUNCTION spoorboek_history_forget(trajectories bigint[], cases bigint[])
    RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ DECLARE removed bigint; BEGIN
        DELETE FROM "{table}"
        WHERE trajectory_id = ANY(trajectories)
           OR (content_type_id = {case_ct} AND object_id = ANY(cases))
           OR (content_type_id = {extension_ct} AND (snapshot->>'case_id')::bigint = ANY(cases));
        GET DIAGNOSTICS removed = ROW_COUNT;
        RETURN removed;
    END $$;
REVOKE ALL ON FUNCTION spoorboek_history_forget(bigint[], bigint[]) FROM PUBLIC;
"""


def postgres_statements(ct_of) -> tuple[list[str], int]:
    """Every statement that (re)makes the history triggers on PostgreSQL, and how many tables
    they record: django-history-triggers' function and its triggers as its backend writes them
    (``TRIGGER_FUNCTION_SQL``, ``trigger_name``, ``model_fields``), with ``ct_of(model)`` the
    content type ids of the database they are for; then ours."""
    from portal.models import RecordChange

    backend = PostgresHistoryBackend(DEFAULT_DB_ALIAS)  # its SQL and names; it runs nothing
    connection = connections[DEFAULT_DB_ALIAS]
    fields = list(backend.session_fields())
    statements = [
        TRIGGER_FUNCTION_SQL.format(
            table=RecordChange._meta.db_table,
            obj_type=RecordChange._meta.get_field("object_id").db_type(connection),
            session_cols=", ".join(f.column for f in fields),
            session_values=", ".join(
                f"nullif(current_setting('history.{f.name}', true), '')::"
                f"{f.rel_db_type(connection)}"
                for f in fields
            ),
        )
    ]
    tables = 0
    for model in backend.get_models():
        recorded = False
        for kind in TriggerType:
            name, table = backend.trigger_name(model, kind), model._meta.db_table
            statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table};")
            columns = [f.column for f in backend.model_fields(model, kind)]
            if not columns:
                continue
            recorded = True
            statements.append(
                f"CREATE TRIGGER {name} AFTER {kind.name.upper()} ON {table} FOR EACH ROW "
                f"EXECUTE PROCEDURE history_record({ct_of(model)}, '{model._meta.pk.column}', "
                f"{int(history_conf.SNAPSHOTS)}, '{kind.snapshot_of}', "
                + ", ".join(f"'{c}'" for c in columns)
                + ");"
            )
        tables += recorded
    table = RecordChange._meta.db_table
    statements += [_postgres_fill(ct_of, table), _forget_sql(ct_of, table)]
    return statements, tables


def install(using: str = DEFAULT_DB_ALIAS, verbosity: int = 1) -> None:
    """(Re)create every history trigger; idempotent. Runs after every ``migrate``."""
    from portal.models import RecordChange

    connection = connections[using]
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    ContentType.objects.clear_cache()  # after a flush the cached ids name nothing
    ct_of = _django_ids(using)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            statements, tables = postgres_statements(ct_of)
            for statement in statements:
                cursor.execute(statement)
        else:
            backend = SQLiteHistoryBackend(using)
            tables = 0
            for model in backend.get_models():
                made = [backend.create_trigger(model, kind)[1] for kind in TriggerType]
                tables += any(made)  # every kind made first (any() would stop early)
            for statement in _sqlite_fill(ct_of, RecordChange._meta.db_table):
                cursor.execute(statement)
    if verbosity >= 1:
        print(f"  History triggers on {tables} tables")


def forget(*, trajectory_ids: list[int], case_ids: list[int], using=DEFAULT_DB_ALIAS) -> int:
    """Remove the history of these trajectories and sickness cases (retention), returning how
    many rows went. The application role cannot delete history itself: on PostgreSQL this
    goes through ``spoorboek_history_forget``."""
    from portal.models import RecordChange

    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT spoorboek_history_forget(%s::bigint[], %s::bigint[])",
                [list(trajectory_ids), list(case_ids)],
            )
            return cursor.fetchone()[0]
    cts = ContentType.objects.db_manager(using)
    case_ct = cts.get_for_model(apps.get_model("trajecten.SicknessCase"))
    extension_ct = cts.get_for_model(apps.get_model("trajecten.Extension"))
    rows = RecordChange._base_manager.using(using).filter(
        models.Q(trajectory_id__in=trajectory_ids)
        | models.Q(content_type=case_ct, object_id__in=case_ids)
        | models.Q(content_type=extension_ct, snapshot__case_id__in=case_ids)
    )
    return rows._raw_delete(using)


def install_into(conn) -> None:
    """``install`` into another PostgreSQL database (a restore's target) through ``conn``, a
    psycopg connection as its owner, with that database's own content type ids."""
    rows = conn.execute("SELECT id, app_label, model FROM django_content_type").fetchall()
    ids = {(app_label, model): pk for pk, app_label, model in rows}

    def ct_of(model):
        key = (model._meta.app_label, model._meta.model_name)
        if key not in ids:
            found = conn.execute(
                "INSERT INTO django_content_type (app_label, model) VALUES (%s, %s) RETURNING id",
                list(key),
            ).fetchone()
            ids[key] = found[0]
        return ids[key]

    statements, _tables = postgres_statements(ct_of)
    for statement in statements:
        conn.execute(statement)
