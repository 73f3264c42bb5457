"""Two more guards on the audit table: its ids never change (renumbering entries would reorder
the chain), and on PostgreSQL TRUNCATE is refused.

TRUNCATE is allowed only to a session that sets ``inquest.allow_truncate = 'yes'``: the test
suite's flush between transactional tests does (tests/web/conftest.py); the application never
does. As with every trigger, an owner of the schema can drop it; the hash chain and a head
kept elsewhere (``inquest audit head``) are what make that visible.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TABLE = "audit_auditentry"
RENUMBER = f"{TABLE}_no_renumber"
TRUNCATE = f"{TABLE}_no_truncate"


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER {RENUMBER} BEFORE UPDATE OF id ON {TABLE} FOR EACH ROW "
            f"WHEN NEW.id IS NOT OLD.id "
            f"BEGIN SELECT RAISE(ABORT, '{TABLE}: rows are append-only; ids never change'); END"
        )
        return
    schema_editor.execute(
        f"CREATE FUNCTION {RENUMBER}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF NEW.id IS DISTINCT FROM OLD.id THEN "
        f"RAISE EXCEPTION '{TABLE}: rows are append-only; ids never change'; END IF; "
        f"RETURN NEW; END $$"
    )
    schema_editor.execute(
        f"CREATE TRIGGER {RENUMBER} BEFORE UPDATE OF id ON {TABLE} "
        f"FOR EACH ROW EXECUTE FUNCTION {RENUMBER}()"
    )
    schema_editor.execute(
        f"CREATE FUNCTION {TRUNCATE}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF coalesce(current_setting('inquest.allow_truncate', true), '') <> 'yes' THEN "
        f"RAISE EXCEPTION '{TABLE}: rows are never deleted (TRUNCATE refused)'; END IF; "
        f"RETURN NULL; END $$"
    )
    schema_editor.execute(
        f"CREATE TRIGGER {TRUNCATE} BEFORE TRUNCATE ON {TABLE} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {TRUNCATE}()"
    )


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {RENUMBER}")
        return
    for name in (RENUMBER, TRUNCATE):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {TABLE}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [migrations.RunPython(forwards, backwards)]
