"""dga: Bayesian model averaging over decomposable graphical models (Madigan & York 1997).

This is the method of the R package dga (Johndrow, Lum & Ball; ``bma.cr``), computed exactly:
every decomposable graph on the J lists (8, 61, 822 graphs for J = 3, 4, 5; also 18,154 for
J = 6, which the R package does not ship) and every missing count on a grid get a posterior
weight from a hyper-Dirichlet prior with ``delta`` per cell, a prior on N and a uniform prior
over graphs. The estimate of N is the model-averaged posterior median, with an equal-tailed
credible interval; quantiles, modes and Bayes estimates follow dga's conventions.

    >>> est = estimate_dga(patterns, counts, lists=("A", "B", "C"))  # doctest: +SKIP
    >>> est.result.estimate, est.result.lower, est.result.upper  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from inquest import __version__
from inquest.errors import ConfigError
from inquest.estimate.dga._graphs import decomposable_graphs, graph_labels
from inquest.estimate.dga._grid import fit, mass_beyond
from inquest.estimate.dga._input import GraphPrior, capture_table, design_with_prior, dga_graphs
from inquest.estimate.dga._posterior import graph_posteriors, log_weights, table_stats
from inquest.estimate.dga._priors import LogPrior, MadiganYorkPrior, resolve_prior
from inquest.estimate.result import EstimateResult, MethodDetails

__all__ = [
    "DgaEstimate",
    "DgaPosterior",
    "MadiganYorkPrior",
    "dga_graphs",
    "estimate_dga",
    "posterior_quantile",
    "posterior_weights",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

EDGE_WARNING = 1e-3  # warn when more than this posterior mass lies beyond the grid
SATURATED_WARNING = 0.1  # warn when the saturated graph has more posterior weight than this
SENSITIVITY_WARNING = 0.2  # warn when another delta moves the median by more than this share

ASSUMPTIONS = (
    "Closed population: every victim in the period could have been recorded by any list, and "
    "no one enters or leaves the population while the lists are compiled.",
    "The lists were deduplicated and linked correctly: each person is counted once and "
    "matches between lists are right. Missed or false matches bias the estimate.",
    "The dependence between lists (including people who are easier or harder for every list "
    "to record) is well described by at least one decomposable graphical model; the estimate "
    "averages over all of them, weighted by how well each fits the observed overlaps.",
    "The result depends on the priors: the hyper-Dirichlet weight delta per cell and the prior "
    "on N. With sparse overlaps, a small delta favours richer dependence graphs and a larger "
    "one pulls towards the saturated graph; compare settings before relying on one figure.",
    "The 95% interval is likely too narrow when people differ in how easily any list records "
    "them: in inquest's coverage studies (benchmarks/bench_dga.py and mse_coverage.py, 4 "
    "simulated lists with such heterogeneity) it held the true N in 81-87% of worlds at the "
    "default delta = 2^-J, and in 69-85% at delta = 1.",
)


GRAPH_PRIOR_ASSUMPTION = {
    "uniform": "Every graph is equally likely before seeing the data.",
    "custom": "Graphs are weighted before seeing the data as the analyst set them "
    "(log_graph_prior); graphs given no weight are left out.",
}


@dataclass(frozen=True)
class DgaPosterior(MethodDetails):
    """dga's full posterior over N, kept in ``EstimateResult.details``.

    ``n_values`` (the grid of N) and ``probabilities`` are the model-averaged posterior: the
    mass of each grid cell, which holds the ``widths`` integers from its N up (all 1 unless
    the default grid had to step; divide by ``widths`` for a density);
    ``graphs`` and ``graph_weights`` cover every graph; ``top_posteriors`` holds the own
    posterior over the grid of each graph in the result's ``models`` (same order).
    """

    n_values: IntArray
    widths: IntArray
    probabilities: FloatArray
    graphs: tuple[str, ...]
    graph_weights: FloatArray
    top_posteriors: FloatArray

    def sample(self, size: int, rng: np.random.Generator) -> IntArray:
        """``size`` independent draws of N from the posterior."""
        return _sample(self.n_values, self.widths, self.probabilities, size, rng)

    def contributions(self) -> tuple[npt.NDArray[Any], npt.NDArray[Any]] | None:
        """The grid of N and the own posterior of each graph in the result's ``models``."""
        return self.n_values, self.top_posteriors


