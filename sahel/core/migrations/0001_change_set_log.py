from django.db import migrations, models

HISTORY_APPS = ("actors", "affiliations", "events", "places", "sources")


def number_existing_change_sets(apps, schema_editor):
    """Change sets written before the log existed, numbered in stamp order."""
    ChangeSetLog = apps.get_model("sahel", "ChangeSetLog")
    found = {}
    for label in HISTORY_APPS:
        for model in apps.get_app_config(label).get_models():
            if not model.__name__.startswith("Historical"):
                continue
            rows = (
                model._default_manager.filter(change_set__isnull=False)
                .values_list("change_set", "history_date", "history_change_reason")
                .iterator()
            )
            for change_set, time, reason in rows:
                known = found.get(change_set)
                if known is None or time < known[0]:
                    found[change_set] = (time, reason or "")
    ordered = sorted(found.items(), key=lambda item: (item[1][0], str(item[0])))
    ChangeSetLog.objects.bulk_create(
        [
            ChangeSetLog(seq=seq, change_set=change_set, time=time, reason=reason)
            for seq, (change_set, (time, reason)) in enumerate(ordered, start=1)
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    initial = True

    dependencies = [(label, "0001_initial") for label in HISTORY_APPS]

    operations = [
        migrations.CreateModel(
            name="ChangeSetLog",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.BigIntegerField(unique=True)),
                ("change_set", models.UUIDField(unique=True)),
                ("time", models.DateTimeField(help_text="The change set's instant (its history_date).")),
                ("reason", models.TextField(blank=True)),
            ],
            options={"ordering": ["seq"]},
        ),
        migrations.CreateModel(
            name="CommitOrderLock",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ],
        ),
        migrations.RunPython(number_existing_change_sets, migrations.RunPython.noop),
    ]
