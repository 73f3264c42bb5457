"""The review queue and the match-weight waterfall, computed by the engine."""

from __future__ import annotations

import math
from typing import Any

import pyarrow as pa
import pytest

from inquest.linkage.review import (
    ReviewBand,
    ReviewReason,
    Waterfall,
    pair_waterfall,
    review_queue,
    waterfall,
)

MODEL: dict[str, Any] = {
    "comparisons": [
        {
            "output_column_name": "name",
            "comparison_levels": [
                {"is_null_level": True},
                {"label_for_charts": "exact", "m_probability": 0.8, "u_probability": 0.1},
                {"label_for_charts": "different", "m_probability": 0.2, "u_probability": 0.9},
            ],
        },
        {
            "output_column_name": "death_date",
            "comparison_levels": [
                {"is_null_level": True},
                {"label_for_charts": "same day", "m_probability": 0.5, "u_probability": 0.01},
                {"label_for_charts": "else", "m_probability": 0.5, "u_probability": 0.99},
            ],
        },
    ]
}


def _predictions() -> pa.Table:
    return pa.table(
        {
            "record_id_l": ["2", "1", "3", "1"],
            "record_id_r": ["1", "3", "4", "4"],
            "match_probability": [0.3, 0.9, 0.05, 0.7],
            "match_weight": [-1.2, 3.2, -4.2, 1.2],
            "gamma_name": [1, 1, 0, 1],
            "mw_name": [3.0, 3.0, -2.2, 3.0],
            "mw_tf_adj_name": [0.5, 0.0, 0.0, None],
            "gamma_death_date": [-1, 1, 0, 0],
            "mw_death_date": [0.0, 5.6, -1.0, -1.0],
        }
    )


def test_queue_holds_the_band_and_the_shaky_members_strongest_pair() -> None:
    clusters = pa.table(
        {
            "record_id": ["1", "3", "4", "2"],
            "person_id": ["P1", "P1", "P1", "P2"],
            "confidence": [0.9, 0.9, 0.4, 1.0],
            "cluster_size": [3, 3, 3, 1],
        }
    )
    queue = review_queue(_predictions(), clusters, ReviewBand(0.05, 0.5))
    got = {(c.left, c.right): (c.probability, c.reason) for c in queue}
    assert got == {
        ("1", "2"): (0.3, ReviewReason.BAND),  # lower id first
        ("3", "4"): (0.05, ReviewReason.BAND),  # the band includes its bottom
        ("1", "4"): (0.7, ReviewReason.CLUSTER),  # record 4's strongest pair in P1
    }
    assert not ReviewBand(0.05, 0.5).holds(0.5)


def test_queue_keeps_the_id_type_of_the_tables() -> None:
    predictions = _predictions()
    ints = predictions.set_column(0, "record_id_l", predictions["record_id_l"].cast(pa.int64()))
    ints = ints.set_column(1, "record_id_r", predictions["record_id_r"].cast(pa.int64()))
    clusters = pa.table(
        {"record_id": [9], "person_id": ["P"], "confidence": [1.0], "cluster_size": [1]}
    )
    queue = review_queue(ints, clusters, ReviewBand(0.05, 0.5))
    assert sorted((c.left, c.right) for c in queue) == [(1, 2), (3, 4)]


def test_waterfall_reads_labels_from_the_model_and_adds_up() -> None:
    row = _predictions().to_pylist()[0]
    fall = waterfall(row, MODEL)
    assert [(s.comparison, s.label) for s in fall.steps] == [
        ("prior", ""),
        ("name", "exact"),
        ("death_date", "null"),
    ]
    name = fall.steps[1]
    assert name.weight == pytest.approx(3.5)  # with its term-frequency adjustment
    assert name.supports
    assert fall.steps[0].weight == pytest.approx(-1.2 - 3.5)
    assert fall.steps[-1].total == pytest.approx(fall.match_weight) == pytest.approx(-1.2)
    assert fall.probability == 0.3


def test_a_level_the_model_does_not_name_has_no_label() -> None:
    row = {**_predictions().to_pylist()[1], "gamma_name": 7}
    assert waterfall(row, MODEL).steps[1].label == ""


def test_pair_waterfall_finds_the_pair_in_either_order() -> None:
    forward = pair_waterfall(_predictions(), MODEL, "1", "2")
    backward = pair_waterfall(_predictions(), MODEL, "2", "1")
    assert isinstance(forward, Waterfall)
    assert forward == backward
    assert forward.match_weight == -1.2
    assert pair_waterfall(_predictions(), MODEL, "2", "4") is None
    assert math.isclose(sum(s.weight for s in forward.steps), forward.match_weight)
