"""A lean Poisson GLM (log link) fitted by iteratively reweighted least squares.

statsmodels would do, but the bootstrap refits thousands of small models; this path has no
formula parsing and no per-fit object overhead. It is checked against statsmodels in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

from inquest.errors import EstimationError
from inquest.estimate._design import FloatArray


@dataclass(frozen=True)
class PoissonFit:
    """Coefficients, fitted means, covariance of the coefficients and fit statistics."""

    beta: FloatArray
    mu: FloatArray
    cov: FloatArray
    loglik: float
    deviance: float
    iterations: int


def poisson_loglik(y: FloatArray, mu: FloatArray) -> float:
    """Poisson log-likelihood, with 0 log 0 = 0."""
    pos = y > 0
    return float(
        np.sum(y[pos] * np.log(mu[pos])) - np.sum(mu) - np.sum(gammaln(y + 1.0)),
    )


def poisson_deviance(y: FloatArray, mu: FloatArray) -> float:
    """Residual deviance 2 Σ [y log(y/μ) − (y − μ)]."""
    pos = y > 0
    return float(2.0 * (np.sum(y[pos] * np.log(y[pos] / mu[pos])) - np.sum(y - mu)))


def fit_poisson(
    X: FloatArray, y: FloatArray, *, max_iter: int = 100, tol: float = 1e-10
) -> PoissonFit:
    """Fit log E[y] = X β by IRLS. ``X`` must have full column rank.

    Raises ``EstimationError`` when the iterations do not converge (which happens when the
    maximum likelihood estimate does not exist: check existence first).
    """
    mu = y + 0.5
    eta = np.log(mu)
    dev_old = np.inf
    beta: FloatArray = np.zeros(X.shape[1])
    iterations = 0
    for _ in range(max_iter):
        iterations += 1
        z = eta + (y - mu) / mu
        Xw = X * mu[:, None]
        xtwx = X.T @ Xw
        beta = np.asarray(np.linalg.solve(xtwx, Xw.T @ z), dtype=np.float64)
        eta = X @ beta
        if np.max(eta) > 700:
            raise EstimationError("Poisson fit diverged (the MLE may not exist)")
        mu = np.exp(eta)
        dev = poisson_deviance(y, mu)
        if abs(dev - dev_old) <= tol * (abs(dev) + 0.1):
            break
        dev_old = dev
    else:
        raise EstimationError(f"Poisson fit did not converge in {max_iter} iterations")
    Xw = X * mu[:, None]
    cov = np.asarray(np.linalg.inv(X.T @ Xw), dtype=np.float64)
    return PoissonFit(
        beta=beta,
        mu=mu,
        cov=cov,
        loglik=poisson_loglik(y, mu),
        deviance=poisson_deviance(y, mu),
        iterations=iterations,
    )
