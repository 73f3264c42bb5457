"""What a linkage run's own pair probabilities say about its links, for the readers of an
estimate: how many of its links are expected to be false, how many true links it is expected
to miss, and how many uncertain pairs still wait for a reviewer.

Taken at face value, a pair with probability ``p`` is a true link with probability ``p``, so
over the scored pairs the run joins, ``sum(1 - p)`` links are expected to be false; over the
scored pairs it leaves apart, ``sum(p)`` true links are expected to be missed. A reviewer's
match counts as ``p = 1``, a non-match as ``p = 0``. These are the model's own expectations:
a miscalibrated model misjudges them too (docs/methodology/linkage.md, "Linkage quality").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from inquest.errors import InputError
from inquest.linkage.cluster.components import pair_key

__all__ = ["LinkageQuality", "linkage_quality"]

Array = np.ndarray[Any, Any]


@dataclass(frozen=True)
class LinkageQuality:
    """The run's links as its pair probabilities judge them.

    ``linked_pairs`` are the scored pairs inside one person of the run, ``unlinked_pairs``
    the scored pairs across persons; ``unscored_linked_pairs`` pairs inside a person that no
    score covers (counted in neither expectation). ``awaiting_review`` are the scored pairs
    with ``review_low <= p < review_high`` that no reviewer has decided.
    """

    linked_pairs: int
    unlinked_pairs: int
    expected_false_links: float
    expected_missed_links: float
    unscored_linked_pairs: int
    awaiting_review: int
    decided_pairs: int
    review_low: float
    review_high: float

    @property
    def expected_precision(self) -> float | None:
        """Share of the run's scored links expected to be true (None without links)."""
        if self.linked_pairs == 0:
            return None
        return 1.0 - self.expected_false_links / self.linked_pairs

    @property
    def expected_recall(self) -> float | None:
        """Share of the true links among scored pairs the run is expected to have made."""
        true_kept = self.linked_pairs - self.expected_false_links
        found = true_kept + self.expected_missed_links
        return None if found <= 0 else true_kept / found

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with the expected precision and recall."""
        return {
            "linked_pairs": self.linked_pairs,
            "unlinked_pairs": self.unlinked_pairs,
            "expected_false_links": self.expected_false_links,
            "expected_missed_links": self.expected_missed_links,
            "expected_precision": self.expected_precision,
            "expected_recall": self.expected_recall,
            "unscored_linked_pairs": self.unscored_linked_pairs,
            "awaiting_review": self.awaiting_review,
            "decided_pairs": self.decided_pairs,
            "review_band": [self.review_low, self.review_high],
        }

    @classmethod
    def from_dict(cls, data: Any) -> LinkageQuality | None:
        """The quality ``to_dict`` wrote, or None if ``data`` is not one."""
        if not isinstance(data, dict):
            return None
        try:
            band = data["review_band"]
            return cls(
                linked_pairs=int(data["linked_pairs"]),
                unlinked_pairs=int(data["unlinked_pairs"]),
                expected_false_links=float(data["expected_false_links"]),
                expected_missed_links=float(data["expected_missed_links"]),
                unscored_linked_pairs=int(data["unscored_linked_pairs"]),
                awaiting_review=int(data["awaiting_review"]),
                decided_pairs=int(data["decided_pairs"]),
                review_low=float(band[0]),
                review_high=float(band[1]),
            )
        except (KeyError, TypeError, ValueError, IndexError):
            return None


def linkage_quality(
    labels: Array,
    left: Array,
    right: Array,
    probability: Array,
    *,
    must_link: list[tuple[int, int]] | Array | None = None,
    cannot_link: list[tuple[int, int]] | Array | None = None,
    review_low: float,
    review_high: float,
) -> LinkageQuality:
    """The quality of the clustering ``labels`` (a person label per record) under its scored
    pairs (records ``left[i]``, ``right[i]`` at ``probability[i]``; a pair scored twice
    counts once, at its higher score) and the reviewers' decisions."""
    lab = np.asarray(labels, np.int64)
    n = len(lab)
    a = np.asarray(left, np.int64)
    b = np.asarray(right, np.int64)
    p = np.asarray(probability, np.float64).copy()
    if not len(a) == len(b) == len(p):
        raise InputError("left, right and probability differ in length", field="pairs")
    if not 0 <= review_low <= review_high <= 1:
        raise InputError("need 0 <= review_low <= review_high <= 1", field="review")
    key = pair_key(a, b, n)
    order = np.lexsort((-p, key))
    key, a, b, p = key[order], a[order], b[order], p[order]
    first = np.ones(len(key), bool)
    first[1:] = key[1:] != key[:-1]
    key, a, b, p = key[first], a[first], b[first], p[first]
    decided = np.zeros(len(key), bool)
    for pairs, value in ((must_link, 1.0), (cannot_link, 0.0)):
        arr = np.asarray(pairs if pairs is not None else [], np.int64).reshape(-1, 2)
        if len(arr):
            hit = np.isin(key, pair_key(arr[:, 0], arr[:, 1], n))
            p[hit] = value
            decided |= hit
    band = (p >= review_low) & (p < review_high) & ~decided
    inside = lab[a] == lab[b]
    _, sizes = np.unique(lab, return_counts=True)
    all_inside = int((sizes * (sizes - 1) // 2).sum())
    return LinkageQuality(
        linked_pairs=int(inside.sum()),
        unlinked_pairs=int((~inside).sum()),
        expected_false_links=float((1.0 - p[inside]).sum()),
        expected_missed_links=float(p[~inside].sum()),
        unscored_linked_pairs=all_inside - int(inside.sum()),
        awaiting_review=int(band.sum()),
        decided_pairs=int(decided.sum()),
        review_low=review_low,
        review_high=review_high,
    )
