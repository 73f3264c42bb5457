"""The linkage posterior: many plausible partitions of the records into persons.

A linkage run gives one clustering. Its pairwise match probabilities say how sure each link
is; here they are turned into draws of whole partitions, so that estimates can be run over
each draw and carry the linkage's uncertainty (issue 18; docs/methodology/linkage.md,
"Linkage uncertainty: drawing partitions").

Target: inside each candidate component (as the clustering forms them: pairs at the link
threshold, must-links, over-size components cut), a partition has weight
``prod over pairs inside its clusters of p / (1 - p)``, zero if a cluster holds a
cannot-link or two records of one list whose own probability is below the same-list minimum.
A pair no run kept has probability ``floor``. Must-links join records into units first.
A lone pair at probability p is then joined with probability exactly p.

Components whose partition is certain are drawn once; components of up to
``exact_max_units`` units are drawn from the exact distribution (every partition
enumerated); larger ones by a Markov chain of Gibbs moves of single units and split–merge
proposals (``inquest.linkage._posterior_kernels``).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from inquest.errors import InputError
from inquest.estimate.histories import CaptureHistories
from inquest.linkage._posterior_kernels import (
    certain_partition,
    enumerate_partitions,
    sample_exact,
    sample_mcmc,
)
from inquest.linkage.cluster.components import (
    connected,
    edge_scores,
    group_pairs,
    pair_key,
    split_big,
)

__all__ = [
    "METHOD",
    "ComponentDiagnostics",
    "PartitionDraws",
    "PosteriorSettings",
    "RunForPosterior",
    "draw_histories",
    "draw_partitions",
    "effective_sample_size",
    "histories_of_draw",
    "load_run_for_posterior",
]

Array = np.ndarray[Any, Any]

METHOD = (
    "pairwise Gibbs measure (weight p/(1-p) per pair inside a cluster) per candidate "
    "component: certain components once, exact enumeration up to exact_max_units units, "
    "else Gibbs and split-merge MCMC"
)

#: Per-component method codes in :class:`ComponentDiagnostics`.
FIXED, EXACT, MCMC = 0, 1, 2
METHOD_NAMES = ("fixed", "exact", "mcmc")

#: pyarrow's stubs do not type this kernel over chunked arrays
_join: Any = pc.binary_join_element_wise

_PAIR_COLUMNS = ("unique_id_l", "unique_id_r", "match_probability")
_RUN_PAIR_COLUMNS = ("list_l", "record_id_l", "list_r", "record_id_r", "match_probability")


@dataclass(frozen=True)
class PosteriorSettings:
    """How components are formed and sampled.

    ``link_threshold``, ``same_list_min_probability`` and ``max_component`` are the
    clustering's (``PosteriorSettings.from_model``). ``floor`` is the probability of a pair
    inside a component that the run did not keep. A component whose units split into groups
    with every pair inside above ``1 - certain_eps`` and every pair across below
    ``certain_eps`` (or forbidden) is certain. ``odds_scale`` multiplies every pair's odds
    (1: the run's probabilities as they are; a recalibration, e.g. from reviewed pairs,
    goes here). With ``prior_odds`` r (the run's prior odds that two records match), the
    prior is paid once per record that joins a cluster rather than once per pair: each pair
    weighs its Bayes factor ``p / (1 - p) / r`` and each join ``r`` (None: the pairwise
    measure). Chains run ``burn_in + burn_in_per_unit * k``
    sweeps before the first draw and ``thin + k // thin_units`` sweeps between draws, with
    ``max(1, k // 2)`` split–merge proposals per sweep (``k`` units).
    """

    link_threshold: float = 0.1
    same_list_min_probability: float = 0.5
    max_component: int = 300
    floor: float = 0.001
    certain_eps: float = 1e-4
    exact_max_units: int = 8
    odds_scale: float = 1.0
    prior_odds: float | None = None
    burn_in: int = 100
    burn_in_per_unit: int = 2
    thin: int = 2
    thin_units: int = 20

    @classmethod
    def from_model(cls, model: Any, **overrides: Any) -> PosteriorSettings:
        """The settings of a :class:`inquest.linkage.settings.LinkageModel`'s clustering."""
        spec = model.clustering
        values: dict[str, Any] = {
            "link_threshold": spec.link_threshold,
            "same_list_min_probability": spec.same_list_min_probability,
            "max_component": spec.max_component_for_rescoring,
        }
        values.update(overrides)
        return cls(**values)

    def sweeps(self, units: int) -> tuple[int, int, int]:
        """Burn-in sweeps, sweeps between draws and split–merge proposals per sweep."""
        return (
            self.burn_in + self.burn_in_per_unit * units,
            self.thin + units // self.thin_units,
            max(1, units // 2),
        )


@dataclass(frozen=True)
class ComponentDiagnostics:
    """One row per candidate component of two or more records (arrays of equal length).

    ``method`` indexes :data:`METHOD_NAMES`. For chains: the share of Gibbs updates that
    moved a unit, the share of split–merge proposals accepted, and the effective sample size
    of the number of clusters (NaN where that number never changed). Exact draws are
    independent (ESS = draws); a certain component has one partition.
    """

    records: Array
    units: Array
    method: Array
    mean_clusters: Array
    gibbs_moves: Array
    split_merge_acceptance: Array
    ess_clusters: Array
    burn_in: Array
    thin: Array

    def count(self, method: str) -> int:
        """Components drawn by ``method`` (fixed, exact or mcmc)."""
        return int((self.method == METHOD_NAMES.index(method)).sum())


@dataclass(frozen=True)
class PartitionDraws:
    """Draws of the partition of ``n_records`` records into persons.

    Records in certain components (or alone) have the same label in every draw,
    ``fixed_labels``; the others (``fixed_labels == -1``) are the ``members`` of the sampled
    components, component ``c`` at ``members[starts[c]:starts[c + 1]]``, and ``local[d]``
    their labels in draw ``d`` inside their component (0 to its number of persons - 1).
    """

    n_records: int
    n_draws: int
    seed: int
    input_hash: str
    method: str
    settings: PosteriorSettings
    lists: tuple[str, ...]
    source: Array
    fixed_labels: Array
    members: Array
    starts: Array
    local: Array
    components: ComponentDiagnostics
    #: kept pairs (allowed to join) whose records lie in different components, and the sum
    #: of their probabilities: joins the draws leave out
    pairs_left_out: int = 0
    expected_joins_left_out: float = 0.0
    records: pa.Table | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def n_sampled_components(self) -> int:
        return len(self.starts) - 1

    def _offsets(self) -> Array:
        base = int(self.fixed_labels.max(initial=-1)) + 1
        comp = np.repeat(np.arange(self.n_sampled_components), np.diff(self.starts))
        return np.asarray(base + self.starts[comp], dtype=np.int64)

    def labels(self, d: int) -> Array:
        """Person label of every record in draw ``d`` (not dense: labels are unique ids)."""
        out = self.fixed_labels.copy()
        out[self.members] = self._offsets() + self.local[d]
        return out

    def label_matrix(self) -> Array:
        """All draws as an ``(n_draws, n_records)`` int64 array."""
        out = np.repeat(self.fixed_labels[None, :], self.n_draws, axis=0)
        out[:, self.members] = self._offsets()[None, :] + self.local
        return out

    def n_persons(self) -> Array:
        """Persons in each draw."""
        fixed = self.fixed_labels[self.fixed_labels >= 0]
        base = len(np.unique(fixed))
        if self.n_sampled_components == 0:
            return np.full(self.n_draws, base, dtype=np.int64)
        per = np.maximum.reduceat(self.local, self.starts[:-1], axis=1) + 1
        return np.asarray(base + per.sum(axis=1), dtype=np.int64)

    def together(self, a: int, b: int) -> float:
        """Share of draws in which records ``a`` and ``b`` are one person."""
        return float(np.mean(self._record_labels(a) == self._record_labels(b)))

    def _record_labels(self, record: int) -> Array:
        """Record ``record``'s label in every draw."""
        if self.fixed_labels[record] >= 0:
            return np.full(self.n_draws, self.fixed_labels[record], dtype=np.int64)
        at = int(np.flatnonzero(self.members == record)[0])
        return np.asarray(self._offsets()[at] + self.local[:, at], dtype=np.int64)

    def summary(self) -> dict[str, Any]:
        """Counts and diagnostics, for run files and reports."""
        c = self.components
        mcmc = c.method == MCMC
        ess = c.ess_clusters[mcmc]
        ess = ess[np.isfinite(ess)]
        persons = self.n_persons()
        return {
            "method": self.method,
            "seed": self.seed,
            "input_hash": self.input_hash,
            "draws": self.n_draws,
            "records": self.n_records,
            "settings": asdict(self.settings),
            "components": {name: c.count(name) for name in METHOD_NAMES},
            "records_sampled": len(self.members),
            "persons": {
                "mean": float(persons.mean()),
                "min": int(persons.min()),
                "max": int(persons.max()),
                "q025": float(np.quantile(persons, 0.025)),
                "q975": float(np.quantile(persons, 0.975)),
            },
            "mcmc_ess_clusters": {
                "components_with_varying_clusters": len(ess),
                "min": float(ess.min()) if len(ess) else None,
                "median": float(np.median(ess)) if len(ess) else None,
            },
            "mcmc_split_merge_acceptance_median": float(np.median(c.split_merge_acceptance[mcmc]))
            if mcmc.any()
            else None,
            "pairs_left_out": self.pairs_left_out,
            "expected_joins_left_out": self.expected_joins_left_out,
            "notes": list(self.notes),
        }


def effective_sample_size(x: Array) -> float:
    """ESS of one chain by Geyer's initial positive sequence (NaN for a constant series)."""
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    if n < 4 or np.all(x == x[0]):
        return math.nan
    y = x - x.mean()
    f = np.fft.rfft(y, 2 * n)
    acf = np.fft.irfft(f * np.conjugate(f))[:n]
    acf = acf / acf[0]
    total = 0.0
    for t in range(0, n - 1, 2):
        pair = acf[t] + acf[t + 1]
        if pair <= 0:
            break
        total += pair
    tau = max(2 * total - 1, 1.0 / n)
    return float(min(n / tau, n))


def _logit(p: Array) -> Array:
    q = np.clip(p, 1e-12, 1 - 1e-12)
    return np.asarray(np.log(q) - np.log1p(-q), dtype=np.float64)


def _hash_inputs(parts: list[Array], settings: PosteriorSettings) -> str:
    h = hashlib.sha256()
    for a in parts:
        arr = np.ascontiguousarray(a)
        h.update(str((arr.dtype.str, arr.shape)).encode())
        h.update(arr.tobytes())
    h.update(json.dumps(asdict(settings), sort_keys=True).encode())
    return h.hexdigest()


def _pairs_array(pairs: list[tuple[int, int]] | Array | None, n: int, what: str) -> Array:
    arr = np.asarray(pairs if pairs is not None else [], dtype=np.int64).reshape(-1, 2)
    if len(arr) and (arr.min() < 0 or arr.max() >= n):
        raise InputError(f"{what} names a record outside 0..{n - 1}", field=what)
    if len(arr) and (arr[:, 0] == arr[:, 1]).any():
        raise InputError(f"{what} pairs a record with itself", field=what)
    return arr


def _check_pairs(pairs: pa.Table, n: int) -> tuple[Array, Array, Array]:
    missing = [c for c in _PAIR_COLUMNS if c not in pairs.column_names]
    if missing:
        raise InputError(f"pairs lack column(s) {', '.join(missing)}", field=missing[0])
    left = np.asarray(pairs.column("unique_id_l").to_numpy(zero_copy_only=False), np.int64)
    right = np.asarray(pairs.column("unique_id_r").to_numpy(zero_copy_only=False), np.int64)
    prob = np.asarray(pairs.column("match_probability").to_numpy(zero_copy_only=False), np.float64)
    if len(left) and (min(left.min(), right.min()) < 0 or max(left.max(), right.max()) >= n):
        raise InputError(f"a pair names a record outside 0..{n - 1}", field="unique_id_l")
    if (left == right).any():
        raise InputError("a pair joins a record with itself", field="unique_id_l")
    if not np.all((prob >= 0) & (prob <= 1)):
        raise InputError(
            "match probabilities must lie in [0, 1] (none missing)", field="match_probability"
        )
    return left, right, prob


def _check_draw_request(s: PosteriorSettings, n: int, n_draws: int, seed: int) -> None:
    if n < 0:
        raise InputError("the number of records cannot be negative", field="n_records")
    if n_draws < 1:
        raise InputError("at least one draw is needed", field="n_draws")
    if not 0 <= seed < 2**63:
        raise InputError("the seed must be a whole number from 0 to 2**63 - 1", field="seed")
    if not 0 < s.floor < s.link_threshold < 1:
        raise InputError("need 0 < floor < link_threshold < 1", field="settings")
    if not s.odds_scale > 0:
        raise InputError("odds_scale must be positive", field="settings")
    if s.prior_odds is not None and not s.prior_odds > 0:
        raise InputError("prior_odds must be positive", field="settings")


def _candidate_groups(
    n: int, e_left: Array, e_right: Array, e_prob: Array, s: PosteriorSettings
) -> list[Array]:
    """The groups of two or more records the draws re-partition: the components of the
    edges at the link threshold, those over ``max_component`` cut as the clustering cuts them."""
    strong = e_prob >= s.link_threshold
    comp = connected(n, e_left[strong], e_right[strong])
    counts = np.bincount(comp, minlength=1) if n else np.zeros(0, np.int64)
    order = np.argsort(comp, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    groups: list[Array] = []
    s_left, s_right, s_prob = e_left[strong], e_right[strong], e_prob[strong]
    big = np.flatnonzero(counts > s.max_component)
    for c in np.flatnonzero(counts >= 2):
        members = np.sort(order[bounds[c] : bounds[c + 1]])
        if c not in big:
            groups.append(members)
            continue
        own = comp[s_left] == c
        parts = split_big(
            members, s_left[own], s_right[own], s_prob[own], s.link_threshold, s.max_component
        )
        groups.extend(part for part in parts if len(part) >= 2)
    return groups


def draw_partitions(
    pairs: pa.Table,
    n_records: int,
    *,
    n_draws: int,
    seed: int,
    source: Array | None = None,
    must_link: list[tuple[int, int]] | Array | None = None,
    cannot_link: list[tuple[int, int]] | Array | None = None,
    start: Array | None = None,
    settings: PosteriorSettings | None = None,
    lists: tuple[str, ...] | None = None,
    records: pa.Table | None = None,
) -> PartitionDraws:
    """Draw ``n_draws`` partitions of records ``0..n_records-1`` into persons.

    ``pairs`` has ``unique_id_l, unique_id_r, match_probability`` (the run's kept pairs);
    ``source[i]`` is record ``i``'s list code (the same-list rule; off with one list);
    ``must_link`` / ``cannot_link`` are reviewers' decisions on record ids; ``start`` is the
    run's clustering, where the chains begin (singletons where it breaks a constraint).
    ``lists`` names the list codes and ``records`` (``list, record_id``) is carried along.
    The same inputs and ``seed`` give the same draws.
    """
    s = settings or PosteriorSettings()
    n = int(n_records)
    _check_draw_request(s, n, n_draws, seed)
    left, right, prob = _check_pairs(pairs, n)
    src = np.zeros(n, np.int64) if source is None else np.asarray(source, dtype=np.int64)
    if len(src) != n:
        raise InputError(f"source has {len(src)} entries for {n} records", field="source")
    ml = _pairs_array(must_link, n, "must_link")
    cl = _pairs_array(cannot_link, n, "cannot_link")
    n_lists = len(np.unique(src))
    if lists is None:
        lists = tuple(str(i) for i in range(int(src.max(initial=-1)) + 1))
    apart = s.same_list_min_probability > 0.0 and n_lists > 1
    begin_at = np.zeros(0, np.int64) if start is None else np.asarray(start, dtype=np.int64)
    # the chains start from ``start``: it is an input of the draws
    input_hash = _hash_inputs([np.array([n]), left, right, prob, src, ml, cl, begin_at], s)

    # Edges that may form components: as the clustering, decisions override scores.
    usable = prob.copy()
    if apart:
        usable[(src[left] == src[right]) & (prob < s.same_list_min_probability)] = 0.0
    ckey = pair_key(cl[:, 0], cl[:, 1], n) if len(cl) else np.zeros(0, np.int64)
    if len(cl):
        usable[np.isin(pair_key(left, right, n), ckey)] = 0.0
    e_left = np.concatenate([left, ml[:, 0]])
    e_right = np.concatenate([right, ml[:, 1]])
    e_prob = np.concatenate([usable, np.ones(len(ml))])
    groups = _candidate_groups(n, e_left, e_right, e_prob, s)

    # Must-links make units (records that are one person in every draw).
    unit = connected(n, ml[:, 0], ml[:, 1]) if len(ml) else np.arange(n, dtype=np.int64)

    group_of = np.full(n, -1, dtype=np.int64)
    for g, members in enumerate(groups):
        group_of[members] = g
    allowed = usable > 0
    cross = allowed & ((group_of[left] != group_of[right]) | (group_of[left] < 0))
    pairs_left_out = int(cross.sum())
    expected_left_out = float(prob[cross].sum())

    gp = group_pairs(groups)
    pair_p, known = edge_scores(left, right, prob, gp.a, gp.b, n)
    pair_p = np.where(known, pair_p, s.floor)
    lw_pairs = _logit(pair_p) + math.log(s.odds_scale)
    join = 0.0 if s.prior_odds is None else math.log(s.prior_odds)
    forbid_pairs = np.zeros(len(pair_p), bool)
    if len(cl):
        forbid_pairs |= np.isin(pair_key(gp.a, gp.b, n), ckey)
    conflict = forbid_pairs & (unit[gp.a] == unit[gp.b])
    if conflict.any():
        at = int(np.flatnonzero(conflict)[0])
        raise InputError(
            f"must-links join records {int(gp.a[at])} and {int(gp.b[at])}, "
            "which a cannot-link keeps apart",
            field="must_link",
        )
    if apart:
        # the same-list rule, waived inside a unit: a reviewer's match wins over it
        forbid_pairs |= (
            (src[gp.a] == src[gp.b])
            & (pair_p < s.same_list_min_probability)
            & (unit[gp.a] != unit[gp.b])
        )

    rng = np.random.default_rng(seed)
    seeds = rng.integers(0, 2**32 - 1, size=len(groups))
    high = float(_logit(np.array([1.0 - s.certain_eps]))[0])
    low = -high
    fixed_labels = np.arange(n, dtype=np.int64)
    fixed_labels[group_of >= 0] = -1
    next_label = n
    sampled_members: list[Array] = []
    sampled_local: list[Array] = []
    diag: dict[str, list[float]] = {k: [] for k in ComponentDiagnostics.__dataclass_fields__}
    start_arr = None if start is None else np.asarray(start, dtype=np.int64)
    if start_arr is not None and len(start_arr) != n:
        raise InputError(f"start has {len(start_arr)} labels for {n} records", field="start")
    for g, members in enumerate(groups):
        p0, p1 = gp.pair_starts[g], gp.pair_starts[g + 1]
        units_g, unit_local = np.unique(unit[members], return_inverse=True)
        k = len(units_g)
        ui, uj = unit_local[gp.i[p0:p1]], unit_local[gp.j[p0:p1]]
        across = ui != uj
        lw = np.zeros((k, k))
        forbid = np.zeros((k, k), bool)
        np.add.at(lw, (ui[across], uj[across]), lw_pairs[p0:p1][across])
        lw = lw + lw.T
        bad = forbid_pairs[p0:p1] & across
        forbid[ui[bad], uj[bad]] = True
        forbid |= forbid.T
        labels_u = certain_partition(lw, forbid, high, low)
        if join:
            # each pair weighs its Bayes factor (the prior odds out), each join the prior
            between = np.zeros((k, k))
            np.add.at(between, (ui[across], uj[across]), 1.0)
            lw = lw - join * (between + between.T)
        size = len(members)
        if labels_u[0] >= 0:
            fixed_labels[members] = next_label + labels_u[unit_local]
            next_label += k
            _note(diag, size, k, FIXED, float(labels_u.max() + 1), math.nan, math.nan, math.nan)
            continue
        if k <= s.exact_max_units:
            parts, logp = enumerate_partitions(lw, forbid, join)
            draws_u = sample_exact(parts, logp, n_draws, int(seeds[g]))
            ncl = draws_u.max(axis=1) + 1
            _note(diag, size, k, EXACT, float(ncl.mean()), math.nan, math.nan, float(n_draws))
        else:
            begin = _start(start_arr, members, unit_local, k, forbid)
            burn, thin, sm = s.sweeps(k)
            draws_u, ncl, gibbs, moved, proposed, accepted = sample_mcmc(
                lw, forbid, begin, n_draws, burn, thin, sm, int(seeds[g]), join
            )
            _note(
                diag,
                size,
                k,
                MCMC,
                float(ncl.mean()),
                moved / max(gibbs, 1),
                accepted / max(proposed, 1),
                effective_sample_size(ncl),
                burn,
                thin,
            )
        sampled_members.append(members)
        # units' labels are 0..c-1, so their records' are too
        sampled_local.append(np.asarray(draws_u[:, unit_local], dtype=np.int32))
    fixed_ok = fixed_labels >= 0
    _, dense = np.unique(fixed_labels[fixed_ok], return_inverse=True)
    fixed_labels[fixed_ok] = dense
    members_all = (
        np.concatenate(sampled_members).astype(np.int64)
        if sampled_members
        else np.zeros(0, np.int64)
    )
    local = (
        np.concatenate(sampled_local, axis=1) if sampled_local else np.zeros((n_draws, 0), np.int32)
    )
    starts = np.concatenate([[0], np.cumsum([len(m) for m in sampled_members])]).astype(np.int64)
    notes: list[str] = []
    if apart:
        notes.append(
            "two records of one list are never joined below "
            f"p = {s.same_list_min_probability} (unless must-linked)"
        )
    return PartitionDraws(
        n_records=n,
        n_draws=n_draws,
        seed=seed,
        input_hash=input_hash,
        method=METHOD,
        settings=s,
        lists=tuple(lists),
        source=src,
        fixed_labels=fixed_labels,
        members=members_all,
        starts=starts,
        local=local,
        components=ComponentDiagnostics(
            records=np.asarray(diag["records"], np.int64),
            units=np.asarray(diag["units"], np.int64),
            method=np.asarray(diag["method"], np.int64),
            mean_clusters=np.asarray(diag["mean_clusters"], np.float64),
            gibbs_moves=np.asarray(diag["gibbs_moves"], np.float64),
            split_merge_acceptance=np.asarray(diag["split_merge_acceptance"], np.float64),
            ess_clusters=np.asarray(diag["ess_clusters"], np.float64),
            burn_in=np.asarray(diag["burn_in"], np.int64),
            thin=np.asarray(diag["thin"], np.int64),
        ),
        pairs_left_out=pairs_left_out,
        expected_joins_left_out=expected_left_out,
        records=records,
        notes=tuple(notes),
    )


def _note(
    diag: dict[str, list[float]],
    records: int,
    units: int,
    method: int,
    mean_clusters: float,
    gibbs: float,
    accept: float,
    ess: float,
    burn: int = 0,
    thin: int = 0,
) -> None:
    for key, value in (
        ("records", records),
        ("units", units),
        ("method", method),
        ("mean_clusters", mean_clusters),
        ("gibbs_moves", gibbs),
        ("split_merge_acceptance", accept),
        ("ess_clusters", ess),
        ("burn_in", burn),
        ("thin", thin),
    ):
        diag[key].append(value)


def _start(start: Array | None, members: Array, unit_local: Array, k: int, forbid: Array) -> Array:
    """The run's clustering of the component's units, or singletons if it breaks a rule."""
    single = np.arange(k, dtype=np.int64)
    if start is None:
        return single
    lab = np.full(k, -1, dtype=np.int64)
    for r, u in zip(start[members], unit_local, strict=True):
        if lab[u] >= 0 and lab[u] != r:
            return single  # the run split a must-linked unit
        lab[u] = r
    _, dense = np.unique(lab, return_inverse=True)
    dense = dense.astype(np.int64).ravel()
    same = dense[:, None] == dense[None, :]
    if (same & forbid).any():
        return single
    return dense


def histories_of_draw(draws: PartitionDraws, d: int) -> CaptureHistories:
    """Capture histories (persons per pattern of lists) of draw ``d``."""
    return _histories(draws, d, _fixed_patterns(draws))


def draw_histories(draws: PartitionDraws) -> Iterator[CaptureHistories]:
    """Capture histories of every draw in turn (the fixed part is counted once)."""
    fixed = _fixed_patterns(draws)
    for d in range(draws.n_draws):
        yield _histories(draws, d, fixed)


def _fixed_patterns(draws: PartitionDraws) -> tuple[Array, Array]:
    if len(draws.lists) > 62:
        raise InputError("capture histories need at most 62 lists", field="lists")
    ok = draws.fixed_labels >= 0
    bits = np.zeros(int(draws.fixed_labels.max(initial=-1)) + 1, dtype=np.int64)
    np.bitwise_or.at(bits, draws.fixed_labels[ok], np.int64(1) << draws.source[ok])
    codes, counts = np.unique(bits[bits > 0], return_counts=True)
    return codes, counts.astype(np.int64)


def _histories(draws: PartitionDraws, d: int, fixed: tuple[Array, Array]) -> CaptureHistories:
    m = len(draws.members)
    comp = np.repeat(np.arange(draws.n_sampled_components), np.diff(draws.starts))
    slot = draws.starts[comp] + draws.local[d] if m else np.zeros(0, np.int64)
    bits = np.zeros(m, dtype=np.int64)
    np.bitwise_or.at(bits, slot, np.int64(1) << draws.source[draws.members])
    codes = np.concatenate([fixed[0], bits[bits > 0]])
    weights = np.concatenate([fixed[1], np.ones(int((bits > 0).sum()), np.int64)])
    uniq, inverse = np.unique(codes, return_inverse=True)
    counts = np.bincount(inverse.ravel(), weights=weights, minlength=len(uniq)).astype(np.int64)
    j = len(draws.lists)
    patterns = ((uniq[:, None] >> np.arange(j)[None, :]) & 1).astype(np.uint8)
    return CaptureHistories(
        lists=draws.lists,
        patterns=patterns,
        counts=counts,
        sources=(f"linkage draw {d + 1} of {draws.n_draws} (input {draws.input_hash[:12]})",),
    )


@dataclass(frozen=True)
class RunForPosterior:
    """What a linkage run directory gives the posterior, with records in ``clusters.csv``
    row order."""

    run_dir: Path
    records: pa.Table
    lists: tuple[str, ...]
    source: Array
    pairs: pa.Table
    fixed_labels: Array
    must_link: list[tuple[int, int]]
    cannot_link: list[tuple[int, int]]
    settings: PosteriorSettings
    decisions_not_applied: int = 0
    notes: tuple[str, ...] = ()
    #: the run's prior odds that two records match (its refitted prior, else the trained
    #: one; None if run.json has neither): ``PosteriorSettings.prior_odds`` when wanted
    prior_odds: float | None = None

    @property
    def n_records(self) -> int:
        return self.records.num_rows

    def draw(self, n_draws: int, seed: int) -> PartitionDraws:
        """Draw partitions of this run's records (see :func:`draw_partitions`)."""
        draws = draw_partitions(
            self.pairs,
            self.n_records,
            n_draws=n_draws,
            seed=seed,
            source=self.source,
            must_link=self.must_link,
            cannot_link=self.cannot_link,
            start=self.fixed_labels,
            settings=self.settings,
            lists=self.lists,
            records=self.records,
        )
        return replace(draws, notes=draws.notes + self.notes)


def _read_pairs(path: Path, keys: Any) -> pa.Table:
    """A run's pairs file with its records as row numbers of ``keys`` (list, record id)."""
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
        absent = [c for c in _RUN_PAIR_COLUMNS if c not in schema.names]
        if absent:
            raise InputError(
                f"missing column(s) {', '.join(absent)}: not pair probabilities of inquest",
                path=str(path),
                field=absent[0],
            )
        scored = pq.read_table(path, columns=list(_RUN_PAIR_COLUMNS))
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"cannot read: {exc}", path=str(path)) from exc
    ids = []
    for side in ("l", "r"):
        side_keys = _join(
            pc.cast(scored.column(f"list_{side}"), pa.string()),
            pc.cast(scored.column(f"record_id_{side}"), pa.string()),
            "\x1f",
        )
        at = pc.index_in(side_keys, value_set=keys)
        if at.null_count:
            raise InputError(
                f"{at.null_count:,} pair(s) name records that clusters.csv does not hold: "
                "the pairs and clusters are not of one run",
                path=str(path),
            )
        ids.append(pa.array(at.to_numpy(zero_copy_only=False).astype(np.int64)))
    return pa.table(
        {
            "unique_id_l": ids[0],
            "unique_id_r": ids[1],
            "match_probability": pc.cast(
                scored.column("match_probability"), pa.float64()
            ).combine_chunks(),
        }
    )


def load_run_for_posterior(
    run_dir: str | Path,
    *,
    decisions: str | Path | None = None,
    model: str | Path | None = None,
    settings: PosteriorSettings | None = None,
) -> RunForPosterior:
    """Read a run folder of ``inquest link``: its run record (``clusters.csv`` and
    ``run.json``, read by :meth:`LinkageRunRecord.from_dir`), ``predictions.parquet`` and
    ``component_pairs.parquet`` if there, with the reviewers' decisions file if one was used.

    The clustering's thresholds come from ``model`` (default: the packaged model) unless
    ``settings`` are given. A folder without pair probabilities, or whose clusters are not
    this run's, is an error naming the file.
    """
    from inquest.linkage.review import apply_decisions, read_decisions
    from inquest.linkage.run_record import (
        CLUSTERS_FILE,
        COMPONENT_PAIRS_FILE,
        PREDICTIONS_FILE,
        LinkageRunRecord,
    )
    from inquest.linkage.settings import load_model

    folder = Path(run_dir)
    if not folder.is_dir():
        raise InputError("no such run folder", path=str(folder))
    clusters_path = folder / CLUSTERS_FILE
    predictions_path = folder / PREDICTIONS_FILE
    if not clusters_path.is_file():
        raise InputError("no clusters.csv: not a linkage run of inquest", path=str(clusters_path))
    if not predictions_path.is_file():
        raise InputError(
            "no pair probabilities (predictions.parquet is missing): linkage uncertainty "
            "needs the run's scored pairs; link again with `inquest link`",
            path=str(predictions_path),
        )
    run = LinkageRunRecord.from_dir(folder)
    clusters = run.clusters
    prior_p = None if run.prior is None else (run.prior.refit or run.prior.trained)
    prior_odds = None if not prior_p else prior_p / (1.0 - prior_p)
    if run.records != clusters.num_rows:
        raise InputError(
            f"clusters.csv has {clusters.num_rows:,} records but run.json says "
            f"{run.records:,}: the clusters are not this run's",
            path=str(clusters_path),
        )
    records = clusters.select(["list", "record_id"])
    keys = _join(records.column("list"), records.column("record_id"), "\x1f")
    if len(pc.unique(keys)) != records.num_rows:
        raise InputError("a (list, record_id) repeats", path=str(clusters_path))
    pairs = _read_pairs(predictions_path, keys)
    notes: list[str] = []
    inside = folder / COMPONENT_PAIRS_FILE
    if inside.is_file():
        pairs = pa.concat_tables([pairs, _read_pairs(inside, keys)])
    else:
        notes.append(
            "the run has no component_pairs.parquet (written from 2026-12-07): pairs inside "
            "components that it did not keep are given the floor probability"
        )
    list_names, source = np.unique(
        np.asarray(records.column("list").to_pylist(), dtype=object).astype(str),
        return_inverse=True,
    )
    _, fixed = np.unique(
        np.asarray(clusters.column("person_id").to_pylist(), dtype=object).astype(str),
        return_inverse=True,
    )
    must: list[tuple[int, int]] = []
    cannot: list[tuple[int, int]] = []
    not_applied = 0
    if decisions is not None:
        applied = apply_decisions(read_decisions(decisions), records)
        must, cannot, not_applied = applied.must_link, applied.cannot_link, len(applied.not_applied)
    if settings is None:
        settings = PosteriorSettings.from_model(load_model(model))
    return RunForPosterior(
        run_dir=folder,
        records=records,
        lists=tuple(str(x) for x in list_names),
        source=source.astype(np.int64).ravel(),
        pairs=pairs,
        fixed_labels=fixed.astype(np.int64).ravel(),
        must_link=must,
        cannot_link=cannot,
        settings=settings,
        decisions_not_applied=not_applied,
        notes=tuple(notes),
        prior_odds=prior_odds,
    )
