"""Stable person ids: the same person keeps the same id when the data barely changes.

A cluster takes the previous run's id with which it shares the most records (each previous id
goes to one cluster at most, largest overlaps first). A cluster with no previous id gets
``P`` + 12 hex digits of a hash of its smallest ``(list, record_id)``, so even a first run is
reproducible.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

import numpy as np
import pyarrow as pa

__all__ = ["assign_person_ids"]


def _hashed(list_name: str, record_id: str) -> str:
    digest = hashlib.sha256(f"{list_name}\x1f{record_id}".encode()).hexdigest()
    return f"P{digest[:12]}"


def assign_person_ids(
    lists: list[str],
    record_ids: list[str],
    labels: np.ndarray[Any, Any],
    previous: pa.Table | None = None,
) -> list[str]:
    """Person id per record, given cluster ``labels`` and a previous ``clusters.csv`` table."""
    n = len(labels)
    keys = list(zip(lists, record_ids, strict=True))
    prev: dict[tuple[str, str], str] = {}
    if previous is not None and previous.num_rows:
        for row in previous.select(["list", "record_id", "person_id"]).to_pylist():
            prev[(str(row["list"]), str(row["record_id"]))] = str(row["person_id"])
    members: dict[int, list[int]] = {}
    for i, lab in enumerate(labels.tolist()):
        members.setdefault(int(lab), []).append(i)
    votes: list[tuple[int, int, str, int]] = []
    for lab, idx in members.items():
        counts = Counter(prev[keys[i]] for i in idx if keys[i] in prev)
        for pid, c in counts.items():
            # more overlap first, then the larger share of the cluster, then the id itself
            votes.append((c, -len(idx), pid, lab))
    votes.sort(key=lambda v: (-v[0], -v[1], v[2], v[3]))
    chosen: dict[int, str] = {}
    used: set[str] = set()
    for _, _, pid, lab in votes:
        if lab not in chosen and pid not in used:
            chosen[lab] = pid
            used.add(pid)
    used |= set(prev.values())
    out = [""] * n
    for lab in sorted(members, key=lambda lb: min(keys[i] for i in members[lb])):
        idx = members[lab]
        got = chosen.get(lab)
        if got is not None:
            pid = got
        else:
            first = min(keys[i] for i in idx)
            pid = _hashed(*first)
            salt = 0
            while pid in used:
                salt += 1
                pid = _hashed(first[0], f"{first[1]}#{salt}")
            used.add(pid)
        for i in idx:
            out[i] = pid
    return out
