"""dga's input: the observed capture patterns as a full table, and the prior over graphs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from inquest.errors import ConfigError, EstimationError, InputError
from inquest.estimate.dga._graphs import (
    MAX_VERTICES,
    decomposable_graphs,
    graph_design,
    graph_labels,
)
from inquest.estimate.dga._posterior import with_graph_prior

IntArray = npt.NDArray[np.int64]
GraphPrior = Callable[[tuple[tuple[str, ...], ...]], float] | Sequence[float]

MIN_LISTS = 3


def capture_table(
    patterns: npt.ArrayLike, counts: npt.ArrayLike, lists: Sequence[str] | None
) -> tuple[IntArray, tuple[str, ...]]:
    """Validate the observed patterns and return the full 2^J table (index sum x_i 2^i)."""
    pat = np.asarray(patterns)
    cnt = np.asarray(counts)
    if pat.ndim != 2:
        raise InputError(
            "capture patterns must be a 2-D array (patterns x lists)", field="patterns"
        )
    m, J = pat.shape
    if not MIN_LISTS <= J <= MAX_VERTICES:
        raise InputError(
            f"dga needs {MIN_LISTS} to {MAX_VERTICES} lists, got {J}", field="patterns"
        )
    if cnt.shape != (m,):
        raise InputError(f"counts must have one value per pattern ({m})", field="counts")
    if not np.all((pat == 0) | (pat == 1)):
        row = int(np.argwhere(~((pat == 0) | (pat == 1)))[0, 0]) + 1
        raise InputError("capture patterns must be 0 or 1", row=row, field="patterns")
    if not np.all(np.isfinite(cnt.astype(np.float64))) or np.any(cnt != np.round(cnt)):
        row = int(np.argwhere(~(np.isfinite(cnt) & (cnt == np.round(cnt))))[0, 0]) + 1
        raise InputError("counts must be whole numbers", row=row, field="counts")
    if np.any(cnt < 0):
        raise InputError(
            "counts must not be negative", row=int(np.argmax(cnt < 0)) + 1, field="counts"
        )
    index = pat.astype(np.int64) @ (1 << np.arange(J, dtype=np.int64))
    if np.any((index == 0) & (cnt > 0)):
        row = int(np.argmax((index == 0) & (cnt > 0))) + 1
        raise InputError(
            "a pattern recorded by no list cannot have observed persons", row=row, field="patterns"
        )
    names = tuple(f"L{i + 1}" for i in range(J)) if lists is None else tuple(lists)
    if len(names) != J or len(set(names)) != J:
        raise InputError(f"lists must be {J} distinct names, one per column", field="lists")
    table = np.zeros(1 << J, dtype=np.int64)
    np.add.at(table, index, cnt.astype(np.int64))
    if table.sum() == 0:
        raise EstimationError("no one was recorded by any list: there is nothing to estimate")
    return table, names


def dga_graphs(lists: Sequence[str]) -> tuple[str, ...]:
    """The labels of every decomposable graph on these lists, in dga's weight order."""
    names = tuple(lists)
    if not MIN_LISTS <= len(names) <= MAX_VERTICES:
        raise InputError(f"dga needs {MIN_LISTS} to {MAX_VERTICES} lists", field="lists")
    return graph_labels(len(names), names)


def design_with_prior(
    J: int, names: tuple[str, ...], log_graph_prior: GraphPrior | None
) -> tuple[Any, str]:
    """The graphs' design, with a column of log prior weights unless the prior is uniform."""
    design = graph_design(J)
    if log_graph_prior is None:
        return design, "uniform"
    graphs = decomposable_graphs(J)
    if callable(log_graph_prior):
        values = [
            float(log_graph_prior(tuple(tuple(names[v] for v in c) for c in g.cliques)))
            for g in graphs
        ]
    else:
        values = [float(v) for v in log_graph_prior]
    weights = np.asarray(values, dtype=np.float64)
    if weights.shape != (len(graphs),):
        raise ConfigError(
            f"log_graph_prior needs one value per graph ({len(graphs)} for {J} lists)",
            key="log_graph_prior",
        )
    if np.any(np.isnan(weights) | (weights == np.inf)) or not np.any(np.isfinite(weights)):
        raise ConfigError(
            "log_graph_prior values must be finite or -inf, and not all -inf",
            key="log_graph_prior",
        )
    return with_graph_prior(design, weights), "custom"