@dataclass(frozen=True)
class DgaEstimate:
    """``estimate_dga``'s answer: the result, whose ``details`` are the :class:`DgaPosterior`
    and whose ``draws`` are ``len(draws)`` independent draws of N (seeded by
    ``result.seed``), for combining strata by summing draws. The properties read them."""

    result: EstimateResult

    @property
    def posterior(self) -> DgaPosterior:
        """The full posterior (the result's details)."""
        details = self.result.details
        if not isinstance(details, DgaPosterior):
            raise TypeError("not a dga result: its details are not a dga posterior")
        return details

    @property
    def n_values(self) -> IntArray:
        return self.posterior.n_values

    @property
    def widths(self) -> IntArray:
        return self.posterior.widths

    @property
    def probabilities(self) -> FloatArray:
        return self.posterior.probabilities

    @property
    def graphs(self) -> tuple[str, ...]:
        return self.posterior.graphs

    @property
    def graph_weights(self) -> FloatArray:
        return self.posterior.graph_weights

    @property
    def top_posteriors(self) -> FloatArray:
        return self.posterior.top_posteriors

    @property
    def draws(self) -> IntArray:
        """The draws of N (the result's ``draws``)."""
        return self.result.draws

    @property
    def posterior_n(self) -> IntArray:
        """Draws of N from the posterior (alias of ``draws``)."""
        return self.draws

    def sample(self, size: int, rng: np.random.Generator) -> IntArray:
        """``size`` further independent draws of N from the posterior."""
        return self.posterior.sample(size, rng)


def posterior_quantile(n_values: IntArray, probabilities: FloatArray, level: float) -> int:
    """dga's quantile: the first N whose cumulative posterior probability exceeds ``level``."""
    return _quantiles(n_values, probabilities, (level,))[0]


def _quantiles(n_values: IntArray, probabilities: FloatArray, levels: Sequence[float]) -> list[int]:
    cumulative = np.cumsum(probabilities)
    index = np.searchsorted(cumulative, np.asarray(levels) * cumulative[-1], side="right")
    return [int(n) for n in n_values[np.minimum(index, len(n_values) - 1)]]


def _bayes_estimate(N: FloatArray, probabilities: FloatArray) -> float:
    """Madigan & York's Bayes estimate under relative squared error: E(1/N) / E(1/N^2)."""
    return float(np.sum(probabilities / N) / np.sum(probabilities / N**2))


def _sample(
    n_values: IntArray,
    widths: IntArray,
    probabilities: FloatArray,
    size: int,
    rng: np.random.Generator,
) -> IntArray:
    """Draws of N: a grid cell by its mass, then (on a stepped grid) an integer in it."""
    cumulative = np.cumsum(probabilities)
    index = np.searchsorted(cumulative, rng.random(size) * cumulative[-1], side="right")
    index = np.minimum(index, len(n_values) - 1)
    out: IntArray = n_values[index]
    if np.any(widths > 1):
        out = out + np.floor(rng.random(size) * widths[index]).astype(np.int64)
    return out


def posterior_weights(
    patterns: npt.ArrayLike,
    counts: npt.ArrayLike,
    n_missing: npt.ArrayLike,
    *,
    delta: float,
    prior_n: str | MadiganYorkPrior | LogPrior = "inverse",
    log_graph_prior: GraphPrior | None = None,
    lists: Sequence[str] | None = None,
) -> FloatArray:
    """The joint posterior over (graph, missing count), as R's ``bma.cr`` returns it.

    Rows follow ``dga_graphs(lists)``, columns the values of ``n_missing``; the matrix sums
    to 1. Row sums are the graphs' posterior probabilities, column sums the posterior of N =
    n_obs + n_missing. ``estimate_dga`` summarises the same posterior without storing it.
    """
    if not (np.isfinite(delta) and delta > 0):
        raise ConfigError("delta must be a positive number", key="delta")
    grid = np.asarray(n_missing, dtype=np.float64)
    if grid.ndim != 1 or grid.size == 0 or np.any(grid < 0) or np.any(grid != np.round(grid)):
        raise ConfigError("n_missing must be whole numbers >= 0", key="n_missing")
    table, names = capture_table(patterns, counts, lists)
    log_prior, _ = resolve_prior(prior_n)
    design, _ = design_with_prior(len(names), names, log_graph_prior)
    lw = log_weights(table_stats(table, float(delta)), design, grid, log_prior)
    lw -= lw.max()
    with np.errstate(under="ignore"):
        w = np.exp(lw, out=lw)
    w /= w.sum()
    return w


