"""Estimates over the linkage posterior: intervals that carry linkage error as well as the model's.

A linkage run gives one clustering; ``inquest.linkage.posterior`` draws many plausible
partitions from its pair probabilities. Here each method is run on the capture histories of
every drawn partition and the results are pooled (issue 18, step 2;
docs/methodology/estimation.md, "Linkage-aware intervals"):

* the same number of draws of N is taken from every partition (posterior draws for dga and
  LCMCR, bootstrap replicates for the log-linear models) and the pooled draws give the
  interval: a mixture over partitions, each weighted by its posterior probability;
* partitions with identical capture histories are estimated once and weighted by how many
  draws gave them;
* the fixed-linkage result (the run's own clustering) is computed beside it, and the share of
  the pooled variance that lies between partitions (law of total variance) is reported.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from inquest.errors import EstimationError, InputError
from inquest.estimate import registry
from inquest.estimate.histories import CaptureHistories
from inquest.estimate.result import EstimateResult
from inquest.estimate.run import (
    EstimationRun,
    OptionsArg,
    estimate,
    run_estimation,
    write_record,
)
from inquest.estimate.run_record import MethodRecord, jsonable, settled
from inquest.hashing import sha256_file
from inquest.provenance import combined_hash

__all__ = [
    "INCLUDES",
    "LEAVES_OUT",
    "PER_PARTITION_DEFAULTS",
    "TARGETS",
    "LinkageAwareResult",
    "LinkageSource",
    "PooledEstimates",
    "calibrated_run",
    "detect_run",
    "pool_over_histories",
    "run_fixed_labelled",
    "run_linkage_aware",
    "run_quality",
    "target_settings",
]

Target = Literal[
    "prior_per_join", "pairwise", "threshold_odds", "centred", "calibrated", "calibrated_centred"
]
#: Posterior targets (``inquest.linkage.posterior``): ``prior_per_join`` pays the run's prior
#: odds once per record that joins a cluster; ``pairwise`` weighs every pair by p / (1 - p);
#: ``threshold_odds`` is the pairwise measure with every pair's odds scaled so that a pair at
#: the clustering's own link threshold is joined in half the draws; ``centred`` scales every
#: pair's odds by the one factor that makes the draws hold, on average, as many persons as
#: the run's clustering (the posterior centred on the run's own point estimate);
#: ``calibrated`` is the pairwise measure on probabilities recalibrated (Platt scaling,
#: ``inquest.linkage.calibration``) on the reviewers' decisions, which it needs;
#: ``calibrated_centred`` recalibrates the same way, lets every kept pair join (candidate
#: components at the kept-pair threshold) and scales every pair's odds by the one factor
#: that makes the draws join, on average, as many scored pairs as the recalibrated
#: probabilities expect to be true.
TARGETS: tuple[Target, ...] = (
    "centred",
    "prior_per_join",
    "pairwise",
    "threshold_odds",
    "calibrated",
    "calibrated_centred",
)
CALIBRATED_TARGETS = ("calibrated", "calibrated_centred")

#: Options of the per-partition runs when the caller sets none: fewer draws per partition,
#: since the pooled interval has draws from every partition (each is stated in estimate.json).
PER_PARTITION_DEFAULTS: dict[str, dict[str, Any]] = {
    "loglinear": {"n_boot": 200, "interval": "bootstrap"},
    "dga": {"n_draws": 1000, "sensitivity": None},
    "lcmcr": {"chains": 2, "burnin": 2000, "samples": 250, "thinning": 10},
}

INCLUDES = (
    "the model's uncertainty (posterior of N, or bootstrap replicates repeating the model "
    "selection), given each partition",
    "uncertainty in which records are the same person, as the linkage run's pair "
    "probabilities and reviewers' decisions express it inside candidate components",
)
LEAVES_OUT = (
    "true pairs the linkage never scored or scored below its kept-pair threshold (they are "
    "never joined in any draw)",
    "joins across candidate components (their expected number is reported)",
    "errors in the pair probabilities themselves (a miscalibrated model makes the draws "
    "too sure or not sure enough)",
    "every assumption of the estimation model (closed population, the model's form of "
    "dependence and heterogeneity)",
)
FIXED_NOTE = (
    "fixed linkage: the run's one clustering is taken as certain; the interval ignores "
    "linkage error (missed links inflate N, false links deflate it)"
)

Array = npt.NDArray[Any]


@dataclass(frozen=True)
class PooledEstimates:
    """One method pooled over partitions.

    ``result`` has the pooled draws and interval; ``point_estimates`` and ``weights`` are the
    per-distinct-table point estimates and how many partitions gave each table. Variances are
    of the pooled draws, split by the law of total variance: ``within`` (mean of the
    per-table variances) plus ``between`` (variance of the per-table means).
    """

    method: str
    result: EstimateResult
    point_estimates: Array
    weights: Array
    within_variance: float
    between_variance: float
    partitions: int
    distinct_tables: int
    failed_partitions: int

    @property
    def linkage_share(self) -> float:
        """Share of the pooled variance that lies between partitions (0 to 1)."""
        total = self.within_variance + self.between_variance
        return self.between_variance / total if total > 0 else 0.0


@dataclass(frozen=True)
class LinkageAwareResult:
    """A method's fixed-linkage and linkage-aware results side by side.

    ``linkage_share`` is the between-partition share of the pooled variance;
    ``width_ratio`` the linkage-aware interval's width over the fixed one's.
    """

    method: str
    fixed: EstimateResult | None
    pooled: PooledEstimates

    @property
    def linkage_share(self) -> float:
        return self.pooled.linkage_share

    @property
    def width_ratio(self) -> float | None:
        if self.fixed is None:
            return None
        fixed_width = self.fixed.upper - self.fixed.lower
        aware = self.pooled.result
        return (aware.upper - aware.lower) / fixed_width if fixed_width > 0 else math.inf

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: both results, the variance split and the counts of partitions."""
        p = self.pooled
        return {
            "linkage_aware": p.result.to_dict(),
            "fixed_linkage": None if self.fixed is None else self.fixed.to_dict(),
            "within_variance": p.within_variance,
            "between_variance": p.between_variance,
            "linkage_share_of_variance": self.linkage_share,
            "width_ratio": self.width_ratio,
            "partitions": p.partitions,
            "distinct_tables": p.distinct_tables,
            "failed_partitions": p.failed_partitions,
            "per_table_estimates": [float(x) for x in p.point_estimates],
            "per_table_weights": [int(w) for w in p.weights],
        }


