"""Judge the applications recorded before the repeat rule (``sollicitaties.repeats``): one
trajectory at a time, outside one long transaction, so no table is locked for the run."""

from django.db import migrations, transaction


def judge(apps, schema_editor):
    from sollicitaties.repeats import repeats

    Activity = apps.get_model("sollicitaties", "ApplicationActivity")
    Agency = apps.get_model("portal", "Agency")
    rules = {a.pk: (a.count_repeats_once, a.repeat_window_days) for a in Agency.objects.all()}
    trajectories = Activity.objects.order_by().values_list("trajectory_id", "agency_id").distinct()
    for trajectory_id, agency_id in trajectories.iterator():
        on, days = rules.get(agency_id, (True, 30))
        if not on:
            continue
        with transaction.atomic():
            rows = list(
                Activity.objects.filter(trajectory_id=trajectory_id).only(
                    "pk", "uuid", "kind", "organisation", "vacancy_title", "date", "created_at"
                )
            )
            found = repeats(rows, window_days=days)
            for pk, uuid in found.items():
                Activity.objects.filter(pk=pk).update(repeat_of=uuid)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("portal", "0018_repeats"),
        ("sollicitaties", "0007_repeats"),
    ]

    operations = [migrations.RunPython(judge, migrations.RunPython.noop)]
