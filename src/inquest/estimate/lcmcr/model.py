"""LCMCR: Bayesian non-parametric latent-class capture-recapture (Manrique-Vallier 2016).

The model (Manrique-Vallier, D. (2016) "Bayesian population size estimation using Dirichlet
process mixtures", *Biometrics* 72:1246-1254) explains the overlap of J lists by hidden
groups of people (latent classes): within a class, each list records a person independently
with its own probability ``lambda[j, k]``; the class weights come from a Dirichlet process
truncated at K classes (stick-breaking, concentration ``alpha ~ Gamma(a_alpha, b_alpha)``),
the ``lambda`` are uniform a priori, and the prior on N is proportional to 1/N. The Gibbs
sampler imputes the people no list recorded (their number ``n0`` has a negative binomial
full conditional) together with everyone's class.

:func:`estimate_lcmcr` reproduces the reference R package LCMCR (C++/GSL,
``lcmCR`` + ``lcmCR_PostSampl``) update for update, including its initialisation (lambda at
the lists' marginal frequencies, 500 warm-up sweeps with alpha held at 0.3/K, classes then
ordered by weight), on the tabulated data so a sweep costs O(patterns x K x J). Chains run in
parallel threads (the numba kernels release the GIL). The random streams are not GSL's, so the
draws are not R's bit for bit; the posterior is the same (a test compares it with a plain
per-person Gibbs sampler).

N mixes slowly where capture is strongly heterogeneous: on Kosovo the ESS of N is 1-3% of the
kept draws at thinning 10, as with the R package (split R-hat 1.02-1.07 over four chains on
four seeds). The default thinning is therefore 50: R-hat 1.002-1.012 and bulk ESS 350-1,230
on three seeds, at five times the sweeps. The result warns when split R-hat exceeds
1.01, when the ESS is under 100 per chain, and when all K classes are often occupied.

Defaults, and how they differ from the R package:

- ``K``: ``min(2**J - 1, 15)`` (the project's default); LCMCR's own default is K = 5 and its
  documented example (Kosovo) uses K = 10.
- ``burnin=10_000``, ``samples=2_500`` kept draws per chain at ``thinning=50``, ``chains=4``:
  10,000 draws in all. LCMCR's ``lcmCR_PostSampl`` defaults to one chain of 1,000 draws at
  thinning 10 after 10,000 burn-in sweeps; one chain cannot show R-hat.
- ``max_unobserved``: ``None`` (no cap), as LCMCR's basic sampler (``lcmCR``), whose n0 draw is
  an untruncated negative binomial. LCMCR's stratified sampler (``lcmCR_Strat``) caps N at
  ``N_Max_factor`` times the observed count by redrawing n0 until it falls under the cap; a
  given ``max_unobserved`` does the same (it truncates the prior on N), and the result reports
  how often the cap rejected a draw. A cap that rejects draws binds: the upper limit then
  reflects the cap, not the data.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from inquest.errors import InputError
from inquest.estimate._mcmc_diagnostics import ess_bulk, ess_tail, split_rhat
from inquest.estimate.lcmcr import _kernels as _k
from inquest.estimate.result import EstimateResult, MethodDetails

__all__ = ["LcmcrChains", "LcmcrEstimate", "default_k", "estimate_lcmcr"]

METHOD = "lcmcr"
WARMUP_SWEEPS = 500  # LCMCR's Initializes(): 500 sweeps with alpha fixed before burn-in
BLOCK_SWEEPS = 5_000  # sweeps per kernel call (the progress bar's step)
RHAT_WARNING = 1.01  # Vehtari et al. (2021)
FULL_CLASSES_WARNING = 0.05  # warn when all K classes are occupied in more draws than this
TRACE_FIELDS = ("N", "alpha", "occupied_classes", "prob_unobserved")

ASSUMPTIONS = (
    "The population is closed and the lists are clean: every person counted belongs to the "
    "period and place the lists cover, and each person appears once in the linked data "
    "(no missed or false links).",
    "People differ in how likely each list was to record them, but a small number of hidden "
    "groups (latent classes) explains those differences: inside a group, being on one list "
    "says nothing about being on another.",
    "The people no list recorded resemble, group by group, the people the lists did record: "
    "a group of victims that no list ever reaches cannot be seen or estimated.",
    "Priors as in the reference R package LCMCR: a Dirichlet process truncated at K classes "
    "with concentration alpha ~ Gamma(a_alpha, b_alpha), capture probabilities uniform on "
    "[0, 1], and p(N) proportional to 1/N.",
)


@dataclass(frozen=True)
class LcmcrChains(MethodDetails):
    """LCMCR's chains, kept in ``EstimateResult.details``: ``traces`` maps ``"N"``,
    ``"alpha"``, ``"occupied_classes"`` and ``"prob_unobserved"`` to arrays of shape
    (chains, samples)."""

    traces: dict[str, NDArray[np.float64]] = field(default_factory=dict)

    def chain_traces(self) -> Mapping[str, NDArray[np.float64]] | None:
        return self.traces or None


@dataclass(frozen=True)
class LcmcrEstimate:
    """``estimate_lcmcr``'s answer: the :class:`EstimateResult`, whose ``draws`` are the
    posterior draws of N (all chains, chain after chain; strata are combined by summing them)
    and whose ``details`` are the :class:`LcmcrChains` for trace plots."""

    result: EstimateResult

    @property
    def draws(self) -> NDArray[np.int64]:
        """The posterior draws of N (the result's ``draws``)."""
        return self.result.draws

    @property
    def traces(self) -> dict[str, NDArray[np.float64]]:
        """Per-chain traces (see :class:`LcmcrChains`)."""
        details = self.result.details
        return details.traces if isinstance(details, LcmcrChains) else {}

    @property
    def posterior_n(self) -> NDArray[np.int64]:
        """The posterior draws of N (same as ``draws``)."""
        return self.draws


def default_k(n_lists: int) -> int:
    """The default truncation: ``min(2**J - 1, 15)`` latent classes for J lists."""
    return int(min(2**n_lists - 1, 15))


@dataclass
class _Chain:
    """The mutable state of one chain (arrays updated in place by the kernels)."""

    lam: NDArray[np.float64]
    nu: NDArray[np.float64]
    log_nu: NDArray[np.float64]
    count_mk: NDArray[np.int64]
    count0_k: NDArray[np.int64]
    scal: NDArray[np.float64]
    events: NDArray[np.int64]
    rng: NDArray[np.uint64]


def _initial_state(
    x: NDArray[np.int64], freq: NDArray[np.int64], K: int, rng: NDArray[np.uint64]
) -> _Chain:
    """LCMCR's initial values: lambda at the lists' marginal frequencies, alpha = 0.3 / K,
    90% of the weight on the first four classes (uniform weights when K <= 4)."""
    n = int(freq.sum())
    marg = (x * freq[:, None]).sum(axis=0) / n
    lam = np.repeat(marg[:, None], K, axis=1).astype(np.float64)
    if K > 4:
        nu = np.concatenate([np.full(4, 0.25 * 0.9), np.full(K - 4, 0.1 / (K - 4))])
    else:
        nu = np.full(K, 1.0 / K)
    scal = np.zeros(4)
    scal[_k.ALPHA] = 0.3 / K
    return _Chain(
        lam=lam,
        nu=nu,
        log_nu=np.log(nu),
        count_mk=np.zeros((x.shape[0], K), dtype=np.int64),
        count0_k=np.zeros(K, dtype=np.int64),
        scal=scal,
        events=np.zeros(2, dtype=np.int64),
        rng=rng,
    )


def _order_classes(state: _Chain) -> None:
    """Relabel the classes by decreasing weight (LCMCR's ``permute_latent_classes_by_nu``)."""
    order = np.argsort(-state.nu, kind="stable")
    state.lam[:] = state.lam[:, order]
    state.nu[:] = state.nu[order]
    state.log_nu[:] = state.log_nu[order]
    state.count_mk[:] = state.count_mk[:, order]
    state.count0_k[:] = state.count0_k[order]


@dataclass(frozen=True)
class _Plan:
    """The fixed schedule of kernel calls of one chain: (sweeps, thinning, alpha updated)."""

    blocks: tuple[tuple[int, int, bool], ...]
    samples: int

    @property
    def sweeps(self) -> int:
        return sum(b[0] for b in self.blocks)


def _plan(burnin: int, samples: int, thinning: int) -> _Plan:
    blocks: list[tuple[int, int, bool]] = [(WARMUP_SWEEPS, WARMUP_SWEEPS + 1, False)]
    left = burnin
    while left > 0:
        step = min(left, BLOCK_SWEEPS)
        blocks.append((step, step + 1, True))
        left -= step
    per_block = max(1, BLOCK_SWEEPS // thinning)
    left = samples
    while left > 0:
        kept = min(left, per_block)
        blocks.append((kept * thinning, thinning, True))
        left -= kept
    return _Plan(blocks=tuple(blocks), samples=samples)


@dataclass(frozen=True)
class _ChainRun:
    trace: NDArray[np.float64]  # (samples, 4)
    events: NDArray[np.int64]
    wall: float
    cpu: float


def _run_chain(
    x: NDArray[np.int64],
    freq: NDArray[np.int64],
    K: int,
    plan: _Plan,
    rng: NDArray[np.uint64],
    a_alpha: float,
    b_alpha: float,
    max_n0: int,
    advance: Callable[[int], None],
) -> _ChainRun:
    state = _initial_state(x, freq, K, rng)
    trace = np.empty((plan.samples, 4))
    row = 0
    wall0, cpu0 = time.perf_counter(), time.thread_time()
    for i, (sweeps, thin, update_alpha) in enumerate(plan.blocks):
        kept = sweeps // thin
        out = trace[row : row + kept]
        _k.run_block(
            x,
            freq,
            state.lam,
            state.nu,
            state.log_nu,
            state.count_mk,
            state.count0_k,
            state.scal,
            state.events,
            sweeps,
            thin,
            update_alpha,
            a_alpha,
            b_alpha,
            max_n0,
            state.rng,
            out,
        )
        row += kept
        if i == 0:
            _order_classes(state)
        advance(sweeps)
    return _ChainRun(
        trace=trace,
        events=state.events.copy(),
        wall=time.perf_counter() - wall0,
        cpu=time.thread_time() - cpu0,
    )


_jit_lock = threading.Lock()
_jit_seconds: float | None = None


def _ensure_compiled() -> float:
    """Compile (or load from the cache) the kernels once; return the seconds it took."""
    global _jit_seconds
    with _jit_lock:
        if _jit_seconds is None:
            t0 = time.perf_counter()
            x = np.array([[1, 0], [0, 1], [1, 1]], dtype=np.int64)
            freq = np.array([3, 2, 1], dtype=np.int64)
            state = _initial_state(x, freq, 3, _k.seed_state(np.arange(1, 5, dtype=np.uint64)))
            _k.run_block(
                x,
                freq,
                state.lam,
                state.nu,
                state.log_nu,
                state.count_mk,
                state.count0_k,
                state.scal,
                state.events,
                2,
                1,
                True,
                0.25,
                0.25,
                _k.NO_CAP,
                state.rng,
                np.empty((2, 4)),
            )
            _jit_seconds = time.perf_counter() - t0
        return _jit_seconds


def _tabulate(
    patterns: ArrayLike, counts: ArrayLike
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Check the observed capture patterns and counts; merge repeated patterns, drop zeros."""
    pat = np.asarray(patterns)
    cnt = np.asarray(counts)
    if pat.ndim != 2 or pat.shape[1] < 2:
        raise InputError(
            f"capture patterns must be a (patterns, lists) array with at least 2 lists, "
            f"got shape {pat.shape}",
            field="patterns",
        )
    if cnt.ndim != 1 or cnt.shape[0] != pat.shape[0]:
        raise InputError(
            f"counts must have one entry per pattern ({pat.shape[0]}), got shape {cnt.shape}",
            field="counts",
        )
    if pat.size and not np.isin(pat, (0, 1)).all():
        row = int(np.nonzero(~np.isin(pat, (0, 1)).all(axis=1))[0][0])
        raise InputError("capture patterns must be 0/1", row=row + 1, field="patterns")
    if cnt.size and not (np.issubdtype(cnt.dtype, np.integer) or (cnt == np.round(cnt)).all()):
        row = int(np.nonzero(cnt != np.round(cnt))[0][0])
        raise InputError("counts must be whole numbers", row=row + 1, field="counts")
    if (cnt < 0).any():
        row = int(np.nonzero(cnt < 0)[0][0])
        raise InputError("counts must not be negative", row=row + 1, field="counts")
    x = pat.astype(np.int64)
    freq = cnt.astype(np.int64)
    zero_rows = np.nonzero((x.sum(axis=1) == 0) & (freq > 0))[0]
    if zero_rows.size:
        raise InputError(
            "the all-zero pattern (recorded by no list) cannot be observed",
            row=int(zero_rows[0]) + 1,
            field="patterns",
        )
    keep = freq > 0
    uniq, inverse = np.unique(x[keep], axis=0, return_inverse=True)
    merged = np.bincount(inverse.ravel(), weights=freq[keep], minlength=uniq.shape[0])
    if uniq.shape[0] == 0:
        raise InputError("no one was observed: every count is zero", field="counts")
    return uniq.astype(np.int64), merged.astype(np.int64)


def _table_hash(x: NDArray[np.int64], freq: NDArray[np.int64]) -> str:
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(x, dtype=np.int64).tobytes())
    h.update(np.ascontiguousarray(freq, dtype=np.int64).tobytes())
    return "sha256:" + h.hexdigest()


def _progress_bar(enabled: bool, total: int, chains: int) -> tuple[Any, Callable[[int], None]]:
    """A rich progress bar over all chains' sweeps (a no-op when disabled)."""
    if not enabled:
        return None, lambda _n: None
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn(f"LCMCR, {chains} chain(s)"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} sweeps"),
        TimeRemainingColumn(),
        transient=True,
    )
    task = bar.add_task("sampling", total=total)
    return bar, lambda n: bar.update(task, advance=n)


def estimate_lcmcr(
    patterns: ArrayLike,
    counts: ArrayLike,
    *,
    lists: Sequence[str] | None = None,
    K: int | None = None,
    burnin: int = 10_000,
    samples: int = 2_500,
    thinning: int = 50,
    chains: int = 4,
    seed: int | None = None,
    a_alpha: float = 0.25,
    b_alpha: float = 0.25,
    max_unobserved: int | None = None,
    level: float = 0.95,
    workers: int | None = None,
    progress: bool = True,
    input_hash: str | None = None,
    stratum: str | None = None,
) -> LcmcrEstimate:
    """Estimate the population size N with LCMCR (Manrique-Vallier 2016).

    ``patterns`` is an (m, J) 0/1 array of observed capture patterns (none all-zero) and
    ``counts`` the number of people with each. Each of ``chains`` chains runs 500 warm-up
    sweeps (alpha fixed, as LCMCR), ``burnin`` sweeps, then ``samples * thinning`` sweeps
    keeping every ``thinning``-th draw. ``K`` is the truncation (default
    :func:`default_k`); ``max_unobserved`` caps the unobserved count n0 (default: no cap, as
    LCMCR's ``lcmCR``). ``seed`` makes the run reproducible whatever ``workers`` (threads,
    default ``min(chains, cpu count)``); without one, fresh entropy is drawn and reported.

    The result's estimate is the posterior median of N with an equal-tailed ``level``
    credible interval; diagnostics hold split R-hat, bulk/tail ESS, ESS and sweeps per
    second, occupied classes and the cap's rejections.
    """
    x, freq = _tabulate(patterns, counts)
    J = x.shape[1]
    names = tuple(lists) if lists is not None else tuple(f"list{j + 1}" for j in range(J))
    if len(names) != J:
        raise InputError(f"{len(names)} list names for {J} lists", field="lists")
    K = default_k(J) if K is None else int(K)
    _check_settings(K, burnin, samples, thinning, chains, a_alpha, b_alpha, level)
    n = int(freq.sum())
    if max_unobserved is None:
        max_n0 = _k.NO_CAP
    elif int(max_unobserved) < 0 or int(max_unobserved) > _k.NO_CAP:
        raise InputError(
            f"max_unobserved must be between 0 and {_k.NO_CAP}, got {max_unobserved}",
            field="max_unobserved",
        )
    else:
        max_n0 = int(max_unobserved)

    seq = np.random.SeedSequence(seed)
    used_seed = int(seq.entropy) if isinstance(seq.entropy, int) else seed
    plan = _plan(burnin, samples, thinning)
    chain_rngs = [_k.seed_state(s.generate_state(4, np.uint64)) for s in seq.spawn(chains)]
    n_workers = min(chains, workers if workers is not None else (os.cpu_count() or 1))

    jit_seconds = _ensure_compiled()
    bar, advance = _progress_bar(progress, plan.sweeps * chains, chains)
    lock = threading.Lock()

    def safe_advance(k: int) -> None:
        with lock:
            advance(k)

    wall0, cpu0 = time.perf_counter(), time.process_time()
    if bar is not None:
        bar.start()
    try:
        with ThreadPoolExecutor(max_workers=max(1, n_workers)) as pool:
            runs = list(
                pool.map(
                    lambda c: _run_chain(
                        x, freq, K, plan, chain_rngs[c], a_alpha, b_alpha, max_n0, safe_advance
                    ),
                    range(chains),
                )
            )
    finally:
        if bar is not None:
            bar.stop()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0

    traces = {name: np.stack([r.trace[:, i] for r in runs]) for i, name in enumerate(TRACE_FIELDS)}
    draws = traces["N"].astype(np.int64).ravel()
    result = _summarise(
        draws=draws,
        traces=traces,
        runs=runs,
        n=n,
        J=J,
        K=K,
        names=names,
        settings={
            "K": K,
            "K_default": "min(2**J - 1, 15)",
            "burnin": burnin,
            "samples": samples,
            "thinning": thinning,
            "chains": chains,
            "warmup_sweeps": WARMUP_SWEEPS,
            "a_alpha": a_alpha,
            "b_alpha": b_alpha,
            "lambda_prior": "Beta(1, 1)",
            "prior_n": "1/N",
            "max_unobserved": max_unobserved,
            "workers": n_workers,
        },
        level=level,
        seed=used_seed,
        timing={"wall": wall, "cpu": cpu, "jit": jit_seconds, "sweeps": plan.sweeps},
        max_n0=max_n0,
        input_hash=input_hash or _table_hash(x, freq),
        stratum=stratum,
    )
    return LcmcrEstimate(result=replace(result, draws=draws, details=LcmcrChains(traces=traces)))


def _check_settings(
    K: int,
    burnin: int,
    samples: int,
    thinning: int,
    chains: int,
    a_alpha: float,
    b_alpha: float,
    level: float,
) -> None:
    checks = (
        (K >= 2, "K", f"the truncation K must be at least 2, got {K}"),
        (burnin >= 0, "burnin", f"burnin must not be negative, got {burnin}"),
        (samples >= 1, "samples", f"samples must be at least 1, got {samples}"),
        (thinning >= 1, "thinning", f"thinning must be at least 1, got {thinning}"),
        (chains >= 1, "chains", f"chains must be at least 1, got {chains}"),
        (a_alpha > 0 and b_alpha > 0, "a_alpha", "a_alpha and b_alpha must be positive"),
        (0.0 < level < 1.0, "level", f"level must be between 0 and 1, got {level}"),
    )
    for ok, name, reason in checks:
        if not ok:
            raise InputError(reason, field=name)


def _finite_or_none(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _summarise(
    *,
    draws: NDArray[np.int64],
    traces: dict[str, NDArray[np.float64]],
    runs: list[_ChainRun],
    n: int,
    J: int,
    K: int,
    names: tuple[str, ...],
    settings: dict[str, Any],
    level: float,
    seed: int | None,
    timing: dict[str, float],
    max_n0: int,
    input_hash: str,
    stratum: str | None,
) -> EstimateResult:
    from inquest import __version__

    tail = (1.0 - level) / 2.0
    lower, median, upper = np.quantile(draws, [tail, 0.5, 1.0 - tail])
    chains = traces["N"].shape[0]
    n_chain = traces["N"]
    rhat = split_rhat(n_chain)
    bulk, tail_ess = ess_bulk(n_chain), ess_tail(n_chain)
    occupied = traces["occupied_classes"]
    rejections = int(sum(int(r.events[0]) for r in runs))
    pinned = int(sum(int(r.events[1]) for r in runs))
    n0_draws = timing["sweeps"] * chains
    chain_wall = [r.wall for r in runs]
    chain_cpu = [r.cpu for r in runs]
    diagnostics: dict[str, Any] = {
        "posterior_mean": float(draws.mean()),
        "posterior_sd": float(draws.std(ddof=1)) if draws.size > 1 else 0.0,
        "chain_medians": [float(np.median(c)) for c in n_chain],
        # None where undefined (e.g. every draw equal), so that the JSON stays valid
        "rhat": _finite_or_none(rhat),
        "ess_bulk": _finite_or_none(bulk),
        "ess_tail": _finite_or_none(tail_ess),
        "ess_bulk_per_second": _finite_or_none(bulk / timing["wall"]) if timing["wall"] else None,
        "draws": int(draws.size),
        "sweeps_per_chain": int(timing["sweeps"]),
        "sweeps_per_second_per_chain": [
            timing["sweeps"] / w if w > 0 else None for w in chain_wall
        ],
        "sweeps_per_second_total": timing["sweeps"] * chains / timing["wall"],
        "wall_seconds": timing["wall"],
        "cpu_seconds": timing["cpu"],
        "chain_wall_seconds": chain_wall,
        "chain_cpu_seconds": chain_cpu,
        "jit_compile_seconds": timing["jit"],
        "occupied_classes_mean": float(occupied.mean()),
        "occupied_classes_max": int(occupied.max()),
        "K": K,
        "cap_rejections": rejections,
        "cap_rejection_rate": rejections / (n0_draws + rejections),
        "cap_pinned": pinned,
    }
    warnings: list[str] = []
    if J < 3:
        warnings.append(
            f"Only {J} lists: a latent-class model is not identifiable from two lists, so the "
            "estimate reflects the priors more than the data."
        )
    full = float(np.mean(occupied >= K))
    diagnostics["all_classes_occupied_fraction"] = full
    if full > FULL_CLASSES_WARNING:
        warnings.append(
            f"All K = {K} latent classes were occupied in {full:.0%} of the draws (mean "
            f"{occupied.mean():.1f} occupied): the truncation may bind; rerun with a larger K."
        )
    if chains > 1 and np.isfinite(rhat) and rhat > RHAT_WARNING:
        warnings.append(
            f"Split R-hat of N is {rhat:.3f} (> {RHAT_WARNING}): the chains disagree; run "
            "longer (more burn-in and draws) before trusting the interval."
        )
    if min(bulk, tail_ess) < 100 * chains:
        warnings.append(
            f"Effective sample size of N is low (bulk {bulk:.0f}, tail {tail_ess:.0f}, "
            f"fewer than 100 per chain): the interval is imprecise; run longer or thin more."
        )
    if pinned:
        warnings.append(
            f"The cap max_unobserved = {max_n0} was forced {pinned} time(s) after "
            f"{_k.MAX_REJECTIONS} rejections: the data put almost no posterior mass under the "
            "cap; this estimate is the cap, not a finding."
        )
    elif rejections:
        warnings.append(
            f"The cap max_unobserved = {max_n0} rejected {rejections} draw(s) of the unobserved "
            f"count ({diagnostics['cap_rejection_rate']:.1%}): the cap binds and truncates the "
            "posterior; the upper limit reflects the cap, not the data."
        )
    return EstimateResult(
        method=METHOD,
        n_observed=n,
        estimate=float(median),
        lower=float(lower),
        upper=float(upper),
        level=level,
        point="median",
        interval="credible",
        assumptions=ASSUMPTIONS,
        warnings=tuple(warnings),
        diagnostics=diagnostics,
        models=[
            {
                "model": f"latent-class (Dirichlet process, K = {K}) over {J} lists",
                "weight": 1.0,
            }
        ],
        settings=settings,
        seed=seed,
        input_hash=input_hash,
        inquest_version=__version__,
        lists=names,
        stratum=stratum,
    )
