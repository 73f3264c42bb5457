"""Jitted samplers of partitions of one component (see :mod:`inquest.linkage.posterior`).

Every kernel works on ``k`` units (records joined by must-links) with a symmetric matrix
``lw`` of log pair weights ``log(p / (1 - p))`` summed over the units' records and a boolean
matrix ``forbid`` of unit pairs that may never share a cluster. The target of a partition is
``exp(sum of lw over pairs inside its clusters + join * (units - clusters))``, zero if a
cluster holds a forbidden pair (``join`` is 0 for the pairwise measure).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

__all__ = ["certain_partition", "enumerate_partitions", "sample_exact", "sample_mcmc"]

Array = np.ndarray[Any, Any]


@njit(cache=True, nogil=True)
def certain_partition(lw: Array, forbid: Array, high: float, low: float) -> Array:
    """Labels of the one partition the weights leave no doubt about, or ``-1`` everywhere.

    Units are grouped by pairs with ``lw >= high``; the grouping is certain when every pair
    inside a group reaches ``high`` (and none is forbidden) and every pair across groups is
    at most ``low`` or forbidden.
    """
    k = lw.shape[0]
    lab = np.full(k, -1, dtype=np.int64)
    n_groups = 0
    stack = np.empty(k, dtype=np.int64)
    for s in range(k):
        if lab[s] >= 0:
            continue
        lab[s] = n_groups
        top = 0
        stack[top] = s
        top += 1
        while top > 0:
            top -= 1
            u = stack[top]
            for v in range(k):
                if lab[v] < 0 and lw[u, v] >= high and not forbid[u, v]:
                    lab[v] = n_groups
                    stack[top] = v
                    top += 1
        n_groups += 1
    for u in range(k):
        for v in range(u + 1, k):
            if lab[u] == lab[v]:
                if forbid[u, v] or lw[u, v] < high:
                    return np.full(k, -1, dtype=np.int64)
            elif not forbid[u, v] and lw[u, v] > low:
                return np.full(k, -1, dtype=np.int64)
    return lab


@njit(cache=True, nogil=True)
def enumerate_partitions(
    lw: Array, forbid: Array, join: float = 0.0
) -> tuple[Array, Array]:  # pragma: no cover - compiled
    """Every partition of ``k`` units (restricted growth strings) and its log target.

    Forbidden partitions get ``-inf``; ``join`` is added once per unit that joins another
    (units less clusters). There are Bell(k) of them: 4,140 for 8 units.
    """
    k = lw.shape[0]
    # Bell numbers by the triangle, to size the output
    row = np.zeros(k + 1, dtype=np.int64)
    row[0] = 1
    bell = 1
    for m in range(1, k + 1):
        nxt = np.zeros(k + 1, dtype=np.int64)
        nxt[0] = row[m - 1]
        for t in range(1, m + 1):
            nxt[t] = nxt[t - 1] + row[t - 1]
        row = nxt
        bell = row[0]
    out = np.zeros((bell, k), dtype=np.int64)
    logp = np.empty(bell)
    rgs = np.zeros(k, dtype=np.int64)
    top = np.zeros(k, dtype=np.int64)  # top[i] = max(rgs[:i]) (block count before i, - 1)
    for b in range(bell):
        out[b] = rgs
        total = 0.0
        for u in range(k):
            for v in range(u + 1, k):
                if rgs[u] == rgs[v]:
                    if forbid[u, v]:
                        total = -np.inf
                    else:
                        total += lw[u, v]
        blocks = 0
        for u in range(k):
            blocks = max(blocks, rgs[u] + 1)
        logp[b] = total + join * (k - blocks)
        # next restricted growth string: rgs[i] <= 1 + max(rgs[:i])
        i = k - 1
        while i > 0 and rgs[i] > top[i]:
            i -= 1
        if i <= 0:
            break
        rgs[i] += 1
        for t in range(i + 1, k):
            top[t] = max(top[t - 1], rgs[t - 1])
            rgs[t] = 0
    return out, logp


@njit(cache=True, nogil=True)
def sample_exact(parts: Array, logp: Array, n_draws: int, seed: int) -> Array:
    """``n_draws`` partitions drawn independently from their exact probabilities."""
    np.random.seed(seed)
    top = -np.inf
    for b in range(logp.shape[0]):
        top = max(top, logp[b])
    cum = np.empty(logp.shape[0])
    acc = 0.0
    for b in range(logp.shape[0]):
        acc += np.exp(logp[b] - top)
        cum[b] = acc
    out = np.empty((n_draws, parts.shape[1]), dtype=np.int32)
    for d in range(n_draws):
        at = min(int(np.searchsorted(cum, np.random.random() * acc, side="right")), len(cum) - 1)
        out[d] = parts[at]
    return out


@njit(cache=True, nogil=True)
def _move(
    u: int, c: int, lab: Array, size: Array, tot: Array, bad: Array, lw: Array, forbid: Array
) -> None:  # pragma: no cover - compiled
    """Put unit ``u`` (currently in no cluster) into cluster slot ``c``."""
    k = lw.shape[0]
    lab[u] = c
    size[c] += 1
    for v in range(k):
        tot[v, c] += lw[v, u]
        if forbid[v, u]:
            bad[v, c] += 1


@njit(cache=True, nogil=True)
def _take(
    u: int, lab: Array, size: Array, tot: Array, bad: Array, lw: Array, forbid: Array
) -> None:  # pragma: no cover - compiled
    """Take unit ``u`` out of its cluster."""
    k = lw.shape[0]
    c = lab[u]
    size[c] -= 1
    for v in range(k):
        tot[v, c] -= lw[v, u]
        if forbid[v, u]:
            bad[v, c] -= 1
    lab[u] = -1


@njit(cache=True, nogil=True)
def _free_slot(size: Array) -> int:  # pragma: no cover - compiled
    for c in range(size.shape[0]):
        if size[c] == 0:
            return c
    return -1


@njit(cache=True, nogil=True)
def _gibbs_unit(
    u: int,
    lab: Array,
    size: Array,
    tot: Array,
    bad: Array,
    lw: Array,
    forbid: Array,
    weights: Array,
    join: float,
) -> bool:  # pragma: no cover - compiled
    """Draw unit ``u``'s cluster given all others (an empty cluster is one choice)."""
    k = lw.shape[0]
    old = lab[u]
    _take(u, lab, size, tot, bad, lw, forbid)
    empty = _free_slot(size)
    top = 0.0  # the empty cluster's log weight
    for c in range(k):
        if size[c] > 0 and bad[u, c] == 0 and tot[u, c] + join > top:
            top = tot[u, c] + join
    acc = 0.0
    for c in range(k):
        if size[c] > 0:
            if bad[u, c] == 0:
                acc += np.exp(tot[u, c] + join - top)
        elif c == empty:
            acc += np.exp(-top)
        weights[c] = acc
    r = np.random.random() * acc
    new = empty
    for c in range(k):
        if r < weights[c] and ((size[c] > 0 and bad[u, c] == 0) or c == empty):
            new = c
            break
    _move(u, new, lab, size, tot, bad, lw, forbid)
    # a move to another empty slot is no change of partition
    return not (new == old or (size[new] == 1 and size[old] == 0))


