"""Review decisions are append-only in the database too (see ``inquest.web.append_only``)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from inquest.web.append_only import protect, unprotect

TABLE = "linking_reviewdecision"
FROZEN = (
    "record_a_id",
    "record_b_id",
    "judgement",
    "note",
    "supersedes_id",
    "linkage_run_id",
    "match_probability",
    "decided_by_id",
    "decided_at",
    "confidentiality",
)


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    protect(schema_editor, TABLE, FROZEN, delete=True)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    unprotect(schema_editor, TABLE)


class Migration(migrations.Migration):
    dependencies = [("linking", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
