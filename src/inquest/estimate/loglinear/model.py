"""Log-linear (Poisson GLM) multiple systems estimation.

The observable cells of the 2^J table (absent patterns count 0) are fitted by a Poisson GLM
with main effects and chosen two-list terms; the unobserved cell is exp(intercept) and
N = n_observed + exp(intercept). Models are chosen by SparseMSE forward stepwise selection
(Chan, Silverman & Vincent 2021), by AIC/BIC over hierarchical two-way models, or given.
Every model is checked for existence and identifiability of its MLE before it is fitted.

Intervals: ``wald-log`` (SparseMSE: n_obs + exp of normal quantiles of the intercept; fixed
model), ``profile`` (profile likelihood of N; fixed model), ``bootstrap`` (percentile interval
of multinomial resamples that repeat the model selection, so model uncertainty is included)
and ``bootstrap-bca`` (the same resamples, BCa as SparseMSE). All are computed and reported;
``interval`` picks the headline one. In the coverage study (benchmarks/mse_coverage.py,
heterogeneous and dependent simulated lists) the fixed-model intervals covered N about half
the time, BCa 84% and the percentile bootstrap 96%: hence the percentile default.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Literal

import numpy as np
import numpy.typing as npt

from inquest import __version__
from inquest.errors import EstimationError, InputError
from inquest.estimate._design import (
    FloatArray,
    IntArray,
    Model,
    canonical,
    dense_table,
    overlaps,
    term_names,
)
from inquest.estimate._existence import check_model
from inquest.estimate.loglinear._intervals import (
    bca_interval,
    bootstrap_replicates,
    jackknife_acceleration,
    percentile_interval,
    profile_interval,
)
from inquest.estimate.loglinear._select import (
    Selection,
    fixed,
    independence,
    information_search,
    stepwise,
)
from inquest.estimate.result import EstimateResult

Selector = Literal["stepwise", "independence", "bic", "aic", "fixed"]
IntervalKind = Literal["bootstrap", "bootstrap-bca", "profile", "wald-log"]

#: Coverage of nominal 95% intervals in benchmarks/mse_coverage.py, per model selection and
#: interval: (120 simulated worlds, 100 with sparse lists: ``--regime sparse``, 17-38% of
#: people observed; see docs/methodology/estimation.md). Pairs not listed were not studied.
STUDY_COVERAGE: dict[tuple[str, str], tuple[float, float]] = {
    ("stepwise", "wald-log"): (0.51, 0.38),
    ("stepwise", "profile"): (0.52, 0.38),
    ("stepwise", "bootstrap-bca"): (0.84, 0.88),
    ("stepwise", "bootstrap"): (0.96, 0.98),
    ("bic", "profile"): (0.64, 0.38),
    ("independence", "profile"): (0.0, 0.0),
}
FIXED_MODEL_INTERVALS = frozenset({"wald-log", "profile"})


def coverage_warning(selection: str, interval: str, level: float) -> str | None:
    """What the coverage study says of this selection and interval, when it is a warning."""
    if selection == "independence":
        return None  # the independence warning below says more
    studied = STUDY_COVERAGE.get((selection, interval))
    if studied is not None and studied[0] >= 0.9 and studied[1] >= 0.9:
        return None
    if studied is not None:
        kind = (
            "treats the selected model as known"
            if interval in FIXED_MODEL_INTERVALS
            else "repeats the selection but is short"
        )
        return (
            f"the {interval} interval {kind}; in inquest's coverage study its nominal "
            f"{level:.0%} interval with {selection} selection contained the true N in only "
            f"{studied[0]:.0%} of simulated worlds, {studied[1]:.0%} with sparse lists "
            "(use the bootstrap interval with stepwise selection)"
        )
    if interval in FIXED_MODEL_INTERVALS:
        stepwise = STUDY_COVERAGE[("stepwise", interval)]
        return (
            f"the {interval} interval treats the selected model as known; inquest's coverage "
            f"study did not cover {selection} selection, but with stepwise selection such an "
            f"interval contained the true N in only {stepwise[0]:.0%} of simulated worlds "
            f"({stepwise[1]:.0%} with sparse lists)"
        )
    return (
        f"the {interval} interval with {selection} selection was not part of inquest's "
        "coverage study: how often it contains the true N is not known"
    )


ASSUMPTIONS: tuple[str, ...] = (
    "Closed population: every victim could have been recorded by every list.",
    "Perfect linkage: a person appears once in each list's history, and different people "
    "were not merged.",
    "Persons are alike in their chance of being recorded, except as captured by the chosen "
    "two-list interactions; unmodelled heterogeneity usually biases N downwards.",
    "List dependence is modelled by pairwise log-linear interactions; no three-list "
    "interactions, so the unobserved cell follows from the pairwise structure.",
    "The model chosen on these data is taken as true for the point estimate; the bootstrap "
    "interval repeats the selection and so includes some model uncertainty.",
)


@dataclass(frozen=True)
class LoglinearEstimate:
    """``fit_loglinear``'s answer: the result, whose ``draws`` are the bootstrap replicates."""

    result: EstimateResult

    @property
    def replicates(self) -> FloatArray:
        """The bootstrap replicates of N (one per resample; NaN where none was fittable)."""
        return self.result.draws


