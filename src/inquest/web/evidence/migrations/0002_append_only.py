"""Custody events are append-only, and an item's digests and names never change, in the
database too (see ``inquest.web.append_only``)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from inquest.web.append_only import protect, unprotect

CUSTODY = "evidence_custodyevent"
CUSTODY_FROZEN = (
    "item_id",
    "action",
    "at",
    "actor_id",
    "actor_label",
    "place",
    "reason",
    "detail",
    "confidentiality",
)
ITEMS = "evidence_evidenceitem"
ITEM_FROZEN = ("uid", "sha256", "sha512", "size", "original_name", "created_at", "created_by_id")


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    protect(schema_editor, CUSTODY, CUSTODY_FROZEN, delete=True)
    protect(schema_editor, ITEMS, ITEM_FROZEN, delete=True)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    unprotect(schema_editor, CUSTODY)
    unprotect(schema_editor, ITEMS)


class Migration(migrations.Migration):
    dependencies = [("evidence", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
