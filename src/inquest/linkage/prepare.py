"""Prepare: derive the compared columns from records in the standard list format.

:func:`prepare_batch` is a pure function of one Arrow record batch, so the same code runs in
process (DuckDB engine) and on Spark executors (``mapInArrow``). :func:`prepare` numbers the
records (``unique_id``) and maps the batches, with the distinct values of big columns spread
over every core (:func:`inquest.linkage._arrow.distinct_values_in_parallel`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pyarrow as pa

from inquest.linkage._arrow import distinct_values_in_parallel, usable_cores
from inquest.linkage._dates import DATE_COLUMNS, date_features
from inquest.linkage._names import NAME_COLUMNS, name_features
from inquest.linkage._places import PLACE_COLUMNS, place_features

__all__ = ["PREPARED_COLUMNS", "PREPARED_SCHEMA", "prepare", "prepare_batch", "prepare_batches"]

PREPARED_COLUMNS: dict[str, pa.DataType] = {
    "unique_id": pa.int64(),
    "list": pa.string(),
    "record_id": pa.string(),
    "row": pa.int64(),
    **NAME_COLUMNS,
    **DATE_COLUMNS,
    **PLACE_COLUMNS,
}
PREPARED_SCHEMA = pa.schema(list(PREPARED_COLUMNS.items()))


def prepare_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Prepared columns for one batch that already has ``unique_id`` and the standard columns."""
    cols = {
        "unique_id": batch.column("unique_id"),
        "list": batch.column("list"),
        "record_id": batch.column("record_id"),
        "row": batch.column("row"),
        **name_features(batch),
        **date_features(batch),
        **place_features(batch),
    }
    arrays = [cols[name].cast(t) for name, t in PREPARED_COLUMNS.items()]
    return pa.RecordBatch.from_arrays(arrays, schema=PREPARED_SCHEMA)


def prepare_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """:func:`prepare_batch` over a stream (the shape Spark's ``mapInArrow`` wants)."""
    for batch in batches:
        yield prepare_batch(batch)


#: Fewer records than this are prepared in this process alone: forking costs more.
PARALLEL_MIN_ROWS = 2_000


def prepare(
    records: pa.Table,
    *,
    batch_size: int = 100_000,
    on_batch: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> pa.Table:
    """Number the records 0..n-1 as ``unique_id`` and derive the prepared columns.

    ``records`` is a table from :func:`inquest.io.read_lists`. ``on_batch(rows)`` is called
    after each batch (for progress bars). ``workers`` processes share the parsing (default:
    one per usable core from :data:`PARALLEL_MIN_ROWS` records on); the result is the same.
    """
    n = records.num_rows
    # one chunk: batches may span lists, whose names and dates repeat across lists
    numbered = records.append_column("unique_id", pa.array(range(n), pa.int64())).combine_chunks()
    if workers is None:
        workers = usable_cores() if n >= PARALLEL_MIN_ROWS else 1
    out = []
    with distinct_values_in_parallel(workers):
        for batch in numbered.to_batches(max_chunksize=batch_size):
            out.append(prepare_batch(batch))
            if on_batch is not None:
                on_batch(batch.num_rows)
    if not out:
        return PREPARED_SCHEMA.empty_table()
    return pa.Table.from_batches(out, schema=PREPARED_SCHEMA)
