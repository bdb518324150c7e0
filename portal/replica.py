"""Reads that may lag a little go to a PostgreSQL streaming replica, when there is one.

With ``DATABASE_REPLICA_URL`` set, the agency overview, the outcomes (page, PDF, CSV, API) and
the billing and overview exports read from the replica (docs/operations.md, "Scaling"): their long
aggregate queries then never compete with the pages people are working in. A block opts in
with ``with replica.reads():``; everything else, every write and everything outside such a
block, stays on the primary. The router sends each query of the block to the replica, in a
transaction of its own there with the same row-level security setting as the request's
(``portal.tenancy``): a replica enforces the same policies, so it sees exactly the agency the
primary would. A replica that cannot be reached is skipped with a warning: the figures come
from the primary, slower but right. A streaming replica lags by a fraction of a second, which
figures over a period do not notice.
"""

import contextvars
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

from . import tenancy

REPLICA = "replica"
logger = logging.getLogger(__name__)
_reading = contextvars.ContextVar("replica_reads", default=False)


def configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def reads() -> Iterator[None]:
    """Route the block's reads to the replica (a no-op without one)."""
    if not configured() or _reading.get():
        yield
        return
    value = tenancy.current()
    try:
        connections[REPLICA].ensure_connection()
    except DatabaseError:
        logger.warning("The replica cannot be reached; reading from the primary.")
        yield
        return
    with transaction.atomic(using=REPLICA), tenancy.scope(value or "", using=REPLICA):
        token = _reading.set(True)
        try:
            yield
        finally:
            _reading.reset(token)


class ReplicaRouter:
    """Reads inside ``reads()`` to the replica; all else, and every write, to the primary."""

    def db_for_read(self, model, **hints):
        return REPLICA if _reading.get() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
