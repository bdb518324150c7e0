"""A status change carries its application's agency, for the row-level security policies."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_agency(apps, schema_editor):
    activities = apps.get_model("sollicitaties", "ApplicationActivity").objects
    apps.get_model("sollicitaties", "StatusChange").objects.update(
        agency_id=Subquery(activities.filter(pk=OuterRef("activity_id")).values("agency_id")[:1])
    )


def agency_field(null):
    return models.ForeignKey(
        editable=False,
        null=null,
        on_delete=django.db.models.deletion.CASCADE,
        related_name="+",
        to="portal.agency",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0007_audit_outcome"),
        ("sollicitaties", "0002_api_list_indexes"),
    ]

    operations = [
        migrations.AddField(model_name="statuschange", name="agency", field=agency_field(True)),
        migrations.RunPython(copy_agency, migrations.RunPython.noop),
        migrations.AlterField(model_name="statuschange", name="agency", field=agency_field(False)),
    ]