def _delta_sensitivity(
    table: IntArray,
    deltas: Sequence[float],
    design: Any,
    log_prior: LogPrior,
    grid: tuple[int, int | None],
    level: float,
    labels: tuple[str, ...],
) -> list[dict[str, Any]]:
    """The model-averaged median, interval and top graph under other values of delta."""
    tail = (1.0 - level) / 2.0
    out = []
    for delta in deltas:
        stats = table_stats(table, float(delta))
        post, _ = fit(stats, design, log_prior, *grid)
        n_values = (stats.n_obs + post.n_missing).astype(np.int64)
        median, lower, upper = _quantiles(n_values, post.probabilities, (0.5, tail, 1.0 - tail))
        top = int(np.argmax(post.log_marginal_graph))
        out.append(
            {
                "delta": float(delta),
                "estimate": median,
                "lower": lower,
                "upper": upper,
                "top_graph": labels[top],
                "top_graph_probability": float(post.graph_weights[top]),
            }
        )
    return out


def _graph_summary(
    label: str,
    cliques: list[list[str]],
    weight: float,
    n_values: IntArray,
    widths: IntArray,
    post: FloatArray,
    level: float,
) -> dict[str, Any]:
    tail = (1.0 - level) / 2.0
    median, lower, upper = _quantiles(n_values, post, (0.5, tail, 1.0 - tail))
    return {
        "graph": label,
        "cliques": cliques,
        "weight": weight,
        "estimate": median,
        "lower": lower,
        "upper": upper,
        "mode": int(n_values[int(np.argmax(post / widths))]),
        "bayes_estimate": _bayes_estimate(n_values + (widths - 1) / 2.0, post),
    }


