"""Cluster: records into persons, without chaining different people together.

Connected components at one threshold chain different people through one wrong link (Splink
issue #1824). inquest uses components only as candidates: inside each component every pair is
scored (pairs the blocking missed are scored on demand), and the component is re-clustered by
average linkage that never merges two groups whose average match probability is below the
threshold, and never merges across a cannot-link (a clerical "non-match").
Must-links (clerical "match") join records before anything else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from inquest.linkage.cluster._kernels import average_linkage_groups, average_linkage_matrix
from inquest.linkage.cluster.components import (
    connected,
    edge_scores,
    group_pairs,
    pair_key,
    split_big,
)

__all__ = ["Clustering", "average_linkage", "cluster_records"]

Rescorer = Callable[[np.ndarray[Any, Any], np.ndarray[Any, Any]], np.ndarray[Any, Any]]


@dataclass(frozen=True)
class Clustering:
    """Cluster label and confidence per record (indexed by ``unique_id``)."""

    labels: np.ndarray[Any, Any]
    confidence: np.ndarray[Any, Any]
    n_components: int
    n_split: int
    n_rescored_pairs: int
    #: the pairs scored inside candidate groups because the blocking had not kept them
    #: (``unique_id_l, unique_id_r, match_probability``): the linkage posterior needs them
    rescored: pa.Table | None = None


def average_linkage(
    sim: np.ndarray[Any, Any], threshold: float, cannot: np.ndarray[Any, Any] | None = None
) -> np.ndarray[Any, Any]:
    """Agglomerate by average similarity while it stays >= ``threshold``; labels 0..k-1.

    ``sim`` is a symmetric matrix of match probabilities (unknown pairs as 0); ``cannot`` a
    boolean matrix of pairs that must end in different clusters.
    """
    k = sim.shape[0]
    blocked = np.zeros((k, k), bool) if cannot is None else np.array(cannot, dtype=bool)
    return average_linkage_matrix(np.array(sim, dtype="float64"), blocked, float(threshold))


def cluster_records(
    n: int,
    edges: pa.Table,
    threshold: float,
    *,
    rescore: Rescorer | None = None,
    max_component: int = 300,
    must_link: list[tuple[int, int]] | None = None,
    cannot_link: list[tuple[int, int]] | None = None,
    source: np.ndarray[Any, Any] | None = None,
    same_source_min: float = 0.0,
) -> Clustering:
    """Cluster ``n`` records from scored edges (``unique_id_l, unique_id_r, match_probability``).

    ``rescore(left, right) -> probabilities`` scores pairs inside a candidate component that
    the blocking did not produce; without it those pairs count as probability 0.
    ``source[i]`` is the list of record ``i``: two records of one list end in one cluster
    only if their own probability is at least ``same_source_min`` (a list rarely names one
    person twice, so two namesakes of one list are kept apart unless they look alike). The
    rule is off when every record comes from one list.
    """
    left = edges.column("unique_id_l").to_numpy().astype("int64")
    right = edges.column("unique_id_r").to_numpy().astype("int64")
    prob = edges.column("match_probability").to_numpy().astype("float64")
    src = np.zeros(n, dtype="int64") if source is None else np.asarray(source)
    # One list alone is deduplicated, not linked: the rule would forbid what is asked.
    apart = source is not None and same_source_min > 0.0 and len(np.unique(src)) > 1
    if apart:
        prob = np.where((src[left] == src[right]) & (prob < same_source_min), 0.0, prob)
    ml = np.array(must_link or [], dtype="int64").reshape(-1, 2)
    cl = np.array(cannot_link or [], dtype="int64").reshape(-1, 2)
    # Decisions override scores.
    if len(cl):
        key = np.minimum(left, right) * n + np.maximum(left, right)
        ckey = np.minimum(cl[:, 0], cl[:, 1]) * n + np.maximum(cl[:, 0], cl[:, 1])
        prob = np.where(np.isin(key, ckey), 0.0, prob)
    left = np.concatenate([left, ml[:, 0]])
    right = np.concatenate([right, ml[:, 1]])
    prob = np.concatenate([prob, np.ones(len(ml))])
    strong = prob >= threshold
    comp = connected(n, left[strong], right[strong])
    counts = np.bincount(comp)
    groups: list[np.ndarray[Any, Any]] = []
    order = np.argsort(comp, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(counts)])
    labels = comp.copy()
    next_label = int(comp.max()) + 1 if n else 0
    # Strong edges sorted by component, for cutting over-size components.
    s_left, s_right, s_prob = left[strong], right[strong], prob[strong]
    e_order = np.argsort(comp[s_left], kind="stable")
    e_bounds = np.searchsorted(comp[s_left][e_order], np.arange(len(counts) + 1))
    for c in np.flatnonzero(counts >= 3):
        members = order[bounds[c] : bounds[c + 1]]
        if len(members) > max_component:
            own = e_order[e_bounds[c] : e_bounds[c + 1]]
            parts = split_big(
                np.sort(members), s_left[own], s_right[own], s_prob[own], threshold, max_component
            )
            for part in parts:
                if len(part) >= 2:
                    groups.append(part)
                else:  # cut loose from the big component: a person of its own
                    labels[part] = next_label
                    next_label += 1
        else:
            groups.append(members)
    # Every pair inside the candidate groups, with its known score (others rescored or 0).
    gp = group_pairs(groups)
    pair_p, known = edge_scores(left, right, prob, gp.a, gp.b, n)
    missing = ~known
    rescored = None
    if missing.any() and rescore is not None:
        pair_p[missing] = rescore(gp.a[missing], gp.b[missing])
        rescored = pa.table(
            {
                "unique_id_l": pa.array(gp.a[missing], pa.int64()),
                "unique_id_r": pa.array(gp.b[missing], pa.int64()),
                "match_probability": pa.array(pair_p[missing], pa.float64()),
            }
        )
    block = np.zeros(len(pair_p), bool)
    if len(cl):
        block |= np.isin(pair_key(gp.a, gp.b, n), pair_key(cl[:, 0], cl[:, 1], n))
    if apart:
        block |= (src[gp.a] == src[gp.b]) & (pair_p < same_source_min)
    conf = np.ones(n)
    n_split = 0
    if groups:
        sizes_g = gp.sizes
        first = gp.pair_starts[:-1]
        # A group whose pairs all reach the threshold, with no conflict, stays whole.
        need = (np.minimum.reduceat(pair_p, first) < threshold) | np.logical_or.reduceat(
            block, first
        )
        # local sub-cluster of each member (0 in groups that stay whole)
        local = average_linkage_groups(
            gp.starts,
            gp.pair_starts,
            gp.i,
            gp.j,
            pair_p,
            block,
            np.flatnonzero(need).astype("int64"),
            float(threshold),
        )
        n_labels = np.maximum.reduceat(local, gp.starts[:-1]) + 1
        n_split = int((n_labels > 1).sum())
        offset = next_label + np.concatenate([[0], np.cumsum(n_labels)[:-1]])
        group_of = np.repeat(np.arange(len(groups)), sizes_g)
        labels[gp.members] = offset[group_of] + local
        mean_p = np.add.reduceat(pair_p, first) / np.diff(gp.pair_starts)
        conf[gp.members] = mean_p[group_of]
        # in a group that was split, a member's confidence is the mean probability of the
        # pairs inside its own sub-cluster (1 when it stands alone)
        inner = np.repeat(need, np.diff(gp.pair_starts)) & (labels[gp.a] == labels[gp.b])
        sub_label = labels[gp.a[inner]]
        width = next_label + int(n_labels.sum())
        total = np.bincount(sub_label, pair_p[inner], width)
        n_in = np.bincount(sub_label, minlength=width)
        split_members = gp.members[need[group_of]]
        own = labels[split_members]
        conf[split_members] = np.where(n_in[own] > 0, total[own] / np.maximum(n_in[own], 1), 1.0)
        next_label += int(n_labels.sum())
    # Pairs (size-2 components) and singletons.
    sizes = np.bincount(labels, minlength=next_label)
    pair_edges = (labels[left] == labels[right]) & (sizes[labels[left]] == 2)
    conf[left[pair_edges]] = prob[pair_edges]
    conf[right[pair_edges]] = prob[pair_edges]
    alone = sizes[labels] == 1
    best_out = np.zeros(n)
    np.maximum.at(best_out, left, prob)
    np.maximum.at(best_out, right, prob)
    conf[alone] = 1.0 - best_out[alone]
    _, dense = np.unique(labels, return_inverse=True)
    return Clustering(
        labels=np.asarray(dense, dtype="int64"),
        confidence=conf,
        n_components=len(counts),
        n_split=n_split,
        n_rescored_pairs=int(missing.sum()),
        rescored=rescored,
    )
