"""The unique key of an imported trajectory, built without blocking writes to a large table:
on PostgreSQL ``CREATE UNIQUE INDEX CONCURRENTLY`` (outside a transaction), elsewhere the
constraint as Django adds it. The state is the model's ``UniqueConstraint``."""

from django.db import migrations, models

NAME = "trajectory_unique_external_ref"
CONSTRAINT = models.UniqueConstraint(
    condition=models.Q(("external_ref", ""), _negated=True),
    fields=("agency", "external_ref"),
    name=NAME,
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "{NAME}" ON "trajecten_trajectory" '
            '("agency_id", "external_ref") WHERE NOT ("external_ref" = \'\')'
        )
    else:
        schema_editor.add_constraint(apps.get_model("trajecten", "Trajectory"), CONSTRAINT)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{NAME}"')
    else:
        schema_editor.remove_constraint(apps.get_model("trajecten", "Trajectory"), CONSTRAINT)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("trajecten", "0014_transfer")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(model_name="trajectory", constraint=CONSTRAINT)
            ],
            database_operations=[migrations.RunPython(create, drop)],
        )
    ]
