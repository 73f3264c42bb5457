"""A person's shown names (Persian and English pages) and death date, kept on the person
(``inquest.web.registry.persons``); filled here for persons written before, in batches."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

BATCH = 1000


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from inquest.web.registry.persons import SUMMARY_FIELDS, refresh

    person_model = apps.get_model("registry", "Person")
    version_model = apps.get_model("registry", "RecordVersion")
    ids = list(person_model.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        refresh(
            ids[start : start + BATCH],
            person_model=person_model,
            version_model=version_model,
            fields=SUMMARY_FIELDS,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0009_source_editions"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="death_earliest",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="person",
            name="death_latest",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="person",
            name="name_en",
            field=models.CharField(
                blank=True, help_text="name shown in English: Latin script first", max_length=300
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="name_fa",
            field=models.CharField(
                blank=True, help_text="name shown in Persian: Persian script first", max_length=300
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["name_en", "id"], name="person_name_en"),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["name_fa", "id"], name="person_name_fa"),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["death_earliest", "id"], name="person_death"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
