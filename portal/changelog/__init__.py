"""The history of every record of the file (who changed which field, from what to what, when,
through which path), recorded by database triggers: django-history-triggers.

Why that library: it is the one well-kept history library that records in the database on
both SQLite and PostgreSQL, so a change made with ``.update()``, ``bulk_update``,
``bulk_create`` or raw SQL is recorded like a ``save()``, and the application cannot write
around it. django-pghistory works on PostgreSQL only (the embedded default is SQLite);
django-simple-history records from model signals and misses ``.update()`` and bulk writes.

* ``registry``: which tables keep a history;
* ``context``: who and through which path (``recording``; the request's tenancy statement);
* ``triggers``: installing them after ``migrate``, and ``forget`` for retention (imported
  on its own: it loads the library's backends);
* what a viewer may read of it: ``portal.access.history``.
"""

from .context import recording, set_actor, via_for
from .registry import TRACKED, Tracked, by_key, by_label

__all__ = [
    "TRACKED",
    "Tracked",
    "by_key",
    "by_label",
    "recording",
    "set_actor",
    "via_for",
]
