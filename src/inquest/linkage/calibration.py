"""Recalibrating a run's pair probabilities on reviewed pairs (Platt scaling).

The linkage model's probabilities are not calibrated: pairs at 0.1 are true far more often
than one time in ten (docs/methodology/linkage.md, "Linkage uncertainty"). Reviewed pairs are
labels. Here a two-parameter recalibration

    logit p' = intercept + slope * logit p

is fitted by weighted logistic regression (Platt 1999) on reviewed pairs, each weighted by
how many of the run's pairs it stands for (its probability band's pairs over the band's
reviewed pairs), so that a review sample stratified over bands, or the queue's own choice,
speaks for all pairs of its band. A weak normal prior on the two parameters (centred on the
identity, slope 1 and intercept 0) keeps the fit finite when the labels separate.

``stratified_sample`` chooses pairs to review: the same number from every band of logit p.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from inquest.errors import InputError

__all__ = [
    "BANDS",
    "PairCalibration",
    "band_of",
    "band_weights",
    "calibrate_pairs",
    "calibration_from_decisions",
    "fit_platt",
    "stratified_sample",
]

Array = np.ndarray[Any, Any]

#: Edges of the probability bands used to weight and to stratify reviewed pairs.
BANDS: tuple[float, ...] = (0.0, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 0.97, 1.0)

METHOD = (
    "Platt scaling: weighted logistic regression of the reviewers' match (1) / non-match (0) "
    "on logit p, each reviewed pair weighted by its probability band's pairs over the band's "
    "reviewed pairs; normal prior (sd {sd}) on slope - 1 and intercept"
)


@dataclass(frozen=True)
class PairCalibration:
    """``logit p' = intercept + slope * logit p``, fitted on ``n_labels`` reviewed pairs
    (``n_matches`` of them matches); ``se_*`` are the fit's standard errors."""

    slope: float
    intercept: float
    n_labels: int
    n_matches: int
    se_slope: float
    se_intercept: float
    method: str

    def apply(self, prob: Array) -> Array:
        """Recalibrated probabilities (0 and 1 stay 0 and 1)."""
        p = np.asarray(prob, dtype=np.float64)
        q = np.clip(p, 1e-12, 1 - 1e-12)
        z = self.intercept + self.slope * (np.log(q) - np.log1p(-q))
        out = _sigmoid(z)
        return np.where(p <= 0.0, 0.0, np.where(p >= 1.0, 1.0, out))

    def to_dict(self) -> dict[str, Any]:
        return {
            "slope": self.slope,
            "intercept": self.intercept,
            "se_slope": self.se_slope,
            "se_intercept": self.se_intercept,
            "n_labels": self.n_labels,
            "n_matches": self.n_matches,
            "method": self.method,
        }


def _sigmoid(z: Array) -> Array:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -500.0, 500.0))), dtype=np.float64)


def _logit(p: Array) -> Array:
    q = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.asarray(np.log(q) - np.log1p(-q), dtype=np.float64)


def band_of(prob: Array, bands: tuple[float, ...] = BANDS) -> Array:
    """Band index of each probability (``bands`` are the edges; the last band is closed)."""
    edges = np.asarray(bands[1:-1], dtype=np.float64)
    return np.asarray(np.searchsorted(edges, np.asarray(prob, np.float64), side="right"), np.int64)


def band_weights(reviewed_prob: Array, all_prob: Array, bands: tuple[float, ...] = BANDS) -> Array:
    """Weight of each reviewed pair: its band's pairs over its band's reviewed pairs."""
    rb = band_of(reviewed_prob, bands)
    ab = np.bincount(band_of(all_prob, bands), minlength=len(bands) - 1).astype(np.float64)
    rc = np.bincount(rb, minlength=len(bands) - 1).astype(np.float64)
    return np.asarray(ab[rb] / rc[rb], dtype=np.float64)


def fit_platt(
    prob: Array,
    labels: Array,
    weights: Array | None = None,
    *,
    prior_sd: float = 10.0,
    max_iter: int = 100,
) -> PairCalibration:
    """Fit ``logit p' = a + b logit p`` to reviewed pairs (``labels`` 1 match, 0 not).

    ``weights`` (default 1) are rescaled to sum to the number of labels, so the prior's
    strength does not depend on their scale. Newton's method on the penalised likelihood.
    """
    x = _logit(prob)
    y = np.asarray(labels, dtype=np.float64)
    if len(x) != len(y):
        raise InputError("probabilities and labels differ in length", field="labels")
    if len(y) < 2 or not np.all((y == 0) | (y == 1)):
        raise InputError("need at least two labels, each 0 or 1", field="labels")
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    if len(w) != len(y) or not np.all(w > 0):
        raise InputError("weights must be positive, one per label", field="weights")
    w = w * (len(y) / w.sum())
    design = np.column_stack([np.ones_like(x), x])
    centre = np.array([0.0, 1.0])
    ridge = np.eye(2) / prior_sd**2

    def objective(b: Array) -> float:
        z = design @ b
        # log-likelihood of a logistic model, written to stay finite for large |z|
        loglik = float(np.sum(w * (y * z - np.logaddexp(0.0, z))))
        return loglik - 0.5 * float((b - centre) @ ridge @ (b - centre))

    beta = centre.copy()
    current = objective(beta)
    hess = ridge
    for _ in range(max_iter):
        mu = _sigmoid(design @ beta)
        grad = design.T @ (w * (y - mu)) - ridge @ (beta - centre)
        hess = (design * (w * mu * (1 - mu))[:, None]).T @ design + ridge
        step = np.linalg.solve(hess, grad)
        # step halving: Newton's full step can overshoot far from the optimum
        for _ in range(50):
            trial = objective(beta + step)
            if trial >= current - 1e-12:
                break
            step = step / 2
        beta, current = beta + step, trial
        if float(np.abs(step).max()) < 1e-9:
            break
    mu = _sigmoid(design @ beta)
    hess = (design * (w * mu * (1 - mu))[:, None]).T @ design + ridge
    cov = np.linalg.inv(hess)
    return PairCalibration(
        slope=float(beta[1]),
        intercept=float(beta[0]),
        n_labels=len(y),
        n_matches=int(y.sum()),
        se_slope=float(math.sqrt(cov[1, 1])),
        se_intercept=float(math.sqrt(cov[0, 0])),
        method=METHOD.format(sd=prior_sd),
    )


