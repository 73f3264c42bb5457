"""dga's grid of missing counts: where it ends by default, and how much posterior lies beyond."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import expit

from inquest.errors import EstimationError
from inquest.estimate._dga_posterior import (
    GridPosterior,
    TableStats,
    grid_posterior,
    log_marginal_n,
    log_upper_tail,
)
from inquest.estimate._dga_priors import LogPrior

GRID_TAIL_TOLERANCE = 1e-6  # default grid: extend until less than this mass lies beyond it
_PROBE_POINTS = 1000
_GRID_PER_OBSERVED = 100  # default grid: N at most about 100 times the number observed
_CELL_BUDGET = 20_000_000  # graphs x grid values, beyond which the default grid steps by > 1
_MIN_GRID_POINTS = 10_000


def default_grid(
    stats: TableStats, design: Any, log_prior: LogPrior, start: int
) -> tuple[int, int, bool]:
    """The default grid's end and step, and whether the cap on its range cut it short.

    It ends where less than GRID_TAIL_TOLERANCE of the posterior lies beyond, at most
    ``_GRID_PER_OBSERVED`` times the number observed; its step is 1 unless that range holds
    more than max(_MIN_GRID_POINTS, _CELL_BUDGET / graphs) integers, then the smallest step
    that fits.
    """
    far = float(max(1e9, 1e4 * stats.n_obs))
    probe = np.unique(np.round(start + np.geomspace(1.0, far, _PROBE_POINTS)))
    probe = np.concatenate([[float(start)], probe])
    tails = log_upper_tail(log_marginal_n(stats, design, probe, log_prior), probe)
    with np.errstate(invalid="ignore"):  # an improper posterior has infinite tails
        small = np.flatnonzero(tails - tails[0] < np.log(GRID_TAIL_TOLERANCE))
    cap = start + max(_MIN_GRID_POINTS, _GRID_PER_OBSERVED * stats.n_obs)
    end = int(probe[small[0]]) if small.size else cap
    end = max(end, start + 300)
    capped = end > cap
    end = min(end, cap)
    points = max(_MIN_GRID_POINTS, _CELL_BUDGET // design.shape[0])
    step = -(-(end - start + 1) // points)
    return end, step, capped


def mass_beyond(
    stats: TableStats,
    design: Any,
    log_prior: LogPrior,
    post: GridPosterior,
) -> float:
    """Estimated share of the whole posterior of N that lies above the grid (1 if improper).

    Each grid value stands for as many integers as the grid's step.
    """
    end = float(post.n_missing[-1])
    step = float(post.n_missing[1] - post.n_missing[0]) if post.n_missing.size > 1 else 1.0
    far = max(1e9, 1e4 * (end + stats.n_obs))
    probe = np.unique(np.round(np.geomspace(end + 0.5, far, 64)))
    tails = log_upper_tail(log_marginal_n(stats, design, probe, log_prior), probe)
    return float(expit(tails[0] - post.log_evidence - np.log(step)))


def fit(
    stats: TableStats,
    design: Any,
    log_prior: LogPrior,
    n_missing_min: int,
    n_missing_max: int | None,
) -> tuple[GridPosterior, int, bool]:
    """The posterior on the given or default grid, its step and whether the grid was capped."""
    capped, step = False, 1
    if n_missing_max is None:
        n_missing_max, step, capped = default_grid(stats, design, log_prior, n_missing_min)
    grid = np.arange(n_missing_min, n_missing_max + 1, step, dtype=np.float64)
    post = grid_posterior(stats, design, grid, log_prior)
    if not np.isfinite(post.log_evidence):
        raise EstimationError("the posterior of N could not be normalised on this grid")
    return post, step, capped
