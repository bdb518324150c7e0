"""Rows that belonged to an agency only through their parent now carry the agency themselves,
so that the row-level security policies can guard them (see ``portal.tenancy``)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

#: model name -> (parent model label, foreign key to it)
CHILDREN = {
    "searchfunction": ("trajecten.SearchProfile", "profile_id"),
    "actiontemplateitem": ("trajecten.ActionTemplate", "template_id"),
    "calendarfeed": ("portal.User", "user_id"),
}


def copy_agency(apps, schema_editor):
    for name, (parent_label, parent_fk) in CHILDREN.items():
        model = apps.get_model("trajecten", name)
        parents = apps.get_model(parent_label).objects.filter(pk=OuterRef(parent_fk))
        model.objects.update(agency_id=Subquery(parents.values("agency_id")[:1]))
        # A platform operator (no agency) has no file to put in a calendar feed.
        model.objects.filter(agency_id__isnull=True).delete()


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
        ("trajecten", "0006_access_export_medical"),
    ]

    operations = [
        *(
            migrations.AddField(model_name=name, name="agency", field=agency_field(True))
            for name in CHILDREN
        ),
        migrations.RunPython(copy_agency, migrations.RunPython.noop),
        *(
            migrations.AlterField(model_name=name, name="agency", field=agency_field(False))
            for name in CHILDREN
        ),
    ]
