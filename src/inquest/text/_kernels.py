"""Jitted kernels: a weighted edit distance over symbol-id arrays (one JIT policy here)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["edit_cost", "edit_costs"]


@njit(cache=True, nogil=True)
def edit_cost(
    a: npt.NDArray[np.int32],
    b: npt.NDArray[np.int32],
    sub: npt.NDArray[np.float64],
    indel: npt.NDArray[np.float64],
) -> float:  # pragma: no cover - compiled
    """Minimum total cost to turn ``a`` into ``b`` (substitution, insertion, deletion)."""
    n = a.shape[0]
    m = b.shape[0]
    prev = np.empty(m + 1, dtype=np.float64)
    cur = np.empty(m + 1, dtype=np.float64)
    prev[0] = 0.0
    for j in range(1, m + 1):
        prev[j] = prev[j - 1] + indel[b[j - 1]]
    for i in range(1, n + 1):
        ai = a[i - 1]
        cur[0] = prev[0] + indel[ai]
        for j in range(1, m + 1):
            bj = b[j - 1]
            best = prev[j - 1] + sub[ai, bj]
            d = prev[j] + indel[ai]
            if d < best:
                best = d
            ins = cur[j - 1] + indel[bj]
            if ins < best:
                best = ins
            cur[j] = best
        prev, cur = cur, prev
    return float(prev[m])


@njit(cache=True, nogil=True)
def edit_costs(
    flat_a: npt.NDArray[np.int32],
    off_a: npt.NDArray[np.int64],
    flat_b: npt.NDArray[np.int32],
    off_b: npt.NDArray[np.int64],
    sub: npt.NDArray[np.float64],
    indel: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:  # pragma: no cover - compiled
    """``edit_cost`` for many pairs: pair k is ``flat_a[off_a[k]:off_a[k+1]]`` vs the same in b."""
    k = off_a.shape[0] - 1
    out = np.empty(k, dtype=np.float64)
    for i in range(k):
        out[i] = edit_cost(
            flat_a[off_a[i] : off_a[i + 1]], flat_b[off_b[i] : off_b[i + 1]], sub, indel
        )
    return out


@njit(cache=True, nogil=True)
def prefix_cost(
    a: npt.NDArray[np.int32],
    b: npt.NDArray[np.int32],
    sub: npt.NDArray[np.float64],
    indel: npt.NDArray[np.float64],
) -> tuple[float, float]:  # pragma: no cover - compiled
    """Cheapest cost to turn ``a`` into some prefix of ``b``, and the indel mass of the rest."""
    n = a.shape[0]
    m = b.shape[0]
    d = np.empty((n + 1, m + 1), dtype=np.float64)
    d[0, 0] = 0.0
    for j in range(1, m + 1):
        d[0, j] = d[0, j - 1] + indel[b[j - 1]]
    for i in range(1, n + 1):
        ai = a[i - 1]
        d[i, 0] = d[i - 1, 0] + indel[ai]
        for j in range(1, m + 1):
            bj = b[j - 1]
            best = d[i - 1, j - 1] + sub[ai, bj]
            x = d[i - 1, j] + indel[ai]
            if x < best:
                best = x
            x = d[i, j - 1] + indel[bj]
            if x < best:
                best = x
            d[i, j] = best
    best_j = 0
    for j in range(1, m + 1):
        if d[n, j] < d[n, best_j]:
            best_j = j
    rest = 0.0
    for j in range(best_j, m):
        rest += indel[b[j]]
    return float(d[n, best_j]), rest
