"""Predict: score candidate pairs with the trained model, and score chosen pairs on demand."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from inquest.linkage.engine import Engine

__all__ = ["EDGE_SCHEMA", "edges", "predict", "score_pairs"]

_FIELDS: list[pa.Field[Any]] = [
    pa.field("unique_id_l", pa.int64()),
    pa.field("unique_id_r", pa.int64()),
    pa.field("match_probability", pa.float64()),
]
EDGE_SCHEMA = pa.schema(_FIELDS)


def predict(linker: Any, threshold: float) -> Any:
    """Pairs found by the blocking rules with ``match_probability >= threshold`` (Splink frame)."""
    return linker.inference.predict(threshold_match_probability=threshold)


def edges(engine: Engine, predictions: Any) -> pa.Table:
    """The ``unique_id_l, unique_id_r, match_probability`` columns of a prediction frame."""
    cols = (
        "CAST(unique_id_l AS BIGINT) AS unique_id_l, CAST(unique_id_r AS BIGINT) AS unique_id_r, "
        "CAST(match_probability AS DOUBLE) AS match_probability"
    )
    sql = f"SELECT {cols} FROM {predictions.physical_name}"  # noqa: S608 (Splink's table)
    return engine.sql_arrow(sql).cast(EDGE_SCHEMA)


def score_pairs(linker: Any, engine: Engine, pairs: pa.Table) -> tuple[pa.Table, Any]:
    """Score exactly the given pairs (``unique_id_l < unique_id_r``), whatever the blocking.

    Returns the edges and the Splink prediction frame (with every comparison column).
    """
    if pairs.num_rows == 0:
        return EDGE_SCHEMA.empty_table(), None
    lo = pc.min_element_wise(pairs.column("unique_id_l"), pairs.column("unique_id_r"))
    hi = pc.max_element_wise(pairs.column("unique_id_l"), pairs.column("unique_id_r"))
    blocked = pa.table(
        {
            "match_key": pa.array(["0"] * pairs.num_rows, pa.string()),
            "join_key_l": lo,
            "join_key_r": hi,
        }
    )
    registered = engine.register(blocked)
    # The registration stays until the next one: a later plain predict() would score these
    # pairs again. (Splink's invalidate_cache() would drop every earlier prediction table.)
    linker.table_management.register_blocked_pairs_for_predict(registered)
    frame = linker.inference.predict()
    return edges(engine, frame), frame
