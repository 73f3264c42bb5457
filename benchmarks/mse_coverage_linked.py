"""End-to-end coverage study: simulated lists, linked without labels, then estimated.

Each world is a preset of the ``linkage`` family or ``small`` (``inquest simulate
--list-presets``) with its own seed, simulated with names and list styles
(``inquest.simulate.simulate``), linked by :func:`inquest.linkage.pipeline.link_records` with
no labels and written as a run folder. Each method is then run

* on the true clusters (what the estimator does when linkage is perfect),
* on the run's clustering (fixed linkage: today's interval),
* over draws of the linkage posterior, pooled (``inquest.estimate.linkage_aware``), once per
  posterior target (``--targets``).

Per method, family and mode the study reports the coverage of the nominal 95% interval (and
whether N lay above or below it), the median relative error of the point estimate and the
median width over N, and the persons per draw against the run's and the truth's.
Every mode uses the same fast method settings (``FAST``), so that the modes compare.

Run: ``python benchmarks/mse_coverage_linked.py [--worlds 12] [--draws 10] [--minutes 30]``.
Writes ``benchmarks/results/mse_coverage_linked.json`` after every world.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from inquest import __version__
from inquest.estimate.histories import histories_from_clusters
from inquest.estimate.linkage_aware import TARGETS, pool_over_histories, target_settings
from inquest.estimate.run import estimate
from inquest.io import read_lists
from inquest.linkage.evaluate import score_clusters
from inquest.linkage.pipeline import link_records, write_run
from inquest.linkage.posterior import draw_histories, load_run_for_posterior
from inquest.simulate import load_scenario, presets, simulate, write_world

OUT = Path(__file__).resolve().parent / "results" / "mse_coverage_linked.json"
METHODS = ("loglinear", "dga", "lcmcr")
FAST: dict[str, dict[str, Any]] = {
    "loglinear": {"n_boot": 100, "interval": "bootstrap"},
    "dga": {"n_draws": 1000, "sensitivity": None},
    "lcmcr": {"chains": 2, "burnin": 2000, "samples": 250, "thinning": 10},
}


def worlds(n: int, first_seed: int) -> list[tuple[str, int]]:
    """``n`` worlds, round robin over the presets so every family gets its turn."""
    names = [*sorted(p.name for p in presets(family="linkage")), "small"]
    return [(names[i % len(names)], first_seed + i // len(names)) for i in range(n)]


def _interval(res: Any) -> dict[str, float]:
    return {"estimate": float(res.estimate), "lower": float(res.lower), "upper": float(res.upper)}


def run_world(
    preset: str, seed: int, folder: Path, draws: int, targets: list[str]
) -> dict[str, Any]:
    write_world(simulate(load_scenario(preset), seed), folder)
    n_true = int(pd.read_csv(folder / "population.csv", usecols=["person_id"]).shape[0])
    records = read_lists(sorted((folder / "lists").glob("*.csv")))
    truth_df = pd.read_csv(folder / "truth.csv", dtype=str)
    key = records.select(["list", "record_id"]).to_pandas()
    truth = key.merge(truth_df, on=["list", "record_id"], how="left")["person_id"].to_numpy()
    t = time.perf_counter()
    result = link_records(records)
    link_s = time.perf_counter() - t
    write_run(result, folder / "run")
    scores = score_clusters(result.clustering.labels, truth).as_dict()
    out: dict[str, Any] = {
        "preset": preset,
        "seed": seed,
        "N": n_true,
        "records": records.num_rows,
        "persons_true_observed": len(np.unique(truth)),
        "persons_run": len(np.unique(result.clustering.labels)),
        "linkage": {k: round(v, 4) for k, v in scores.items() if isinstance(v, float)},
        "link_s": round(link_s, 1),
        "modes": {},
        "persons_per_draw": {},
        "seconds": {},
    }
    true_table = pa.table(
        {
            "list": key["list"].astype(str).tolist(),
            "record_id": key["record_id"].astype(str).tolist(),
            "person_id": [str(x) for x in truth],
        }
    )
    for mode, table_hist in (
        ("true_clusters", histories_from_clusters(true_table)),
        ("fixed", histories_from_clusters(result.clusters)),
    ):
        t = time.perf_counter()
        run = estimate(table_hist, METHODS, FAST, seed=seed)
        out["seconds"][mode] = round(time.perf_counter() - t, 1)
        out["modes"][mode] = {m: _interval(r) for m, r in run.combined.items()}
    base = load_run_for_posterior(folder / "run")
    for target in targets:
        t = time.perf_counter()
        s = target_settings(base, target, seed)  # type: ignore[arg-type]
        parts = replace(base, settings=s).draw(draws, seed)
        pooled, _warnings = pool_over_histories(
            draw_histories(parts), METHODS, FAST, seed=seed, draws_per_partition=100
        )
        out["seconds"][target] = round(time.perf_counter() - t, 1)
        out["persons_per_draw"][target] = float(parts.n_persons().mean())
        out.setdefault("odds_scale", {})[target] = round(s.odds_scale, 3)
        out["modes"][target] = {
            m: _interval(p.result) | {"linkage_share": round(p.linkage_share, 3)}
            for m, p in pooled.items()
        }
    return out


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Coverage, N above/below, median relative error and width per family, mode and method."""
    out: dict[str, Any] = {}
    families = sorted({r["preset"] for r in rows})
    for fam in [*families, "all"]:
        sel = [r for r in rows if fam in ("all", r["preset"])]
        fam_out: dict[str, Any] = {"worlds": len(sel)}
        modes = sorted({m for r in sel for m in r["modes"]})
        for mode in modes:
            for method in METHODS:
                vals = [
                    (r["N"], r["modes"][mode][method])
                    for r in sel
                    if mode in r["modes"] and method in r["modes"][mode]
                ]
                if not vals:
                    continue
                n = np.array([v[0] for v in vals], float)
                est = np.array([v[1]["estimate"] for v in vals])
                lo = np.array([v[1]["lower"] for v in vals])
                hi = np.array([v[1]["upper"] for v in vals])
                shares = [v[1]["linkage_share"] for v in vals if "linkage_share" in v[1]]
                fam_out[f"{mode} / {method}"] = {
                    "coverage": round(float(np.mean((lo <= n) & (n <= hi))), 3),
                    "above": round(float(np.mean(n > hi)), 3),
                    "below": round(float(np.mean(n < lo)), 3),
                    "median_rel_error": round(float(np.median(est / n - 1)), 4),
                    "median_width_over_N": round(float(np.median((hi - lo) / n)), 4),
                    "worlds": len(vals),
                } | ({"median_linkage_share": round(float(np.median(shares)), 3)} if shares else {})
        out[fam] = fam_out
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", type=int, default=12)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--draws", type=int, default=10)
    parser.add_argument("--targets", nargs="+", default=list(TARGETS))
    parser.add_argument("--minutes", type=float, default=30.0, help="stop after this long")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--resummarise", action="store_true", help="recompute the summary of --out and exit"
    )
    args = parser.parse_args()
    if args.resummarise:
        doc = json.loads(args.out.read_text("utf-8"))
        doc["summary"] = summarise(doc["worlds"])
        args.out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        return
    start = time.perf_counter()
    rows: list[dict[str, Any]] = []
    for preset, seed in worlds(args.worlds, args.first_seed):
        if time.perf_counter() - start > args.minutes * 60:
            print(f"time is up after {len(rows)} worlds")
            break
        with tempfile.TemporaryDirectory(prefix="inquest-mse-linked-", dir=".") as tmp:
            row = run_world(preset, seed, Path(tmp), args.draws, args.targets)
        rows.append(row)
        print(
            preset,
            seed,
            row["N"],
            row["persons_true_observed"],
            row["persons_run"],
            row["persons_per_draw"],
            {
                m: {k: round(v["estimate"]) for k, v in row["modes"][m].items()}
                for m in row["modes"]
            },
            flush=True,
        )
        doc = {
            "study": "mse_coverage_linked",
            "created_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "inquest_version": __version__,
            "platform": platform.platform(),
            "draws_per_world": args.draws,
            "draws_of_N_per_partition": 100,
            "method_settings": FAST,
            "targets": args.targets,
            "wall_s": round(time.perf_counter() - start, 1),
            "summary": summarise(rows),
            "worlds": rows,
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