def stratified_sample(prob: Array, n: int, seed: int, bands: tuple[float, ...] = BANDS) -> Array:
    """Indices of ``n`` pairs to review: as equal a number from every non-empty band as the
    bands hold, drawn at random inside each band."""
    p = np.asarray(prob, dtype=np.float64)
    if n < 1:
        raise InputError("the review sample needs at least one pair", field="n")
    rng = np.random.default_rng(seed)
    b = band_of(p, bands)
    members = [np.flatnonzero(b == k) for k in range(len(bands) - 1)]
    sizes = np.array([len(m) for m in members])
    take = np.zeros(len(members), dtype=np.int64)
    left = min(n, int(sizes.sum()))
    while left > 0:
        open_ = np.flatnonzero(take < sizes)
        share = max(1, left // len(open_))
        for k in open_:
            add = min(share, int(sizes[k] - take[k]), left)
            take[k] += add
            left -= add
            if left == 0:
                break
    chosen = [rng.choice(m, size=t, replace=False) for m, t in zip(members, take, strict=True) if t]
    return np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, np.int64)


def calibrate_pairs(pairs: pa.Table, calibration: PairCalibration) -> pa.Table:
    """``pairs`` with ``match_probability`` recalibrated."""
    prob = np.asarray(
        pairs.column("match_probability").to_numpy(zero_copy_only=False), dtype=np.float64
    )
    new = pa.array(calibration.apply(prob), pa.float64())
    at = pairs.column_names.index("match_probability")
    return pairs.set_column(at, "match_probability", new)


def calibration_from_decisions(
    pairs: pa.Table,
    must_link: list[tuple[int, int]] | Array,
    cannot_link: list[tuple[int, int]] | Array,
    *,
    min_labels: int = 20,
) -> tuple[PairCalibration, int]:
    """Platt scaling fitted on reviewers' decisions: must-links are matches, cannot-links
    non-matches, each at the probability the run gave the pair (``pairs``: ``unique_id_l,
    unique_id_r, match_probability``), weighted by its band (:func:`band_weights`).

    Returns the calibration and the number of decided pairs the run never scored (they
    carry no probability and are left out of the fit). Fewer than ``min_labels`` scored
    decisions, or decisions of one kind only, is an error: no recalibration is assumed.
    """
    left = np.asarray(pairs.column("unique_id_l").to_numpy(zero_copy_only=False), np.int64)
    right = np.asarray(pairs.column("unique_id_r").to_numpy(zero_copy_only=False), np.int64)
    prob = np.asarray(pairs.column("match_probability").to_numpy(zero_copy_only=False), np.float64)
    n = int(max(left.max(initial=-1), right.max(initial=-1))) + 1
    lookup: dict[int, float] = {}
    for a, b, p in zip(np.minimum(left, right), np.maximum(left, right), prob, strict=True):
        lookup[int(a) * n + int(b)] = max(lookup.get(int(a) * n + int(b), 0.0), float(p))
    got_p: list[float] = []
    got_y: list[float] = []
    unscored = 0
    for label, decided in ((1.0, must_link), (0.0, cannot_link)):
        for a, b in np.asarray(decided, dtype=np.int64).reshape(-1, 2):
            lo, hi = int(min(a, b)), int(max(a, b))
            p = lookup.get(lo * n + hi) if hi < n else None
            if p is None:
                unscored += 1
                continue
            got_p.append(p)
            got_y.append(label)
    y = np.asarray(got_y)
    if len(y) < min_labels or y.min(initial=0) == y.max(initial=0):
        raise InputError(
            f"recalibrating the pair probabilities needs at least {min_labels} reviewed pairs "
            f"that the run scored, matches and non-matches both; the decisions give "
            f"{int((y == 1).sum())} matches and {int((y == 0).sum())} non-matches "
            f"({unscored} decided pair(s) the run never scored)",
            field="labels",
        )
    p_arr = np.asarray(got_p)
    return fit_platt(p_arr, y, band_weights(p_arr, prob)), unscored