def estimate_loglinear(
    patterns: npt.ArrayLike,
    counts: npt.ArrayLike,
    *,
    lists: Sequence[str] | None = None,
    selection: Selector = "stepwise",
    terms: Sequence[tuple[int, int]] | None = None,
    pthresh: float = 0.02,
    level: float = 0.95,
    interval: IntervalKind = "bootstrap",
    n_boot: int = 1000,
    seed: int | None = 0,
    progress: Callable[[int], None] | None = None,
) -> EstimateResult:
    """Estimate N with a log-linear model; see ``fit_loglinear``."""
    return fit_loglinear(
        patterns,
        counts,
        lists=lists,
        selection=selection,
        terms=terms,
        pthresh=pthresh,
        level=level,
        interval=interval,
        n_boot=n_boot,
        seed=seed,
        progress=progress,
    ).result


def fit_loglinear(
    patterns: npt.ArrayLike,
    counts: npt.ArrayLike,
    *,
    lists: Sequence[str] | None = None,
    selection: Selector = "stepwise",
    terms: Sequence[tuple[int, int]] | None = None,
    pthresh: float = 0.02,
    level: float = 0.95,
    interval: IntervalKind = "bootstrap",
    n_boot: int = 1000,
    seed: int | None = 0,
    progress: Callable[[int], None] | None = None,
) -> LoglinearEstimate:
    """Estimate N from observed capture ``patterns`` (m, J) and their ``counts`` (m,).

    ``selection``: ``stepwise`` (SparseMSE rule, threshold ``pthresh``), ``independence``,
    ``aic``/``bic`` (exhaustive over hierarchical two-way models up to five lists, greedy
    beyond), or ``fixed`` with ``terms`` (pairs of 0-based list indices). ``n_boot``
    resamples (0 to skip) repeat the selection; ``progress`` is called with 1 per resample.
    """
    table, n_lists, names = _prepare(patterns, counts, lists)
    select = _selector(selection, n_lists, terms, pthresh)
    sel = select(table)
    fit = sel.fit
    warnings: list[str] = []
    intervals: dict[str, list[float]] = {"wald-log": list(fit.wald_log_interval(level))}
    diagnostics: dict[str, object] = {}
    try:
        prof_mle, prof_lo, prof_hi = profile_interval(fit, n_lists, table, level)
        intervals["profile"] = [prof_lo, prof_hi]
        diagnostics["profile_mle"] = prof_mle
    except (EstimationError, ValueError, np.linalg.LinAlgError) as exc:
        warnings.append(f"profile likelihood interval unavailable: {exc}")
    reps = np.empty(0)
    if n_boot > 0:
        rng = np.random.default_rng(seed)

        def n_hat(t: IntArray) -> float:
            return select(t).fit.estimate

        reps, failed = bootstrap_replicates(table, n_hat, n_boot, rng, progress)
        if failed:
            warnings.append(f"{failed} of {n_boot} bootstrap resamples had no fittable model")
        if np.isfinite(reps).sum() >= 20:
            accel = jackknife_acceleration(table, n_hat)
            intervals["bootstrap"] = list(percentile_interval(reps, level))
            intervals["bootstrap-bca"] = list(bca_interval(reps, fit.estimate, accel, level))
            diagnostics["bca_acceleration"] = accel
            diagnostics["bootstrap_sd"] = float(np.nanstd(reps))
    chosen = interval if interval in intervals else "wald-log"
    if chosen != interval:
        warnings.append(f"{interval} interval unavailable; reporting the wald-log interval")
    lower, upper = intervals[chosen]
    study = coverage_warning(selection, chosen, level)
    if study:
        warnings.append(study)
    spread = _bootstrap_spread(chosen, intervals, reps, fit.estimate)
    if spread:
        warnings.append(spread)
    if selection == "independence":
        warnings.append(
            "the independence model ignores list dependence and heterogeneity; in the coverage "
            "study its interval never contained the true N (it underestimated by about 20%)"
        )
    diagnostics.update(_fit_diagnostics(sel, table, n_lists, names))
    diagnostics["intervals"] = intervals
    if fit.empty_terms:
        warnings.append(
            "terms with empty overlaps are treated as structural zeros: "
            + ", ".join(term_names(names, fit.empty_terms))
        )
    result = EstimateResult(
        method="loglinear",
        n_observed=fit.n_observed,
        estimate=fit.estimate,
        lower=lower,
        upper=upper,
        level=level,
        point="mle",
        interval=chosen,
        assumptions=ASSUMPTIONS,
        warnings=tuple(warnings),
        diagnostics=diagnostics,
        models=_models(sel, names),
        settings={
            "selection": selection,
            "pthresh": pthresh,
            "terms": [list(t) for t in terms] if terms is not None else None,
            "n_boot": n_boot,
            "bootstrap": "multinomial resample of observed cells, selection repeated; "
            "percentile interval (BCa also reported)",
            "bic_penalty": "log(n_observed) per parameter",
        },
        seed=seed,
        inquest_version=__version__,
        lists=tuple(names),
        draws=reps,
    )
    return LoglinearEstimate(result=result)


