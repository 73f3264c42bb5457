"""Coverage study: how often does each method's 95% interval contain the true N?

Worlds come from ``inquest.simulate.simulate_captures`` on the ``default`` scenario (four
sources with a shared latent visibility, i.e. heterogeneous capture, plus explicit
dependence: ngo depends on families (+0.8), prison_records on ngo (-0.3), and prison,
residence and sex effects). Each world perturbs the scenario: population N uniform in
[1,500, 6,000] and every source's capture rate multiplied by a factor uniform in [0.25, 0.7],
so 30-70% of people are on no list, as in real atrocity data. Names are not drawn.

For each method (log-linear stepwise with its wald-log, profile, BCa bootstrap and
percentile bootstrap intervals; log-linear BIC; dga; LCMCR with moderate settings) the
study reports the share of worlds whose interval contains N, the median signed and absolute
relative error of the point estimate, and the median interval width relative to N.

``--regime sparse`` draws N in [3,000, 10,000] and scales capture rates by [0.12, 0.3], so
that most people are on no list and overlaps are thin (results in
``mse_coverage_sparse.json``).

Run: ``python benchmarks/mse_coverage.py [--worlds 120] [--seed 2026] [--regime sparse]``.
Writes ``benchmarks/results/mse_coverage.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np
from rich.progress import Progress

from inquest import __version__
from inquest.errors import InquestError
from inquest.estimate.loglinear import estimate_loglinear
from inquest.simulate import load_scenario, scenario_from_dict, simulate_captures

RESULTS = Path(__file__).parent / "results" / "mse_coverage.json"
REGIMES = {
    "default": {"population": (1500, 6000), "rate_factor": (0.25, 0.7)},
    "sparse": {"population": (3000, 10000), "rate_factor": (0.12, 0.3)},
}


def world(
    base_raw: dict[str, Any], rng: np.random.Generator, seed: int, regime: str = "default"
) -> tuple[int, Any]:
    raw = json.loads(json.dumps(base_raw, default=str))
    lo, hi = REGIMES[regime]["population"]
    raw["population"] = int(rng.integers(lo, hi + 1))
    factor = float(rng.uniform(*REGIMES[regime]["rate_factor"]))
    for src in raw["sources"]:
        src["capture"]["rate"] = round(src["capture"]["rate"] * factor, 4)
    sample = simulate_captures(scenario_from_dict(raw), seed)
    return sample.n, sample


def table(sample: Any) -> tuple[np.ndarray, np.ndarray, list[str]]:
    hc = sample.history_counts()
    patterns = np.array(list(hc.keys()), dtype=np.uint8)
    counts = np.array(list(hc.values()), dtype=np.int64)
    return patterns, counts, list(sample.lists)


def run_methods(
    patterns: np.ndarray, counts: np.ndarray, lists: list[str], seed: int, lcmcr: bool
) -> dict[str, tuple[float, float, float]]:
    out: dict[str, tuple[float, float, float]] = {}
    sw = estimate_loglinear(patterns, counts, lists=lists, n_boot=200, seed=seed)
    for kind, (lo, hi) in sw.diagnostics["intervals"].items():
        out[f"loglinear stepwise ({kind})"] = (sw.estimate, lo, hi)
    bic = estimate_loglinear(patterns, counts, lists=lists, selection="bic", n_boot=0)
    out["loglinear bic (profile)"] = (bic.estimate, *bic.diagnostics["intervals"]["profile"])
    ind = estimate_loglinear(patterns, counts, lists=lists, selection="independence", n_boot=0)
    out["loglinear independence (profile)"] = (
        ind.estimate,
        *ind.diagnostics["intervals"]["profile"],
    )
    try:
        from inquest.estimate.dga import estimate_dga

        d = estimate_dga(patterns, counts, lists=lists, seed=seed, n_draws=0).result
        out["dga (delta 2^-J, 1/N)"] = (d.estimate, d.lower, d.upper)
    except ImportError:
        pass
    if lcmcr:
        try:
            from inquest.estimate.lcmcr import estimate_lcmcr

            lc = estimate_lcmcr(
                patterns,
                counts,
                lists=lists,
                burnin=5000,
                samples=1000,
                thinning=10,
                chains=2,
                seed=seed,
                progress=False,
            ).result
            out["lcmcr (K default, 2 chains)"] = (lc.estimate, lc.lower, lc.upper)
        except ImportError:
            pass
    return out


def summarise(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    methods = sorted({m for r in rows for m in r["methods"]})
    out = {}
    for m in methods:
        vals = [(r["N"], *r["methods"][m]) for r in rows if m in r["methods"]]
        n = np.array([v[0] for v in vals], dtype=float)
        est = np.array([v[1] for v in vals])
        lo = np.array([v[2] for v in vals])
        hi = np.array([v[3] for v in vals])
        rel = (est - n) / n
        out[m] = {
            "worlds": len(vals),
            "coverage": float(np.mean((lo <= n) & (n <= hi))),
            "below": float(np.mean(hi < n)),
            "above": float(np.mean(lo > n)),
            "median_relative_error": float(np.median(rel)),
            "median_abs_relative_error": float(np.median(np.abs(rel))),
            "median_relative_width": float(np.median((hi - lo) / n)),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--worlds", type=int, default=120)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--no-lcmcr", action="store_true")
    ap.add_argument("--regime", choices=sorted(REGIMES), default="default")
    args = ap.parse_args()
    results = (
        RESULTS
        if args.regime == "default"
        else RESULTS.with_name(f"mse_coverage_{args.regime}.json")
    )
    base = load_scenario("default")
    base_raw = dict(base.raw)
    rng = np.random.default_rng(args.seed)
    rows: list[dict[str, Any]] = []
    failures: list[str] = []
    wall0, cpu0 = time.perf_counter(), time.process_time()
    with Progress() as bar:
        task = bar.add_task("worlds", total=args.worlds)
        for w in range(args.worlds):
            seed = args.seed * 1000 + w
            n_true, sample = world(base_raw, rng, seed, args.regime)
            patterns, counts, lists = table(sample)
            try:
                methods = run_methods(patterns, counts, lists, seed, not args.no_lcmcr)
            except InquestError as exc:
                failures.append(f"world {w}: {exc}")
                bar.advance(task)
                continue
            rows.append(
                {"world": w, "N": n_true, "n_observed": int(counts.sum()), "methods": methods}
            )
            bar.advance(task)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    summary = summarise(rows)
    print(f"{len(rows)} worlds ({len(failures)} failed) in {wall:.0f} s wall, {cpu:.0f} s CPU")
    print(
        f"{'method':45s} {'cover':>6s} {'below':>6s} {'above':>6s} {'med.rel':>8s} "
        f"{'|rel|':>6s} {'width':>6s}"
    )
    for m, s in summary.items():
        print(
            f"{m:45s} {s['coverage']:6.2f} {s['below']:6.2f} {s['above']:6.2f} "
            f"{s['median_relative_error']:8.3f} {s['median_abs_relative_error']:6.3f} "
            f"{s['median_relative_width']:6.2f}"
        )
    observed = np.array([r["n_observed"] / r["N"] for r in rows])
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(
        json.dumps(
            {
                "study": "coverage of 95% intervals on simulated worlds",
                "scenario": f"default preset, regime {args.regime}: {REGIMES[args.regime]}",
                "worlds": args.worlds,
                "worlds_estimated": len(rows),
                "failures": failures,
                "seed": args.seed,
                "observed_fraction": {
                    "median": float(np.median(observed)),
                    "min": float(observed.min()),
                    "max": float(observed.max()),
                },
                "summary": summary,
                "wall_seconds": wall,
                "cpu_seconds": cpu,
                "inquest_version": __version__,
                "machine": platform.platform(),
                "per_world": rows,
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {results}")


if __name__ == "__main__":
    main()