@dataclass(frozen=True)
class LinkageSource:
    """Which linkage the estimate rests on, and how its partitions were drawn."""

    run_dir: str
    run_hash: str
    posterior_input_hash: str
    target: Target
    n_draws: int
    seed: int
    settings: dict[str, Any]
    persons_fixed: int
    persons_per_draw: dict[str, float]
    decisions: str | None = None
    notes: tuple[str, ...] = field(default=())
    #: the recalibration of the pair probabilities (``calibrated`` target), with its sample
    calibration: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["notes"] = list(self.notes)
        return out


def _key(h: CaptureHistories) -> tuple[tuple[str, ...], bytes, bytes]:
    c = h.collapsed()
    return c.lists, c.patterns.tobytes(), c.counts.tobytes()


def _per_partition_options(methods: Sequence[str], options: OptionsArg) -> dict[str, Any]:
    given = dict(options or {})
    out: dict[str, Any] = {}
    for m in methods:
        base = dict(PER_PARTITION_DEFAULTS.get(m, {}))
        mine = given.get(m)
        if mine is not None and not isinstance(mine, Mapping):
            mine = registry.keywords(mine)
        base.update(dict(mine or {}))
        out[m] = registry.make_options(m, base)
    return out


def _weighted_quantile(values: Array, weights: Array, q: float) -> float:
    order = np.argsort(values)
    v, w = values[order], weights[order].astype(np.float64)
    cum = np.cumsum(w) - 0.5 * w
    return float(np.interp(q * w.sum(), cum, v))


