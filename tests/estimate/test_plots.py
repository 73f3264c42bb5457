"""Plots are written for ordinary and degenerate inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from inquest.estimate.histories import CaptureHistories
from inquest.estimate.plots import comparison_plot, overlap_plot, posterior_plot, trace_plot
from inquest.estimate.result import EstimateResult


def _res(method: str, est: float, point: str = "median") -> EstimateResult:
    return EstimateResult(
        method=method, n_observed=100, estimate=est, lower=est - 20, upper=est + 30, point=point
    )


def test_all_plots(tmp_path: Path) -> None:
    h = CaptureHistories(
        lists=("A", "B", "C"),
        patterns=np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1], [1, 1, 1]], np.uint8),
        counts=np.array([40, 30, 10, 15, 5], np.int64),
    )
    results = {"loglinear": _res("loglinear", 150, "mle"), "lcmcr": _res("lcmcr", 160)}
    rng = np.random.default_rng(0)
    draws = {"loglinear": np.full(50, 150.0), "lcmcr": rng.normal(160, 10, 400)}
    paths = [
        overlap_plot(h, tmp_path / "o.png"),
        posterior_plot(results, draws, tmp_path / "p.png"),
        posterior_plot({"loglinear": results["loglinear"]}, draws, tmp_path / "p1.png"),
        comparison_plot(results, tmp_path / "c.png"),
        trace_plot(
            {"N": rng.normal(160, 10, (2, 100)), "alpha": rng.random((2, 100))}, tmp_path / "t.png"
        ),
    ]
    for p in paths:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert p.stat().st_size > 3000
