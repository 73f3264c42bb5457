"""Intervals for N from log-linear models: profile likelihood and a selection bootstrap."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.optimize import brentq, minimize_scalar
from scipy.special import chdtri, gammaln, ndtr, ndtri

from inquest.errors import EstimationError
from inquest.estimate._design import FloatArray, IntArray, design_matrix
from inquest.estimate._poisson import fit_poisson
from inquest.estimate.loglinear._fit import ModelFit


def profile_loglik(fit: ModelFit, n_lists: int, table: IntArray, n_missing: float) -> float:
    """Profile multinomial log-likelihood of N = n_obs + ``n_missing`` for a fixed model.

    For a given count in the unobserved cell, the model is fitted to the completed table
    (Cormack 1992; Rcapture ``closedpCI``): ℓ(N) = log N! − log n0! + Σ_c y_c log(μ̂_c / N).
    """
    keep = fit.keep.copy()
    keep[0] = True
    fitted_terms = [t for t in fit.terms if t not in fit.empty_terms]
    X = design_matrix(n_lists, fitted_terms)[keep]
    y = table[keep].astype(np.float64)
    y[0] = n_missing
    mu = fit_poisson(X, y).mu
    n_total = float(y.sum())
    pos = y > 0
    return float(
        gammaln(n_total + 1.0)
        - gammaln(n_missing + 1.0)
        + np.sum(y[pos] * np.log(mu[pos] / n_total))
    )


def profile_interval(
    fit: ModelFit, n_lists: int, table: IntArray, level: float
) -> tuple[float, float, float]:
    """(profile MLE of N, lower, upper): {N : 2[ℓ(N̂) − ℓ(N)] ≤ χ²₁(level)}."""
    n_obs = fit.n_observed

    def ll(n0: float) -> float:
        return profile_loglik(fit, n_lists, table, n0)

    guess = max(fit.n_missing, 1e-6)
    hi_bracket = max(10.0 * guess, guess + 50.0)
    opt = minimize_scalar(
        lambda v: -ll(v), bounds=(0.0, hi_bracket), method="bounded", options={"xatol": 1e-4}
    )
    n0_hat = float(opt.x)
    top = -float(opt.fun)
    cut = top - float(chdtri(1, 1.0 - level)) / 2.0

    def g(n0: float) -> float:
        return ll(n0) - cut

    lower = 0.0 if g(0.0) >= 0 else float(brentq(g, 0.0, n0_hat, xtol=1e-6))
    upper_end = max(2.0 * n0_hat, n0_hat + 10.0)
    for _ in range(60):
        if g(upper_end) < 0:
            break
        upper_end *= 2.0
    else:
        raise EstimationError("the profile likelihood of N does not fall: no upper bound")
    upper = float(brentq(g, n0_hat, upper_end, xtol=1e-6))
    return n_obs + n0_hat, n_obs + lower, n_obs + upper


def bootstrap_replicates(
    table: IntArray,
    select: Callable[[IntArray], float],
    n_boot: int,
    rng: np.random.Generator,
    progress: Callable[[int], None] | None = None,
) -> tuple[FloatArray, int]:
    """Estimates of N on ``n_boot`` multinomial resamples of the observed cells.

    Each replicate repeats the whole model selection (``select`` maps a table to N), so
    the spread includes model uncertainty, as in SparseMSE ``estimatepopulation``. Returns
    the replicates (NaN where no model could be fitted) and how many failed.
    """
    n_obs = int(table[1:].sum())
    probs = table[1:] / n_obs
    draws = rng.multinomial(n_obs, probs, size=n_boot)
    reps = np.full(n_boot, np.nan)
    failed = 0
    for b in range(n_boot):
        boot = np.concatenate([[0], draws[b]]).astype(np.int64)
        try:
            reps[b] = select(boot)
        except EstimationError:
            failed += 1
        if progress is not None:
            progress(1)
    return reps, failed


def jackknife_acceleration(table: IntArray, select: Callable[[IntArray], float]) -> float:
    """BCa acceleration from delete-one-person estimates, one per observed cell."""
    cells = np.flatnonzero(table[1:] > 0) + 1
    weights = table[cells].astype(np.float64)
    jack = np.empty(cells.shape[0])
    for k, c in enumerate(cells):
        t = table.copy()
        t[c] -= 1
        try:
            jack[k] = select(t)
        except EstimationError:
            jack[k] = np.nan
    ok = np.isfinite(jack)
    if ok.sum() < 2:
        return 0.0
    jack, weights = jack[ok], weights[ok]
    resid = float(np.sum(weights * jack) / np.sum(weights)) - jack
    denom = 6.0 * float(np.sum(weights * resid**2)) ** 1.5
    return float(np.sum(weights * resid**3) / denom) if denom > 0 else 0.0


def bca_interval(reps: FloatArray, point: float, accel: float, level: float) -> tuple[float, float]:
    """Bias-corrected and accelerated percentile interval (DiCiccio & Efron 1996)."""
    ok = reps[np.isfinite(reps)]
    frac = float(np.mean(ok < point))
    frac = min(max(frac, 0.5 / ok.size), 1.0 - 0.5 / ok.size)
    z0 = float(ndtri(frac))
    out = []
    for alpha in ((1.0 - level) / 2.0, (1.0 + level) / 2.0):
        za = float(ndtri(alpha))
        adj = float(ndtr(z0 + (z0 + za) / (1.0 - accel * (z0 + za))))
        if not np.isfinite(adj):
            adj = alpha
        out.append(float(np.quantile(ok, min(max(adj, 0.0), 1.0))))
    return out[0], out[1]


def percentile_interval(reps: FloatArray, level: float) -> tuple[float, float]:
    """Plain percentile interval of the finite replicates."""
    ok = reps[np.isfinite(reps)]
    lo, hi = np.quantile(ok, [(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    return float(lo), float(hi)


__all__ = [
    "bca_interval",
    "bootstrap_replicates",
    "jackknife_acceleration",
    "percentile_interval",
    "profile_interval",
    "profile_loglik",
]
