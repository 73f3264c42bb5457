"""Fitting one log-linear model to a capture table: estimate of N and fit statistics."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from inquest.errors import EstimationError
from inquest.estimate._design import (
    FloatArray,
    IntArray,
    Model,
    design_matrix,
    overlaps,
    retained_cells,
)
from inquest.estimate._poisson import PoissonFit, fit_poisson


@dataclass(frozen=True)
class ModelFit:
    """One fitted model: the two-list terms, its estimate of N and its statistics.

    ``empty_terms`` are terms whose lists share nobody: handled as structural zeros (their
    cells are dropped) and counted as parameters in AIC/BIC, as SparseMSE does.
    """

    terms: Model
    empty_terms: Model
    n_observed: int
    intercept: float
    intercept_se: float
    fit: PoissonFit
    keep: np.ndarray  # retained observable cells, over all 2**J cells

    @property
    def n_missing(self) -> float:
        return math.exp(self.intercept)

    @property
    def estimate(self) -> float:
        return self.n_observed + self.n_missing

    @property
    def n_params(self) -> int:
        return len(self.fit.beta) + len(self.empty_terms)

    @property
    def aic(self) -> float:
        return -2.0 * self.fit.loglik + 2.0 * self.n_params

    @property
    def bic(self) -> float:
        return -2.0 * self.fit.loglik + math.log(max(self.n_observed, 2)) * self.n_params

    @property
    def residual_df(self) -> int:
        return int(self.keep.sum()) - len(self.fit.beta)

    def fitted_table(self) -> FloatArray:
        """Expected counts of all 2**J cells, cell 0 included (0 for dropped cells)."""
        out = np.zeros(self.keep.shape[0])
        out[self.keep] = self.fit.mu
        out[0] = self.n_missing
        return out

    def wald_log_interval(self, level: float) -> tuple[float, float]:
        """n_obs + exp(normal quantiles of the intercept): the SparseMSE interval."""
        z = float(ndtri(0.5 + level / 2.0))
        lo = math.exp(self.intercept - z * self.intercept_se)
        hi = math.exp(self.intercept + z * self.intercept_se)
        return self.n_observed + lo, self.n_observed + hi


def fit_model(table: IntArray, n_lists: int, terms: Model) -> ModelFit:
    """Fit the model with two-list ``terms`` to the observable cells of ``table``.

    The caller checks existence and identifiability first (``_existence.check_model``).
    """
    ov = overlaps(table, n_lists)
    empty = tuple(t for t in terms if ov[t] == 0)
    fitted_terms = tuple(t for t in terms if t not in empty)
    keep = retained_cells(n_lists, empty)
    X = design_matrix(n_lists, fitted_terms)[keep]
    y = table[keep].astype(np.float64)
    try:
        fit = fit_poisson(X, y)
    except np.linalg.LinAlgError as exc:
        raise EstimationError(f"the model {terms} is not identifiable on this table") from exc
    return ModelFit(
        terms=terms,
        empty_terms=empty,
        n_observed=int(table[1:].sum()),
        intercept=float(fit.beta[0]),
        intercept_se=float(math.sqrt(fit.cov[0, 0])),
        fit=fit,
        keep=keep,
    )
