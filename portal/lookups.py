"""``field__in_list=[...]``: ``__in`` with the whole list as one query parameter.

Django writes ``__in`` as ``IN (%s, %s, …)``, a parameter per value. With prepared statements
(psycopg's server-side binding, ``DATABASE_PREPARED_STATEMENTS``) PostgreSQL takes at most
65,535 parameters in a statement, and Django neither knows that limit there nor splits a list
by it: the daily dispatcher's first catch-up on the platform bench announced 281,000 drafts in
one query and failed (SQLite, as built here, takes far more). A list whose length the data
decides (every trajectory of an agency, every row of an import, what a retention run removes)
uses ``in_list`` instead:

* PostgreSQL: ``column = ANY(%s::type[])``, the list as one array. PostgreSQL turns an
  ``IN (…)`` list into the same ``= ANY(ARRAY[…])`` when it parses it, so the plan is the same.
* SQLite (the embedded default): ``column IN (SELECT value FROM json_each(%s))``, the list as
  one JSON text.

Values are prepared by the field as for ``__in`` (a UUID, a string, an id); ``None`` never
matches and is left out. A list from a queryset stays a subquery (``__in=qs.values("pk")``);
this lookup is for lists that are already in Python.
"""

import json

from django.db.models import Field, ForeignObject, Lookup


@ForeignObject.register_lookup  # (a foreign key has lookups of its own: ``trajectory_id__in_list``)
@Field.register_lookup
class InList(Lookup):
    lookup_name = "in_list"
    prepare_rhs = False

    def get_prep_lookup(self):
        field = self.lhs.output_field
        return [field.get_prep_value(v) for v in self.rhs if v is not None]

    def _values(self, connection) -> list:
        field = self.lhs.output_field
        return [field.get_db_prep_value(v, connection, prepared=True) for v in self.rhs]

    def as_postgresql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        array_type = self.lhs.output_field.cast_db_type(connection)
        return f"{lhs} = ANY(%s::{array_type}[])", (*params, self._values(connection))

    def as_sqlite(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        values = json.dumps(self._values(connection))
        sql = f"{lhs} IN (SELECT value FROM json_each(%s))"  # noqa: S608 - lhs: a compiled column
        return sql, (*params, values)

    def as_sql(self, compiler, connection):
        raise NotImplementedError(f"in_list is not written for {connection.vendor}")
