"""Which pairs to review first: those whose decision is expected to narrow the estimate most.

Deciding a pair (a, b) splits the linkage posterior in two: the partitions where a and b are
one person (probability ``q``, the share of draws) and those where they are not. By the law
of total variance the decision is expected to remove

    ``value = Var[S] - E[Var[S | decision]] = q (1 - q) (E[S | together] - E[S | apart])**2``

of the variance of a statistic ``S`` of the partition. ``S`` is a cheap stand-in for the
estimate of N (docs/methodology/linkage.md, "Which pairs to review first"):

* ``persons``: the number of persons, each weighing 1;
* ``n_hat`` (default): the first-order change of N under the log-linear model of independent
  lists, fitted to the run's own clustering: a person seen by lists ``s`` weighs
  ``dN/dcount(s)``. A join that makes an overlap where overlaps are few moves N far more than
  one person, and this weighting says so.

Other components are independent of the pair's, so only the pair's own component is
summed (less Monte Carlo noise than the whole partition, the same expectation). A pair the
draws do not sample (its records in different components, or in components whose partition
is certain) is valued as a lone pair at its model probability ``p``: ``p (1 - p) delta**2``,
with ``delta`` the change of ``S`` if the two persons holding them were joined.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from inquest.errors import InputError
from inquest.estimate.histories import CaptureHistories
from inquest.linkage.posterior import PartitionDraws, histories_of_draw

__all__ = [
    "ReviewOrder",
    "ReviewStatistic",
    "ReviewValues",
    "independence_weights",
    "order_review_table",
    "pattern_weights",
    "posterior_values",
    "review_values",
]

Array = np.ndarray[Any, Any]

#: Pairs valued at a time (bounds the (draws x pairs) arrays held at once).
_CHUNK = 8192


class ReviewOrder(enum.StrEnum):
    """The order of a review queue."""

    VALUE = "value"
    """Expected reduction of the variance of the estimate's stand-in, largest first."""
    EVEN_ODDS = "even-odds"
    """Match probability closest to 0.5 first."""


class ReviewStatistic(enum.StrEnum):
    """What the value of a decision is measured on (see the module's text)."""

    N_HAT = "n_hat"
    PERSONS = "persons"


@dataclass(frozen=True)
class ReviewValues:
    """Per pair: the share of draws joining it (``together``; NaN where the draws do not
    sample it), the expected variance removed by deciding it (``value``), and whether
    ``value`` came from the draws (``sampled``) or from the lone-pair formula."""

    together: Array
    value: Array
    sampled: Array
    statistic: ReviewStatistic

    def order(self, probability: Array) -> Array:
        """Indices of the pairs, largest value first; ties by closeness of ``probability``
        to 0.5, then by position."""
        closeness = np.abs(np.asarray(probability, np.float64) - 0.5)
        return np.lexsort((np.arange(len(self.value)), closeness, -self.value))


def _fit_independence(counts: Array, design: Array) -> float:
    """Unobserved persons under independent lists: Poisson log-linear model of main effects
    fitted to the 2**J - 1 observed cells by Newton's method; returns exp(intercept)."""
    x = np.column_stack([np.ones(len(counts)), design])
    y = counts.astype(np.float64)
    beta = np.zeros(x.shape[1])
    beta[0] = np.log(max(y.mean(), 1e-9))
    for _ in range(100):
        mu = np.exp(x @ beta)
        step = np.linalg.lstsq(x.T @ (mu[:, None] * x), x.T @ (y - mu), rcond=None)[0]
        beta += step
        if np.max(np.abs(step)) < 1e-10:
            break
    return float(np.exp(beta[0]))


