"""Drop the append-only triggers inside a test, as someone with rights over the schema could.

The test's transaction is rolled back afterwards, triggers included (DDL is transactional on
SQLite and PostgreSQL).
"""

from __future__ import annotations

from django.db import connection


def drop_guards(table: str) -> None:
    """Remove the append-only triggers of ``table`` for the rest of this test."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER {table}_no_update")
            cursor.execute(f"DROP TRIGGER {table}_no_delete")
        else:
            cursor.execute(f"DROP TRIGGER {table}_no_update ON {table}")
