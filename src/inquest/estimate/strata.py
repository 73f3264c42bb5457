"""Stratified estimation: check each stratum, then combine per-stratum estimates.

Strata are combined by summing draws index by index: posterior draws of N for Bayesian
methods, bootstrap replicates for log-linear ones (each stratum resampled independently).
The combined point estimate is the median of the summed draws for Bayesian methods and the
sum of the per-stratum MLEs for log-linear ones; the interval is the equal-tailed percentile
interval of the summed draws.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from inquest.errors import EstimationError
from inquest.estimate.histories import CaptureHistories
from inquest.estimate.result import EstimateResult

#: A stratum needs at least this many lists with records to be estimated on its own.
MIN_LISTS = 3


def stratum_problems(h: CaptureHistories) -> list[str]:
    """Why a stratum's table is too thin for MSE (empty list: it looks usable)."""
    problems = []
    sizes = h.list_sizes()
    active = [name for name, v in sizes.items() if v > 0]
    if len(active) < MIN_LISTS:
        problems.append(
            f"only {len(active)} list(s) with records ({', '.join(active) or 'none'}); "
            f"MSE needs at least {MIN_LISTS}"
        )
    multi = int(h.counts[h.patterns.sum(axis=1) >= 2].sum())
    if multi == 0:
        problems.append("no person is on two lists: no overlap to estimate from")
    elif multi < 5:
        problems.append(f"only {multi} person(s) on two or more lists: overlap very thin")
    return problems


def drop_empty_lists(h: CaptureHistories) -> CaptureHistories:
    """The table without lists that recorded nobody in it."""
    keep = (h.patterns.T.astype(np.int64) @ h.counts) > 0
    if keep.all():
        return h
    patterns = h.patterns[:, keep]
    return CaptureHistories(
        lists=tuple(n for n, k in zip(h.lists, keep, strict=True) if k),
        patterns=patterns,
        counts=h.counts,
        sources=h.sources,
    ).collapsed()


def combine(
    method: str,
    parts: Mapping[str, EstimateResult],
    draws: Mapping[str, npt.NDArray[np.floating] | npt.NDArray[np.integer]],
    *,
    level: float = 0.95,
    seed: int | None = 0,
) -> tuple[EstimateResult, npt.NDArray[np.float64]]:
    """One result for the whole population from per-stratum results and their draws.

    Draw arrays of different lengths are resampled (with replacement, seeded) to the longest.
    """
    if not parts:
        raise EstimationError("no stratum to combine")
    missing = [k for k in parts if k not in draws or len(draws[k]) == 0]
    if missing:
        raise EstimationError(f"strata without draws to combine: {', '.join(missing)}")
    rng = np.random.default_rng(seed)
    size = max(len(draws[k]) for k in parts)
    total = np.zeros(size)
    for k in parts:
        d = np.asarray(draws[k], dtype=np.float64)
        d = d[np.isfinite(d)]
        if d.size == 0:
            raise EstimationError(f"stratum {k}: no finite draws")
        total += d if d.size == size else rng.choice(d, size=size, replace=True)
    first = next(iter(parts.values()))
    bayes = first.point != "mle"
    estimate = float(np.median(total)) if bayes else sum(r.estimate for r in parts.values())
    lo, hi = np.quantile(total, [(1 - level) / 2, (1 + level) / 2])
    warnings = tuple(f"stratum {k}: {w}" for k, r in parts.items() for w in r.warnings)
    result = EstimateResult(
        method=method,
        n_observed=sum(r.n_observed for r in parts.values()),
        estimate=estimate,
        lower=float(lo),
        upper=float(hi),
        level=level,
        point="median" if bayes else "sum of stratum MLEs",
        interval=("credible" if bayes else "bootstrap") + ", strata summed",
        assumptions=first.assumptions,
        warnings=warnings,
        diagnostics={
            "strata": {
                k: {
                    "n_observed": r.n_observed,
                    "estimate": r.estimate,
                    "lower": r.lower,
                    "upper": r.upper,
                }
                for k, r in parts.items()
            },
            "n_draws": size,
        },
        settings=dict(first.settings),
        seed=seed,
        input_hash=first.input_hash,
        inquest_version=first.inquest_version,
        lists=first.lists,
        stratum="combined",
    )
    return result, total
