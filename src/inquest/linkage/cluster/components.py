"""Array versions of the clustering's bookkeeping, for millions of records and edges.

:mod:`inquest.linkage.cluster` re-clusters every candidate component from the scores of all
pairs inside it. Here those pairs are built, looked up among the scored edges and checked
with NumPy over all components at once (no Python loop over pairs): :func:`group_pairs`
lists every pair inside each group, :func:`edge_scores` finds their known scores, and
:func:`split_big` cuts an over-size component at rising thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

__all__ = ["GroupPairs", "connected", "edge_scores", "group_pairs", "pair_key", "split_big"]

Array = np.ndarray[Any, Any]


def pair_key(a: Array, b: Array, n: int) -> Array:
    """One int64 per unordered pair of record ids below ``n``."""
    lo = np.minimum(a, b).astype("int64")
    hi = np.maximum(a, b).astype("int64")
    return np.asarray(lo * np.int64(n) + hi, dtype="int64")


@dataclass(frozen=True)
class GroupPairs:
    """Every pair inside every group, group after group.

    Group ``g``'s members (sorted) are ``members[starts[g]:starts[g + 1]]`` and its pairs
    ``pair_starts[g]:pair_starts[g + 1]``; pair ``p`` joins local members ``i[p] < j[p]``,
    which are records ``a[p] < b[p]``.
    """

    members: Array
    starts: Array
    pair_starts: Array
    i: Array
    j: Array
    a: Array
    b: Array

    @property
    def sizes(self) -> Array:
        """Members per group."""
        return np.diff(self.starts)


def group_pairs(groups: list[Array]) -> GroupPairs:
    """All ``k (k - 1) / 2`` pairs of each group (members are sorted first)."""
    sizes = np.array([len(g) for g in groups], dtype="int64")
    members = (
        np.concatenate([np.sort(g) for g in groups]).astype("int64")
        if groups
        else np.zeros(0, "int64")
    )
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype("int64")
    # member at local position i of a group of size k pairs with the k - 1 - i after it
    group_of = np.repeat(np.arange(len(groups)), sizes)
    local = np.arange(len(members), dtype="int64") - starts[group_of]
    after = sizes[group_of] - 1 - local
    left_pos = np.repeat(np.arange(len(members), dtype="int64"), after)
    run_start = np.repeat(np.cumsum(after) - after, after)
    right_pos = left_pos + 1 + (np.arange(len(left_pos), dtype="int64") - run_start)
    pair_counts = sizes * (sizes - 1) // 2
    pair_starts = np.concatenate([[0], np.cumsum(pair_counts)]).astype("int64")
    pair_group = np.repeat(np.arange(len(groups)), pair_counts)
    return GroupPairs(
        members=members,
        starts=starts,
        pair_starts=pair_starts,
        i=left_pos - starts[pair_group],
        j=right_pos - starts[pair_group],
        a=members[left_pos],
        b=members[right_pos],
    )


def edge_scores(
    left: Array, right: Array, prob: Array, a: Array, b: Array, n: int
) -> tuple[Array, Array]:
    """The best edge probability of each pair ``(a, b)``, and whether an edge scored it."""
    keys = pair_key(left, right, n)
    order = np.argsort(keys, kind="stable")
    keys, p = keys[order], prob[order]
    if len(keys):
        first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        best = np.maximum.reduceat(p, first)
        keys = keys[first]
    else:
        best = np.zeros(0)
    want = pair_key(a, b, n)
    at = np.searchsorted(keys, want)
    at_ok = np.minimum(at, max(len(keys) - 1, 0))
    found = (at < len(keys)) & (keys[at_ok] == want) if len(keys) else np.zeros(len(want), bool)
    out = np.zeros(len(want))
    out[found] = best[at_ok[found]]
    return out, found


def connected(n: int, left: Array, right: Array) -> Array:
    """The connected component of each of ``n`` records under the edges ``left``-``right``."""
    graph = coo_matrix((np.ones(len(left), bool), (left, right)), shape=(n, n))
    return np.asarray(connected_components(graph, directed=False)[1], dtype="int64")


def split_big(
    members: Array, left: Array, right: Array, prob: Array, threshold: float, cap: int
) -> list[Array]:
    """Cut a component bigger than ``cap`` at rising thresholds until its parts fit.

    ``members`` are sorted; ``left, right, prob`` may be just the component's own edges.
    Parts come in the order of cutting: a part's pieces, by smallest member, take its place.
    All parts are cut at once per threshold (a component of 100,000 records may fall into
    tens of thousands of parts).
    """
    k = len(members)
    if k == 0:
        return []
    li = np.searchsorted(members, left)
    ri = np.searchsorted(members, right)
    inside = (li < k) & (ri < k)
    inside[inside] &= (members[li[inside]] == left[inside]) & (members[ri[inside]] == right[inside])
    li, ri, pr = li[inside], ri[inside], prob[inside]
    # part of each member, numbered in output order
    part = np.zeros(k, dtype="int64")
    for t in (threshold, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 0.9999):
        big = np.bincount(part)[part] > cap
        if not big.any():
            break
        keep = big[li] & (part[li] == part[ri]) & (pr >= t)
        # components inside the big parts (the edges kept never leave a part)
        piece = np.where(big, connected(k, li[keep], ri[keep]), -1)
        # pieces of one part by their smallest member (as scipy numbers components)
        first = np.full(k, k, dtype="int64")
        np.minimum.at(first, piece[big], np.flatnonzero(big))
        order_key = np.where(big, first[np.maximum(piece, 0)], -1)
        _, part = np.unique(part * (k + 1) + (order_key + 1), return_inverse=True)
        part = part.ravel().astype("int64")
    by_part = np.argsort(part, kind="stable")
    bounds = np.flatnonzero(np.diff(part[by_part])) + 1
    return [members[ix] for ix in np.split(by_part, bounds)]