def pool_over_histories(
    tables: Iterable[CaptureHistories],
    methods: Sequence[str],
    options: OptionsArg = None,
    *,
    seed: int = 0,
    level: float = 0.95,
    draws_per_partition: int = 200,
) -> tuple[dict[str, PooledEstimates], list[str]]:
    """Each method over every table (one per drawn partition), pooled; (results, warnings).

    Identical tables are estimated once and weighted by how often they occur. From every
    partition ``draws_per_partition`` draws of N are taken (with replacement when a table's
    run has fewer), so each partition weighs the same. ``options`` are the per-partition
    runs' (``PER_PARTITION_DEFAULTS`` fill what is not given).
    """
    if draws_per_partition < 1:
        raise InputError("at least one draw of N per partition is needed", field="draws")
    chosen = _per_partition_options(methods, options)
    counts: dict[tuple[tuple[str, ...], bytes, bytes], int] = {}
    first: dict[tuple[tuple[str, ...], bytes, bytes], CaptureHistories] = {}
    total = 0
    for h in tables:
        k = _key(h)
        counts[k] = counts.get(k, 0) + 1
        first.setdefault(k, h)
        total += 1
    if total == 0:
        raise InputError("no partitions to estimate over", field="draws")
    rng = np.random.default_rng(seed)
    draws: dict[str, list[Array]] = {m: [] for m in methods}
    points: dict[str, list[float]] = {m: [] for m in methods}
    weights: dict[str, list[int]] = {m: [] for m in methods}
    means: dict[str, list[float]] = {m: [] for m in methods}
    variances: dict[str, list[float]] = {m: [] for m in methods}
    templates: dict[str, EstimateResult] = {}
    failed: dict[str, int] = dict.fromkeys(methods, 0)
    warnings: list[str] = []
    for index, (k, w) in enumerate(counts.items()):
        try:
            run = estimate(first[k], methods, chosen, seed=seed + 7919 * (index + 1), level=level)
        except EstimationError as exc:
            for m in methods:
                failed[m] += w
            warnings.append(f"a partition could not be estimated: {exc}")
            continue
        for m in methods:
            res = run.combined.get(m)
            if res is None or len(res.draws) == 0:
                failed[m] += w
                continue
            templates.setdefault(m, res)
            d = np.asarray(res.draws, dtype=np.float64)
            size = w * draws_per_partition
            take = rng.choice(d, size=size, replace=size > len(d))
            draws[m].append(take)
            points[m].append(float(res.estimate))
            weights[m].append(w)
            means[m].append(float(take.mean()))
            variances[m].append(float(take.var()))
    out: dict[str, PooledEstimates] = {}
    alpha = (1 - level) / 2
    n_obs = round(
        float(np.average([h.n_observed for h in first.values()], weights=list(counts.values())))
    )
    for m in methods:
        if not draws[m]:
            warnings.append(f"{m}: no partition could be estimated")
            continue
        if failed[m]:
            warnings.append(
                f"{m}: {failed[m]} of {total} partitions could not be estimated and are left "
                "out of the pooled interval"
            )
        pooled = np.concatenate(draws[m])
        wts = np.asarray(weights[m], dtype=np.float64)
        mu = np.asarray(means[m])
        within = float(np.average(np.asarray(variances[m]), weights=wts))
        grand = float(np.average(mu, weights=wts))
        between = float(np.average((mu - grand) ** 2, weights=wts))
        tmpl = templates[m]
        pts = np.asarray(points[m])
        if tmpl.point == "mle":
            point = _weighted_quantile(pts, wts, 0.5)
            point_kind = "median over partitions of the MLE"
        else:
            point = float(np.median(pooled))
            point_kind = "median of the pooled posterior"
        lower, upper = (float(x) for x in np.quantile(pooled, [alpha, 1 - alpha]))
        result = EstimateResult(
            method=m,
            n_observed=n_obs,
            estimate=point,
            lower=lower,
            upper=upper,
            level=level,
            point=point_kind,
            interval="linkage-aware (pooled percentile over partitions)",
            assumptions=tmpl.assumptions,
            warnings=tuple(dict.fromkeys(tmpl.warnings)),
            diagnostics={"persons_observed_per_partition_mean": n_obs},
            settings=registry.options_dict(chosen[m]),
            seed=seed,
            inquest_version=tmpl.inquest_version,
            lists=tmpl.lists,
            draws=pooled,
        )
        out[m] = PooledEstimates(
            method=m,
            result=result,
            point_estimates=pts,
            weights=np.asarray(weights[m], dtype=np.int64),
            within_variance=within,
            between_variance=between,
            partitions=total,
            distinct_tables=len(counts),
            failed_partitions=failed[m],
        )
    return out, warnings


