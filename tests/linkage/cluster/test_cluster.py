"""Tests for inquest.linkage.cluster: chained merges are split, constraints are kept."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from inquest.linkage.cluster import average_linkage, cluster_records


def edges(rows: list[tuple[int, int, float]]) -> pa.Table:
    left, r, p = zip(*rows, strict=True) if rows else ((), (), ())
    return pa.table(
        {
            "unique_id_l": pa.array(left, pa.int64()),
            "unique_id_r": pa.array(r, pa.int64()),
            "match_probability": pa.array(p, pa.float64()),
        }
    )


def test_chain_of_two_people_is_split() -> None:
    # 0-1-2 are one person, 3-4 another; a single wrong link 2-3 chains them.
    e = edges([(0, 1, 0.99), (1, 2, 0.98), (0, 2, 0.97), (3, 4, 0.99), (2, 3, 0.6)])
    scored = {(0, 3): 0.01, (0, 4): 0.01, (1, 3): 0.02, (1, 4): 0.01, (2, 4): 0.05}

    def rescore(left: np.ndarray, right: np.ndarray) -> np.ndarray:
        return np.array([scored[(int(a), int(b))] for a, b in zip(left, right, strict=True)])

    c = cluster_records(5, e, 0.5, rescore=rescore)
    lab = c.labels
    assert lab[0] == lab[1] == lab[2] and lab[3] == lab[4] and lab[0] != lab[3]
    assert c.n_split == 1 and c.n_rescored_pairs == 5
    # the rescored pairs are kept for the linkage posterior
    assert c.rescored is not None
    got = zip(
        c.rescored.column("unique_id_l").to_pylist(),
        c.rescored.column("unique_id_r").to_pylist(),
        c.rescored.column("match_probability").to_pylist(),
        strict=True,
    )
    assert {(a, b): p for a, b, p in got} == scored


def test_connected_components_without_rescoring_keep_true_triangle() -> None:
    e = edges([(0, 1, 0.99), (1, 2, 0.98), (0, 2, 0.97)])
    c = cluster_records(4, e, 0.5)
    assert len(set(c.labels[:3].tolist())) == 1 and c.labels[3] != c.labels[0]
    assert c.confidence[3] == 1.0
    assert 0.97 <= c.confidence[0] <= 0.99


def test_cannot_link_wins_over_a_strong_score() -> None:
    e = edges([(0, 1, 0.99), (1, 2, 0.99), (0, 2, 0.99)])
    c = cluster_records(3, e, 0.5, cannot_link=[(0, 2)])
    assert c.labels[0] != c.labels[2]


def test_namesakes_of_one_list_stay_apart_unless_their_own_score_is_high() -> None:
    # Records 0 and 1 come from list A, 2 from list B; 2 links weakly to both.
    e = edges([(0, 2, 0.3), (1, 2, 0.3), (0, 1, 0.2)])
    src = np.array([0, 0, 1])
    c = cluster_records(3, e, 0.1, source=src, same_source_min=0.5)
    assert c.labels[0] != c.labels[1]
    assert c.labels[2] in (c.labels[0], c.labels[1])
    # Without the rule (or when their own score is high) they join.
    assert len(set(cluster_records(3, e, 0.1).labels.tolist())) == 1
    e_dup = edges([(0, 2, 0.3), (1, 2, 0.3), (0, 1, 0.9)])
    assert len(set(cluster_records(3, e_dup, 0.1, source=src, same_source_min=0.5).labels)) == 1
    # A pair of one list below the bar is not linked even as a lone pair.
    lone = cluster_records(
        2, edges([(0, 1, 0.3)]), 0.1, source=np.array([0, 0]), same_source_min=0.5
    )
    assert lone.labels[0] == lone.labels[1]  # one list alone: the rule is off
    two = cluster_records(
        3, edges([(0, 1, 0.3)]), 0.1, source=np.array([0, 0, 1]), same_source_min=0.5
    )
    assert two.labels[0] != two.labels[1]


def test_must_link_joins() -> None:
    c = cluster_records(3, edges([]), 0.5, must_link=[(0, 2)])
    assert c.labels[0] == c.labels[2] != c.labels[1]


def test_average_linkage_threshold() -> None:
    sim = np.array([[0, 0.9, 0.2], [0.9, 0, 0.3], [0.2, 0.3, 0]])
    assert average_linkage(sim, 0.5).tolist() == [0, 0, 1]
    assert average_linkage(sim, 0.2).tolist() == [0, 0, 0]


def test_big_component_is_cut() -> None:
    # a path of 10 records with weak links: cap 4 forces cutting at higher thresholds
    rows = [(i, i + 1, 0.99 if i % 3 else 0.6) for i in range(9)]
    c = cluster_records(10, edges(rows), 0.5, max_component=4)
    assert np.bincount(c.labels).max() <= 4
    # a record cut loose must not stay with the others under the big component's label
    rows = [(0, i, 0.6) for i in range(1, 8)] + [(1, 2, 0.99), (3, 4, 0.99)]
    c = cluster_records(8, edges(rows), 0.5, max_component=4)
    assert np.bincount(c.labels).max() <= 4


def _reference_average_linkage(sim: np.ndarray, threshold: float, cannot: np.ndarray) -> np.ndarray:
    """The NumPy average linkage the jitted kernel replaced, kept to pin its behaviour."""
    k = sim.shape[0]
    total = sim.astype("float64").copy()
    np.fill_diagonal(total, 0.0)
    blocked = cannot.astype(bool).copy()
    np.fill_diagonal(blocked, True)
    size = np.ones(k)
    active = np.ones(k, bool)
    label = np.arange(k)
    avg = total.copy()
    avg[blocked] = -np.inf
    while True:
        a, b = divmod(int(np.argmax(avg)), k)
        if avg[a, b] < threshold:
            break
        label[label == b] = a
        total[a, :] += total[b, :]
        total[:, a] = total[a, :]
        size[a] += size[b]
        blocked[a, :] |= blocked[b, :]
        blocked[:, a] = blocked[a, :]
        active[b] = False
        total[b, :] = 0.0
        total[:, b] = 0.0
        row = total[a, :] / (size[a] * size)
        row[blocked[a, :] | ~active] = -np.inf
        row[a] = -np.inf
        avg[a, :] = row
        avg[:, a] = row
        avg[b, :] = -np.inf
        avg[:, b] = -np.inf
    return np.unique(label, return_inverse=True)[1]


@settings(max_examples=200, deadline=None)
@given(
    k=st.integers(1, 12),
    seed=st.integers(0, 2**32 - 1),
    levels=st.sampled_from([0, 4]),
    threshold=st.sampled_from([0.1, 0.5, 0.75]),
)
def test_average_linkage_matches_the_numpy_reference(
    k: int, seed: int, levels: int, threshold: float
) -> None:
    rng = np.random.default_rng(seed)
    upper = rng.random((k, k))
    if levels:  # few distinct values: ties, resolved in row-major order by both
        upper = np.round(upper * levels) / levels
    sim = np.triu(upper, 1)
    sim = sim + sim.T
    cannot = np.triu(rng.random((k, k)) < 0.1, 1)
    cannot = cannot | cannot.T
    want = _reference_average_linkage(sim, threshold, cannot)
    assert average_linkage(sim, threshold, cannot).tolist() == want.tolist()
