"""The LCMCR kernels' random variates follow their distributions exactly (goodness of fit
against scipy), and a multinomial draw keeps its total."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from inquest.estimate.lcmcr import _kernels as k

DRAWS = 40_000


# Plain Python loops over the jitted kernels: a new @njit function here that calls the kernels
# would link their on-disk numba cache into a fresh compile, which aborts in llvmlite on the
# second run (numba 0.68). Calling the dispatchers from Python loads the cache the normal way.
def _draw(kind: int, a: float, b: float, n: int, rng: np.ndarray) -> np.ndarray:
    out = np.empty(n)
    for i in range(n):
        if kind == 0:
            out[i] = k._normal(rng)
        elif kind == 1:
            out[i] = k._gamma(rng, a)
        elif kind == 2:
            out[i] = k._beta(rng, a, b)
        elif kind == 3:
            out[i] = k._binomial(rng, int(a), b)
        elif kind == 4:
            out[i] = k._poisson(rng, a)
        else:
            out[i] = k._uniform(rng)
    return out


def _multinomials(n: int, p: np.ndarray, reps: int, rng: np.ndarray) -> np.ndarray:
    out = np.empty((reps, p.shape[0]), dtype=np.int64)
    for i in range(reps):
        k._multinomial(rng, n, p, out[i])
    return out


def _rng(seed: int) -> np.ndarray:
    return k.seed_state(np.random.SeedSequence(seed).generate_state(4, np.uint64))


def _chisquare_discrete(draws: np.ndarray, dist: stats.rv_discrete) -> float:
    """p-value of a chi-square test of integer draws against a discrete distribution, pooling
    the tails so that each cell expects at least 20."""
    lo, hi = int(dist.ppf(1e-4)), int(dist.ppf(1 - 1e-4))
    support = np.arange(lo, hi + 1)
    probs = dist.pmf(support)
    probs[0] += dist.cdf(lo - 1)
    probs[-1] += dist.sf(hi)
    counts = np.bincount(np.clip(draws.astype(np.int64), lo, hi) - lo, minlength=support.size)
    expected = probs * draws.size
    # pool neighbouring cells until each expects >= 20
    obs_cells, exp_cells, o, e = [], [], 0.0, 0.0
    for ci, ei in zip(counts, expected, strict=True):
        o, e = o + ci, e + ei
        if e >= 20:
            obs_cells.append(o)
            exp_cells.append(e)
            o, e = 0.0, 0.0
    obs_cells[-1] += o
    exp_cells[-1] += e
    exp_arr = np.array(exp_cells) * (draws.size / np.sum(exp_cells))
    return float(stats.chisquare(obs_cells, exp_arr).pvalue)


def test_uniform_and_normal_fit() -> None:
    assert stats.kstest(_draw(5, 0, 0, DRAWS, _rng(1)), "uniform").pvalue > 1e-3
    assert stats.kstest(_draw(0, 0, 0, DRAWS, _rng(2)), "norm").pvalue > 1e-3


def test_normal_tail_beyond_the_ziggurat_base_is_right() -> None:
    draws = _draw(0, 0, 0, 400_000, _rng(3))
    tail = np.mean(np.abs(draws) > 3.442619855899)
    assert tail == pytest.approx(2 * stats.norm.sf(3.442619855899), rel=0.15)


@pytest.mark.parametrize("shape", [0.2, 0.9, 1.0, 3.5, 250.0])
def test_gamma_fits(shape: float) -> None:
    draws = _draw(1, shape, 0, DRAWS, _rng(4))
    assert stats.kstest(draws, stats.gamma(shape).cdf).pvalue > 1e-3


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (1.0, 1.0),
        (1.0, 40.0),
        (7.0, 1.0),
        (3.0, 900.0),
        (900.0, 3.0),
        (1.5, 2.5),
        (1.01, 1.2),
        (60.0, 60.0),
        (0.6, 0.4),
        (0.5, 30.0),
    ],
)
def test_beta_fits(a: float, b: float) -> None:
    draws = _draw(2, a, b, DRAWS, _rng(5))
    assert stats.kstest(draws, stats.beta(a, b).cdf).pvalue > 1e-3


@pytest.mark.parametrize(
    ("n", "p"),
    [(1, 0.3), (7, 0.4), (60, 0.1), (40, 0.5), (200, 0.05), (1_000, 0.3), (5_000, 0.93)],
)
def test_binomial_fits(n: int, p: float) -> None:
    """Covers inversion (n p < 10), BTRD (n p >= 10) and the p > 1/2 reflection."""
    draws = _draw(3, float(n), p, DRAWS, _rng(6))
    if n == 1:
        assert np.mean(draws) == pytest.approx(p, abs=0.01)
        return
    assert _chisquare_discrete(draws, stats.binom(n, p)) > 1e-3


@pytest.mark.parametrize("lam", [0.5, 6.0, 12.0, 300.0, 7_000.0])
def test_poisson_fits(lam: float) -> None:
    draws = _draw(4, lam, 0, DRAWS, _rng(7))
    assert _chisquare_discrete(draws, stats.poisson(lam)) > 1e-3


def test_multinomial_keeps_the_total_and_its_margins() -> None:
    p = np.array([0.5, 0.0, 0.2, 1e-6, 0.25, 0.05]) * 3.0  # unnormalised
    draws = _multinomials(500, p, 20_000, _rng(8))
    assert (draws.sum(axis=1) == 500).all()
    assert (draws[:, 1] == 0).all()
    probs = p / p.sum()
    for j in (0, 2, 4, 5):
        assert _chisquare_discrete(draws[:, j], stats.binom(500, probs[j])) > 1e-3


@pytest.mark.parametrize("n", [1, 3, 8, 9])
def test_small_multinomials_use_the_right_probabilities(n: int) -> None:
    """Few people are placed one by one; the margins must still be binomial."""
    p = np.array([0.1, 0.6, 0.3])
    draws = _multinomials(n, p, 30_000, _rng(9))
    assert (draws.sum(axis=1) == n).all()
    for j in range(3):
        assert np.mean(draws[:, j]) == pytest.approx(n * p[j], rel=0.03, abs=0.01)


def test_an_all_zero_seed_is_refused() -> None:
    with pytest.raises(ValueError, match="not all zero"):
        k.seed_state(np.zeros(4, dtype=np.uint64))