@njit(cache=True, nogil=True)
def _split_merge(
    lab: Array,
    size: Array,
    tot: Array,
    bad: Array,
    lw: Array,
    forbid: Array,
    order: Array,
    side: Array,
    join: float,
) -> bool:  # pragma: no cover - compiled
    """One sequentially allocated split–merge proposal (Dahl 2003); True if accepted."""
    k = lw.shape[0]
    i = np.random.randint(k)
    j = np.random.randint(k - 1)
    if j >= i:
        j += 1
    ci, cj = lab[i], lab[j]
    # the other members of the two clusters (one cluster when splitting), in random order
    n = 0
    for u in range(k):
        if u != i and u != j and (lab[u] == ci or lab[u] == cj):
            order[n] = u
            n += 1
    for t in range(n - 1, 0, -1):
        s = np.random.randint(t + 1)
        order[t], order[s] = order[s], order[t]
    if ci == cj:
        # propose a split: allocate each member beside i or j by its weights to each side
        side[i] = 0
        side[j] = 1
        logq = 0.0
        for t in range(n):
            u = order[t]
            a = lw[u, i]
            b = lw[u, j]
            for s in range(t):
                v = order[s]
                if side[v] == 0:
                    a += lw[u, v]
                else:
                    b += lw[u, v]
            m = max(a, b)
            pa = np.exp(a - m) / (np.exp(a - m) + np.exp(b - m))
            if np.random.random() < pa:
                side[u] = 0
                logq += np.log(pa)
            else:
                side[u] = 1
                logq += np.log1p(-pa)
        cross = lw[i, j]
        for t in range(n):
            u = order[t]
            cross += lw[u, j] if side[u] == 0 else lw[u, i]
            for s in range(t + 1, n):
                v = order[s]
                if side[u] != side[v]:
                    cross += lw[u, v]
        if np.log(np.random.random()) < -cross - join - logq:
            new = _free_slot(size)
            _take(j, lab, size, tot, bad, lw, forbid)
            _move(j, new, lab, size, tot, bad, lw, forbid)
            for t in range(n):
                u = order[t]
                if side[u] == 1:
                    _take(u, lab, size, tot, bad, lw, forbid)
                    _move(u, new, lab, size, tot, bad, lw, forbid)
            return True
        return False
    # propose a merge: impossible across a forbidden pair
    for u in range(k):
        if lab[u] == ci and bad[u, cj] > 0:
            return False
    # the probability that the split proposal would give back exactly these two clusters
    logq = 0.0
    for t in range(n):
        u = order[t]
        a = lw[u, i]
        b = lw[u, j]
        for s in range(t):
            v = order[s]
            if lab[v] == ci:
                a += lw[u, v]
            else:
                b += lw[u, v]
        m = max(a, b)
        pa = np.exp(a - m) / (np.exp(a - m) + np.exp(b - m))
        logq += np.log(pa) if lab[u] == ci else np.log1p(-pa)
    cross = 0.0
    for u in range(k):
        if lab[u] == ci:
            cross += tot[u, cj]
    if np.log(np.random.random()) < cross + join + logq:
        for u in range(k):
            if lab[u] == cj:
                _take(u, lab, size, tot, bad, lw, forbid)
                _move(u, ci, lab, size, tot, bad, lw, forbid)
        return True
    return False


