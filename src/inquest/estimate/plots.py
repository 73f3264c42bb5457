"""Figures of an estimation run (matplotlib ``Figure`` objects, no pyplot state; PNG).

* ``overlap_plot``: an UpSet-style plot of the lists: persons per capture pattern, with the
  lists of each pattern as a dot matrix, and the size of each list.
* ``posterior_plot``: the distribution of N per method (posterior draws or bootstrap
  replicates); where a method has them (dga), the contribution of each model (weight × its
  posterior).
* ``comparison_plot``: every method's estimate and interval side by side (model dependence).
* ``trace_plot``: chains of N and other sampled quantities (LCMCR: alpha, occupied classes).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from matplotlib.figure import Figure

from inquest.estimate.histories import CaptureHistories
from inquest.estimate.result import EstimateResult

#: (values of N, per-model posteriors over them, the models' summaries).
Contribution = tuple[npt.NDArray[Any], npt.NDArray[Any], Sequence[Mapping[str, Any]]]

_COLOURS = {"loglinear": "#1b6ca8", "dga": "#c0392b", "lcmcr": "#27ae60"}


def overlap_plot(h: CaptureHistories, path: Path, *, max_patterns: int = 40) -> Path:
    """UpSet-style plot of the observed capture patterns of ``h`` (strata summed)."""
    table = h.collapsed()
    order = np.argsort(-table.counts, kind="stable")[:max_patterns]
    counts = table.counts[order]
    patterns = table.patterns[order]
    n_lists = table.n_lists
    fig = Figure(figsize=(max(6.0, 0.28 * len(order) + 3.0), 2.2 + 0.35 * n_lists + 2.6))
    grid = fig.add_gridspec(2, 2, height_ratios=[3, 0.4 * n_lists + 0.4], width_ratios=[1, 4])
    ax_bar = fig.add_subplot(grid[0, 1])
    ax_dots = fig.add_subplot(grid[1, 1], sharex=ax_bar)
    ax_sizes = fig.add_subplot(grid[1, 0], sharey=ax_dots)
    x = np.arange(len(order))
    ax_bar.bar(x, counts, color="#444444")
    for xi, c in zip(x, counts, strict=True):
        ax_bar.text(
            float(xi), float(c), str(int(c)), ha="center", va="bottom", fontsize=7, rotation=90
        )
    ax_bar.set_ylabel("persons")
    ax_bar.set_title(f"Persons per capture pattern ({h.n_observed:,} observed)")
    ax_bar.tick_params(labelbottom=False)
    for j in range(n_lists):
        on = patterns[:, j] == 1
        ax_dots.scatter(x[~on], np.full((~on).sum(), j), color="#dddddd", s=30)
        ax_dots.scatter(x[on], np.full(on.sum(), j), color="#222222", s=30)
    for xi, p in zip(x, patterns, strict=True):
        rows = np.flatnonzero(p)
        if rows.size > 1:
            ax_dots.plot([xi, xi], [rows.min(), rows.max()], color="#222222", lw=1.5)
    ax_dots.set_yticks(range(n_lists), list(table.lists))
    ax_dots.set_xticks([])
    ax_dots.set_ylim(-0.6, n_lists - 0.4)
    sizes = [table.list_sizes()[name] for name in table.lists]
    ax_sizes.barh(range(n_lists), sizes, color="#888888")
    ax_sizes.invert_xaxis()
    ax_sizes.set_xlabel("list size")
    ax_sizes.tick_params(labelleft=False)
    return _save(fig, path)


def posterior_plot(
    results: Mapping[str, EstimateResult],
    draws: Mapping[str, npt.NDArray[Any]],
    path: Path,
    *,
    contributions: Mapping[str, Contribution] | None = None,
) -> Path:
    """Distribution of N per method, with each model's contribution where given.

    ``contributions`` maps a method to (values of N, per-model posteriors (g, len(values)),
    the models' summaries with ``weight`` and ``graph``), e.g. dga's top graphs.
    """
    names = [m for m in results if m in draws and len(draws[m]) > 0]
    fig = Figure(figsize=(8, 2.6 * max(1, len(names))))
    axes_list = list(np.atleast_1d(fig.subplots(len(names) or 1, 1)))
    finite = {m: _finite(draws[m]) for m in names}
    # The range holds the draws, every interval and the observed count (the dotted line).
    ends = [float(x) for m in names for x in (results[m].lower, results[m].upper)]
    observed = [float(results[m].n_observed) for m in names]
    lo = min([float(np.quantile(d, 0.005)) for d in finite.values()] + ends + observed or [0.0])
    hi = max([float(np.quantile(d, 0.995)) for d in finite.values()] + ends or [1.0])
    if hi <= lo:  # degenerate draws (e.g. one model on every resample)
        lo, hi = lo - 1.0, hi + 1.0
    pad = 0.02 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    for ax, name in zip(axes_list, names, strict=False):
        res = results[name]
        d = finite[name]
        bins = np.linspace(lo, hi, 90)
        ax.hist(d, bins=bins, density=True, color=_COLOURS.get(name, "#777777"), alpha=0.55)
        if contributions and name in contributions:
            n_values, posts, models = contributions[name]
            for post, model in zip(posts, models, strict=False):
                if model["weight"] < 0.01:
                    continue
                ax.plot(
                    n_values,
                    model["weight"] * np.asarray(post),
                    lw=1.2,
                    label=f"{model['graph']} (w={model['weight']:.2f})",
                )
            ax.legend(fontsize=7, loc="upper right", title="weight × graph posterior")
        ax.axvline(res.estimate, color="black", lw=1.2)
        ax.axvline(res.lower, color="black", lw=0.8, ls="--")
        ax.axvline(res.upper, color="black", lw=0.8, ls="--")
        ax.axvline(res.n_observed, color="grey", lw=0.8, ls=":")
        kind = "bootstrap replicates" if res.point == "mle" else "posterior draws"
        ax.set_title(
            f"{name}: N = {res.estimate:,.0f} [{res.lower:,.0f}, {res.upper:,.0f}] ({kind})",
            fontsize=9,
        )
        ax.set_yticks([])
        ax.set_xlim(lo, hi)
    axes_list[-1].set_xlabel(
        "N (solid: estimate; dashed: interval; dotted: persons observed on some list)"
    )
    return _save(fig, path)


def comparison_plot(results: Mapping[str, EstimateResult], path: Path) -> Path:
    """Estimates and intervals of every method side by side."""
    names = list(results)
    fig = Figure(figsize=(7, 0.7 * len(names) + 1.4))
    ax = fig.subplots()
    for i, name in enumerate(names):
        r = results[name]
        ax.errorbar(
            r.estimate,
            i,
            xerr=[[r.estimate - r.lower], [r.upper - r.estimate]],
            fmt="o",
            color=_COLOURS.get(name.split(" ")[0], "#555555"),
            capsize=4,
        )
        ax.text(r.upper, i + 0.18, f" {r.estimate:,.0f}", fontsize=8)
    n_obs = next(iter(results.values())).n_observed if results else 0
    ax.axvline(n_obs, color="grey", ls=":", lw=1)
    ax.set_yticks(range(len(names)), names)
    ax.set_ylim(-0.7, len(names) - 0.3)
    ax.set_xlabel("estimated N with interval (dotted: persons observed)")
    ax.set_title("Estimates by method: the spread is model dependence")
    return _save(fig, path)


def trace_plot(
    traces: Mapping[str, npt.NDArray[Any]], path: Path, *, title: str = "LCMCR traces"
) -> Path:
    """Trace of each chain for each traced quantity (arrays of shape (chains, samples))."""
    keys = [k for k in ("N", "alpha", "occupied_classes") if k in traces] or list(traces)
    fig = Figure(figsize=(9, 2.0 * len(keys)))
    axes = fig.subplots(len(keys), 1, sharex=True)
    for ax, key in zip(np.atleast_1d(axes), keys, strict=False):
        arr = np.atleast_2d(np.asarray(traces[key], dtype=np.float64))
        for c, chain in enumerate(arr):
            ax.plot(chain, lw=0.5, alpha=0.8, label=f"chain {c + 1}")
        ax.set_ylabel(key)
    np.atleast_1d(axes)[0].legend(fontsize=7, ncol=4, loc="upper right")
    np.atleast_1d(axes)[-1].set_xlabel("kept draw")
    fig.suptitle(title)
    return _save(fig, path)


def _finite(values: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    d = np.asarray(values, dtype=np.float64)
    return d[np.isfinite(d)]


def _save(fig: Any, path: Path) -> Path:
    with warnings.catch_warnings():  # layout hints on odd sizes are not the reader's concern
        warnings.simplefilter("ignore", UserWarning)
        fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    return path
