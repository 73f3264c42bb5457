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
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

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


def average_linkage(
    sim: np.ndarray[Any, Any], threshold: float, cannot: np.ndarray[Any, Any] | None = None
) -> np.ndarray[Any, Any]:
    """Agglomerate by average similarity while it stays >= ``threshold``; labels 0..k-1.

    ``sim`` is a symmetric matrix of match probabilities (unknown pairs as 0); ``cannot`` a
    boolean matrix of pairs that must end in different clusters.
    """
    k = sim.shape[0]
    total = sim.astype("float64").copy()
    np.fill_diagonal(total, 0.0)
    blocked = np.zeros((k, k), bool) if cannot is None else cannot.astype(bool).copy()
    np.fill_diagonal(blocked, True)
    size = np.ones(k)
    active = np.ones(k, bool)
    label = np.arange(k)
    avg = total / np.outer(size, size)
    avg[blocked] = -np.inf
    while True:
        flat = int(np.argmax(avg))
        a, b = divmod(flat, k)
        if avg[a, b] < threshold:
            break
        # merge b into a
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
    _, out = np.unique(label, return_inverse=True)
    return np.asarray(out, dtype="int64")


def _components(n: int, left: Any, right: Any) -> np.ndarray[Any, Any]:
    graph = coo_matrix((np.ones(len(left), bool), (left, right)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return np.asarray(labels, dtype="int64")


def _split_big(
    members: np.ndarray[Any, Any],
    left: np.ndarray[Any, Any],
    right: np.ndarray[Any, Any],
    prob: np.ndarray[Any, Any],
    threshold: float,
    cap: int,
) -> list[np.ndarray[Any, Any]]:
    """Cut a component bigger than ``cap`` at rising thresholds until its parts fit."""
    parts = [members]
    for t in (threshold, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 0.9999):
        out = []
        for part in parts:
            if len(part) <= cap:
                out.append(part)
                continue
            inside = np.isin(left, part) & np.isin(right, part) & (prob >= t)
            local = {int(u): i for i, u in enumerate(part)}
            li = np.array([local[int(u)] for u in left[inside]], dtype="int64")
            ri = np.array([local[int(u)] for u in right[inside]], dtype="int64")
            lab = _components(len(part), li, ri)
            out.extend(part[lab == c] for c in np.unique(lab))
        parts = out
        if all(len(p) <= cap for p in parts):
            break
    return parts


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
    comp = _components(n, left[strong], right[strong])
    counts = np.bincount(comp)
    groups: list[np.ndarray[Any, Any]] = []
    order = np.argsort(comp, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(counts)])
    labels = comp.copy()
    next_label = int(comp.max()) + 1 if n else 0
    for c in np.flatnonzero(counts >= 3):
        members = order[bounds[c] : bounds[c + 1]]
        if len(members) > max_component:
            for part in _split_big(members, left, right, prob, threshold, max_component):
                if len(part) >= 2:
                    groups.append(part)
                else:  # cut loose from the big component: a person of its own
                    labels[part] = next_label
                    next_label += 1
        else:
            groups.append(members)
    # Every pair inside the candidate groups, with its known score.
    group_of = np.full(n, -1, dtype="int64")
    for g, members in enumerate(groups):
        group_of[members] = g
    same = (group_of[left] >= 0) & (group_of[left] == group_of[right])
    known: dict[tuple[int, int], float] = {}
    for a, b, p in zip(left[same], right[same], prob[same], strict=True):
        pk = (int(min(a, b)), int(max(a, b)))
        known[pk] = max(known.get(pk, 0.0), float(p))
    missing: list[tuple[int, int]] = []
    for members in groups:
        ms = np.sort(members)
        for i in range(len(ms)):
            for j in range(i + 1, len(ms)):
                pk = (int(ms[i]), int(ms[j]))
                if pk not in known:
                    missing.append(pk)
    if missing and rescore is not None:
        arr = np.array(missing, dtype="int64")
        scores = rescore(arr[:, 0], arr[:, 1])
        for pk, p in zip(missing, scores, strict=True):
            known[pk] = float(p)
    cannot = {(int(min(a, b)), int(max(a, b))) for a, b in cl}
    conf = np.ones(n)
    n_split = 0
    for members in groups:
        ms = np.sort(members)
        k = len(ms)
        sim = np.zeros((k, k))
        block = np.zeros((k, k), bool)
        for i in range(k):
            for j in range(i + 1, k):
                key = (int(ms[i]), int(ms[j]))
                sim[i, j] = sim[j, i] = known.get(key, 0.0)
                if key in cannot or (
                    apart and src[key[0]] == src[key[1]] and sim[i, j] < same_source_min
                ):
                    block[i, j] = block[j, i] = True
        off = sim[np.triu_indices(int(k), 1)]
        if off.min() >= threshold and not block.any():
            sub = np.zeros(k, dtype="int64")
        else:
            sub = average_linkage(sim, threshold, block)
        if sub.max() > 0:
            n_split += 1
        for s in np.unique(sub):
            idx = np.flatnonzero(sub == s)
            labels[ms[idx]] = next_label
            next_label += 1
            if len(idx) > 1:
                inner = sim[np.ix_(idx, idx)][np.triu_indices(len(idx), 1)]
                conf[ms[idx]] = float(inner.mean())
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
        n_rescored_pairs=len(missing),
    )