def target_settings(run_info: Any, target: Target, seed: int = 0) -> Any:
    """The posterior settings of ``run_info`` (a ``RunForPosterior``) for ``target``."""
    if target not in TARGETS:
        raise InputError(f"unknown target {target!r}; one of {', '.join(TARGETS)}", field="target")
    s = replace(run_info.settings, prior_odds=None, odds_scale=1.0)
    if target == "prior_per_join":
        if run_info.prior_odds is None:
            raise InputError(
                "run.json has no prior: the prior_per_join target needs it (choose another)",
                path=str(Path(run_info.run_dir) / "run.json"),
            )
        return replace(s, prior_odds=run_info.prior_odds)
    if target == "threshold_odds":
        return replace(s, odds_scale=(1 - s.link_threshold) / s.link_threshold)
    if target == "centred":
        return replace(s, odds_scale=centred_odds_scale(run_info, seed))
    if target == "calibrated_centred":
        s = replace(s, link_threshold=_kept_threshold(s))
        wide = replace(run_info, settings=s)
        return replace(s, odds_scale=pair_centred_odds_scale(wide, seed))
    return s


def _kept_threshold(s: Any) -> float:
    """A link threshold at which every pair the run kept may join (just above the model's
    kept-pair threshold, and above the floor)."""
    from inquest.linkage.settings import load_model

    return max(float(load_model().clustering.keep_threshold) * 1.01, float(s.floor) * 1.5)


def pair_centred_odds_scale(
    run_info: Any, seed: int = 0, *, draws: int = 4, steps: int = 12, tolerance: float = 0.005
) -> float:
    """The factor on every pair's odds that makes the draws join, on average, as many of the
    run's scored pairs as their probabilities expect to be true (the sum of the probabilities
    of the pairs that may join): the draws' number of links matched to the calibrated one."""
    left = np.asarray(run_info.pairs.column("unique_id_l").to_numpy(), np.int64)
    right = np.asarray(run_info.pairs.column("unique_id_r").to_numpy(), np.int64)
    prob = np.asarray(run_info.pairs.column("match_probability").to_numpy(), np.float64)
    src = run_info.source
    s = run_info.settings
    allowed = ~((src[left] == src[right]) & (prob < s.same_list_min_probability))
    target = float(prob[allowed].sum())
    lo, hi = math.log(1e-3), math.log(1e4)
    mid = 0.0
    for _ in range(steps):
        mid = (lo + hi) / 2
        trial = replace(run_info, settings=replace(s, odds_scale=math.exp(mid)))
        labels = trial.draw(draws, seed).label_matrix()
        joined = float((labels[:, left] == labels[:, right]).sum(axis=1).mean())
        if abs(joined - target) <= tolerance * target:
            break
        if joined < target:
            lo = mid
        else:
            hi = mid
    return math.exp(mid)


def calibrated_run(run_info: Any) -> tuple[Any, dict[str, Any]]:
    """``run_info`` (a ``RunForPosterior``) with its pair probabilities recalibrated on its
    reviewers' decisions (Platt scaling, band-weighted), and the calibration's record."""
    from inquest.linkage.calibration import calibrate_pairs, calibration_from_decisions

    if not run_info.must_link and not run_info.cannot_link:
        raise InputError(
            "the calibrated target recalibrates the pair probabilities on reviewed pairs: "
            "give the decisions (--labels); none were given",
            field="labels",
        )
    cal, unscored = calibration_from_decisions(
        run_info.pairs, run_info.must_link, run_info.cannot_link
    )
    record = cal.to_dict() | {"decided_pairs_not_scored": unscored}
    return replace(run_info, pairs=calibrate_pairs(run_info.pairs, cal)), record