def estimate_dga(
    patterns: npt.ArrayLike,
    counts: npt.ArrayLike,
    *,
    lists: Sequence[str] | None = None,
    delta: float | None = None,
    prior_n: str | MadiganYorkPrior | LogPrior = "inverse",
    n_missing_min: int = 0,
    n_missing_max: int | None = None,
    level: float = 0.95,
    sensitivity: Sequence[float] | None = None,
    log_graph_prior: GraphPrior | None = None,
    top_graphs: int = 10,
    n_draws: int = 10_000,
    seed: int | None = None,
    input_hash: str | None = None,
    stratum: str | None = None,
) -> DgaEstimate:
    """Estimate N by averaging over all decomposable graphical models of the lists.

    ``patterns`` is an (m, J) 0/1 array of observed capture patterns (3 <= J <= 6; repeated
    patterns are summed) and ``counts`` their (m,) counts. ``delta`` is the hyper-Dirichlet
    prior weight per cell of the full table (default ``2**-J``, dga's suggestion); ``prior_n``
    the prior on N: ``"inverse"`` (p(N) proportional to 1/N, dga's default), ``"uniform"``,
    ``"rissanen"`` (Rissanen's universal prior for integers), a ``MadiganYorkPrior(a, b)``, or
    a callable from an array of N to log p(N). The missing count ranges over the integers
    ``n_missing_min..n_missing_max`` (as in dga; its examples use 1..300). By default the grid
    starts at 0 and ends where less than 1e-6 of the posterior mass lies beyond it, but not
    above max(10,000, 100 x n_obs); a warning says when more than 0.1% of the posterior lies
    beyond the end (a heavy-tailed or improper posterior). The default grid steps by 1 unless
    it would hold more than max(10,000, 2e7 / number of graphs) values; then it steps by 1 up
    to ten times the step and evenly after (``diagnostics["grid"]``), and quantiles have that
    resolution.
    ``sensitivity`` lists other values of delta to rerun with (default: 2^-J and 1, less the
    delta used; ``()`` for none): their medians, intervals and top graphs go to
    ``diagnostics["delta_sensitivity"]`` and a warning says when a median moves by more than
    20%. ``log_graph_prior`` weighs the graphs a priori (dga's ``log.prior.model.weights``;
    default uniform): a callable from a graph's cliques (tuples of list names) to its log
    weight, or one log weight per graph in the order of ``dga_graphs(lists)``; ``-inf``
    leaves a graph out. ``top_graphs`` graphs are summarised in ``result.models``;
    ``n_draws`` draws of N are taken with ``seed`` (a fresh recorded seed when None).
    """
    if delta is None:
        delta = 2.0 ** -np.asarray(patterns).shape[-1] if np.ndim(patterns) == 2 else 1.0
    if not (np.isfinite(delta) and delta > 0):
        raise ConfigError("delta must be a positive number", key="delta")
    if not 0 < level < 1:
        raise ConfigError("level must lie strictly between 0 and 1", key="level")
    if n_missing_min < 0 or (n_missing_max is not None and n_missing_max < n_missing_min):
        raise ConfigError("the grid needs 0 <= n_missing_min <= n_missing_max", key="n_missing")
    if n_draws < 0 or top_graphs < 1:
        raise ConfigError("n_draws must be >= 0 and top_graphs >= 1", key="n_draws")
    if sensitivity is not None and not all(np.isfinite(d) and d > 0 for d in sensitivity):
        raise ConfigError("every delta in sensitivity must be a positive number", key="sensitivity")
    table, names = capture_table(patterns, counts, lists)
    J = len(names)
    log_prior, prior_settings = resolve_prior(prior_n)
    graphs = decomposable_graphs(J)
    labels = graph_labels(J, names)
    design, graph_prior_name = design_with_prior(J, names, log_graph_prior)
    stats = table_stats(table, float(delta))

    post, capped = fit(stats, design, log_prior, n_missing_min, n_missing_max)
    widths = post.widths.astype(np.int64)
    grid = post.n_missing
    n_values = (stats.n_obs + grid).astype(np.int64)
    probabilities = post.probabilities
    weights = post.graph_weights
    beyond = mass_beyond(stats, design, log_prior, post)

    order = np.argsort(-weights, kind="stable")[: max(1, top_graphs)]
    order = order[weights[order] > 0]
    top_post = graph_posteriors(stats, design[order], grid, log_prior, post.widths)
    models = [
        _graph_summary(
            labels[g],
            [[names[v] for v in c] for c in graphs[g].cliques],
            float(weights[g]),
            n_values,
            widths,
            top_post[i],
            level,
        )
        for i, g in enumerate(order)
    ]

    tail = (1.0 - level) / 2.0
    estimate, lower, upper = _quantiles(n_values, probabilities, (0.5, tail, 1.0 - tail))
    if sensitivity is None:
        sensitivity = [d for d in (2.0**-J, 1.0) if not np.isclose(d, delta)]
    others = _delta_sensitivity(
        table, sensitivity, design, log_prior, (n_missing_min, n_missing_max), level, labels
    )
    saturated = float(weights[-1])  # graphs are ordered by edges: the complete graph is last
    warnings = _warnings(table, names, beyond, probabilities, n_missing_min, saturated)
    warnings += _sensitivity_warnings(float(delta), estimate, others)

    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> 1)
    draws = _sample(n_values, widths, probabilities, n_draws, np.random.default_rng(seed))
    centres = n_values + (widths - 1) / 2.0
    mean = float(np.sum(probabilities * centres))
    sizable = [m for m in models if m["weight"] >= 0.01] or models[:1]
    diagnostics: dict[str, Any] = {
        "n_graphs": len(graphs),
        "top_graph": models[0]["graph"],
        "top_graph_probability": models[0]["weight"],
        "saturated_graph_probability": saturated,
        "effective_number_of_graphs": float(1.0 / np.sum(weights**2)),
        "posterior_mean": mean,
        "posterior_sd": float(np.sqrt(np.sum(probabilities * (centres - mean) ** 2))),
        "posterior_mode": int(n_values[int(np.argmax(probabilities / widths))]),
        "bayes_estimate": _bayes_estimate(centres, probabilities),
        "grid": {
            "n_min": int(n_values[0]),
            "n_max": int(n_values[-1] + widths[-1] - 1),
            "size": len(grid),
            "step": int(widths.max()),
            "unit_steps_up_to": int(n_values[np.flatnonzero(widths > 1)[0]] - 1)
            if np.any(widths > 1)
            else int(n_values[-1]),
        },
        "mass_beyond_grid": beyond,
        "grid_capped": capped,
        "graph_estimate_range": [
            min(m["estimate"] for m in sizable),
            max(m["estimate"] for m in sizable),
        ],
        "delta_sensitivity": others,
        "draws": {"n": int(n_draws), "mean": float(draws.mean()) if n_draws else None},
    }
    settings: dict[str, Any] = {
        "delta": float(delta),
        "prior_n": prior_settings,
        "prior_graphs": graph_prior_name,
        "n_missing_min": int(n_missing_min),
        "n_missing_max": int(grid[-1] + widths[-1] - 1),
        "grid": "given" if n_missing_max is not None else "default",
        "sensitivity_deltas": [float(d) for d in sensitivity],
        "n_draws": int(n_draws),
        "top_graphs": int(top_graphs),
    }
    result = EstimateResult(
        method="dga",
        n_observed=stats.n_obs,
        estimate=float(estimate),
        lower=float(lower),
        upper=float(upper),
        level=level,
        point="median",
        interval="credible",
        assumptions=(*ASSUMPTIONS, GRAPH_PRIOR_ASSUMPTION[graph_prior_name]),
        warnings=warnings,
        diagnostics=diagnostics,
        models=models,
        settings=settings,
        seed=seed,
        input_hash=input_hash,
        inquest_version=__version__,
        lists=names,
        stratum=stratum,
        draws=draws,
        details=DgaPosterior(
            n_values=n_values,
            widths=widths,
            probabilities=probabilities,
            graphs=labels,
            graph_weights=weights,
            top_posteriors=top_post,
        ),
    )
    return DgaEstimate(result=result)


