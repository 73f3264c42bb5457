"""LCMCR speed on Kosovo (4 lists, 4,400 observed), against the R package LCMCR.

Baseline (the issue, R package LCMCR's C++/GSL sampler, single-threaded, on this machine):
Kosovo, K = 10, 10,000 burn-in and 10,000 draws at thinning 10 (110,000 sweeps) in about
1.5 s, i.e. about 72,000 sweeps per second; the kept draws of N have an ESS of 144-225 of
10,000. R is not installed here, so the baseline is that recorded figure, not a rerun.

Measured here, with the same settings (plus LCMCR's 500 warm-up sweeps, which the R run also
makes when the sampler is created):

- ``single_chain``: one chain on one thread, several seeds: wall and CPU time (the thread's
  CPU clock), sweeps per second by both, ESS (bulk and tail) of N, ESS per second;
- ``parallel``: 4 chains on 2 threads (the machine has 2 cores): wall, process CPU, total
  sweeps per second, split R-hat, ESS, ESS per second;
- ``jit``: the kernels' first compile (in a fresh process with an empty numba cache) and the
  load from the on-disk cache; both excluded from the sampling times.

With ``--coverage-worlds 100`` it also runs the honesty study for LCMCR alone: the synthetic
worlds of ``mse_coverage.py`` (heterogeneous capture and dependent lists from
``inquest.simulate``, N uniform in [1,500, 6,000], 30-70% unrecorded), ``estimate_lcmcr`` with
its defaults on each, and the share of 95% intervals holding the true N, the median relative
error and width. Without the flag the last coverage section in the JSON is kept.

Other engineers share the machine: the load average is recorded, and wall time above CPU
time shows contention. Compare CPU-time rates with the baseline when the machine is busy.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from inquest.estimate.lcmcr import estimate_lcmcr

HERE = Path(__file__).parent
SHARED = HERE.parent.parent / "shared" / "mse-reference"
RESULTS = HERE / "results" / "lcmcr.json"
SETTINGS = {"K": 10, "burnin": 10_000, "samples": 10_000, "thinning": 10}
SEEDS = (1, 2, 3)
BASELINE_SWEEPS_PER_SECOND = 72_000

_JIT_PROBE = """
import time
from inquest.estimate.lcmcr import model as lcmcr
t1 = time.perf_counter()
lcmcr._ensure_compiled()
print(time.perf_counter() - t1)
"""


def _jit_seconds(cache_dir: str | None) -> float:
    env = dict(os.environ)
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    out = subprocess.run(
        [sys.executable, "-c", _JIT_PROBE], env=env, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def _load() -> tuple[np.ndarray, np.ndarray, list[str]]:
    frame = pd.read_csv(SHARED / "kosovo_4list.csv")
    lists = [c for c in frame.columns if c != "count"]
    return frame[lists].to_numpy(np.uint8), frame["count"].to_numpy(np.int64), lists


def _single(patterns: np.ndarray, counts: np.ndarray, seed: int) -> dict[str, Any]:
    run = estimate_lcmcr(
        patterns, counts, chains=1, workers=1, seed=seed, progress=False, **SETTINGS
    )
    d = run.result.diagnostics
    sweeps = d["sweeps_per_chain"]
    wall, cpu = d["chain_wall_seconds"][0], d["chain_cpu_seconds"][0]
    return {
        "seed": seed,
        "sweeps": sweeps,
        "wall_s": wall,
        "cpu_s": cpu,
        "sweeps_per_s_wall": sweeps / wall,
        "sweeps_per_s_cpu": sweeps / cpu,
        "ess_bulk": d["ess_bulk"],
        "ess_tail": d["ess_tail"],
        "ess_bulk_per_s_wall": d["ess_bulk"] / wall,
        "ess_bulk_per_s_cpu": d["ess_bulk"] / cpu,
        "median": run.result.estimate,
        "interval": [run.result.lower, run.result.upper],
    }


def _parallel(patterns: np.ndarray, counts: np.ndarray, chains: int, workers: int) -> dict:
    run = estimate_lcmcr(
        patterns, counts, chains=chains, workers=workers, seed=11, progress=False, **SETTINGS
    )
    d = run.result.diagnostics
    return {
        "chains": chains,
        "workers": workers,
        "sweeps_total": d["sweeps_per_chain"] * chains,
        "wall_s": d["wall_seconds"],
        "cpu_s": d["cpu_seconds"],
        "sweeps_per_s_wall": d["sweeps_per_second_total"],
        "sweeps_per_s_cpu": d["sweeps_per_chain"] * chains / d["cpu_seconds"],
        "rhat": d["rhat"],
        "ess_bulk": d["ess_bulk"],
        "ess_tail": d["ess_tail"],
        "ess_bulk_per_s_wall": d["ess_bulk"] / d["wall_seconds"],
        "median": run.result.estimate,
        "interval": [run.result.lower, run.result.upper],
    }


def _coverage(worlds: int, seed: int = 2026) -> dict[str, Any]:
    import mse_coverage  # beside this script: the shared synthetic worlds
    from inquest.simulate import load_scenario

    base_raw = dict(load_scenario("default").raw)
    rng = np.random.default_rng(seed)
    rows = []
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for w in range(worlds):
        world_seed = seed * 1000 + w
        n_true, sample = mse_coverage.world(base_raw, rng, world_seed)
        patterns, counts, lists = mse_coverage.table(sample)
        res = estimate_lcmcr(patterns, counts, lists=lists, seed=world_seed, progress=False)
        r = res.result
        rows.append(
            {
                "N": n_true,
                "n_observed": r.n_observed,
                "median": r.estimate,
                "lower": r.lower,
                "upper": r.upper,
                "rhat": r.diagnostics["rhat"],
                "ess_bulk": r.diagnostics["ess_bulk"],
                "warnings": list(r.warnings),
            }
        )
        print(f"world {w}: N {n_true:,}, median {r.estimate:,.0f} [{r.lower:,.0f}, {r.upper:,.0f}]")
    n = np.array([r["N"] for r in rows], dtype=float)
    est = np.array([r["median"] for r in rows])
    lo = np.array([r["lower"] for r in rows])
    hi = np.array([r["upper"] for r in rows])
    rel = (est - n) / n
    return {
        "worlds": worlds,
        "scenario": "mse_coverage.py: default, N ~ U[1500, 6000], capture rates x U[0.25, 0.7]",
        "settings": "estimate_lcmcr defaults (K = 15, 4 chains x 2,500 draws, thinning 10)",
        "seed": seed,
        "coverage": float(np.mean((lo <= n) & (n <= hi))),
        "below": float(np.mean(hi < n)),
        "above": float(np.mean(lo > n)),
        "median_relative_error": float(np.median(rel)),
        "median_abs_relative_error": float(np.median(np.abs(rel))),
        "median_relative_width": float(np.median((hi - lo) / n)),
        "observed_fraction_median": float(np.median([r["n_observed"] / r["N"] for r in rows])),
        "share_rhat_above_1.01": float(np.mean([r["rhat"] > 1.01 for r in rows])),
        "share_with_warnings": float(np.mean([bool(r["warnings"]) for r in rows])),
        "wall_s": time.perf_counter() - wall0,
        "cpu_s": time.process_time() - cpu0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--coverage-worlds", type=int, default=0)
    args = ap.parse_args()
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    coverage = _coverage(args.coverage_worlds) if args.coverage_worlds else None
    if coverage:
        print(
            f"coverage over {coverage['worlds']} worlds: {coverage['coverage']:.0%} "
            f"(below {coverage['below']:.0%}, above {coverage['above']:.0%}); median relative "
            f"error {coverage['median_relative_error']:+.1%}, |error| "
            f"{coverage['median_abs_relative_error']:.1%}, width "
            f"{coverage['median_relative_width']:.0%} of N"
        )
    patterns, counts, _ = _load()
    with tempfile.TemporaryDirectory() as empty_cache:
        compile_s = _jit_seconds(empty_cache)
    cached_s = _jit_seconds(None)
    print(f"JIT: compile {compile_s:.1f} s (empty cache), load from cache {cached_s:.2f} s")

    load_before = os.getloadavg()
    estimate_lcmcr(patterns, counts, K=10, burnin=10, samples=10, chains=1, progress=False)
    singles = [_single(patterns, counts, s) for s in SEEDS]
    for r in singles:
        print(
            f"1 chain, seed {r['seed']}: {r['sweeps']:,} sweeps in {r['wall_s']:.2f} s wall "
            f"({r['sweeps_per_s_wall']:,.0f}/s), {r['cpu_s']:.2f} s CPU "
            f"({r['sweeps_per_s_cpu']:,.0f}/s); ESS bulk {r['ess_bulk']:.0f}, "
            f"tail {r['ess_tail']:.0f} of 10,000; {r['ess_bulk_per_s_cpu']:.0f} ESS/s CPU; "
            f"median {r['median']:,.0f}"
        )
    parallel = [_parallel(patterns, counts, 4, 2), _parallel(patterns, counts, 2, 2)]
    for p in parallel:
        print(
            f"{p['chains']} chains on {p['workers']} threads: {p['sweeps_total']:,} sweeps in "
            f"{p['wall_s']:.2f} s wall ({p['sweeps_per_s_wall']:,.0f}/s), {p['cpu_s']:.2f} s "
            f"CPU; R-hat {p['rhat']:.3f}, ESS bulk {p['ess_bulk']:.0f}, "
            f"{p['ess_bulk_per_s_wall']:.0f} ESS/s wall; median {p['median']:,.0f}"
        )
    load_after = os.getloadavg()
    best_cpu = max(r["sweeps_per_s_cpu"] for r in singles)
    median_cpu = statistics.median(r["sweeps_per_s_cpu"] for r in singles)
    median_wall = statistics.median(r["sweeps_per_s_wall"] for r in singles)
    print(
        f"single chain: median {median_cpu:,.0f} sweeps/s CPU, {median_wall:,.0f} wall "
        f"(baseline R {BASELINE_SWEEPS_PER_SECOND:,}/s); load average {load_before[0]:.1f} -> "
        f"{load_after[0]:.1f} on {os.cpu_count()} cores"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "baseline": (
                    "R LCMCR (C++/GSL), Kosovo, K = 10, 10,000 burn-in + 10,000 draws at "
                    "thinning 10: about 72,000 sweeps/s, 1.5 s, ESS 144-225 of 10,000 (issue 5)"
                ),
                "settings": SETTINGS,
                "cores": os.cpu_count(),
                "load_average_before_after": [load_before[0], load_after[0]],
                "jit_seconds": {"compile_empty_cache": compile_s, "load_from_cache": cached_s},
                "single_chain": singles,
                "single_chain_median_sweeps_per_s_cpu": median_cpu,
                "single_chain_best_sweeps_per_s_cpu": best_cpu,
                "single_chain_median_sweeps_per_s_wall": median_wall,
                "parallel": parallel,
                "coverage": coverage or previous.get("coverage"),
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