def centred_odds_scale(
    run_info: Any, seed: int = 0, *, draws: int = 4, steps: int = 12, tolerance: float = 0.002
) -> float:
    """The factor on every pair's odds that gives draws as many persons, on average, as the
    run's clustering (bisection on its logarithm; persons fall as the odds rise)."""
    target = len(np.unique(run_info.fixed_labels))
    lo, hi = 0.0, math.log(1e4)
    base = replace(run_info.settings, prior_odds=None)
    mid = 0.0
    for _ in range(steps):
        mid = (lo + hi) / 2
        trial = replace(run_info, settings=replace(base, odds_scale=math.exp(mid)))
        persons = float(trial.draw(draws, seed).n_persons().mean())
        if abs(persons - target) <= tolerance * target:
            break
        if persons > target:
            lo = mid
        else:
            hi = mid
    return math.exp(mid)


def detect_run(path: str | Path) -> Literal["run", "clusters_only", "file"]:
    """What ``path`` is: a linkage run folder with pair probabilities (``run``), a folder
    with ``clusters.csv`` but no ``predictions.parquet`` (``clusters_only``), or a file."""
    p = Path(path)
    if not p.is_dir():
        return "file"
    if (p / "predictions.parquet").is_file() and (p / "run.json").is_file():
        return "run"
    if (p / "clusters.csv").is_file():
        return "clusters_only"
    raise InputError(
        "neither a linkage run (run.json, predictions.parquet) nor a folder with clusters.csv",
        path=str(p),
    )


def _run_hash(folder: Path, clusters_sha256: str) -> str:
    """One hash over the run's files (clusters.csv, pairs, run.json), clusters.csv's hash
    taken from the fixed run's provenance rather than read again."""
    names = ("predictions.parquet", "component_pairs.parquet", "run.json")
    rest = [sha256_file(folder / n) for n in names if (folder / n).is_file()]
    return combined_hash([clusters_sha256, *rest])


def run_quality(run_info: Any) -> Any:
    """The linkage quality (``inquest.linkage.quality.LinkageQuality``) of a
    ``RunForPosterior``: its clustering judged by its own pair probabilities and decisions,
    with the packaged model's review band."""
    from inquest.linkage.quality import linkage_quality
    from inquest.linkage.settings import load_model

    spec = load_model().clustering
    pairs = run_info.pairs
    return linkage_quality(
        run_info.fixed_labels,
        pairs.column("unique_id_l").to_numpy(),
        pairs.column("unique_id_r").to_numpy(),
        pairs.column("match_probability").to_numpy(),
        must_link=run_info.must_link,
        cannot_link=run_info.cannot_link,
        review_low=spec.review_low,
        review_high=spec.review_high,
    )


