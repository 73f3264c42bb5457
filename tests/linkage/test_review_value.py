"""Tests for inquest.linkage.review_value: pairs valued by how much deciding them narrows N."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from inquest.errors import InputError
from inquest.estimate.histories import CaptureHistories
from inquest.linkage.posterior import draw_partitions
from inquest.linkage.quality import linkage_quality
from inquest.linkage.review_value import (
    ReviewOrder,
    ReviewStatistic,
    independence_weights,
    order_review_table,
    review_values,
)


def pairs(rows: list[tuple[int, int, float]]) -> pa.Table:
    left, right, p = zip(*rows, strict=True)
    return pa.table(
        {
            "unique_id_l": pa.array(left, pa.int64()),
            "unique_id_r": pa.array(right, pa.int64()),
            "match_probability": pa.array(p, pa.float64()),
        }
    )


def test_a_lone_pair_is_worth_q_times_one_minus_q_persons() -> None:
    src = np.array([0, 1, 0, 1, 0, 1])
    d = draw_partitions(pairs([(0, 1, 0.5), (2, 3, 0.9)]), 6, n_draws=4000, seed=1, source=src)
    v = review_values(
        d,
        np.array([0, 2, 4]),
        np.array([1, 3, 5]),
        np.array([0.5, 0.9, 0.3]),
        statistic=ReviewStatistic.PERSONS,
    )
    assert v.sampled.tolist() == [True, True, False]
    q = v.together[:2]
    # joining a lone pair changes the persons by exactly one
    assert v.value[:2] == pytest.approx(q * (1 - q))
    assert v.value[2] == pytest.approx(0.3 * 0.7)  # not sampled: its model probability
    assert v.order(np.array([0.5, 0.9, 0.3]))[0] == 0


def test_independence_weights_are_the_lincoln_petersen_derivatives() -> None:
    h = CaptureHistories(
        lists=("A", "B"),
        patterns=np.array([[1, 0], [0, 1], [1, 1]], np.uint8),
        counts=np.array([100, 100, 50]),
    )
    w = independence_weights(h)
    # N = (a + c)(b + c) / c: dN/da = (b + c) / c = 3; one more overlap lowers N by about 3
    assert (
        w[0] == 0 and w[1] == pytest.approx(3.0, abs=0.05) and w[2] == pytest.approx(3.0, abs=0.05)
    )
    assert w[3] == pytest.approx(-3.0, abs=0.1)


def test_a_table_without_overlap_to_fit_falls_back_to_persons() -> None:
    # three lists, one record each: the independence model cannot extrapolate
    src = np.array([0, 1, 2])
    d = draw_partitions(
        pairs([(0, 1, 0.5), (1, 2, 0.5), (0, 2, 0.5)]), 3, n_draws=2000, seed=2, source=src
    )
    args = (d, np.array([0, 1]), np.array([1, 2]), np.array([0.5, 0.5]))
    by_name = review_values(*args, statistic="n_hat")
    persons = review_values(*args, statistic=ReviewStatistic.PERSONS)
    assert by_name.statistic is ReviewStatistic.N_HAT
    assert by_name.value == pytest.approx(persons.value)
    assert np.all(persons.value > 0) and np.all(persons.value <= 0.25 + 1e-9)


def test_the_export_table_is_ordered_by_value_or_by_even_odds() -> None:
    records = pa.table({"list": ["A", "B", "A", "B"], "record_id": ["1", "1", "2", "2"]})
    d = draw_partitions(
        pairs([(0, 1, 0.9), (2, 3, 0.45)]),
        4,
        n_draws=2000,
        seed=3,
        source=np.array([0, 1, 0, 1]),
        lists=("A", "B"),
        records=records,
    )
    table = pa.table(
        {
            "list_l": ["A", "A"],
            "record_id_l": ["1", "2"],
            "list_r": ["B", "B"],
            "record_id_r": ["1", "2"],
            "match_probability": [0.9, 0.45],
        }
    )
    by_value = order_review_table(table, d, statistic=ReviewStatistic.PERSONS)
    assert by_value.column("record_id_l").to_pylist() == ["2", "1"]
    assert by_value.column("review_value").to_pylist()[0] > 0.2
    even = order_review_table(table, d, order=ReviewOrder.EVEN_ODDS)
    assert even.column("record_id_l").to_pylist() == ["2", "1"]
    assert "review_value" in even.column_names
    bad = table.set_column(1, "record_id_l", pa.array(["9", "2"]))
    with pytest.raises(InputError, match="does not hold"):
        order_review_table(bad, d)


def test_linkage_quality_counts_expected_false_and_missed_links() -> None:
    labels = np.array([0, 0, 1, 2])
    q = linkage_quality(
        labels,
        np.array([0, 1, 2, 0]),
        np.array([1, 2, 3, 1]),
        np.array([0.9, 0.3, 0.2, 0.8]),
        cannot_link=[(2, 3)],
        review_low=0.05,
        review_high=0.5,
    )
    # (0, 1) scored twice counts once at 0.9; (2, 3) decided non-match counts as 0
    assert q.linked_pairs == 1 and q.unlinked_pairs == 2
    assert q.expected_false_links == pytest.approx(0.1)
    assert q.expected_missed_links == pytest.approx(0.3)
    assert q.awaiting_review == 1 and q.decided_pairs == 1
    assert q.expected_precision == pytest.approx(0.9)
    assert q.expected_recall == pytest.approx(0.9 / 1.2)
    assert type(q).from_dict(q.to_dict()) == q
