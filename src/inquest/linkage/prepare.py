"""Prepare: derive the compared columns from records in the standard list format.

:func:`prepare_batch` is a pure function of one Arrow record batch, so the same code runs in
process (DuckDB engine) and on Spark executors (``mapInArrow``). :func:`prepare` numbers the
records (``unique_id``) and maps the batches, with the distinct values of big columns spread
over every core (:func:`inquest.linkage._arrow.distinct_values_in_parallel`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from inquest.linkage._arrow import distinct_values_in_parallel, usable_cores
from inquest.linkage._dates import DATE_COLUMNS, date_features
from inquest.linkage._names import (
    NAME_COLUMNS,
    family_first_lists,
    name_features,
    order_evidence,
)
from inquest.linkage._places import (
    PLACE_COLUMNS,
    OutsideGazetteer,
    gazetteer_scope,
    place_features,
)

__all__ = [
    "PREPARED_COLUMNS",
    "PREPARED_SCHEMA",
    "OutsideGazetteer",
    "gazetteer_scope",
    "prepare",
    "prepare_batch",
    "prepare_batches",
    "prepare_on_spark",
]

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


def prepare_batch(
    batch: pa.RecordBatch,
    family_first: frozenset[str] | None = None,
    outside: tuple[OutsideGazetteer, ...] = (),
) -> pa.RecordBatch:
    """Prepared columns for one batch that already has ``unique_id`` and the standard columns.

    ``family_first``: the lists that write names family first (default: decided from this
    batch; see the module's docstring). ``outside``: the lists' place columns compared as
    written (:func:`gazetteer_scope`; default: every place is looked up).
    """
    cols = {
        "unique_id": batch.column("unique_id"),
        "list": batch.column("list"),
        "record_id": batch.column("record_id"),
        "row": batch.column("row"),
        **name_features(batch, family_first),
        **date_features(batch),
        **place_features(batch, outside),
    }
    arrays = [cols[name].cast(t) for name, t in PREPARED_COLUMNS.items()]
    return pa.RecordBatch.from_arrays(arrays, schema=PREPARED_SCHEMA)


def prepare_batches(
    batches: Iterator[pa.RecordBatch],
    family_first: frozenset[str] | None = None,
    outside: tuple[OutsideGazetteer, ...] = (),
) -> Iterator[pa.RecordBatch]:
    """:func:`prepare_batch` over a stream (the shape Spark's ``mapInArrow`` wants)."""
    for batch in batches:
        yield prepare_batch(batch, family_first, outside)


_EVIDENCE_COLUMNS: dict[str, pa.DataType] = {
    "list": pa.string(),
    "order": pa.string(),
    "n": pa.int64(),
}
_EVIDENCE_SCHEMA = pa.schema(list(_EVIDENCE_COLUMNS.items()))


def _order_evidence_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Each batch's count of names per list and order (for ``mapInArrow``)."""
    for batch in batches:
        rows = [
            {"list": name, "order": order, "n": n}
            for name, seen in order_evidence(batch).items()
            for order, n in seen.items()
        ]
        yield pa.RecordBatch.from_pylist(rows, schema=_EVIDENCE_SCHEMA)


def _numbered(records: pa.Table) -> pa.Table:
    """The records with ``unique_id`` 0..n-1, in one chunk."""
    ids = pa.array(range(records.num_rows), pa.int64())
    return records.append_column("unique_id", ids).combine_chunks()


def prepare_on_spark(
    records: pa.Table, spark: Any, outside: tuple[OutsideGazetteer, ...] | None = None
) -> pa.Table:
    """:func:`prepare` with the batches mapped on ``spark``'s executors (``mapInArrow``).

    The lists' name order is counted over every partition first (one pass over the full
    names), so each partition reads a list's names in the same order as :func:`prepare`;
    ``outside`` as in :func:`prepare` (decided here, on the driver, by default).
    The prepared table comes back to this process as Arrow, in ``unique_id`` order.
    """
    if records.num_rows == 0:
        return PREPARED_SCHEMA.empty_table()
    if outside is None:
        outside = gazetteer_scope(records)
    with warnings.catch_warnings():
        # PySpark checks the pandas version on its Arrow paths; this one never uses pandas
        warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas")
        from pyspark.sql.pandas.types import from_arrow_schema

        frame = spark.createDataFrame(_numbered(records))
        evidence: dict[str, dict[str, int]] = {}
        counted = (
            frame.select("list", "full_name")
            .mapInArrow(_order_evidence_batches, from_arrow_schema(_EVIDENCE_SCHEMA))
            .groupBy("list", "order")
            .sum("n")
            .collect()
        )
        for name, order, n in counted:
            evidence.setdefault(name, {})[order] = int(n)
        prepared = frame.mapInArrow(
            partial(prepare_batches, family_first=family_first_lists(evidence), outside=outside),
            from_arrow_schema(PREPARED_SCHEMA),
        ).toArrow()
    by_id = pc.sort_indices(prepared, [("unique_id", "ascending")])
    out: pa.Table = prepared.take(by_id).cast(PREPARED_SCHEMA).combine_chunks()
    return out


#: Fewer records than this are prepared in this process alone: forking costs more.
PARALLEL_MIN_ROWS = 2_000


def prepare(
    records: pa.Table,
    *,
    batch_size: int = 100_000,
    on_batch: Callable[[int], None] | None = None,
    workers: int | None = None,
    outside: tuple[OutsideGazetteer, ...] | None = None,
) -> pa.Table:
    """Number the records 0..n-1 as ``unique_id`` and derive the prepared columns.

    ``records`` is a table from :func:`inquest.io.read_lists`. ``on_batch(rows)`` is called
    after each batch (for progress bars). ``workers`` processes share the parsing (default:
    one per usable core from :data:`PARALLEL_MIN_ROWS` records on); the result is the same.
    ``outside``: the lists' place columns compared as written, not looked up in the gazetteer
    (default: decided by :func:`gazetteer_scope`; ``()`` looks every place up).
    """
    n = records.num_rows
    if outside is None:
        outside = gazetteer_scope(records)
    # one chunk: batches may span lists, whose names and dates repeat across lists
    numbered = _numbered(records)
    if workers is None:
        workers = usable_cores() if n >= PARALLEL_MIN_ROWS else 1
    out = []
    with distinct_values_in_parallel(workers):
        for batch in numbered.to_batches(max_chunksize=batch_size):
            out.append(prepare_batch(batch, outside=outside))
            if on_batch is not None:
                on_batch(batch.num_rows)
    if not out:
        return PREPARED_SCHEMA.empty_table()
    return pa.Table.from_batches(out, schema=PREPARED_SCHEMA)
