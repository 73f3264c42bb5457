"""dga's grid of missing counts: where it ends by default, and how much posterior lies beyond."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import expit

from inquest.errors import EstimationError
from inquest.estimate.dga._posterior import (
    GridPosterior,
    TableStats,
    grid_posterior,
    log_marginal_n,
    log_upper_tail,
)
from inquest.estimate.dga._priors import LogPrior

FloatArray = npt.NDArray[np.float64]

GRID_TAIL_TOLERANCE = 1e-6  # default grid: extend until less than this mass lies beyond it
_PROBE_POINTS = 1000
_GRID_PER_OBSERVED = 100  # default grid: N at most about 100 times the number observed
_CELL_BUDGET = 20_000_000  # graphs x grid values, beyond which the default grid steps by > 1
_MIN_GRID_POINTS = 10_000


def default_grid(
    stats: TableStats, design: Any, log_prior: LogPrior, start: int
) -> tuple[int, bool]:
    """The default grid's last missing count, and whether the cap on its range cut it short.

    It ends where less than GRID_TAIL_TOLERANCE of the posterior lies beyond, at most
    ``_GRID_PER_OBSERVED`` times the number observed.
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
    return min(end, cap), end > cap


def grid_cells(start: int, end: int, points: int) -> tuple[FloatArray, FloatArray]:
    """At most about ``points`` grid values covering the integers start..end, and their widths.

    Every integer when they fit. Otherwise every integer up to ten times the step (where the
    posterior can be sharp: a small delta puts a spike at no one missing), then even steps;
    each value stands for the integers from it to the next.
    """
    total = end - start + 1
    if total <= points:
        return np.arange(start, end + 1, dtype=np.float64), np.ones(total)
    unit = min(10 * -(-total // points), points // 2)
    step = -(-(total - unit) // (points - unit))
    values = np.concatenate(
        [np.arange(start, start + unit), np.arange(start + unit, end + 1, step)]
    ).astype(np.float64)
    widths = np.diff(np.append(values, end + 1.0))
    return values, widths


def mass_beyond(
    stats: TableStats,
    design: Any,
    log_prior: LogPrior,
    post: GridPosterior,
) -> float:
    """Estimated share of the whole posterior of N that lies above the grid (1 if improper)."""
    end = float(post.n_missing[-1] + post.widths[-1]) - 1.0
    far = max(1e9, 1e4 * (end + stats.n_obs))
    probe = np.unique(np.round(np.geomspace(end + 0.5, far, 64)))
    tails = log_upper_tail(log_marginal_n(stats, design, probe, log_prior), probe)
    return float(expit(tails[0] - post.log_evidence))


def fit(
    stats: TableStats,
    design: Any,
    log_prior: LogPrior,
    n_missing_min: int,
    n_missing_max: int | None,
) -> tuple[GridPosterior, bool]:
    """The posterior on the given or default grid, and whether the default grid was capped."""
    if n_missing_max is None:
        end, capped = default_grid(stats, design, log_prior, n_missing_min)
        points = max(_MIN_GRID_POINTS, _CELL_BUDGET // design.shape[0])
        grid, widths = grid_cells(n_missing_min, end, points)
    else:
        capped = False
        grid = np.arange(n_missing_min, n_missing_max + 1, dtype=np.float64)
        widths = np.ones_like(grid)
    post = grid_posterior(stats, design, grid, log_prior, widths)
    if not np.isfinite(post.log_evidence):
        raise EstimationError("the posterior of N could not be normalised on this grid")
    return post, capped
