"""Who is changing the file, through which path: the context the history triggers read.

The context lives in a context variable (``recording``), so a service needs no request to be
attributed. The database triggers read it from the connection:

* on PostgreSQL from the settings ``history.<field>`` (django-history-triggers' names). They
  travel in the same statement as the row-level security setting (``portal.tenancy``), so a
  request, a task or a command pays no extra query; a nested ``recording`` (an import inside a
  request) sets them itself. Inside a transaction they die with it, as the tenancy setting does.
* on SQLite from functions ``history_<column>()`` registered on every connection
  (``register_functions``), which read the context variable when the trigger runs.

Outside any context (a shell, a test's factory) the row is still written: no actor, no path,
and the database fills in a session id and the time.
"""

import contextlib
import dataclasses
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.utils import timezone

from ..constants import ChangeVia

#: The longest path kept (``RecordChange.path``).
PATH_LENGTH = 200


@dataclasses.dataclass(frozen=True)
class Context:
    via: str
    #: The acting user: an object with ``pk`` (a request's lazy user is read only when a row is
    #: written or the context is sent to PostgreSQL, after the tenancy middleware knows it).
    actor: object | None = None
    path: str = ""
    session_id: uuid.UUID = dataclasses.field(default_factory=uuid.uuid4)
    at: datetime = dataclasses.field(default_factory=timezone.now)

    @property
    def actor_id(self) -> int | None:
        if self.actor is None or not getattr(self.actor, "is_authenticated", True):
            return None
        return self.actor.pk


_context: ContextVar[Context | None] = ContextVar("spoorboek_change_context", default=None)


def current() -> Context | None:
    return _context.get()


def set_actor(user) -> None:
    """The user became known (the tenancy middleware, an API token): changes are theirs."""
    ctx = _context.get()
    if ctx is not None:
        _context.set(dataclasses.replace(ctx, actor=user))


def settings() -> list[tuple[str, str]]:
    """The PostgreSQL settings for the context now (empty strings outside one)."""
    ctx = _context.get()
    if ctx is None:
        return [
            (f"history.{name}", "")
            for name in ("session_id", "session_date", "actor", "via", "path")
        ]
    actor_id = ctx.actor_id
    return [
        ("history.session_id", str(ctx.session_id)),
        ("history.session_date", ctx.at.isoformat()),
        ("history.actor", "" if actor_id is None else str(actor_id)),
        ("history.via", ctx.via),
        ("history.path", ctx.path[:PATH_LENGTH]),
    ]


def settings_sql(local: bool) -> tuple[str, list]:
    """``set_config(...)`` calls for ``settings()``, to join a SELECT, and their parameters."""
    pairs = settings()
    sql = ", ".join("set_config(%s, %s, %s)" for _ in pairs)
    params = [item for name, value in pairs for item in (name, value, local)]
    return sql, params


def _push(connection, *, local: bool) -> None:
    sql, params = settings_sql(local)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", params)


@contextlib.contextmanager
def recording(
    *,
    via: ChangeVia | str,
    actor=None,
    path: str = "",
    push: bool = True,
    using: str = DEFAULT_DB_ALIAS,
) -> Iterator[Context]:
    """Attribute the block's changes to ``actor`` through ``via``. With ``push`` (the default)
    the context is sent to PostgreSQL now and the previous one put back after; without it the
    caller sends it (``portal.tenancy.scope``/``activate`` does, in its own statement)."""
    ctx = Context(via=str(via), actor=actor, path=path)
    token = _context.set(ctx)
    connection = connections[using]
    pushed = push and connection.vendor == "postgresql"
    local = connection.in_atomic_block
    if pushed:
        _push(connection, local=local)
    try:
        yield ctx
    finally:
        _context.reset(token)
        if pushed:
            try:
                _push(connection, local=local)
            except DatabaseError:
                # Inside a broken transaction its rollback restores the settings; a session
                # that cannot be reset is thrown away.
                if not local:
                    connection.close()


def via_for(path: str) -> ChangeVia:
    return ChangeVia.API if path.startswith("/api/") else ChangeVia.PAGE


# --- SQLite ----------------------------------------------------------------------------------


def _sqlite_datetime(value: datetime) -> str:
    """How Django stores an aware datetime in SQLite: naive UTC."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def _getter(name: str):
    def value():
        ctx = _context.get()
        if ctx is None:
            return "" if name in ("via", "path") else None
        match name:
            case "session_id":
                return ctx.session_id.hex
            case "session_date":
                return _sqlite_datetime(ctx.at)
            case "actor_id":
                return ctx.actor_id
            case "via":
                return ctx.via
            case "path":
                return ctx.path[:PATH_LENGTH]
        return None  # agency_id, trajectory_id: filled from the row (portal.changelog.triggers)

    return value


SQLITE_COLUMNS = (
    "session_id",
    "session_date",
    "agency_id",
    "trajectory_id",
    "actor_id",
    "via",
    "path",
)


def register_functions(sender, connection, **kwargs) -> None:
    """``connection_created``: the functions django-history-triggers' SQLite triggers call."""
    if connection.vendor != "sqlite":
        return
    raw = connection.connection
    for column in SQLITE_COLUMNS:
        raw.create_function(f"history_{column}", 0, _getter(column))
    raw.create_function("_history_enabled", 0, lambda: True)
