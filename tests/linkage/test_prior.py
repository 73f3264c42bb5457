"""The prior refitted from scored pairs: the EM fixed point, and the pipeline scoring with it."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from inquest.io import read_list
from inquest.linkage.pipeline import link_records, write_run
from inquest.linkage.predict import score_pairs
from inquest.linkage.prior import refit_prior

DATA = Path(__file__).parent / "data"


def _calibrated_pairs(
    true_prior: float, pairs: float, sigma: float = 4.0
) -> tuple[
    np.ndarray[tuple[int], np.dtype[np.float64]], np.ndarray[tuple[int], np.dtype[np.float64]]
]:
    """Log2 Bayes factors on a grid, and how many of ``pairs`` have each, for a model that is
    right: matches' factors normal in bits, non-matches' the same density times 2^-factor
    (the factor is the ratio of the two densities); the mean makes both integrate to one."""
    mean = sigma**2 * math.log(2) / 2
    grid = np.arange(-60.0, 60.0, 1 / 128)
    f_match = np.exp(-0.5 * ((grid - mean) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
    f_non = f_match * np.exp2(-grid)
    counts = pairs * (true_prior * f_match + (1 - true_prior) * f_non) / 128
    return grid, counts


@pytest.mark.parametrize("start", [0.2, 1.0, 5.0])
def test_the_fixed_point_finds_the_true_prior_from_a_wrong_start(start: float) -> None:
    true_prior, pairs = 2e-4, 5e7
    bf, counts = _calibrated_pairs(true_prior, pairs)
    trained = true_prior * start
    weights = bf + math.log2(trained / (1 - trained))
    fit = refit_prior(weights, counts, trained=trained, pairs=pairs)
    assert fit.refit == pytest.approx(true_prior, rel=1e-3)
    assert fit.shift_bits == pytest.approx(
        math.log2(fit.refit / (1 - fit.refit)) - math.log2(trained / (1 - trained))
    )


def test_the_kept_pairs_alone_come_close_when_matches_score_well() -> None:
    """Pairs below the keep threshold (1%) are not scored again: the fit over the rest is
    biased low, by a few percent when matches score well (it is worse when they do not:
    the module's docstring)."""
    true_prior, pairs = 2e-4, 5e7
    bf, counts = _calibrated_pairs(true_prior, pairs, sigma=8.0)
    trained = true_prior / 3
    weights = bf + math.log2(trained / (1 - trained))
    kept = 1 / (1 + np.exp2(-weights)) >= 0.01
    fit = refit_prior(weights[kept], counts[kept], trained=trained, pairs=pairs)
    assert fit.refit == pytest.approx(true_prior, rel=0.05)


def test_counts_weigh_like_repeated_pairs() -> None:
    weights = np.array([-3.0, 0.5, 4.0])
    counts = np.array([10.0, 3.0, 2.0])
    repeated = np.repeat(weights, counts.astype(int))
    a = refit_prior(weights, counts, trained=1e-3, pairs=1e4)
    b = refit_prior(repeated, np.ones_like(repeated), trained=1e-3, pairs=1e4)
    assert a.refit == pytest.approx(b.refit)


def test_bad_priors_are_refused() -> None:
    with pytest.raises(ValueError, match="trained prior"):
        refit_prior(np.zeros(1), np.ones(1), trained=0.0, pairs=10)
    with pytest.raises(ValueError, match="no record pairs"):
        refit_prior(np.zeros(1), np.ones(1), trained=0.1, pairs=0)


@pytest.mark.slow
def test_the_pipeline_scores_kept_and_rescored_pairs_with_the_refitted_prior(
    tmp_path: Path,
) -> None:
    result = link_records(read_list(DATA / "fake_1000_part.csv"))
    assert result.prior is not None and result.prior.refit != result.prior.trained
    assert result.model_json["probability_two_random_records_match"] == result.prior.refit
    # the kept pairs' probabilities are what the linker gives the same pairs now
    edges = result.edges.slice(0, 200)
    again, _ = score_pairs(result.linker, result.engine, edges)
    kept = {
        (int(a), int(b)): p
        for a, b, p in zip(*(edges.column(c).to_pylist() for c in edges.column_names), strict=True)
    }
    for a, b, p in zip(*(again.column(c).to_pylist() for c in again.column_names), strict=True):
        assert p == pytest.approx(kept[(int(a), int(b))], abs=1e-9)
    assert min(kept.values()) >= 0.01
    summary = write_run(result, tmp_path / "run")["run"].read_text(encoding="utf-8")
    assert '"refit"' in summary
