"""The tabulated numba sampler against a naive oracle: a per-person Gibbs sampler for the
same model (Manrique-Vallier 2016), written plainly with NumPy's generator. Both must reach
the same posterior of N on a small synthetic table."""

from __future__ import annotations

import numpy as np
import pytest

from inquest.estimate.lcmcr import estimate_lcmcr


def _log_gamma(rng: np.random.Generator, shape: np.ndarray) -> np.ndarray:
    """log of Gamma(shape, 1) draws; shapes below 1 by log U / shape + log Gamma(shape + 1)."""
    small = shape < 1.0
    boosted = np.log(rng.gamma(shape + small))
    return np.where(small, np.log(rng.random(shape.shape)) / np.maximum(shape, 1e-300), 0.0) + (
        boosted
    )


def _oracle(
    x: np.ndarray, K: int, sweeps: int, burnin: int, seed: int, a: float = 0.25, b: float = 0.25
) -> np.ndarray:
    """Draws of N from a per-person Gibbs sampler: one class label per observed person, the
    unobserved people imputed one by one, stick-breaking weights drawn as Beta variables."""
    rng = np.random.default_rng(seed)
    n, J = x.shape
    lam = np.full((J, K), 0.5)
    nu = np.full(K, 1.0 / K)
    alpha, n0, z0 = 1.0, 0, np.zeros(0, dtype=np.int64)
    out = []
    for s in range(burnin + sweeps):
        # observed people's classes
        like = nu * np.prod(np.where(x[:, :, None] == 1, lam, 1.0 - lam), axis=1)
        cum = np.cumsum(like, axis=1)
        u = rng.random(n) * cum[:, -1]
        z = np.minimum((cum < u[:, None]).sum(axis=1), K - 1)
        # capture probabilities: the unobserved count as never captured
        size = np.bincount(z, minlength=K) + np.bincount(z0, minlength=K)
        ones = np.array([np.bincount(z, weights=x[:, j], minlength=K) for j in range(J)])
        lam = rng.beta(1.0 + ones, 1.0 + size - ones)
        # stick-breaking weights
        after = np.concatenate([np.cumsum(size[::-1])[::-1][1:], [0]])
        # V_k ~ Beta(1 + n_k, alpha + later), on the log scale via two log-gamma draws,
        # since alpha + later can be tiny and then V_k rounds to 1
        log_g1 = _log_gamma(rng, 1.0 + size[:-1])
        log_g2 = _log_gamma(rng, alpha + after[:-1])
        log_sum = np.logaddexp(log_g1, log_g2)
        log_v, log_1mv = log_g1 - log_sum, log_g2 - log_sum
        log_rest = np.concatenate([[0.0], np.cumsum(log_1mv)])
        nu = np.exp(np.concatenate([log_v, [0.0]]) + log_rest)
        # the unobserved: how many (prior 1/N), then each one's class
        p_zero_k = nu * np.prod(1.0 - lam, axis=0)
        n0 = rng.negative_binomial(n, 1.0 - p_zero_k.sum())
        z0 = rng.choice(K, size=n0, p=p_zero_k / p_zero_k.sum())
        alpha = rng.gamma(a + K - 1.0, 1.0 / (b - log_rest[-1]))
        if s >= burnin:
            out.append(n + n0)
    return np.array(out)


@pytest.mark.slow
def test_tabulated_sampler_matches_the_per_person_oracle() -> None:
    """Synthetic: 500 people, four lists recording independently (434 observed). The model
    mixes fast here (in a strongly heterogeneous table N mixes too slowly for a quick test),
    so the two posteriors can be compared closely."""
    rng = np.random.default_rng(12)
    people = (rng.random((500, 4)) < np.array([0.4, 0.3, 0.5, 0.35])).astype(np.uint8)
    x = people[people.any(axis=1)]
    patterns, counts = np.unique(x, axis=0, return_counts=True)

    oracle = _oracle(x, K=3, sweeps=2_500, burnin=300, seed=1)
    ours = estimate_lcmcr(
        patterns, counts, K=3, burnin=1_000, samples=3_000, thinning=2, seed=5, progress=False
    ).draws
    q = [0.1, 0.5, 0.9]
    # posterior sd of N is about 13; Monte Carlo error about 1-2 on each side
    np.testing.assert_allclose(np.quantile(ours, q), np.quantile(oracle, q), rtol=0.015)
    assert np.mean(ours) > len(x) + 30  # the test is not passing on an empty posterior
