"""Does the maximum likelihood estimate of a log-linear model exist, and is it identifiable?

The checks of SparseMSE ``checkident`` (Chan, Silverman & Vincent 2021), after Fienberg &
Rinaldo (2012):

* **Existence.** With ``A`` the transposed design over the retained cells and ``t = A y``
  the sufficient statistics, solve ``max s`` subject to ``A x = t``, ``x ≥ s``, ``x, s ≥ 0``.
  The MLE exists iff the optimum is positive (some strictly positive table has the observed
  margins). The answer depends on which cells are positive only, so it is computed on the
  indicator of the support and cached on (support, model).
* **Identifiability.** The design over the retained cells has full column rank.

Terms whose two lists share nobody drop the cells holding both lists (see ``_design``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.optimize import linprog

from inquest.estimate._design import (
    IntArray,
    Model,
    Term,
    design_matrix,
    overlaps,
    retained_cells,
)

_LP_TOL = 1e-9


@dataclass(frozen=True)
class Identification:
    """Verdict of both checks for one model on one table."""

    exists: bool
    identifiable: bool
    lp_value: float
    rank_deficiency: int
    empty_terms: Model

    @property
    def ok(self) -> bool:
        return self.exists and self.identifiable

    @property
    def code(self) -> int:
        """SparseMSE ``ierr``: 0 fine, 1 MLE does not exist, 2 not identifiable, 3 both."""
        return int(not self.exists) + 2 * int(not self.identifiable)


def check_model(
    table: IntArray, n_lists: int, terms: Model, *, known_to_exist: bool = False
) -> Identification:
    """Both checks for the two-list ``terms`` on the dense ``table`` (cell 0 ignored).

    ``known_to_exist`` skips the linear programme (e.g. when a larger model with the same
    empty-overlap terms is known to have an MLE: removing overlapping pairs keeps it).
    """
    ov = overlaps(table, n_lists)
    empty = tuple(t for t in terms if ov[t] == 0)
    rank_def = _rank_deficiency(n_lists, terms, empty)
    if known_to_exist:
        lp_value = float("nan")
        exists = True
    else:
        support = tuple(int(c) for c in np.flatnonzero(table[1:] > 0) + 1)
        lp_value = _existence_lp(n_lists, support, terms, empty)
        exists = lp_value > _LP_TOL
    return Identification(
        exists=exists,
        identifiable=rank_def == 0,
        lp_value=lp_value,
        rank_deficiency=rank_def,
        empty_terms=empty,
    )


@lru_cache(maxsize=65536)
def _rank_deficiency(n_lists: int, terms: Model, empty: tuple[Term, ...]) -> int:
    fitted_terms = [t for t in terms if t not in empty]
    X = design_matrix(n_lists, fitted_terms)[retained_cells(n_lists, empty)]
    return int(X.shape[1] - np.linalg.matrix_rank(X))


@lru_cache(maxsize=65536)
def _existence_lp(
    n_lists: int, support: tuple[int, ...], terms: Model, empty: tuple[Term, ...]
) -> float:
    fitted_terms = [t for t in terms if t not in empty]
    keep = retained_cells(n_lists, empty)
    X = design_matrix(n_lists, fitted_terms)[keep]
    y = np.zeros(2**n_lists)
    y[list(support)] = 1.0
    y = y[keep]
    if np.all(y > 0):
        return 1.0  # the data themselves are a strictly positive solution
    return _lp_value(X.T, X.T @ y)


def _lp_value(A: np.ndarray, t: np.ndarray) -> float:
    """max s s.t. A x = t, x_i − s ≥ 0, x ≥ 0, s ≥ 0 (the Fienberg–Rinaldo programme)."""
    n_par, n_obs = A.shape
    c = np.zeros(n_obs + 1)
    c[-1] = -1.0  # linprog minimises
    a_eq = np.hstack([A, np.zeros((n_par, 1))])
    a_ub = np.hstack([-np.eye(n_obs), np.ones((n_obs, 1))])  # s - x_i <= 0
    res = linprog(
        c,
        A_ub=a_ub,
        b_ub=np.zeros(n_obs),
        A_eq=a_eq,
        b_eq=t,
        bounds=[(0, None)] * n_obs + [(0, 1.0)],
        method="highs",
    )
    if res.status != 0:
        return 0.0
    return float(-res.fun)
