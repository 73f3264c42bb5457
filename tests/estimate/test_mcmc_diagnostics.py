"""Split R-hat and ESS (Vehtari et al. 2021) against cases with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import lfilter

from inquest.estimate._mcmc_diagnostics import (
    autocorrelation,
    ess,
    ess_bulk,
    ess_tail,
    split_rhat,
)


def _ar1(rng: np.random.Generator, phi: float, chains: int, n: int) -> np.ndarray:
    """Stationary AR(1) chains with unit marginal variance."""
    noise = rng.standard_normal((chains, n)) * np.sqrt(1.0 - phi**2)
    noise[:, 0] = rng.standard_normal(chains)  # x_0 is a stationary draw
    out: np.ndarray = lfilter([1.0], [1.0, -phi], noise, axis=1)
    return out


def test_iid_draws_have_ess_close_to_their_number() -> None:
    draws = np.random.default_rng(1).standard_normal((4, 2_000))
    for value in (ess(draws), ess_bulk(draws), ess_tail(draws)):
        assert 0.85 * draws.size < value < 1.15 * draws.size
    assert split_rhat(draws) < 1.01


@pytest.mark.parametrize("phi", [0.5, 0.9])
def test_ar1_ess_matches_the_formula(phi: float) -> None:
    draws = _ar1(np.random.default_rng(2), phi, chains=4, n=20_000)
    expected = draws.size * (1.0 - phi) / (1.0 + phi)
    assert ess(draws) == pytest.approx(expected, rel=0.15)
    assert ess_bulk(draws) == pytest.approx(expected, rel=0.15)


def test_autocorrelation_of_ar1_decays_geometrically() -> None:
    series = _ar1(np.random.default_rng(3), 0.7, chains=1, n=50_000)[0]
    acf = autocorrelation(series)
    assert acf[0] == pytest.approx(1.0)
    assert acf[1] == pytest.approx(0.7, abs=0.02)
    assert acf[2] == pytest.approx(0.49, abs=0.03)


def test_rhat_flags_chains_that_disagree() -> None:
    rng = np.random.default_rng(4)
    draws = rng.standard_normal((4, 1_000))
    draws[0] += 1.0
    # between-half-chain variance of the means is about 0.21, so R-hat is about sqrt(1.21)
    assert split_rhat(draws) == pytest.approx(1.10, abs=0.03)


def test_rhat_flags_a_trend_within_chains() -> None:
    """Split R-hat sees a chain that drifts even when all chains drift alike."""
    rng = np.random.default_rng(5)
    draws = rng.standard_normal((4, 1_000)) + np.linspace(0.0, 3.0, 1_000)
    assert split_rhat(draws) > 1.1


def test_rhat_flags_different_spreads_through_the_folded_draws() -> None:
    rng = np.random.default_rng(6)
    draws = rng.standard_normal((4, 2_000))
    draws[0] *= 4.0
    assert split_rhat(draws) > 1.05


def test_constant_draws_give_nan() -> None:
    draws = np.full((2, 100), 3.0)
    assert np.isnan(split_rhat(draws))
    assert np.isnan(ess_bulk(draws))
    assert np.isnan(ess(draws))


def test_one_dimensional_input_is_one_chain() -> None:
    draws = np.random.default_rng(7).standard_normal(1_000)
    assert ess(draws) == pytest.approx(ess(draws[None, :]))


def test_bad_shape_is_refused() -> None:
    with pytest.raises(ValueError, match="chains, draws"):
        ess(np.zeros((2, 2, 2)))
