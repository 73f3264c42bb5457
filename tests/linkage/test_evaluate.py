"""Tests for inquest.linkage.evaluate against hand-counted figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from inquest.errors import InputErrors
from inquest.linkage.evaluate import evaluate_files, score_clusters


def test_hand_counted() -> None:
    # truth: {a,b,c} {d}; predicted: {a,b} {c,d}
    s = score_clusters([1, 1, 2, 2], ["x", "x", "x", "y"])
    assert (s.true_pairs, s.predicted_pairs) == (3, 2)
    assert s.pairwise_precision == pytest.approx(1 / 2)
    assert s.pairwise_recall == pytest.approx(1 / 3)
    # B-cubed precision: a 1, b 1, c 1/2, d 1/2 -> 3/4; recall: a 2/3, b 2/3, c 1/3, d 1 -> 2/3
    assert s.bcubed_precision == pytest.approx(0.75)
    assert s.bcubed_recall == pytest.approx(2 / 3)


@given(st.lists(st.integers(0, 5), min_size=1, max_size=40))
def test_perfect_clustering_scores_one(labels: list[int]) -> None:
    s = score_clusters(np.array(labels) + 100, labels)
    assert s.pairwise_f1 == 1.0 or s.true_pairs == 0
    assert s.bcubed_f1 == pytest.approx(1.0)


def test_files(tmp_path: Path) -> None:
    truth = tmp_path / "truth.csv"
    truth.write_text("list,record_id,true_person_id\na,1,p\nb,1,p\nb,2,q\n", "utf-8")
    clusters = tmp_path / "clusters.csv"
    clusters.write_text("list,record_id,person_id\na,1,X\nb,1,X\nb,2,Y\n", "utf-8")
    assert evaluate_files(truth, clusters).pairwise_f1 == 1.0
    clusters.write_text("list,record_id,person_id\na,1,X\nb,1,X\n", "utf-8")
    with pytest.raises(InputErrors, match="missing"):
        evaluate_files(truth, clusters)
