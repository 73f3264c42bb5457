"""Fast inserts for imports: rows go to the database with ``COPY`` (PostgreSQL) or
``executemany`` (SQLite), no model objects.

Used by the registry services for the tables an import fills (records, their first versions,
search rows), where building a model instance per row cost more than the insert itself.
Values are adapted as the ORM would (JSON, aware datetimes); the caller gives every column
that has no database default.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models

BATCH = 5000


def insert(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[object]]
) -> int:
    """Insert ``rows`` (values in ``columns`` order) into ``model``'s table; returns the count."""
    fields: list[models.Field[Any, Any]] = []
    for name in columns:
        field = model._meta.get_field(name)
        if not isinstance(field, models.Field):
            raise TypeError(f"{model.__name__}.{name} is not a column")
        fields.append(field)
    # Values the database takes in another form than Python's (JSON text; UUIDs as hex on SQLite).
    json_at = [
        i for i, f in enumerate(fields) if isinstance(f, models.JSONField | models.UUIDField)
    ]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    if connection.vendor == "postgresql":
        return _copy(table, names, fields, json_at, rows)
    marks = ", ".join(["%s"] * len(fields))
    # Table and column names come from the model's metadata; values are parameters.
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
    n = 0
    batch: list[list[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            values = list(row)
            for i in json_at:
                values[i] = fields[i].get_db_prep_save(values[i], connection)
            batch.append(values)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                n += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            n += len(batch)
    return n


def _copy(
    table: str,
    names: str,
    fields: list[models.Field[Any, Any]],
    json_at: list[int],
    rows: Iterable[Sequence[object]],
) -> int:
    """PostgreSQL: the same rows through ``COPY ... FROM STDIN`` (many times faster)."""
    n = 0
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own cursor, for its COPY support
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                values = list(row)
                for i in json_at:
                    values[i] = fields[i].get_db_prep_save(values[i], connection)
                copy.write_row(values)
                n += 1
    return n


def db_now(now: dt.datetime) -> object:
    """``now`` as the database takes a datetime column's value."""
    return connection.ops.adapt_datetimefield_value(now)
