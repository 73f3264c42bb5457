"""End-to-end coverage study: simulated lists, linked without labels, then estimated.

Each world is a preset of the ``linkage`` family or ``small`` (``inquest simulate
--list-presets``) with its own seed, simulated with names and list styles
(``inquest.simulate.simulate``), linked by :func:`inquest.linkage.pipeline.link_records` with
no labels and written as a run folder. Each method is then run

* on the true clusters (what the estimator does when linkage is perfect),
* on the run's clustering (fixed linkage: today's interval),
* over draws of the linkage posterior, pooled (``inquest.estimate.linkage_aware``), once per
  posterior target (``--targets``). The ``calibrated`` target needs reviewed pairs: the
  truth stands in for the reviewer on ``--reviewed`` (200) of the run's scored pairs drawn
  stratified over probability bands (``inquest.linkage.calibration.stratified_sample``);
  they become must- and cannot-links and the Platt recalibration is fitted on them. The
  truth is used nowhere else.

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
from inquest.estimate.linkage_aware import (
    TARGETS,
    calibrated_run,
    pool_over_histories,
    target_settings,
)
from inquest.estimate.run import estimate
from inquest.io import read_lists
from inquest.linkage.calibration import stratified_sample
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


def reviewed_by_truth(base: Any, folder: Path, n: int, seed: int) -> Any:
    """``base`` with ``n`` of its scored pairs, stratified over probability bands, decided by
    the world's truth (as a reviewer would) and applied as must- and cannot-links."""
    truth_df = pd.read_csv(folder / "truth.csv", dtype=str)
    ids = base.records.to_pandas().merge(truth_df, on=["list", "record_id"], how="left")
    truth = ids["person_id"].to_numpy().astype(str)
    left = base.pairs.column("unique_id_l").to_numpy()
    right = base.pairs.column("unique_id_r").to_numpy()
    prob = base.pairs.column("match_probability").to_numpy()
    at = stratified_sample(prob, n, seed)
    same = truth[left[at]] == truth[right[at]]
    must = [(int(a), int(b)) for a, b in zip(left[at][same], right[at][same], strict=True)]
    cannot = [(int(a), int(b)) for a, b in zip(left[at][~same], right[at][~same], strict=True)]
    return replace(base, must_link=must, cannot_link=cannot)


def run_world(
    preset: str,
    seed: int,
    folder: Path,
    draws: int,
    targets: list[str],
    reviewed: int = 200,
    people: int | None = None,
) -> dict[str, Any]:
    scenario = load_scenario(preset)
    if people is not None:
        scenario = scenario.with_population(people)
    write_world(simulate(scenario, seed), folder)
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
        run = base
        if target in ("calibrated", "calibrated_centred"):
            run, cal = calibrated_run(reviewed_by_truth(base, folder, reviewed, seed))
            out["calibration"] = cal
        s = target_settings(run, target, seed)  # type: ignore[arg-type]
        parts = replace(run, settings=s).draw(draws, seed)
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
    parser.add_argument("--reviewed", type=int, default=200, help="pairs the truth reviews")
    parser.add_argument("--people", type=int, default=None, help="persons per world")
    parser.add_argument("--families", nargs="+", default=None, help="presets to run")
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
    plan = worlds(args.worlds, args.first_seed)
    if args.families:
        plan = [
            (fam, args.first_seed + i)
            for i in range(-(-args.worlds // len(args.families)))
            for fam in args.families
        ][: args.worlds]
    for preset, seed in plan:
        if time.perf_counter() - start > args.minutes * 60:
            print(f"time is up after {len(rows)} worlds")
            break
        with tempfile.TemporaryDirectory(prefix="inquest-mse-linked-", dir=".") as tmp:
            row = run_world(
                preset, seed, Path(tmp), args.draws, args.targets, args.reviewed, args.people
            )
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
            "reviewed_pairs": args.reviewed,
            "people_per_world": args.people,
            "wall_s": round(time.perf_counter() - start, 1),
            "summary": summarise(rows),
            "worlds": rows,
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