def _bootstrap_spread(
    chosen: str, intervals: dict[str, list[float]], reps: npt.NDArray[np.float64], estimate: float
) -> str | None:
    """A warning when the bootstrap reaches far past the selected model's profile interval.

    That reach is model uncertainty (resamples select other models), which the profile
    interval leaves out; a reader should see both ends and why they differ.
    """
    if not chosen.startswith("bootstrap") or "profile" not in intervals:
        return None
    lo, hi = intervals[chosen]
    p_lo, p_hi = intervals["profile"]
    if hi - estimate <= 2 * (p_hi - estimate) and estimate - lo <= 2 * (estimate - p_lo):
        return None
    finite = reps[np.isfinite(reps)]
    above = float((finite > p_hi).mean()) if finite.size else 0.0
    below = float((finite < p_lo).mean()) if finite.size else 0.0
    return (
        f"the {chosen} interval [{lo:,.0f}, {hi:,.0f}] reaches far past the selected model's "
        f"profile interval [{p_lo:,.0f}, {p_hi:,.0f}]: resamples select other models "
        f"({above:.0%} of them estimate more than {p_hi:,.0f}, {below:.0%} less than "
        f"{p_lo:,.0f}). That spread is model uncertainty, which the profile interval leaves "
        "out; the data do not tell the models apart well."
    )


def _prepare(
    patterns: npt.ArrayLike, counts: npt.ArrayLike, lists: Sequence[str] | None
) -> tuple[IntArray, int, list[str]]:
    pat = np.asarray(patterns)
    cnt = np.asarray(counts)
    if pat.ndim != 2 or cnt.ndim != 1 or pat.shape[0] != cnt.shape[0]:
        raise InputError("patterns must be (m, J) and counts (m,)", field="patterns")
    n_lists = pat.shape[1]
    if n_lists < 3:
        raise InputError(f"need at least 3 lists, got {n_lists}", field="patterns")
    if not np.isin(pat, (0, 1)).all():
        raise InputError("capture patterns must be 0/1", field="patterns")
    if (cnt < 0).any() or not np.all(np.equal(np.mod(cnt, 1), 0)):
        raise InputError("counts must be non-negative integers", field="count")
    if (pat.sum(axis=1) == 0).any() and cnt[pat.sum(axis=1) == 0].sum() > 0:
        raise InputError("the all-zero capture pattern cannot be observed", field="patterns")
    names = list(lists) if lists is not None else [chr(65 + i) for i in range(n_lists)]
    if len(names) != n_lists:
        raise InputError(f"{len(names)} list names for {n_lists} lists", field="lists")
    table = dense_table(pat, cnt.astype(np.int64), n_lists)
    table[0] = 0
    if table.sum() == 0:
        raise EstimationError("no person was recorded by any list")
    return table, n_lists, names


