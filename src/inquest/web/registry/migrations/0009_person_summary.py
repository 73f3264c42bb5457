"""A person's shown names (Persian and English pages) and death date, kept on the person
(``inquest.web.registry.persons``); filled here for persons written before, in batches."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

BATCH = 1000


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from inquest.web.registry.persons import FIELDS, summarise

    person_model = apps.get_model("registry", "Person")
    version_model = apps.get_model("registry", "RecordVersion")
    ids = list(person_model.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        latest: dict[int, tuple[int, dict[str, str]]] = {}
        for person_id, record_id, raw in (
            version_model.objects.filter(record__membership__person_id__in=chunk)
            .order_by("record_id", "number")
            .values_list("record__membership__person_id", "record_id", "raw")
        ):
            latest[record_id] = (person_id, raw)
        raws: dict[int, list[dict[str, str]]] = {pk: [] for pk in chunk}
        for record_id in sorted(latest):
            person_id, raw = latest[record_id]
            raws[person_id].append(raw)
        persons = []
        for pk in chunk:
            summary = summarise(raws[pk])
            person = person_model(pk=pk)
            for name in FIELDS:
                setattr(person, name, getattr(summary, name))
            persons.append(person)
        person_model.objects.bulk_update(persons, FIELDS, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0008_prepared_statement_values"),
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
