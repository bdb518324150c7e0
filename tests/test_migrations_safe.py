"""Upgrades without downtime: every new migration's SQL is read before it lands, and one that
rewrites or long-locks a large table, or that the previous version (still serving during a
rolling upgrade) cannot live with, fails CI. docs/operations.md, "Upgrades without downtime", says
how to write the safe form instead."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

#: Migrations that were applied before this check existed (their tables were small then).
CHECKED_FROM = {
    "portal": "0014",
    "trajecten": "0012",
    "sollicitaties": "0006",
    "rapportages": "0005",
    "kwaliteit": "0001",
}

#: Tables that stay small whatever an agency does (configuration and catalogues): anything
#: else grows with the files and counts as large.
SMALL_TABLES = {
    "portal_agency",
    "portal_phase",
    "portal_product",
    "portal_timecategory",
    "portal_employer",
    "portal_legalentity",
    "trajecten_actiontemplate",
    "trajecten_actiontemplateitem",
}

#: (what is wrong, pattern, only on a large table that existed before the migration)
RULES = [
    ("rewrites the table (column type change)", r"ALTER COLUMN \S+ TYPE", True),
    ("scans the table under an exclusive lock (SET NOT NULL)",
     r"ALTER COLUMN \S+ SET NOT NULL", True),
    ("blocks writes while the index builds (use AddIndexConcurrently)",
     r"CREATE (UNIQUE )?INDEX (?!CONCURRENTLY)", True),
    ("validates every row under a lock (add it NOT VALID, validate later)",
     r"ADD CONSTRAINT \S+ (FOREIGN KEY|CHECK)(?!.*NOT VALID)", True),
    ("checks every row under a lock (a CHECK on a new column)", r"ADD COLUMN .* CHECK ", True),
    ("builds a unique index under a lock", r"ADD CONSTRAINT \S+ UNIQUE", True),
    ("a volatile default rewrites every row", r"ADD COLUMN .* DEFAULT [a-z_]+\(", True),
    ("the previous version still reads it (drop in a later release)", r"DROP COLUMN", False),
    ("the previous version still uses the old name", r"RENAME (COLUMN|TO)", False),
    ("the previous version still reads it (drop in a later release)", r"^DROP TABLE", False),
]  # fmt: skip

ALTERED = re.compile(
    r'^(?:ALTER TABLE|CREATE (?:UNIQUE )?INDEX \S+ ON|DROP TABLE) "?([a-z0-9_]+)"?'
)
CREATED = re.compile(r'^CREATE TABLE "?([a-z0-9_]+)"?')


def problems_in(sql: str) -> list[str]:
    """What is unsafe in one migration's SQL, statement by statement."""
    chunks = (" ".join(line.strip() for line in chunk.splitlines() if not line.startswith("--"))
              for chunk in sql.split(";\n"))  # fmt: skip
    statements = [c.strip() for c in chunks if c.strip()]
    created = {m.group(1) for s in statements if (m := CREATED.match(s))}
    found = []
    for statement in statements:
        table = (m := ALTERED.match(statement)) and m.group(1)
        if not table or table in created:
            continue
        for what, pattern, large_only in RULES:
            if large_only and table in SMALL_TABLES:
                continue
            if re.search(pattern, statement):
                found.append(f"{table}: {what}: {statement[:120]}")
    return found


def _new_migrations():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for app, name in sorted(loader.disk_migrations):
        if app in CHECKED_FROM and name[:4] >= CHECKED_FROM[app]:
            yield app, name


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's SQL")
@pytest.mark.parametrize(("app", "name"), list(_new_migrations()))
def test_a_new_migration_neither_rewrites_nor_long_locks_a_large_table(db, app, name):
    out = io.StringIO()
    call_command("sqlmigrate", app, name, stdout=out)
    assert problems_in(out.getvalue()) == []


@pytest.mark.parametrize(
    "sql",
    [
        'ALTER TABLE "sollicitaties_applicationactivity" ALTER COLUMN "notes" TYPE text;',
        'ALTER TABLE "trajecten_trajectory" ALTER COLUMN "phase_id" SET NOT NULL;',
        'CREATE INDEX "x" ON "portal_auditevent" ("at");',
        'ALTER TABLE "rapportages_report" ADD CONSTRAINT "fk" FOREIGN KEY ("x_id") '
        'REFERENCES "portal_user" ("id") DEFERRABLE INITIALLY DEFERRED;',
        'ALTER TABLE "trajecten_trajectory" ADD COLUMN "n" smallint DEFAULT 0 NOT NULL '
        'CHECK ("n" >= 0);',
        'ALTER TABLE "portal_agency" DROP COLUMN "logo" CASCADE;',
        'ALTER TABLE "trajecten_task" RENAME COLUMN "title" TO "name";',
        'DROP TABLE "trajecten_task" CASCADE;',
    ],
)
def test_the_check_catches_what_rewrites_locks_or_breaks_the_previous_version(sql):
    assert problems_in(f"BEGIN;\n{sql}\nCOMMIT;")


@pytest.mark.parametrize(
    "sql",
    [
        'ALTER TABLE "trajecten_trajectory" ADD COLUMN "note" varchar(10) NULL;',
        'ALTER TABLE "trajecten_trajectory" ADD COLUMN "n" integer DEFAULT 0 NOT NULL;',
        'CREATE INDEX CONCURRENTLY "x" ON "portal_auditevent" ("at");',
        'CREATE TABLE "new_thing" ("id" bigint NOT NULL PRIMARY KEY);\n'
        'CREATE INDEX "y" ON "new_thing" ("id");',
        'ALTER TABLE "portal_agency" ADD COLUMN "days" smallint DEFAULT 30 NOT NULL '
        'CHECK ("days" >= 0);',
        'ALTER TABLE "rapportages_report" ADD CONSTRAINT "c" CHECK ("n" > 0) NOT VALID;',
    ],
)
def test_the_safe_forms_pass(sql):
    assert problems_in(f"BEGIN;\n{sql}\nCOMMIT;") == []
