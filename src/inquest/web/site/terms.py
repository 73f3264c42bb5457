"""Translated labels of the engine's terms, in one place: estimation methods, interval and
point kinds, the options and diagnostics of a method, record fields and linkage comparisons.

Keys are the engine's own identifiers (estimator names, ``EstimateResult.interval`` and
``point`` values, option and diagnostic keys, list columns, comparison names); exports and
the API keep those keys, pages show these labels. A term without a label is shown as the
identifier it is, isolated left to right.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import pgettext_lazy

from inquest.web.registry.list_columns import column_labels

__all__ = [
    "ASSUMPTIONS",
    "COMPARISONS",
    "INTERVALS",
    "METHODS",
    "METHOD_KEYS",
    "POINTS",
    "SELECTIONS",
    "assumption_label",
    "comparison_label",
    "field_label",
    "interval_label",
    "key_label",
    "method_label",
    "point_label",
    "selection_label",
]

#: Estimators (``inquest.estimate.registry``), by name.
METHODS: Mapping[str, Promise] = {
    "loglinear": pgettext_lazy("estimation method", "Log-linear models"),
    "dga": pgettext_lazy("estimation method", "Decomposable graphical models (DGA)"),
    "lcmcr": pgettext_lazy("estimation method", "Latent classes (LCMCR)"),
}

#: Kinds of interval (``EstimateResult.interval``).
INTERVALS: Mapping[str, Promise] = {
    "credible": pgettext_lazy("interval kind", "credible interval"),
    "bootstrap": pgettext_lazy("interval kind", "bootstrap interval"),
    "bootstrap-bca": pgettext_lazy("interval kind", "bootstrap interval (BCa)"),
    "profile": pgettext_lazy("interval kind", "profile-likelihood interval"),
    "profile-likelihood": pgettext_lazy("interval kind", "profile-likelihood interval"),
    "wald-log": pgettext_lazy("interval kind", "Wald interval on the log scale"),
    "linkage-aware (pooled percentile over partitions)": pgettext_lazy(
        "interval kind", "linkage-aware interval (pooled over partitions)"
    ),
}

#: Kinds of point estimate (``EstimateResult.point``).
POINTS: Mapping[str, Promise] = {
    "median": pgettext_lazy("point kind", "posterior median"),
    "mle": pgettext_lazy("point kind", "maximum likelihood"),
    "mode": pgettext_lazy("point kind", "posterior mode"),
    "sum of stratum MLEs": pgettext_lazy("point kind", "sum of the strata's maximum likelihoods"),
    "median over partitions of the MLE": pgettext_lazy(
        "point kind", "median over partitions of the maximum likelihood"
    ),
    "median of the pooled posterior": pgettext_lazy("point kind", "median of the pooled posterior"),
}

#: Ways the log-linear method chooses its model (its ``selection`` option).
SELECTIONS: Mapping[str, Promise] = {
    "stepwise": pgettext_lazy("model selection", "stepwise"),
    "independence": pgettext_lazy("model selection", "independence (no interactions)"),
    "aic": pgettext_lazy("model selection", "by AIC"),
    "bic": pgettext_lazy("model selection", "by BIC"),
    "fixed": pgettext_lazy("model selection", "terms given"),
}

#: What the engine appends to an interval or point kind of strata summed.
_STRATA_SUMMED = ", strata summed"

#: Options, settings and diagnostics of the methods (keys of ``options``, ``settings`` and
#: ``diagnostics`` in a run's record).
METHOD_KEYS: Mapping[str, Promise] = {
    # options
    "delta": pgettext_lazy("method key", "Prior strength on graphs (delta)"),
    "prior_n": pgettext_lazy("method key", "Prior on the total"),
    "n_missing_min": pgettext_lazy("method key", "Fewest undocumented considered"),
    "n_missing_max": pgettext_lazy("method key", "Most undocumented considered"),
    "sensitivity": pgettext_lazy("method key", "Prior strengths tried for sensitivity"),
    "top_graphs": pgettext_lazy("method key", "Graphs listed"),
    "n_draws": pgettext_lazy("method key", "Draws"),
    "K": pgettext_lazy("method key", "Latent classes at most (K)"),
    "chains": pgettext_lazy("method key", "Chains"),
    "samples": pgettext_lazy("method key", "Samples per chain"),
    "burnin": pgettext_lazy("method key", "Burn-in sweeps"),
    "thinning": pgettext_lazy("method key", "Thinning"),
    "max_unobserved": pgettext_lazy("method key", "Most undocumented allowed"),
    "a_alpha": pgettext_lazy("method key", "Prior on alpha: shape"),
    "b_alpha": pgettext_lazy("method key", "Prior on alpha: rate"),
    "workers": pgettext_lazy("method key", "Worker processes"),
    "selection": pgettext_lazy("method key", "Model selection"),
    "n_boot": pgettext_lazy("method key", "Bootstrap resamples"),
    "interval": pgettext_lazy("method key", "Interval"),
    "pthresh": pgettext_lazy("method key", "Significance threshold for a term"),
    "terms": pgettext_lazy("method key", "Interaction terms"),
    # diagnostics
    "intervals": pgettext_lazy("method key", "Intervals of each kind"),
    "profile_mle": pgettext_lazy("method key", "Maximum likelihood (profile)"),
    "bca_acceleration": pgettext_lazy("method key", "BCa acceleration"),
    "bootstrap_sd": pgettext_lazy("method key", "Bootstrap standard deviation"),
    "posterior_mean": pgettext_lazy("method key", "Posterior mean"),
    "posterior_sd": pgettext_lazy("method key", "Posterior standard deviation"),
    "posterior_mode": pgettext_lazy("method key", "Posterior mode"),
    "bayes_estimate": pgettext_lazy("method key", "Bayes estimate"),
    "rhat": pgettext_lazy("method key", "R-hat (chain agreement)"),
    "ess_bulk": pgettext_lazy("method key", "Effective sample size (bulk)"),
    "ess_tail": pgettext_lazy("method key", "Effective sample size (tail)"),
    "draws": pgettext_lazy("method key", "Draws"),
    "n_graphs": pgettext_lazy("method key", "Graphs"),
    "top_graph": pgettext_lazy("method key", "Most probable graph"),
    "top_graph_probability": pgettext_lazy("method key", "Probability of the most probable graph"),
    "saturated_graph_probability": pgettext_lazy("method key", "Probability of the full graph"),
    "effective_number_of_graphs": pgettext_lazy("method key", "Effective number of graphs"),
    "bootstrap": pgettext_lazy("method key", "Bootstrap"),
    "bic_penalty": pgettext_lazy("method key", "BIC penalty"),
    "intercept": pgettext_lazy("method key", "Intercept"),
    "intercept_se": pgettext_lazy("method key", "Intercept, standard error"),
    "deviance": pgettext_lazy("method key", "Deviance"),
    "residual_df": pgettext_lazy("method key", "Residual degrees of freedom"),
    "aic": pgettext_lazy("method key", "AIC"),
    "bic": pgettext_lazy("method key", "BIC"),
    "weight_aic": pgettext_lazy("method key", "Weight by AIC"),
    "weight_bic": pgettext_lazy("method key", "Weight by BIC"),
    "lp_value": pgettext_lazy("method key", "Fit p-value"),
    "p_value": pgettext_lazy("method key", "p-value"),
    "rank_deficiency": pgettext_lazy("method key", "Rank deficiency"),
    "empty_overlaps": pgettext_lazy("method key", "Empty overlaps"),
    "models_rejected_by_checks": pgettext_lazy("method key", "Models rejected by the checks"),
    "steps": pgettext_lazy("method key", "Selection steps"),
    "added": pgettext_lazy("method key", "Term added"),
    "chosen": pgettext_lazy("method key", "Chosen"),
    "strata": pgettext_lazy("method key", "Strata"),
    "n_observed": pgettext_lazy("method key", "Documented"),
    "estimate": pgettext_lazy("method key", "Estimated total"),
    "lower": pgettext_lazy("method key", "Interval from"),
    "upper": pgettext_lazy("method key", "Interval to"),
    "grid": pgettext_lazy("method key", "Grid of totals"),
    "n_min": pgettext_lazy("method key", "Smallest total"),
    "n_max": pgettext_lazy("method key", "Largest total"),
    "size": pgettext_lazy("method key", "Points"),
    "step": pgettext_lazy("method key", "Step"),
    "unit_steps_up_to": pgettext_lazy("method key", "Steps of one up to"),
    "mass_beyond_grid": pgettext_lazy("method key", "Probability beyond the grid"),
    "grid_capped": pgettext_lazy("method key", "Grid capped"),
    "graph_estimate_range": pgettext_lazy("method key", "Range of the graphs' estimates"),
    "delta_sensitivity": pgettext_lazy("method key", "Sensitivity to delta"),
    "prior_graphs": pgettext_lazy("method key", "Prior on graphs"),
    "sensitivity_deltas": pgettext_lazy("method key", "Deltas tried for sensitivity"),
    "mean": pgettext_lazy("method key", "Mean"),
    "n": pgettext_lazy("method key", "Count"),
    "chain_medians": pgettext_lazy("method key", "Median of each chain"),
    "ess_bulk_per_second": pgettext_lazy("method key", "Effective samples per second (bulk)"),
    "sweeps_per_chain": pgettext_lazy("method key", "Sweeps per chain"),
    "sweeps_per_second_per_chain": pgettext_lazy("method key", "Sweeps per second, each chain"),
    "sweeps_per_second_total": pgettext_lazy("method key", "Sweeps per second, all chains"),
    "chain_wall_seconds": pgettext_lazy("method key", "Elapsed per chain (seconds)"),
    "chain_cpu_seconds": pgettext_lazy("method key", "Processor time per chain (seconds)"),
    "jit_compile_seconds": pgettext_lazy("method key", "Compilation (seconds)"),
    "occupied_classes_mean": pgettext_lazy("method key", "Occupied classes, mean"),
    "occupied_classes_max": pgettext_lazy("method key", "Occupied classes, most"),
    "cap_rejections": pgettext_lazy("method key", "Draws rejected by the cap"),
    "cap_rejection_rate": pgettext_lazy("method key", "Share rejected by the cap"),
    "cap_pinned": pgettext_lazy("method key", "Cap reached"),
    "all_classes_occupied_fraction": pgettext_lazy(
        "method key", "Share of draws with every class occupied"
    ),
    "warmup_sweeps": pgettext_lazy("method key", "Warm-up sweeps"),
    "lambda_prior": pgettext_lazy("method key", "Prior on capture probabilities"),
    "wall_seconds": pgettext_lazy("method key", "Elapsed (seconds)"),
    "cpu_seconds": pgettext_lazy("method key", "Processor time (seconds)"),
}

#: Comparisons of the linkage model (``inquest/data/linkage/model.yaml``), by name.
COMPARISONS: Mapping[str, Promise] = {
    "name": pgettext_lazy("comparison", "Name"),
    "father": pgettext_lazy("comparison", "Father's name"),
    "birth": pgettext_lazy("comparison", "Date of birth"),
    "death": pgettext_lazy("comparison", "Date of death"),
    "sex": pgettext_lazy("comparison", "Sex"),
    "birth_place": pgettext_lazy("comparison", "Place of birth"),
    "residence": pgettext_lazy("comparison", "Place of residence"),
    "birth_place_vs_residence": pgettext_lazy(
        "comparison", "Place of birth against place of residence"
    ),
    "prison": pgettext_lazy("comparison", "Prison"),
    "burial": pgettext_lazy("comparison", "Burial place"),
    "prison_vs_burial": pgettext_lazy("comparison", "Prison against burial place"),
}


def key_label(key: str) -> Promise | None:
    """The label of a key of a method's options, settings or diagnostics (a method's name, or
    a kind of interval keying the intervals of each kind), or None."""
    return METHOD_KEYS.get(key, METHODS.get(key, INTERVALS.get(key)))


def _shown(label: Promise | str | None, key: str) -> SafeString:
    if label is None:  # a term the workbench does not know: the identifier itself
        return format_html('<bdi dir="ltr">{}</bdi>', key)
    return format_html("{}", label)


def method_label(key: str) -> SafeString:
    """An estimation method's name."""
    return _shown(METHODS.get(key), key)


