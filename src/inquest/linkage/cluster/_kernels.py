"""Jitted average linkage: one group's matrix, or every group of a clustering in one call."""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

__all__ = ["average_linkage_groups", "average_linkage_matrix"]

Array = np.ndarray[Any, Any]


@njit(cache=True, nogil=True)
def average_linkage_matrix(
    sim: Array, blocked: Array, threshold: float
) -> Array:  # pragma: no cover - compiled
    """Labels 0..c-1 of average-linkage clusters of one symmetric ``sim`` matrix.

    Merges the two clusters of highest average similarity (the first in row-major order on
    ties) while it is at least ``threshold``, never across a ``blocked`` pair. ``sim`` and
    ``blocked`` are overwritten.
    """
    k = sim.shape[0]
    total = sim
    for x in range(k):
        total[x, x] = 0.0
        blocked[x, x] = True
    size = np.ones(k)
    active = np.ones(k, dtype=np.bool_)
    label = np.arange(k)
    avg = np.empty((k, k))
    for x in range(k):
        for y in range(k):
            avg[x, y] = -np.inf if blocked[x, y] else total[x, y]
    while True:
        best = -np.inf
        a = 0
        b = 0
        for x in range(k):
            for y in range(k):
                if avg[x, y] > best:
                    best = avg[x, y]
                    a = x
                    b = y
        if not best >= threshold:
            break
        for x in range(k):  # merge b into a
            if label[x] == b:
                label[x] = a
        for y in range(k):
            total[a, y] += total[b, y]
        for y in range(k):
            total[y, a] = total[a, y]
        size[a] += size[b]
        for y in range(k):
            blocked[a, y] = blocked[a, y] or blocked[b, y]
        for y in range(k):
            blocked[y, a] = blocked[a, y]
        active[b] = False
        for y in range(k):
            total[b, y] = 0.0
            total[y, b] = 0.0
        for y in range(k):
            if blocked[a, y] or not active[y] or y == a:
                v = -np.inf
            else:
                v = total[a, y] / (size[a] * size[y])
            avg[a, y] = v
            avg[y, a] = v
        for y in range(k):
            avg[b, y] = -np.inf
            avg[y, b] = -np.inf
    # dense labels 0..c-1 in the order of the surviving label values (np.unique's order)
    dense = np.full(k, -1)
    values = np.unique(label)
    for c in range(values.shape[0]):
        dense[values[c]] = c
    out = np.empty(k, dtype=np.int64)
    for x in range(k):
        out[x] = dense[label[x]]
    return out


@njit(cache=True, nogil=True)
def average_linkage_groups(
    starts: Array,
    pair_starts: Array,
    i: Array,
    j: Array,
    prob: Array,
    block: Array,
    groups: Array,
    threshold: float,
) -> Array:  # pragma: no cover - compiled
    """Local labels of every member of the chosen ``groups`` (others stay 0).

    Group ``g`` has members ``starts[g]:starts[g + 1]`` and pairs
    ``pair_starts[g]:pair_starts[g + 1]`` joining local members ``i < j`` with probability
    ``prob`` (``block``: must stay apart).
    """
    out = np.zeros(starts[-1], dtype=np.int64)
    for gi in range(groups.shape[0]):
        g = groups[gi]
        k = starts[g + 1] - starts[g]
        sim = np.zeros((k, k))
        blk = np.zeros((k, k), dtype=np.bool_)
        for p in range(pair_starts[g], pair_starts[g + 1]):
            sim[i[p], j[p]] = prob[p]
            sim[j[p], i[p]] = prob[p]
            blk[i[p], j[p]] = block[p]
            blk[j[p], i[p]] = block[p]
        out[starts[g] : starts[g + 1]] = average_linkage_matrix(sim, blk, threshold)
    return out