@njit(cache=True, nogil=True)
def _relabel(lab: Array, out: Array) -> int:  # pragma: no cover - compiled
    """Labels 0..c-1 in order of first appearance; returns c."""
    k = lab.shape[0]
    seen = np.full(k, -1, dtype=np.int64)
    c = 0
    for u in range(k):
        if seen[lab[u]] < 0:
            seen[lab[u]] = c
            c += 1
        out[u] = seen[lab[u]]
    return c


@njit(cache=True, nogil=True)
def sample_mcmc(
    lw: Array,
    forbid: Array,
    start: Array,
    n_draws: int,
    burn_in: int,
    thin: int,
    split_merge: int,
    seed: int,
    join: float = 0.0,
) -> tuple[Array, Array, int, int, int, int]:
    """Draws from a Markov chain of Gibbs sweeps and split–merge proposals.

    One sweep updates every unit once (in random order) and makes ``split_merge`` split–merge
    proposals; ``join`` is added to the log target once per unit that joins another (units
    less clusters). ``burn_in`` sweeps are dropped, then a draw is kept every ``thin`` sweeps.
    ``start`` must be a valid partition. Returns the draws (labels by first appearance), the
    number of clusters of each, Gibbs updates made and changed, split–merge proposals made
    and accepted.
    """
    np.random.seed(seed)
    k = lw.shape[0]
    lab = np.full(k, -1, dtype=np.int64)
    size = np.zeros(k, dtype=np.int64)
    tot = np.zeros((k, k))
    bad = np.zeros((k, k), dtype=np.int64)
    for u in range(k):
        _move(u, start[u], lab, size, tot, bad, lw, forbid)
    weights = np.empty(k)
    order = np.empty(k, dtype=np.int64)
    side = np.zeros(k, dtype=np.int64)
    perm = np.arange(k)
    draws = np.empty((n_draws, k), dtype=np.int32)
    n_clusters = np.empty(n_draws, dtype=np.int64)
    row = np.empty(k, dtype=np.int64)
    gibbs = 0
    changed = 0
    proposed = 0
    accepted = 0
    total = burn_in + n_draws * thin
    kept = 0
    for sweep in range(total):
        for t in range(k - 1, 0, -1):
            s = np.random.randint(t + 1)
            perm[t], perm[s] = perm[s], perm[t]
        for t in range(k):
            gibbs += 1
            if _gibbs_unit(perm[t], lab, size, tot, bad, lw, forbid, weights, join):
                changed += 1
        for _ in range(split_merge):
            proposed += 1
            if _split_merge(lab, size, tot, bad, lw, forbid, order, side, join):
                accepted += 1
        if sweep >= burn_in and (sweep - burn_in + 1) % thin == 0 and kept < n_draws:
            n_clusters[kept] = _relabel(lab, row)
            for u in range(k):
                draws[kept, u] = row[u]
            kept += 1
    return draws, n_clusters, gibbs, changed, proposed, accepted