def _summed(table: Mapping[str, Promise], key: str) -> SafeString:
    if key.endswith(_STRATA_SUMMED) and key.removesuffix(_STRATA_SUMMED) in table:
        return format_html(
            "{} ({})",
            table[key.removesuffix(_STRATA_SUMMED)],
            pgettext_lazy("interval kind", "strata summed"),
        )
    return _shown(table.get(key), key)


def interval_label(key: str) -> SafeString:
    """A kind of interval ("credible", "bootstrap, strata summed" ...)."""
    return _summed(INTERVALS, key)


def point_label(key: str) -> SafeString:
    """A kind of point estimate ("median", "mle" ...)."""
    return _summed(POINTS, key)


def selection_label(key: str) -> SafeString:
    """A way of choosing the log-linear model ("stepwise" ...)."""
    return _shown(SELECTIONS.get(key), key)


def field_label(key: str) -> SafeString:
    """A record field (a column of the standard list format)."""
    return _shown(column_labels().get(key), key)


def comparison_label(key: str) -> SafeString:
    """A comparison of the linkage model (a model may compare a field under its own name)."""
    return _shown(COMPARISONS.get(key, column_labels().get(key)), key)


#: The assumptions the methods state (``ASSUMPTIONS`` of each method's model, and the DGA's
#: ``GRAPH_PRIOR_ASSUMPTION``), keyed by the engine's own sentence.
ASSUMPTIONS: Mapping[str, Promise] = {
    # loglinear
    "Closed population: every victim could have been recorded by every list.": pgettext_lazy(
        "assumption", "Closed population: every victim could have been recorded by every list."
    ),
    "Perfect linkage: a person appears once in each list's history, and different people "
    "were not merged.": pgettext_lazy(
        "assumption",
        "Perfect linkage: a person appears once in each list's history, and different people "
        "were not merged.",
    ),
    "Persons are alike in their chance of being recorded, except as captured by the chosen "
    "two-list interactions; unmodelled heterogeneity usually biases N downwards.": pgettext_lazy(
        "assumption",
        "Persons are alike in their chance of being recorded, except as captured by the chosen "
        "two-list interactions; unmodelled heterogeneity usually biases N downwards.",
    ),
    "List dependence is modelled by pairwise log-linear interactions; no three-list "
    "interactions, so the unobserved cell follows from the pairwise structure.": pgettext_lazy(
        "assumption",
        "List dependence is modelled by pairwise log-linear interactions; no three-list "
        "interactions, so the unobserved cell follows from the pairwise structure.",
    ),
    "The model chosen on these data is taken as true for the point estimate; the bootstrap "
    "interval repeats the selection and so includes some model uncertainty.": pgettext_lazy(
        "assumption",
        "The model chosen on these data is taken as true for the point estimate; the bootstrap "
        "interval repeats the selection and so includes some model uncertainty.",
    ),
    # dga
    "Closed population: every victim in the period could have been recorded by any list, and "
    "no one enters or leaves the population while the lists are compiled.": pgettext_lazy(
        "assumption",
        "Closed population: every victim in the period could have been recorded by any list, "
        "and no one enters or leaves the population while the lists are compiled.",
    ),
    "The lists were deduplicated and linked correctly: each person is counted once and "
    "matches between lists are right. Missed or false matches bias the estimate.": pgettext_lazy(
        "assumption",
        "The lists were deduplicated and linked correctly: each person is counted once and "
        "matches between lists are right. Missed or false matches bias the estimate.",
    ),
    "The dependence between lists (including people who are easier or harder for every list "
    "to record) is well described by at least one decomposable graphical model; the estimate "
    "averages over all of them, weighted by how well each fits the observed overlaps.": (
        pgettext_lazy(
            "assumption",
            "The dependence between lists (including people who are easier or harder for every "
            "list to record) is well described by at least one decomposable graphical model; "
            "the estimate averages over all of them, weighted by how well each fits the "
            "observed overlaps.",
        )
    ),
    "The result depends on the priors: the hyper-Dirichlet weight delta per cell and the prior "
    "on N. With sparse overlaps, a small delta favours richer dependence graphs and a larger "
    "one pulls towards the saturated graph; compare settings before relying on one figure.": (
        pgettext_lazy(
            "assumption",
            "The result depends on the priors: the hyper-Dirichlet weight delta per cell and "
            "the prior on N. With sparse overlaps, a small delta favours richer dependence "
            "graphs and a larger one pulls towards the saturated graph; compare settings before "
            "relying on one figure.",
        )
    ),
    "The 95% interval is likely too narrow when people differ in how easily any list records "
    "them: in inquest's coverage studies (benchmarks/bench_dga.py and mse_coverage.py, 4 "
    "simulated lists with such heterogeneity) it held the true N in 81-87% of worlds at the "
    "default delta = 2^-J, and in 69-85% at delta = 1.": pgettext_lazy(
        "assumption",
        "The 95% interval is likely too narrow when people differ in how easily any list "
        "records them: in inquest's coverage studies (benchmarks/bench_dga.py and "
        "mse_coverage.py, 4 simulated lists with such heterogeneity) it held the true N in "
        "81-87% of worlds at the default delta = 2^-J, and in 69-85% at delta = 1.",
    ),
    "Every graph is equally likely before seeing the data.": pgettext_lazy(
        "assumption", "Every graph is equally likely before seeing the data."
    ),
    "Graphs are weighted before seeing the data as the analyst set them "
    "(log_graph_prior); graphs given no weight are left out.": pgettext_lazy(
        "assumption",
        "Graphs are weighted before seeing the data as the analyst set them "
        "(log_graph_prior); graphs given no weight are left out.",
    ),
    # lcmcr
    "The population is closed and the lists are clean: every person counted belongs to the "
    "period and place the lists cover, and each person appears once in the linked data "
    "(no missed or false links).": pgettext_lazy(
        "assumption",
        "The population is closed and the lists are clean: every person counted belongs to the "
        "period and place the lists cover, and each person appears once in the linked data "
        "(no missed or false links).",
    ),
    "People differ in how likely each list was to record them, but a small number of hidden "
    "groups (latent classes) explains those differences: inside a group, being on one list "
    "says nothing about being on another.": pgettext_lazy(
        "assumption",
        "People differ in how likely each list was to record them, but a small number of hidden "
        "groups (latent classes) explains those differences: inside a group, being on one list "
        "says nothing about being on another.",
    ),
    "The people no list recorded resemble, group by group, the people the lists did record: "
    "a group of victims that no list ever reaches cannot be seen or estimated.": pgettext_lazy(
        "assumption",
        "The people no list recorded resemble, group by group, the people the lists did record: "
        "a group of victims that no list ever reaches cannot be seen or estimated.",
    ),
    "Priors as in the reference R package LCMCR: a Dirichlet process truncated at K classes "
    "with concentration alpha ~ Gamma(a_alpha, b_alpha), capture probabilities uniform on "
    "[0, 1], and p(N) proportional to 1/N.": pgettext_lazy(
        "assumption",
        "Priors as in the reference R package LCMCR: a Dirichlet process truncated at K classes "
        "with concentration alpha ~ Gamma(a_alpha, b_alpha), capture probabilities uniform on "
        "[0, 1], and p(N) proportional to 1/N.",
    ),
}


def assumption_label(text: str) -> SafeString:
    """An assumption a method states, translated; one the workbench does not know is shown as
    the engine wrote it (English), isolated."""
    label = ASSUMPTIONS.get(text)
    if label is None:
        return format_html('<bdi dir="ltr" lang="en">{}</bdi>', text)
    return format_html("{}", label)
