"""The dga posterior over (decomposable graph, N), computed exactly on a grid of N.

For a decomposable graph g with cliques C and separators S, a hyper-Dirichlet prior with
``delta`` per cell of the full 2^p table (so ``delta * 2^(p - |C|)`` per cell of a clique's
marginal table) and a complete table with N - n_obs persons in the all-zero cell, the log
marginal likelihood is (Madigan & York 1997; dga's ``bma.cr``/``MakeCompMatrix``)::

    sum_C T_C(N) - sum_S T_S(N) + k_g [lgamma(A) - lgamma(N + A)]
      + lgamma(N + 1) - sum_cells lgamma(y + 1) - lgamma(N - n_obs + 1)

with ``T_s = sum_cells [lgamma(d + alpha_s) - lgamma(alpha_s)]`` over the cells of the
marginal table of subset s, ``A = delta * 2^p`` and k_g the number of connected components.
Only the all-zero cell of each marginal depends on N, so each ``T_s`` is a constant plus one
log-gamma vector over the grid; the graphs then need one matrix product.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix, hstack
from scipy.special import gammaln

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
LogPrior = Callable[[FloatArray], FloatArray]

_CHUNK_CELLS = 1 << 21  # graphs x grid values held at once (16 MB of float64)


@dataclass(frozen=True)
class TableStats:
    """What the likelihood needs from the observed table, per non-empty subset of lists."""

    p: int
    n_obs: int
    delta: float
    constant: FloatArray  # sum over the non-zero cells of each subset's marginal
    zero_cell: FloatArray  # observed count in the all-zero cell of each marginal
    alpha: FloatArray  # prior weight per cell of each marginal
    log_factorials: float  # sum over observed cells of lgamma(y + 1)


def table_stats(table: IntArray, delta: float) -> TableStats:
    """Summarise a full 2^p table (index ``sum_i x_i 2^i``; cell 0 is ignored) for ``delta``."""
    size = table.shape[0]
    p = size.bit_length() - 1
    y = table.astype(np.float64)
    y[0] = 0.0
    cells = np.arange(size)
    subsets = np.arange(1, size)
    constant = np.empty(size - 1)
    zero_cell = np.empty(size - 1)
    widths = np.array([bin(int(s)).count("1") for s in subsets])
    alpha = delta * np.exp2(p - widths)
    for i, s in enumerate(subsets):
        marginal = np.bincount(cells & s, weights=y, minlength=size)
        zero_cell[i] = marginal[0]
        # cells of the marginal that are not submasks of s hold 0 and contribute 0
        constant[i] = np.sum(gammaln(marginal[1:] + alpha[i]) - gammaln(alpha[i]))
    return TableStats(
        p=p,
        n_obs=int(y.sum()),
        delta=float(delta),
        constant=constant,
        zero_cell=zero_cell,
        alpha=alpha,
        log_factorials=float(np.sum(gammaln(y[1:] + 1.0))),
    )


def log_weights(
    stats: TableStats, design: Any, n_missing: FloatArray, log_prior: LogPrior
) -> FloatArray:
    """Unnormalised log posterior, (graphs x grid): log p(data | g, N) + log p(N) + log p(g).

    ``design`` holds the rows of ``graph_design`` wanted, for a uniform prior over graphs, or
    of ``with_graph_prior`` (one more column: each graph's log prior weight).
    """
    alpha = stats.alpha[:, None]
    N = stats.n_obs + n_missing
    total_alpha = stats.delta * float(1 << stats.p)
    k = stats.alpha.shape[0]
    terms = np.empty((design.shape[1], n_missing.shape[0]))
    terms[:k] = stats.constant[:, None] + gammaln(stats.zero_cell[:, None] + n_missing + alpha)
    terms[:k] -= gammaln(alpha)
    terms[k] = gammaln(total_alpha) - gammaln(N + total_alpha)
    terms[k + 1] = gammaln(N + 1.0) - stats.log_factorials - gammaln(n_missing + 1.0)
    terms[k + 1] += log_prior(N)
    terms[k + 2 :] = 1.0
    out: FloatArray = np.asarray(design @ terms)
    return out


def with_graph_prior(design: Any, log_graph_prior: FloatArray) -> Any:
    """``design`` with one more column holding each graph's log prior weight."""
    return csr_matrix(hstack([design, csr_matrix(log_graph_prior[:, None])]))


@dataclass(frozen=True)
class GridPosterior:
    """The posterior on a grid of missing counts, marginalised both ways."""

    n_missing: FloatArray
    widths: FloatArray  # how many integers each grid value stands for (1 on a unit grid)
    log_marginal_n: FloatArray  # log of the unnormalised posterior mass of each grid cell
    log_marginal_graph: FloatArray  # log of the unnormalised posterior of each graph
    log_evidence: float  # log of the total unnormalised mass on the grid

    @property
    def probabilities(self) -> FloatArray:
        out: FloatArray = np.exp(self.log_marginal_n - self.log_evidence)
        return out

    @property
    def graph_weights(self) -> FloatArray:
        out: FloatArray = np.exp(self.log_marginal_graph - self.log_evidence)
        return out


def grid_posterior(
    stats: TableStats,
    design: Any,
    n_missing: FloatArray,
    log_prior: LogPrior,
    widths: FloatArray | None = None,
) -> GridPosterior:
    """Sum the posterior over graphs and over N, a chunk of the grid at a time.

    A grid value with width w stands for the w integers from it up (left Riemann sum).
    """
    widths = np.ones_like(n_missing) if widths is None else widths
    log_widths = np.log(widths)
    chunk = max(1, _CHUNK_CELLS // design.shape[0])
    log_n = np.empty_like(n_missing)
    log_g = np.full(design.shape[0], -np.inf)
    with np.errstate(divide="ignore", under="ignore"):
        for start in range(0, n_missing.shape[0], chunk):
            part = n_missing[start : start + chunk]
            lw = log_weights(stats, design, part, log_prior)
            lw += log_widths[start : start + chunk]
            top = float(lw.max())
            lw -= top
            w = np.exp(lw, out=lw)
            log_n[start : start + part.shape[0]] = np.log(w.sum(axis=0)) + top
            log_g = np.logaddexp(log_g, np.log(w.sum(axis=1)) + top)
    top = float(log_n.max())
    evidence = top + float(np.log(np.sum(np.exp(log_n - top))))
    return GridPosterior(n_missing, widths, log_n, log_g, evidence)


def graph_posteriors(
    stats: TableStats,
    design: Any,
    n_missing: FloatArray,
    log_prior: LogPrior,
    widths: FloatArray | None = None,
) -> FloatArray:
    """Each given graph's own posterior mass on each grid cell (rows sum to 1)."""
    lw = log_weights(stats, design, n_missing, log_prior)
    if widths is not None:
        lw += np.log(widths)
    lw -= lw.max(axis=1, keepdims=True)
    with np.errstate(under="ignore"):
        w = np.exp(lw, out=lw)
    w /= w.sum(axis=1, keepdims=True)
    out: FloatArray = w
    return out


def log_marginal_n(
    stats: TableStats,
    design: Any,
    n_missing: FloatArray,
    log_prior: LogPrior,
) -> FloatArray:
    """log of the unnormalised posterior of N (summed over graphs) at arbitrary points."""
    lw = log_weights(stats, design, n_missing, log_prior)
    top = lw.max(axis=0)
    with np.errstate(under="ignore"):
        out: FloatArray = top + np.log(np.exp(lw - top).sum(axis=0))
    return out


def log_upper_tail(log_density: FloatArray, points: FloatArray) -> FloatArray:
    """log of the unnormalised mass above each point, from the log density on increasing points.

    Trapezoids in log N between points, then a power-law tail beyond the last point with the
    local slope of the last two; an infinite tail (slope >= -1) gives ``inf``.
    """
    u = np.log(points + 1.0)
    g = log_density + u  # density in u = log(N + 1): p(N) dN = p(N) (N + 1) du
    top = float(g.max())
    with np.errstate(under="ignore"):
        h = np.exp(g - top)
    pieces = 0.5 * (h[1:] + h[:-1]) * np.diff(u)
    slope = (log_density[-1] - log_density[-2]) / (u[-1] - u[-2])
    tail = h[-1] / -(slope + 1.0) if slope < -1.0 else np.inf
    above = np.concatenate([np.cumsum(pieces[::-1])[::-1], [0.0]]) + tail
    with np.errstate(divide="ignore"):
        out: FloatArray = np.log(above) + top
    return out
