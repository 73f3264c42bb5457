"""Tests for inquest.linkage.cluster.components: the array bookkeeping of the clustering."""

from __future__ import annotations

from itertools import combinations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from inquest.linkage.cluster.components import edge_scores, group_pairs, pair_key, split_big


def test_group_pairs_lists_every_pair_of_every_group() -> None:
    groups = [np.array([7, 2, 5]), np.array([9, 1]), np.array([4, 0, 8, 3])]
    gp = group_pairs(groups)
    assert gp.sizes.tolist() == [3, 2, 4]
    for g, members in enumerate(groups):
        span = slice(gp.pair_starts[g], gp.pair_starts[g + 1])
        got = list(zip(gp.a[span].tolist(), gp.b[span].tolist(), strict=True))
        assert got == list(combinations(sorted(members.tolist()), 2))
        ms = gp.members[gp.starts[g] : gp.starts[g + 1]]
        assert (ms[gp.i[span]] == gp.a[span]).all() and (ms[gp.j[span]] == gp.b[span]).all()


def test_group_pairs_of_no_groups() -> None:
    gp = group_pairs([])
    assert len(gp.a) == 0 and gp.pair_starts.tolist() == [0]


def test_edge_scores_take_the_best_edge_in_either_order() -> None:
    left = np.array([0, 3, 1, 2])
    right = np.array([1, 1, 0, 3])
    prob = np.array([0.2, 0.9, 0.6, 0.4])
    p, found = edge_scores(left, right, prob, np.array([0, 1, 0, 2]), np.array([1, 3, 2, 3]), 4)
    assert p.tolist() == [0.6, 0.9, 0.0, 0.4]
    assert found.tolist() == [True, True, False, True]
    none, nf = edge_scores(left[:0], right[:0], prob[:0], np.array([0]), np.array([1]), 4)
    assert none.tolist() == [0.0] and not nf.any()


def test_pair_key_is_unordered_and_unique() -> None:
    a, b = np.array([3, 5, 0]), np.array([5, 3, 6])
    k = pair_key(a, b, 7)
    assert k[0] == k[1] and k[0] != k[2]


def test_split_big_cuts_at_rising_thresholds() -> None:
    # two triangles joined by a 0.75 edge: one part of 6 over a cap of 3, cut at 0.8
    left = np.array([0, 1, 0, 3, 4, 3, 2])
    right = np.array([1, 2, 2, 4, 5, 5, 3])
    prob = np.array([0.99, 0.99, 0.99, 0.99, 0.99, 0.99, 0.75])
    parts = split_big(np.arange(6), left, right, prob, 0.1, 3)
    assert sorted(p.tolist() for p in parts) == [[0, 1, 2], [3, 4, 5]]
    assert len(split_big(np.arange(6), left, right, prob, 0.1, 6)) == 1


def _reference_split_big(
    members: np.ndarray, left: np.ndarray, right: np.ndarray, prob: np.ndarray, t0: float, cap: int
) -> list[np.ndarray]:
    """The part-by-part version the array one replaced, kept to pin its output and order."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    parts = [members]
    for t in (t0, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 0.9999):
        out = []
        for part in parts:
            if len(part) <= cap:
                out.append(part)
                continue
            inside = np.isin(left, part) & np.isin(right, part) & (prob >= t)
            li = np.searchsorted(part, left[inside])
            ri = np.searchsorted(part, right[inside])
            graph = coo_matrix((np.ones(len(li), bool), (li, ri)), shape=(len(part), len(part)))
            lab = connected_components(graph, directed=False)[1]
            out.extend(part[lab == c] for c in np.unique(lab))
        parts = out
        if all(len(p) <= cap for p in parts):
            break
    return parts


@settings(max_examples=200, deadline=None)
@given(
    k=st.integers(1, 60),
    seed=st.integers(0, 2**32 - 1),
    cap=st.integers(1, 20),
    density=st.sampled_from([0.02, 0.1, 0.3]),
)
def test_split_big_matches_the_part_by_part_reference(
    k: int, seed: int, cap: int, density: float
) -> None:
    rng = np.random.default_rng(seed)
    members = np.sort(rng.choice(10 * k, size=k, replace=False))
    i, j = np.triu_indices(k, 1)
    chosen = rng.random(len(i)) < density
    left, right = members[i[chosen]], members[j[chosen]]
    # a few edges to records outside the component are ignored by both
    left = np.concatenate([left, [10 * k + 1]])
    right = np.concatenate([right, members[:1]])
    prob = np.round(rng.random(len(left)), 3)
    got = split_big(members, left, right, prob, 0.5, cap)
    want = _reference_split_big(members, left, right, prob, 0.5, cap)
    assert [p.tolist() for p in got] == [p.tolist() for p in want]
