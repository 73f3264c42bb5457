"""Database triggers that refuse to change or delete rows the workbench never edits.

The models refuse such writes already (``save``/``delete``); the triggers also stop bulk
``QuerySet.update``/``delete`` and anyone writing SQL through the application's connection.
Someone with rights over the schema can still drop them: the audit log's hash chain is what
makes that visible. Used from migrations on SQLite and PostgreSQL.

SQLite loses a table's triggers when a migration rebuilds the table; a test checks that they
are in force after all migrations, so a later migration that drops them is caught.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def _names(table: str) -> tuple[str, str, str]:
    return f"{table}_no_update", f"{table}_no_delete", f"{table}_append_only"


def protect(
    schema_editor: BaseDatabaseSchemaEditor,
    table: str,
    frozen: Sequence[str],
    *,
    delete: bool,
) -> None:
    """Refuse UPDATEs that change any ``frozen`` column (and DELETEs, if ``delete``)."""
    no_update, no_delete, function = _names(table)
    message = f"{table}: rows are append-only; columns {', '.join(frozen)} never change"
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER {no_update} BEFORE UPDATE OF {', '.join(frozen)} ON {table} "
            f"FOR EACH ROW WHEN {_changed(frozen, 'IS NOT')} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )
        if delete:
            schema_editor.execute(
                f"CREATE TRIGGER {no_delete} BEFORE DELETE ON {table} FOR EACH ROW "
                f"BEGIN SELECT RAISE(ABORT, '{table}: rows are never deleted'); END"
            )
    elif vendor == "postgresql":
        deleting = (
            f"IF TG_OP = 'DELETE' THEN RAISE EXCEPTION '{table}: rows are never deleted'; END IF;"
            if delete
            else "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;"
        )
        schema_editor.execute(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{deleting} "
            f"IF {_changed(frozen, 'IS DISTINCT FROM')} THEN RAISE EXCEPTION '{message}'; END IF; "
            f"RETURN NEW; END $$"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {no_update} BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise NotImplementedError(f"append-only triggers for {vendor}")


def unprotect(schema_editor: BaseDatabaseSchemaEditor, table: str) -> None:
    """Remove what ``protect`` made (for migrating backwards)."""
    no_update, no_delete, function = _names(table)
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {no_update}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {no_delete}")
    elif vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {no_update} ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}()")


def _changed(columns: Sequence[str], op: str) -> str:
    return " OR ".join(f"NEW.{c} {op} OLD.{c}" for c in columns)
