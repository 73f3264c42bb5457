"""Stratum checks and combination by summing draws."""

from __future__ import annotations

import numpy as np
import pytest

from inquest.estimate.histories import CaptureHistories
from inquest.estimate.result import EstimateResult
from inquest.estimate.strata import combine, drop_empty_lists, stratum_problems


def _h(patterns: list[list[int]], counts: list[int]) -> CaptureHistories:
    return CaptureHistories(
        lists=("A", "B", "C", "D")[: len(patterns[0])],
        patterns=np.array(patterns, dtype=np.uint8),
        counts=np.array(counts, dtype=np.int64),
    )


def test_thin_strata_are_flagged() -> None:
    assert stratum_problems(_h([[1, 0, 0], [0, 1, 0], [1, 1, 0]], [5, 5, 9])) != []
    assert any(
        "no person is on two lists" in p
        for p in stratum_problems(_h([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [5, 5, 9]))
    )
    assert stratum_problems(_h([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], [5, 5, 9, 7])) == []


def test_drop_empty_lists() -> None:
    h = drop_empty_lists(_h([[1, 0, 0, 1], [0, 0, 1, 1]], [3, 4]))
    assert h.lists == ("A", "C", "D")
    assert h.n_observed == 7


def _result(point: str, n: int, est: float) -> EstimateResult:
    return EstimateResult(method="m", n_observed=n, estimate=est, lower=0, upper=0, point=point)


def test_combine_sums_draws() -> None:
    rng = np.random.default_rng(1)
    a = rng.normal(1000, 50, size=4000)
    b = rng.normal(500, 30, size=2000)
    res, total = combine(
        "m", {"x": _result("median", 800, 1000), "y": _result("median", 400, 500)}, {"x": a, "y": b}
    )
    assert total.size == 4000
    assert res.n_observed == 1200
    assert res.estimate == pytest.approx(1500, abs=5)
    sd = np.hypot(50, 30)
    assert res.lower == pytest.approx(1500 - 1.96 * sd, abs=8)
    assert res.upper == pytest.approx(1500 + 1.96 * sd, abs=8)


def test_combine_loglinear_point_is_sum_of_mles() -> None:
    res, _ = combine(
        "loglinear",
        {"x": _result("mle", 10, 20.0), "y": _result("mle", 5, 7.5)},
        {"x": np.full(10, 21.0), "y": np.full(10, 8.0)},
    )
    assert res.estimate == 27.5
    assert res.lower == res.upper == 29.0
