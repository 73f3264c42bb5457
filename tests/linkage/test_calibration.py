"""Tests for inquest.linkage.calibration: Platt scaling of pair probabilities on reviewed pairs."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from inquest.errors import InputError
from inquest.linkage.calibration import (
    BANDS,
    band_of,
    band_weights,
    calibrate_pairs,
    fit_platt,
    stratified_sample,
)


def synthetic(n: int, slope: float, intercept: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Pair probabilities and labels drawn so that logit P(match) = intercept + slope logit p."""
    rng = np.random.default_rng(seed)
    z = rng.normal(-1.0, 2.5, n)
    prob = 1 / (1 + np.exp(-z))
    truth = 1 / (1 + np.exp(-(intercept + slope * z)))
    return prob, (rng.random(n) < truth).astype(float)


@pytest.mark.parametrize(("slope", "intercept"), [(1.0, 0.0), (0.6, 1.5), (1.4, -0.8)])
def test_recovers_known_slope_and_intercept(slope: float, intercept: float) -> None:
    prob, y = synthetic(20_000, slope, intercept, seed=3)
    cal = fit_platt(prob, y)
    assert cal.slope == pytest.approx(slope, abs=4 * cal.se_slope + 0.02)
    assert cal.intercept == pytest.approx(intercept, abs=4 * cal.se_intercept + 0.02)
    assert cal.n_labels == 20_000 and cal.n_matches == int(y.sum())


def test_stratified_sample_with_band_weights_recovers_the_population_fit() -> None:
    """200 pairs, the same number per band, weighted back to their bands, fit the population's
    recalibration within a few standard errors; unweighted, a band-stratified sample is
    not a sample of the pairs, but the fit of a correct (logistic) model stays consistent."""
    slope, intercept = 0.7, 1.2
    prob, y = synthetic(50_000, slope, intercept, seed=5)
    fits = []
    for seed in range(20):
        at = stratified_sample(prob, 200, seed)
        assert len(at) == 200 and len(np.unique(at)) == 200
        w = band_weights(prob[at], prob)
        fits.append(fit_platt(prob[at], y[at], w))
    slopes = np.array([f.slope for f in fits])
    intercepts = np.array([f.intercept for f in fits])
    assert abs(np.median(slopes) - slope) < 0.15
    assert abs(np.median(intercepts) - intercept) < 0.3


def test_stratified_sample_spreads_over_bands() -> None:
    rng = np.random.default_rng(0)
    prob = np.concatenate([rng.uniform(0.01, 0.02, 5000), rng.uniform(0.97, 1.0, 30)])
    at = stratified_sample(prob, 100, seed=1)
    bands = band_of(prob[at])
    # the thin band gives what it has, the rest comes from the other
    assert (prob[at] >= 0.97).sum() == 30
    assert len(at) == 100
    assert set(bands.tolist()) == {0, len(BANDS) - 2}


def test_apply_and_calibrate_pairs() -> None:
    prob, y = synthetic(5000, 2.0, 1.0, seed=1)
    cal = fit_platt(prob, y)
    p = np.array([0.0, 0.1, 0.5, 1.0])
    out = cal.apply(p)
    assert out[0] == 0.0 and out[-1] == 1.0
    assert out[2] == pytest.approx(1 / (1 + np.exp(-cal.intercept)))
    table = pa.table(
        {
            "unique_id_l": pa.array([0, 1], pa.int64()),
            "unique_id_r": pa.array([1, 2], pa.int64()),
            "match_probability": pa.array([0.1, 0.5]),
        }
    )
    new = calibrate_pairs(table, cal)
    assert new.column_names == table.column_names
    np.testing.assert_allclose(new.column("match_probability").to_numpy(), cal.apply(p[1:3]))


def test_separated_labels_stay_finite() -> None:
    prob = np.array([0.05, 0.1, 0.2, 0.7, 0.8, 0.9])
    y = np.array([0, 0, 0, 1, 1, 1], float)
    cal = fit_platt(prob, y)
    assert np.isfinite(cal.slope) and np.isfinite(cal.intercept)


def test_bad_labels_are_refused() -> None:
    with pytest.raises(InputError):
        fit_platt(np.array([0.1, 0.2]), np.array([0.0, 2.0]))
    with pytest.raises(InputError):
        fit_platt(np.array([0.1]), np.array([1.0]))
    with pytest.raises(InputError):
        fit_platt(np.array([0.1, 0.2]), np.array([0.0, 1.0]), np.array([1.0, 0.0]))
