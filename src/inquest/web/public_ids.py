"""Give existing rows their public ids (``uid``) in a migration, batch by batch.

Pages and the API name records, places, events, runs and artefacts by a random UUID, not by
their sequential primary key (which would tell how many rows there are, hidden ones too).
Rows made before the ``uid`` column existed get one here, in SQL, a range of primary keys at
a time, so a table of millions of rows is neither loaded into Python nor updated in one
statement.
"""

from __future__ import annotations

from django.db.backends.base.schema import BaseDatabaseSchemaEditor

BATCH = 50_000


def fill_uids(schema_editor: BaseDatabaseSchemaEditor, table: str, *, batch: int = BATCH) -> int:
    """Set a random ``uid`` on every row of ``table`` that has none; returns how many."""
    connection = schema_editor.connection
    quoted = connection.ops.quote_name(table)
    if connection.vendor == "postgresql":
        fresh = "gen_random_uuid()"  # built in from PostgreSQL 13
    elif connection.vendor == "sqlite":
        fresh = "lower(hex(randomblob(16)))"  # Django keeps UUIDs as 32 hex digits here
    else:
        raise NotImplementedError(f"no random UUID function known for {connection.vendor}")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(id), MAX(id) FROM {quoted}")  # noqa: S608
        low, high = cursor.fetchone()
        if low is None:
            return 0
        done = 0
        # The table name comes from the migration; the bounds are parameters.
        sql = f"UPDATE {quoted} SET uid = {fresh} WHERE uid IS NULL AND id >= %s AND id < %s"  # noqa: S608
        for start in range(int(low), int(high) + 1, batch):
            cursor.execute(sql, [start, start + batch])
            done += max(cursor.rowcount, 0)
    return done
