"""Record versions are append-only in the database too (see ``inquest.web.append_only``)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from inquest.web.append_only import protect, unprotect

TABLE = "registry_recordversion"
FROZEN = ("record_id", "number", "raw", "reason", "created_by_id", "created_at")


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    protect(schema_editor, TABLE, FROZEN, delete=True)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    unprotect(schema_editor, TABLE)


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_linkage_provenance")]

    operations = [migrations.RunPython(forwards, backwards)]
