"""Statements made before values were prepared hold the source's text as their value too:
give them the engine's prepared value (``inquest.linkage.values``), so the person page
compares "34" and "۳۴ ساله" as the same age. Rows whose value a user chose stay as they are."""

from django.db import migrations, transaction
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.db.models import F

BATCH = 1000


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from inquest.web.registry.properties import statement_properties

    statement = apps.get_model("registry", "Statement")
    properties = statement_properties()
    manager = statement.objects.using(schema_editor.connection.alias)
    after = 0
    while True:
        # Each batch commits on its own (the migration is not atomic); a batch done twice
        # changes nothing, as only values still equal to their original are prepared.
        with transaction.atomic(using=schema_editor.connection.alias):
            rows = list(
                manager.filter(pk__gt=after, value=F("original_value"))
                .order_by("pk")
                .only("pk", "prop", "value", "original_value")[:BATCH]
            )
            if not rows:
                return
            changed = []
            for row in rows:
                spec = properties.get(row.prop)
                prepared = spec.prepare(row.original_value) if spec is not None else row.value
                if prepared != row.value:
                    row.value = prepared
                    changed.append(row)
            manager.bulk_update(changed, ["value"], batch_size=BATCH)
        after = rows[-1].pk


class Migration(migrations.Migration):
    # Batches commit one by one: one transaction would hold every rewritten row's lock.
    atomic = False

    dependencies = [("registry", "0007_public_ids_required")]

    # Backwards keeps the prepared values: the code before this showed any value as text,
    # and a value a user chose cannot be told from one this prepared.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
