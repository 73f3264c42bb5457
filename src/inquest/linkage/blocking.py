"""Blocking recall: how many true pairs the blocking rules find (needs truth)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

__all__ = ["BlockingRecall", "blocking_recall"]


@dataclass(frozen=True)
class BlockingRecall:
    """Share of true pairs that at least one blocking rule finds, overall and per rule."""

    true_pairs: int
    found: int
    recall: float
    per_rule: dict[str, float]


def _true_pairs(truth: np.ndarray[Any, Any]) -> pa.Table:
    order = np.argsort(truth, kind="stable")
    t_sorted = truth[order]
    starts = np.flatnonzero(np.r_[True, t_sorted[1:] != t_sorted[:-1]])
    ends = np.r_[starts[1:], len(t_sorted)]
    left: list[np.ndarray[Any, Any]] = []
    right: list[np.ndarray[Any, Any]] = []
    for s, e in zip(starts, ends, strict=True):
        if e - s < 2:
            continue
        ids = np.sort(order[s:e])
        i, j = np.triu_indices(len(ids), 1)
        left.append(ids[i])
        right.append(ids[j])
    lv = np.concatenate(left) if left else np.array([], "int64")
    rv = np.concatenate(right) if right else np.array([], "int64")
    return pa.table({"l_id": pa.array(lv.astype("int64")), "r_id": pa.array(rv.astype("int64"))})


def blocking_recall(prepared: pa.Table, truth: Any, rules: list[str]) -> BlockingRecall:
    """Blocking recall of ``rules`` on ``prepared`` records whose true person is ``truth``.

    ``truth[i]`` labels the record with ``unique_id == i``. Runs on DuckDB in process.
    """
    import duckdb

    labels = np.asarray(truth)
    codes = np.unique(labels, return_inverse=True)[1]
    pairs = _true_pairs(codes)
    con = duckdb.connect()
    con.register("recs", prepared)
    con.register("pairs", pairs)
    exprs = ", ".join(f"coalesce(({rule}), false) AS r{i}" for i, rule in enumerate(rules))
    sql = (
        f"SELECT {exprs} FROM pairs p "  # noqa: S608 (rules are the model's own SQL)
        "JOIN recs l ON l.unique_id = p.l_id JOIN recs r ON r.unique_id = p.r_id"
    )
    hits = con.sql(sql).fetchnumpy()
    con.close()
    n = pairs.num_rows
    if n == 0:
        return BlockingRecall(0, 0, 1.0, {r: 1.0 for r in rules})
    mat = np.column_stack([np.asarray(hits[f"r{i}"], bool) for i in range(len(rules))])
    found = int(mat.any(axis=1).sum())
    return BlockingRecall(
        true_pairs=n,
        found=found,
        recall=found / n,
        per_rule={r: float(mat[:, i].mean()) for i, r in enumerate(rules)},
    )