def _warnings(
    table: IntArray,
    names: tuple[str, ...],
    beyond: float,
    probabilities: FloatArray,
    n_missing_min: int,
    saturated: float,
) -> tuple[str, ...]:
    out = []
    if saturated > SATURATED_WARNING:
        out.append(
            f"The saturated graph (every list depending on every other) carries "
            f"{saturated:.0%} of the posterior weight. Under it the lists' overlaps say "
            "nothing about how many people no list recorded, so that share of the estimate "
            "comes from the priors alone (with a small delta it sits near the number observed)."
        )
    if beyond > EDGE_WARNING:
        share = "all but a vanishing part" if beyond > 0.999 else f"about {beyond:.2%}"
        out.append(
            f"The posterior of N is cut off by the grid: {share} of its mass lies above the "
            "largest N considered, so the median and upper bound are understated (if nearly "
            "all, the posterior is improper and the figures mean little). This happens when "
            "near-saturated graphs with a small delta, or lists with little overlap, give N "
            "a heavy tail; a larger grid (n_missing_max), a larger delta or more overlap help."
        )
    if n_missing_min > 0 and probabilities[0] > EDGE_WARNING * probabilities.max():
        out.append(
            "The posterior is still sizable at the smallest N of the grid (n_missing_min): "
            "the lower bound is overstated."
        )
    J = len(names)
    index = np.arange(table.shape[0])
    for i in range(J):
        if table[(index >> i & 1) == 1].sum() == 0:
            out.append(f"List {names[i]} recorded no one: it carries no information.")
    for i in range(J):
        for j in range(i + 1, J):
            both = (index >> i & 1) & (index >> j & 1) == 1
            if table[both].sum() == 0:
                out.append(
                    f"Lists {names[i]} and {names[j]} share no one: with no overlap the "
                    "dependence between them is judged from the prior alone."
                )
    return tuple(out)


def _sensitivity_warnings(
    delta: float, estimate: float, others: list[dict[str, Any]]
) -> tuple[str, ...]:
    moved = [o for o in others if abs(o["estimate"] - estimate) > SENSITIVITY_WARNING * estimate]
    if not moved:
        return ()
    alternatives = "; ".join(
        f"with delta = {o['delta']:g} the median is {o['estimate']:,} [{o['lower']:,}, "
        f"{o['upper']:,}] (top graph {o['top_graph']})"
        for o in moved
    )
    return (
        f"The estimate depends strongly on the prior weight delta (here {delta:g}, median "
        f"{estimate:,.0f}): {alternatives}. The lists' overlaps do not settle the dependence "
        "between them; report the range, not one figure.",
    )