def independence_weights(histories: CaptureHistories) -> Array:
    """``dN/dcount(s)`` for every pattern code ``s`` (bit j: list j) under independent lists,
    by adding one person of that pattern; index 0 (no list) weighs 0.

    N counts the observed persons, so a weight is 1 plus the change of the unobserved cell.
    A table the model cannot fit (no overlap to extrapolate from: the unobserved cell
    diverges past 100 times the persons seen) gives weight 1 to every pattern: the persons
    statistic.
    """
    h = histories.collapsed()
    j = h.n_lists
    if j > 16:
        raise InputError("review values need at most 16 lists", field="lists")
    codes = np.arange(1, 2**j, dtype=np.int64)
    design = ((codes[:, None] >> np.arange(j)[None, :]) & 1).astype(np.float64)
    counts = np.zeros(2**j, np.float64)
    own = h.patterns.astype(np.int64) @ (1 << np.arange(j, dtype=np.int64))
    np.add.at(counts, own, h.counts)
    base_counts = counts[1:]
    weights = np.zeros(2**j, np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        base = _fit_independence(base_counts, design)
        for k in range(len(codes)):
            bumped = base_counts.copy()
            bumped[k] += 1.0
            weights[k + 1] = 1.0 + _fit_independence(bumped, design) - base
    if not (np.all(np.isfinite(weights)) and np.isfinite(base)) or base > 100 * max(
        h.n_observed, 1
    ):
        weights[1:] = 1.0
    return weights


def pattern_weights(draws: PartitionDraws, statistic: ReviewStatistic) -> Array:
    """The weight of a person per pattern code for ``statistic`` (for ``n_hat``, the model
    is fitted to the first draw's table: a first-order guide needs no more)."""
    j = len(draws.lists)
    if statistic is ReviewStatistic.PERSONS:
        out = np.ones(2**j, np.float64)
        out[0] = 0.0
        return out
    return independence_weights(histories_of_draw(draws, 0))


def _component_scores(draws: PartitionDraws, weights: Array) -> Array:
    """``S`` of every sampled component in every draw: (n_draws, components)."""
    m = len(draws.members)
    n_comp = draws.n_sampled_components
    out = np.zeros((draws.n_draws, n_comp), np.float64)
    if n_comp == 0:
        return out
    comp = np.repeat(np.arange(n_comp), np.diff(draws.starts))
    bit = np.int64(1) << draws.source[draws.members]
    for d in range(draws.n_draws):
        slot = draws.starts[comp] + draws.local[d]
        bits = np.zeros(m, np.int64)
        np.bitwise_or.at(bits, slot, bit)
        out[d] = np.add.reduceat(weights[bits], draws.starts[:-1])
    return out


def _person_patterns(draws: PartitionDraws) -> Array:
    """Each record's person's pattern code in the first draw."""
    labels = draws.labels(0)
    _, dense = np.unique(labels, return_inverse=True)
    dense = dense.ravel()
    bits = np.zeros(int(dense.max(initial=-1)) + 1, np.int64)
    np.bitwise_or.at(bits, dense, np.int64(1) << draws.source)
    return np.asarray(bits[dense], np.int64)


def review_values(
    draws: PartitionDraws,
    left: Array,
    right: Array,
    probability: Array,
    *,
    statistic: ReviewStatistic | str = ReviewStatistic.N_HAT,
    weights: Array | None = None,
) -> ReviewValues:
    """The expected variance of ``statistic`` removed by deciding each pair (records
    ``left[i]``, ``right[i]`` of the draws, model probability ``probability[i]``).

    ``weights`` (per pattern code) overrides the statistic's own weights.
    """
    statistic = ReviewStatistic(statistic)
    a = np.asarray(left, np.int64)
    b = np.asarray(right, np.int64)
    p = np.asarray(probability, np.float64)
    n = draws.n_records
    if not len(a) == len(b) == len(p):
        raise InputError("left, right and probability differ in length", field="pairs")
    if len(a) and (min(a.min(), b.min()) < 0 or max(a.max(), b.max()) >= n):
        raise InputError(f"a pair names a record outside 0..{n - 1}", field="pairs")
    w = pattern_weights(draws, statistic) if weights is None else np.asarray(weights, np.float64)
    if len(w) != 2 ** len(draws.lists):
        raise InputError("one weight per pattern of lists is needed", field="weights")
    pos = np.full(n, -1, np.int64)
    pos[draws.members] = np.arange(len(draws.members))
    comp_of = np.full(n, -1, np.int64)
    comp_of[draws.members] = np.repeat(np.arange(draws.n_sampled_components), np.diff(draws.starts))
    sampled = (comp_of[a] >= 0) & (comp_of[a] == comp_of[b])
    together = np.full(len(a), np.nan)
    value = np.zeros(len(a), np.float64)
    at = np.flatnonzero(sampled)
    if len(at):
        scores = _component_scores(draws, w)
        for lo in range(0, len(at), _CHUNK):
            idx = at[lo : lo + _CHUNK]
            joined = draws.local[:, pos[a[idx]]] == draws.local[:, pos[b[idx]]]
            s = scores[:, comp_of[a[idx]]]
            k = joined.sum(axis=0)
            q = k / draws.n_draws
            with np.errstate(invalid="ignore", divide="ignore"):
                mean_t = np.where(joined, s, 0.0).sum(axis=0) / k
                mean_f = np.where(joined, 0.0, s).sum(axis=0) / (draws.n_draws - k)
            diff = np.where((k > 0) & (k < draws.n_draws), mean_t - mean_f, 0.0)
            together[idx] = q
            value[idx] = q * (1 - q) * diff**2
    lone = np.flatnonzero(~sampled)
    if len(lone):
        pattern = _person_patterns(draws)
        pa_, pb_ = pattern[a[lone]], pattern[b[lone]]
        labels = draws.labels(0)
        same = labels[a[lone]] == labels[b[lone]]
        delta = np.where(same, 0.0, w[pa_ | pb_] - w[pa_] - w[pb_])
        q = np.clip(p[lone], 0.0, 1.0)
        value[lone] = q * (1 - q) * delta**2
    return ReviewValues(together, value, sampled, statistic)


#: pyarrow's stubs do not type this kernel over chunked arrays
_join: Any = pc.binary_join_element_wise


def _record_index(records: pa.Table, lists: Any, ids: Any) -> Array:
    keys = _join(
        pc.cast(records.column("list"), pa.string()),
        pc.cast(records.column("record_id"), pa.string()),
        "\x1f",
    )
    wanted = _join(pc.cast(lists, pa.string()), pc.cast(ids, pa.string()), "\x1f")
    at = pc.index_in(wanted, value_set=keys)
    if at.null_count:
        raise InputError(
            f"{at.null_count:,} pair(s) name records the linkage run does not hold",
            field="record_id_l",
        )
    return np.asarray(at.to_numpy(zero_copy_only=False), np.int64)


def order_review_table(
    pairs: pa.Table,
    draws: PartitionDraws,
    *,
    order: ReviewOrder = ReviewOrder.VALUE,
    statistic: ReviewStatistic = ReviewStatistic.N_HAT,
) -> pa.Table:
    """``pairs`` (``list_l, record_id_l, list_r, record_id_r, match_probability``, as
    ``review_pairs`` makes them) with ``together`` and ``review_value`` columns, in ``order``
    (``EVEN_ODDS`` keeps the closest-to-0.5 order, values still shown)."""
    if pairs.num_rows == 0 or "list_r" not in pairs.column_names:
        return pairs
    if draws.records is None:
        raise InputError("the draws carry no records to find the pairs in", field="records")
    a = _record_index(draws.records, pairs.column("list_l"), pairs.column("record_id_l"))
    b = _record_index(draws.records, pairs.column("list_r"), pairs.column("record_id_r"))
    p = np.asarray(pairs.column("match_probability").to_numpy(zero_copy_only=False), np.float64)
    values = review_values(draws, a, b, p, statistic=statistic)
    table = pairs.append_column(
        "together", pa.array(np.round(values.together, 4), pa.float64())
    ).append_column("review_value", pa.array(np.round(values.value, 4), pa.float64()))
    if order is ReviewOrder.EVEN_ODDS:
        ranking = np.lexsort((np.arange(len(p)), np.abs(p - 0.5)))
    else:
        ranking = values.order(p)
    return table.take(np.asarray(ranking, np.int64))


def posterior_values(
    info: Any,
    left: Array,
    right: Array,
    probability: Array,
    *,
    n_draws: int = 100,
    seed: int = 0,
    statistic: ReviewStatistic | str = ReviewStatistic.N_HAT,
) -> ReviewValues:
    """:func:`review_values` over ``n_draws`` partitions of ``info`` (a ``RunForPosterior``)
    drawn under the target linkage-aware estimates use by default (``centred``)."""
    from dataclasses import replace

    from inquest.estimate.linkage_aware import target_settings

    info = replace(info, settings=target_settings(info, "centred", seed))
    draws = info.draw(n_draws, seed)
    return review_values(draws, left, right, probability, statistic=statistic)
