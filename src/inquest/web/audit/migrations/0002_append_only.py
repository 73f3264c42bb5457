"""Audit entries are append-only in the database too (see ``inquest.web.append_only``)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from inquest.web.append_only import protect, unprotect

TABLE = "audit_auditentry"
FROZEN = (
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "confidentiality",
    "detail",
    "prev_hash",
    "hash",
)


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    protect(schema_editor, TABLE, FROZEN, delete=True)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    unprotect(schema_editor, TABLE)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
