"""Model selection for log-linear MSE: SparseMSE forward stepwise and an AIC/BIC search."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import combinations
from typing import Literal

import numpy as np
from scipy.special import pdtr, pdtrc

from inquest.errors import EstimationError
from inquest.estimate._design import IntArray, Model, all_pairs, canonical, overlaps, pair_cells
from inquest.estimate._existence import check_model
from inquest.estimate.loglinear._fit import ModelFit, fit_model

Criterion = Literal["aic", "bic"]

#: Largest number of lists for which every hierarchical two-way model is enumerated
#: (2**10 = 1,024 models for five lists); beyond it the search is greedy forward.
EXHAUSTIVE_MAX_LISTS = 5


@dataclass
class Selection:
    """The chosen fit, and what the selection looked at on the way."""

    fit: ModelFit
    steps: list[dict[str, object]] = field(default_factory=list)
    candidates: list[ModelFit] = field(default_factory=list)
    rejected: int = 0  # models failing existence or identifiability


def independence(table: IntArray, n_lists: int, *, known_to_exist: bool = False) -> Selection:
    """The main-effects (independence) model."""
    check = check_model(table, n_lists, (), known_to_exist=known_to_exist)
    if not check.ok:
        raise EstimationError(_verdict("the independence model", check.code))
    return Selection(fit=fit_model(table, n_lists, ()))


def fixed(table: IntArray, n_lists: int, terms: Model) -> Selection:
    """A model given by its two-list terms; refused if it fails the checks."""
    terms = canonical(terms)
    check = check_model(table, n_lists, terms)
    if not check.ok:
        raise EstimationError(_verdict(f"the model with terms {terms}", check.code))
    return Selection(fit=fit_model(table, n_lists, terms))


def stepwise(
    table: IntArray, n_lists: int, *, pthresh: float = 0.02, skip_empty_overlaps: bool = True
) -> Selection:
    """Forward stepwise selection with Poisson p-values (SparseMSE ``stepwisefit``).

    Start from main effects. For each two-list term not yet in the model, its statistic is
    the number of persons on both lists; under the current model it is Poisson with mean
    the sum of fitted counts over those cells; its p-value is the smaller one-sided tail,
    min(P(X ≤ n*), P(X ≥ n*)). A candidate whose model would fail the existence or
    identifiability check gets p = 1; with ``skip_empty_overlaps`` pairs that share nobody
    are never candidates. Add the smallest p-value while it is below ``pthresh``.

    When the model with every overlapping pair has an MLE, so has every candidate (removing
    overlapping pairs keeps it, Chan et al. 2021), and one linear programme serves them all.
    """
    pairs = all_pairs(n_lists)
    masks = pair_cells(n_lists)
    nstar = (masks @ table).astype(np.float64)
    top = tuple(p for k, p in enumerate(pairs) if nstar[k] > 0)
    top_exists = skip_empty_overlaps and check_model(table, n_lists, top).exists
    sel = independence(table, n_lists, known_to_exist=top_exists)
    terms: Model = ()
    while True:
        lam = masks[:, 1:] @ sel.fit.fitted_table()[1:]
        # min(P(X <= n*), P(X >= n*)) for X ~ Poisson(lam)
        upper = np.where(nstar > 0, pdtrc(np.maximum(nstar - 1, 0), lam), 1.0)
        pvals = np.minimum(pdtr(nstar, lam), upper)
        best: tuple[float, tuple[int, int]] | None = None
        for k, pair in enumerate(pairs):
            if pair in terms or (skip_empty_overlaps and nstar[k] == 0):
                continue
            p = float(pvals[k])
            if p >= pthresh or (best is not None and p >= best[0]):
                continue
            check = check_model(
                table, n_lists, canonical((*terms, pair)), known_to_exist=top_exists
            )
            if not check.ok:
                sel.rejected += 1
                continue
            best = (p, pair)
        if best is None:
            return sel
        terms = canonical((*terms, best[1]))
        new = fit_model(table, n_lists, terms)
        sel.steps.append({"added": list(best[1]), "p_value": best[0], "estimate": new.estimate})
        sel.fit = new


def information_search(table: IntArray, n_lists: int, *, criterion: Criterion = "bic") -> Selection:
    """The hierarchical two-way model with the smallest AIC or BIC.

    Up to ``EXHAUSTIVE_MAX_LISTS`` lists every subset of two-list terms is fitted; beyond
    it a greedy forward search adds the term that lowers the criterion most. Models failing
    the existence or identifiability check are skipped.
    """
    models: Iterator[Model]
    if n_lists <= EXHAUSTIVE_MAX_LISTS:
        models = _all_models(n_lists)
        fits: list[ModelFit] = []
        rejected = 0
        ov = overlaps(table, n_lists)
        overlapping = tuple(p for p, v in ov.items() if v > 0)
        top_exists: dict[Model, bool] = {}
        for terms in models:
            empty = tuple(t for t in terms if ov[t] == 0)
            if empty not in top_exists:
                top = canonical((*empty, *overlapping))
                top_exists[empty] = check_model(table, n_lists, top).exists
            check = check_model(table, n_lists, terms, known_to_exist=top_exists[empty])
            if check.ok:
                fits.append(fit_model(table, n_lists, terms))
            else:
                rejected += 1
        if not fits:
            raise EstimationError("no hierarchical two-way model passes the existence checks")
        scores = np.array([_score(f, criterion) for f in fits])
        best = fits[int(np.argmin(scores))]
        return Selection(fit=best, candidates=fits, rejected=rejected)
    return _greedy(table, n_lists, criterion)


def _greedy(table: IntArray, n_lists: int, criterion: Criterion) -> Selection:
    sel = independence(table, n_lists)
    sel.candidates.append(sel.fit)
    while True:
        current = _score(sel.fit, criterion)
        best: ModelFit | None = None
        for pair in all_pairs(n_lists):
            if pair in sel.fit.terms:
                continue
            terms = canonical((*sel.fit.terms, pair))
            if not check_model(table, n_lists, terms).ok:
                sel.rejected += 1
                continue
            f = fit_model(table, n_lists, terms)
            sel.candidates.append(f)
            if _score(f, criterion) < (current if best is None else _score(best, criterion)):
                best = f
        if best is None:
            return sel
        sel.steps.append({"added": [list(t) for t in best.terms if t not in sel.fit.terms]})
        sel.fit = best


def _all_models(n_lists: int) -> Iterator[Model]:
    pairs = all_pairs(n_lists)
    for k in range(len(pairs) + 1):
        yield from combinations(pairs, k)


def _score(fit: ModelFit, criterion: Criterion) -> float:
    return fit.aic if criterion == "aic" else fit.bic


def _verdict(what: str, code: int) -> str:
    reasons = {
        1: "its maximum likelihood estimate does not exist",
        2: "it is not identifiable",
        3: "its maximum likelihood estimate does not exist and it is not identifiable",
    }
    return f"{what} cannot be fitted: {reasons[code]}"
