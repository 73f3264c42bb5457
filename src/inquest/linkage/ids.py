"""Stable person ids: the same person keeps the same id when the data barely changes.

A cluster takes the previous run's id with which it shares the most records (each previous id
goes to one cluster at most, largest overlaps first). A cluster with no previous id gets
``P`` + 12 hex digits of a hash of its smallest ``(list, record_id)``, so even a first run is
reproducible. :func:`person_ids` also says which ids were carried over from the previous run,
so that a caller never tells a new person from an old one by the id's format.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["PersonIds", "assign_person_ids", "person_ids"]


@dataclass(frozen=True)
class PersonIds:
    """A person id per record, and the ids taken from the previous run (the rest are new)."""

    ids: list[str]
    carried_over: frozenset[str]


def _hashed(list_name: str, record_id: str) -> str:
    digest = hashlib.sha256(f"{list_name}\x1f{record_id}".encode()).hexdigest()
    return f"P{digest[:12]}"


def _previous_votes(
    keys: pa.Table, dense: np.ndarray[Any, Any], previous: pa.Table
) -> tuple[list[tuple[int, int, str]], set[str]]:
    """Records shared with the previous run, as (count, cluster, previous id); every old id."""
    prev = previous.select(["list", "record_id", "person_id"]).to_pandas().astype(str)
    prev = prev.drop_duplicates(["list", "record_id"], keep="last")
    now = keys.to_pandas()
    now["cluster"] = dense
    both = now.merge(prev, on=["list", "record_id"], how="inner")
    counts = both.groupby(["cluster", "person_id"], sort=False).size().reset_index()
    votes = list(
        zip(
            counts[0].astype(int).tolist(),
            counts["cluster"].astype(int).tolist(),
            counts["person_id"].tolist(),
            strict=True,
        )
    )
    return votes, set(prev["person_id"].tolist())


def assign_person_ids(
    lists: list[str],
    record_ids: list[str],
    labels: np.ndarray[Any, Any],
    previous: pa.Table | None = None,
) -> list[str]:
    """Person id per record, given cluster ``labels`` and a previous ``clusters.csv`` table."""
    return person_ids(lists, record_ids, labels, previous).ids


def person_ids(
    lists: list[str],
    record_ids: list[str],
    labels: np.ndarray[Any, Any],
    previous: pa.Table | None = None,
) -> PersonIds:
    """As :func:`assign_person_ids`, with the ids carried over from ``previous``."""
    n = len(labels)
    if n == 0:
        return PersonIds([], frozenset())
    keys = pa.table(
        {"list": pa.array(lists, pa.string()), "record_id": pa.array(record_ids, pa.string())}
    )
    labs = np.asarray(labels, dtype="int64")
    uniq, dense = np.unique(labs, return_inverse=True)
    dense = dense.ravel()
    sizes = np.bincount(dense)
    # Each cluster's smallest (list, record_id); clusters are named in that order.
    order = pc.sort_indices(keys, [("list", "ascending"), ("record_id", "ascending")]).to_numpy()
    _, first_pos = np.unique(dense[order], return_index=True)
    first = order[first_pos]
    chosen: dict[int, str] = {}
    used: set[str] = set()
    if previous is not None and previous.num_rows:
        votes, used_before = _previous_votes(keys, dense, previous)
        # more overlap first, then the larger share of the cluster, then the id itself
        ranked = sorted(
            ((c, -int(sizes[g]), pid, int(uniq[g]), g) for c, g, pid in votes),
            key=lambda v: (-v[0], -v[1], v[2], v[3]),
        )
        for _, _, pid, _, g in ranked:
            if g not in chosen and pid not in used:
                chosen[g] = pid
                used.add(pid)
        used |= used_before
    names = np.empty(len(uniq), dtype=object)
    for g in np.argsort(first_pos, kind="stable").tolist():
        got = chosen.get(g)
        if got is None:
            i = int(first[g])
            got = _hashed(lists[i], record_ids[i])
            salt = 0
            while got in used:
                salt += 1
                got = _hashed(lists[i], f"{record_ids[i]}#{salt}")
            used.add(got)
        names[g] = got
    out: list[str] = names[dense].tolist()
    return PersonIds(out, frozenset(chosen.values()))
