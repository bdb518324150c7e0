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
from history.backends.postgres import PostgresHistoryBackend
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


def _backend(using: str):
    vendor = connections[using].vendor
    if vendor == "postgresql":
        return PostgresHistoryBackend(using)
    if vendor == "sqlite":
        return SQLiteHistoryBackend(using)
    return None


def _table(label: str) -> str:
    return apps.get_model(label)._meta.db_table


def _trajectory_cases(using: str, *, json_field, cast) -> str:
    """``CASE content_type_id ... END``: where each tracked table's trajectory is."""
    whens = []
    for tracked in TRACKED:
        ct = ContentType.objects.db_manager(using).get_for_model(apps.get_model(tracked.label))
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
        whens.append(f"WHEN {ct.pk} THEN {value}")
    default = cast(json_field("trajectory_id"))
    return f"CASE NEW.content_type_id {' '.join(whens)} ELSE {default} END"


def _postgres_fill(using: str, table: str) -> str:
    cases = _trajectory_cases(
        using, json_field=lambda c: f"NEW.snapshot->>'{c}'", cast=lambda v: f"({v})::bigint"
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


def _sqlite_fill(using: str, table: str) -> list[str]:
    cases = _trajectory_cases(
        using, json_field=lambda c: f"json_extract(NEW.snapshot, '$.{c}')", cast=lambda v: v
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


def _forget_sql(using: str, table: str) -> str:
    cts = ContentType.objects.db_manager(using)
    case_ct = cts.get_for_model(apps.get_model("trajecten.SicknessCase")).pk
    extension_ct = cts.get_for_model(apps.get_model("trajecten.Extension")).pk
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


def install(using: str = DEFAULT_DB_ALIAS, verbosity: int = 1) -> None:
    """(Re)create every history trigger; idempotent. Runs after every ``migrate``."""
    from portal.models import RecordChange

    backend = _backend(using)
    if backend is None:
        return
    table = RecordChange._meta.db_table
    connection = connections[using]
    ContentType.objects.clear_cache()  # after a flush the cached ids name nothing
    with transaction.atomic(using=using), connection.cursor() as cursor:
        backend.install()
        tables = 0
        for model in backend.get_models():
            recorded = [backend.create_trigger(model, kind)[1] for kind in TriggerType]
            tables += any(recorded)
        if connection.vendor == "postgresql":
            cursor.execute(_postgres_fill(using, table))
            cursor.execute(_forget_sql(using, table))
        else:
            for statement in _sqlite_fill(using, table):
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