def run_linkage_aware(
    run_dir: str | Path,
    out_dir: str | Path,
    *,
    methods: Sequence[str] = ("loglinear",),
    options: OptionsArg = None,
    partition_options: OptionsArg = None,
    n_draws: int = 50,
    draws_per_partition: int = 200,
    target: Target = "centred",
    decisions: str | Path | None = None,
    seed: int = 0,
    level: float = 0.95,
    progress: Any = None,
    write_plots: bool = True,
) -> tuple[EstimationRun, dict[str, LinkageAwareResult], LinkageSource]:
    """The fixed-linkage estimate of a linkage run's clustering and the linkage-aware one.

    Writes ``out_dir`` as ``run_estimation`` does (the fixed results, plots, report) and adds
    to ``estimate.json``: ``linkage_aware: true``, ``linkage`` (the run, its hash, the
    posterior's input hash, target, draws, seed, settings) and per method
    ``methods.<name>.linkage`` (both intervals, the variance split, the width ratio), with
    what the interval includes and leaves out in plain words. ``options`` are the fixed
    run's; ``partition_options`` the per-partition runs' (``PER_PARTITION_DEFAULTS`` fill
    what is not given).
    """
    from inquest.linkage.posterior import draw_histories, load_run_for_posterior

    if n_draws < 1:
        raise InputError("at least one partition must be drawn", field="draws")
    folder = Path(run_dir)
    run_info = load_run_for_posterior(folder, decisions=decisions)
    calibration = None
    if target in CALIBRATED_TARGETS:
        run_info, calibration = calibrated_run(run_info)
    settings = target_settings(run_info, target, seed)
    run_info = replace(run_info, settings=settings)
    partitions = run_info.draw(n_draws, seed)
    fixed = run_estimation(
        folder / "clusters.csv",
        out_dir,
        methods=methods,
        seed=seed,
        level=level,
        options=options,
        progress=progress,
        write_plots=write_plots,
        write=False,
    )
    pooled, warnings = pool_over_histories(
        draw_histories(partitions),
        methods,
        partition_options,
        seed=seed,
        level=level,
        draws_per_partition=draws_per_partition,
    )
    persons = partitions.n_persons()
    source = LinkageSource(
        run_dir=str(folder),
        run_hash=_run_hash(folder, fixed.record.provenance.inputs[0].sha256),
        posterior_input_hash=partitions.input_hash,
        target=target,
        n_draws=n_draws,
        seed=seed,
        settings=asdict(settings),
        persons_fixed=len(np.unique(run_info.fixed_labels)),
        persons_per_draw={
            "mean": float(persons.mean()),
            "q025": float(np.quantile(persons, 0.025)),
            "q975": float(np.quantile(persons, 0.975)),
        },
        decisions=None if decisions is None else str(decisions),
        notes=tuple(partitions.notes),
        calibration=calibration,
    )
    results = {
        m: LinkageAwareResult(m, fixed.combined.get(m), pooled[m]) for m in methods if m in pooled
    }
    linkage: dict[str, Any] = {
        **source.to_dict(),
        "quality": run_quality(run_info).to_dict(),
        "posterior": partitions.summary(),
        "draws_per_partition": draws_per_partition,
        "partition_options": {
            m: registry.options_dict(o)
            for m, o in _per_partition_options(methods, partition_options).items()
        },
        "interval_includes": list(INCLUDES),
        "interval_leaves_out": list(LEAVES_OUT),
        "fixed_linkage_note": FIXED_NOTE,
        "linkage_share_definition": (
            "between-partition variance of the pooled draws of N over their total variance "
            "(law of total variance: total = mean within-partition variance + variance of "
            "the per-partition means)"
        ),
    }
    record = fixed.record
    by_method = dict(record.methods)
    for m, r in results.items():
        entry = by_method.get(m, MethodRecord(result=None))
        by_method[m] = replace(entry, linkage=jsonable(r.to_dict()))
    fixed.record = settled(
        replace(
            record,
            methods=by_method,
            linkage_aware=True,
            linkage=jsonable(linkage),
            warnings=(*record.warnings, *warnings),
        )
    )
    write_record(fixed, Path(out_dir))
    return fixed, results, source


def run_fixed_labelled(
    source: str | Path,
    out_dir: str | Path,
    reason: str,
    *,
    run_dir: str | Path | None = None,
    decisions: str | Path | None = None,
    **kwargs: Any,
) -> EstimationRun:
    """``run_estimation`` on ``source``, its ``estimate.json`` and report marked as ignoring
    linkage error (``linkage_aware: false``, with ``reason``); written once. ``run_dir``, a
    linkage run folder with pair probabilities, adds its linkage quality."""
    run = run_estimation(source, out_dir, write=False, **kwargs)
    linkage: dict[str, Any] = {"fixed_linkage_note": FIXED_NOTE, "reason": reason}
    if run_dir is not None:
        from inquest.linkage.posterior import load_run_for_posterior

        info = load_run_for_posterior(run_dir, decisions=decisions)
        linkage["run_dir"] = str(run_dir)
        linkage["quality"] = run_quality(info).to_dict()
    run.record = settled(replace(run.record, linkage_aware=False, linkage=jsonable(linkage)))
    write_record(run, Path(out_dir))
    return run
