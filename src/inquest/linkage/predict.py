"""Predict: score candidate pairs with the trained model, and score chosen pairs on demand.

On DuckDB the candidate pairs are found here, not by Splink. Splink joins the records once per
blocking rule and drops from each rule's pairs those an earlier rule found, by evaluating
every earlier rule on them: the 25th rule's pairs are tested against 24 rules, and all the
rules' columns travel with every pair. Here each rule only proposes the ids of its pairs;
a pair proposed by several rules is kept once, with the first rule that proposes it as its
``match_key`` (Splink's numbering), and Splink scores exactly those pairs. The pairs are
found and scored in chunks of the left-hand records, so the work in flight stays bounded
however many records there are. Spark keeps Splink's own blocking.

Finding the pairs needs no trained model: when they fit in one chunk,
:func:`find_pairs_in_background` finds them on a second DuckDB connection while Splink trains
on the first (training keeps about one core busy; finding the pairs takes the other).

Splink can also leave out the compared values and levels of every candidate pair (most are
dropped below the threshold): :func:`levels_from_weights` says whether each comparison's level
follows from its weight, and :func:`with_values` gives the kept pairs them back.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from inquest.linkage._threads import beside
from inquest.linkage.engine import Engine

__all__ = [
    "EDGE_SCHEMA",
    "PAIRS_PER_CHUNK",
    "PendingPairs",
    "blocked_pairs_sql",
    "chunks_for",
    "edges",
    "find_pairs_in_background",
    "forget_blocked_pairs",
    "levels_from_weights",
    "predict",
    "score_pairs",
    "with_values",
]

_FIELDS: list[pa.Field[Any]] = [
    pa.field("unique_id_l", pa.int64()),
    pa.field("unique_id_r", pa.int64()),
    pa.field("match_probability", pa.float64()),
]
EDGE_SCHEMA = pa.schema(_FIELDS)

#: Candidate pairs (before pairs found by several rules are counted once) found and scored
#: at a time: about 1.5 GB of DuckDB's working memory.
PAIRS_PER_CHUNK = 25_000_000


def blocked_pairs_sql(table: str, rules: Sequence[str], chunk: tuple[int, int] = (0, 1)) -> str:
    """SQL for the distinct pairs any of ``rules`` finds among ``table``'s records.

    Columns ``match_key`` (the first rule that finds the pair, as text, as Splink numbers
    it), ``join_key_l`` < ``join_key_r`` (``unique_id``s). ``chunk = (i, n)`` keeps the pairs
    whose left record has ``unique_id % n = i``; the chunks of one ``n`` partition the pairs.
    """
    i, n = chunk
    where = f" AND l.unique_id % {int(n)} = {int(i)}" if n > 1 else ""
    # both ids in one BIGINT (unique_id < 2^31): one hashed key instead of two
    proposed = " UNION ALL ".join(
        f"SELECT {k} AS k, (l.unique_id::BIGINT << 32) | r.unique_id::BIGINT AS lr "  # noqa: S608 (the model's own SQL)
        f"FROM {table} AS l JOIN {table} AS r ON ({rule}) "
        f"WHERE l.unique_id < r.unique_id{where}"
        for k, rule in enumerate(rules)
    )
    return (
        "SELECT CAST(min(k) AS VARCHAR) AS match_key, "  # noqa: S608 (the model's own SQL)
        "lr >> 32 AS join_key_l, lr & 4294967295 AS join_key_r "
        f"FROM ({proposed}) GROUP BY lr"
    )


def forget_blocked_pairs(linker: Any) -> None:
    """Drop the pairs registered for ``predict()`` from the linker's cache.

    A later plain ``linker.inference.predict()`` then blocks on the settings' own rules
    again, instead of scoring (or failing on a dropped table of) the pairs registered last.
    """
    cache = linker._intermediate_table_cache
    for key in [k for k, df in cache.items() if df.metadata.get("registered_for_predict")]:
        del cache[key]


def chunks_for(candidate_pairs: float) -> int:
    """How many chunks the pairs are found and scored in (see :data:`PAIRS_PER_CHUNK`)."""
    return max(1, math.ceil(candidate_pairs / PAIRS_PER_CHUNK))


@dataclass
class PendingPairs:
    """Candidate pairs being written to a DuckDB table on a second connection."""

    #: the table the pairs go to (``match_key, join_key_l, join_key_r``)
    name: str
    future: Future[float]
    engine: Engine

    def table(self) -> str:
        """The table's name once the pairs are in it (re-raises the thread's error)."""
        self.future.result()
        return self.name

    @property
    def wall_s(self) -> float:
        """Seconds the pairs took to find (once found)."""
        return self.future.result()

    def discard(self) -> None:
        """Wait for the thread and drop the table (when the run stops before scoring)."""
        # the run is already failing with its own error
        with contextlib.suppress(Exception):
            self.future.result()
        self.engine.db_api._con.execute(f"DROP TABLE IF EXISTS {self.name}")


def find_pairs_in_background(
    engine: Engine, records: pa.Table, rules: Sequence[str], candidate_pairs: float
) -> PendingPairs | None:
    """Start finding the distinct pairs of ``rules`` among ``records`` (an Arrow table with
    ``unique_id`` and the rules' columns) on a second DuckDB connection; None when the
    pairs need more than one chunk (found then at scoring time, to bound the memory) or on
    another engine. Hand the result to :func:`predict` as ``pending``.
    """
    if engine.name != "duckdb" or not rules or chunks_for(candidate_pairs) > 1:
        return None
    name = engine.new_table_name("inquest_blocked")
    source = engine.new_table_name("inquest_blocking_records")
    cursor = engine.db_api._con.cursor()

    def find() -> float:
        start = time.perf_counter()
        try:
            cursor.register(source, records)
            cursor.execute(f"CREATE TABLE {name} AS {blocked_pairs_sql(source, rules)}")
        finally:
            cursor.close()
        return time.perf_counter() - start

    return PendingPairs(name, beside(find, "inquest-blocking"), engine)


def _score_table(linker: Any, engine: Engine, name: str, threshold: float) -> Any:
    """Score the pairs in table ``name`` (then dropped) and keep those at ``threshold``."""
    try:
        registered = engine.db_api.register(name, table_name=name)
        linker.table_management.register_blocked_pairs_for_predict(registered)
        return linker.inference.predict(threshold_match_probability=threshold)
    finally:
        forget_blocked_pairs(linker)
        engine.db_api._con.execute(f"DROP TABLE IF EXISTS {name}")


def _score_chunk(linker: Any, engine: Engine, sql: str, threshold: float) -> Any:
    name = engine.new_table_name("inquest_blocked")
    engine.db_api._con.execute(f"CREATE TABLE {name} AS {sql}")
    return _score_table(linker, engine, name, threshold)


def predict(
    linker: Any,
    threshold: float,
    *,
    engine: Engine | None = None,
    records: Any = None,
    rules: Sequence[str] = (),
    candidate_pairs: float = 0.0,
    pending: PendingPairs | None = None,
) -> Any:
    """Pairs found by the blocking rules with ``match_probability >= threshold`` (Splink frame).

    With a DuckDB ``engine``, the Splink frame of the ``records`` and the (capped) ``rules``,
    the pairs are found here (see the module's docstring), in
    ``ceil(candidate_pairs / PAIRS_PER_CHUNK)`` chunks; otherwise Splink blocks on the rules
    of its settings. ``pending``: the same rules' pairs, already being found by
    :func:`find_pairs_in_background`.
    """
    if pending is not None:
        return _score_table(linker, pending.engine, pending.table(), threshold)
    if engine is None or engine.name != "duckdb" or records is None or not rules:
        return linker.inference.predict(threshold_match_probability=threshold)
    n = chunks_for(candidate_pairs)
    table = records.physical_name
    parts = [
        _score_chunk(linker, engine, blocked_pairs_sql(table, rules, (i, n)), threshold)
        for i in range(n)
    ]
    if len(parts) == 1:
        return parts[0]
    con = engine.db_api._con
    name = engine.new_table_name("inquest_predictions")
    union = " UNION ALL ".join(f"SELECT * FROM {p.physical_name}" for p in parts)  # noqa: S608 (Splink's tables)
    con.execute(f"CREATE TABLE {name} AS {union}")
    for p in parts:
        p.drop_table_from_database_and_remove_from_cache()
    return engine.db_api.register(name, table_name=name)


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

    Returns the edges and the Splink prediction frame (with what the linker's settings keep).
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
    linker.table_management.register_blocked_pairs_for_predict(registered)
    try:
        frame = linker.inference.predict()
    finally:
        # (Splink's invalidate_cache() would drop every earlier prediction table too.)
        forget_blocked_pairs(linker)
        if engine.name == "duckdb":  # the pairs were a view over this Arrow table
            engine.db_api._con.unregister(registered.physical_name)
    return edges(engine, frame), frame


def levels_from_weights(linker: Any) -> dict[str, str] | None:
    """Per comparison, SQL giving its level (``gamma_<name>``) back from its weight.

    Splink writes a comparison's weight (``mw_<name>``) as one constant per level, so when no
    two levels of a comparison have the same weight the level follows from the weight, and
    Splink need not keep the levels and compared values of every candidate pair. None when
    some comparison has two levels of equal weight, or a level without one.
    """
    out: dict[str, str] = {}
    for comp in linker._settings_obj.comparisons:
        whens: list[str] = []
        weights: set[float] = set()
        for level in comp.comparison_levels:
            weight = level._match_weight
            if weight is None or weight in weights:
                return None
            weights.add(weight)
            # the literal Splink writes for the weight, so the comparison is exact
            whens.append(
                f"WHEN {comp._mw_column_name} = cast({weight} as float8) "
                f"THEN {int(level.comparison_vector_value)}"
            )
        out[comp.output_column_name] = f"CASE {' '.join(whens)} END"
    return out


def with_values(
    engine: Engine, predictions: Any, records: Any, columns: Sequence[str], levels: dict[str, str]
) -> Any:
    """A view of scored pairs with what Splink's full output adds: each record's compared
    values (``<column>_l``, ``<column>_r``) and each comparison's level (``gamma_<name>``).

    ``predictions`` were scored without them (``retain_matching_columns: false``),
    ``levels`` is :func:`levels_from_weights` of the same model and ``records`` the Splink
    frame they were scored from. Nothing is computed until the view is read.
    """
    name = engine.new_table_name("inquest_pairs")
    first = "match_weight, match_probability, unique_id_l, unique_id_r"
    values = "".join(f', l."{c}" AS "{c}_l", r."{c}" AS "{c}_r"' for c in columns)
    gammas = "".join(f", {sql} AS gamma_{comp}" for comp, sql in levels.items())
    table = records.physical_name
    # Splink's order: scores and ids, values, levels, then its other columns
    head = ", ".join(f"p.{c}" for c in first.split(", "))
    engine.db_api._con.execute(
        f"CREATE VIEW {name} AS SELECT {head}{values}{gammas}, "  # noqa: S608 (the model's own SQL)
        f"p.* EXCLUDE ({first}) "
        f"FROM {predictions.physical_name} AS p "
        f"JOIN {table} AS l ON l.unique_id = p.unique_id_l "
        f"JOIN {table} AS r ON r.unique_id = p.unique_id_r"
    )
    return engine.db_api.register(name, table_name=name)