def _selector(
    selection: Selector,
    n_lists: int,
    terms: Sequence[tuple[int, int]] | None,
    pthresh: float,
) -> Callable[[IntArray], Selection]:
    if selection == "stepwise":
        return partial(_stepwise, n_lists=n_lists, pthresh=pthresh)
    if selection == "independence":
        return partial(_independence, n_lists=n_lists)
    if selection in ("aic", "bic"):
        return partial(_ic, n_lists=n_lists, criterion=selection)
    if selection == "fixed":
        if terms is None:
            raise InputError("selection='fixed' needs terms", field="terms")
        model = canonical(terms)
        bad = [t for t in model if not (0 <= t[0] < t[1] < n_lists)]
        if bad:
            raise InputError(f"terms out of range for {n_lists} lists: {bad}", field="terms")
        return partial(_fixed, n_lists=n_lists, model=model)
    raise InputError(f"unknown selection {selection!r}", field="selection")


def _stepwise(table: IntArray, *, n_lists: int, pthresh: float) -> Selection:
    return stepwise(table, n_lists, pthresh=pthresh)


def _independence(table: IntArray, *, n_lists: int) -> Selection:
    return independence(table, n_lists)


def _ic(table: IntArray, *, n_lists: int, criterion: Literal["aic", "bic"]) -> Selection:
    return information_search(table, n_lists, criterion=criterion)


def _fixed(table: IntArray, *, n_lists: int, model: Model) -> Selection:
    return fixed(table, n_lists, model)


def _fit_diagnostics(
    sel: Selection, table: IntArray, n_lists: int, names: list[str]
) -> dict[str, object]:
    fit = sel.fit
    ov = overlaps(table, n_lists)
    check = check_model(table, n_lists, fit.terms)
    return {
        "terms": term_names(names, fit.terms),
        "intercept": fit.intercept,
        "intercept_se": fit.intercept_se,
        "deviance": fit.fit.deviance,
        "residual_df": fit.residual_df,
        "aic": fit.aic,
        "bic": fit.bic,
        "lp_value": check.lp_value,
        "rank_deficiency": check.rank_deficiency,
        "empty_overlaps": term_names(names, [p for p, v in ov.items() if v == 0]),
        "models_rejected_by_checks": sel.rejected,
        "steps": [_named_step(s, names) for s in sel.steps],
    }


def _named_step(step: dict[str, object], names: list[str]) -> dict[str, object]:
    added = step["added"]
    if isinstance(added, list) and len(added) == 2 and all(isinstance(i, int) for i in added):
        return {**step, "added": f"{names[added[0]]}:{names[added[1]]}"}
    return step


def _models(sel: Selection, names: list[str]) -> list[dict[str, object]]:
    """Candidate models with estimates and AIC/BIC weights (IC search), or the chosen one.

    Weights are only given when models were compared (AIC/BIC search); a stepwise, fixed
    or independence fit lists its one model without a weight.
    """
    if not sel.candidates:
        f = sel.fit
        return [
            {
                "terms": term_names(names, f.terms),
                "estimate": f.estimate,
                "aic": f.aic,
                "bic": f.bic,
                "weight_bic": None,
                "weight_aic": None,
                "chosen": True,
            }
        ]
    fits = sel.candidates
    bic = np.array([f.bic for f in fits])
    aic = np.array([f.aic for f in fits])
    w_bic = np.exp(-(bic - bic.min()) / 2.0)
    w_aic = np.exp(-(aic - aic.min()) / 2.0)
    w_bic /= w_bic.sum()
    w_aic /= w_aic.sum()
    order = np.argsort(bic)[:20]
    return [
        {
            "terms": term_names(names, fits[i].terms),
            "estimate": fits[i].estimate,
            "aic": fits[i].aic,
            "bic": fits[i].bic,
            "weight_bic": float(w_bic[i]),
            "weight_aic": float(w_aic[i]),
            "chosen": fits[i] is sel.fit,
        }
        for i in order
    ]
