"""On PostgreSQL, TRUNCATE of the audit table needs its owner, not only the setting.

Migration 0003 let any session that sets ``inquest.allow_truncate = 'yes'`` truncate the log,
so any role granted TRUNCATE could erase it. Now the trigger also requires the current role
to be the table's owner (``pg_class.relowner``), who could drop the trigger anyway. The test
suite's flush runs as the owner and still sets the setting (tests/web/conftest.py).
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# A fixed search_path: a session's own cannot put a look-alike of a catalog function first.
OWNER_ONLY = """
CREATE OR REPLACE FUNCTION audit_auditentry_no_truncate() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$ BEGIN
  IF coalesce(current_setting('inquest.allow_truncate', true), '') <> 'yes'
     OR NOT EXISTS (
       SELECT 1 FROM pg_catalog.pg_class WHERE oid = TG_RELID AND relowner = (
         SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)) THEN
    RAISE EXCEPTION 'audit_auditentry: rows are never deleted (TRUNCATE refused)';
  END IF;
  RETURN NULL;
END $$
"""
# As migration 0003 made it.
SETTING_ONLY = """
CREATE OR REPLACE FUNCTION audit_auditentry_no_truncate() RETURNS trigger LANGUAGE plpgsql
AS $$ BEGIN
  IF coalesce(current_setting('inquest.allow_truncate', true), '') <> 'yes' THEN
    RAISE EXCEPTION 'audit_auditentry: rows are never deleted (TRUNCATE refused)';
  END IF;
  RETURN NULL;
END $$
"""


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OWNER_ONLY)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SETTING_ONLY)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_no_renumber_no_truncate")]

    operations = [migrations.RunPython(forwards, backwards)]
