"""The index of the notices waiting for a digest, built without blocking writes to a large
table: on PostgreSQL ``CREATE INDEX CONCURRENTLY`` (outside a transaction), elsewhere the index
as Django adds it. The state is the model's ``Index``."""

from django.db import migrations, models

NAME = "notification_digest_waiting"
INDEX = models.Index(
    condition=models.Q(("emailed_at__isnull", True), models.Q(("digest", ""), _negated=True)),
    fields=["user", "digest"],
    name=NAME,
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{NAME}" ON "portal_notification" '
            '("user_id", "digest") WHERE ("emailed_at" IS NULL AND NOT ("digest" = \'\'))'
        )
    else:
        schema_editor.add_index(apps.get_model("portal", "Notification"), INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{NAME}"')
    else:
        schema_editor.remove_index(apps.get_model("portal", "Notification"), INDEX)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("portal", "0024_sms_reminders")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="notification", index=INDEX)],
            database_operations=[migrations.RunPython(create, drop)],
        )
    ]
