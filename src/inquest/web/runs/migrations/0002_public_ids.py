"""Public ids (``uid``) for runs and their artefacts: added empty, then filled in batches
(``inquest.web.public_ids``); 0003 makes them required and unique."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from inquest.web.public_ids import fill_uids

TABLES = {
    "linkagerun": "runs_linkagerun",
    "estimaterun": "runs_estimaterun",
    "artefact": "runs_artefact",
}


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for table in TABLES.values():
        fill_uids(schema_editor, table)


class Migration(migrations.Migration):
    # Each batch commits on its own: one transaction would hold the table's lock, and every
    # rewritten row, until the last batch.
    atomic = False

    dependencies = [("runs", "0001_initial")]

    operations = [
        *(
            migrations.AddField(model_name=model, name="uid", field=models.UUIDField(null=True))
            for model in TABLES
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
