"""Review where it matters: 200 pairs chosen by their value vs 200 nearest 0.5, on the same worlds.

For each world (a preset and a seed, simulated into a temporary folder) inquest links the lists
with no labels and writes the run. The review band's pairs (``review_pairs``, as ``inquest
review export`` takes them) are ordered three ways:

* ``even_odds``: match probability nearest 0.5 first (the queue's old order);
* ``value``: expected reduction of the variance of N's stand-in under independent lists
  (``inquest.linkage.review_value``, statistic ``n_hat``, the export's default);
* ``value_persons``: the same for the number of persons.

The first ``--pairs`` of each order are decided from the simulation's truth (a perfect
reviewer); the lists are linked again with those decisions and the first run's clusters, as
``inquest link --labels --previous`` does, and the new run is estimated over draws of its
linkage posterior with the decisions (``inquest estimate RUN --labels``). Every arm uses the
same seed. Reported per world and arm: the linkage-aware interval's width and point error per
method, and whether it covers the true N; the unreviewed run beside them.

Run: ``python benchmarks/review_value.py [--presets small] [--seeds 1 2 3] [--pairs 200]``.
Writes ``benchmarks/results/review_value.json`` after every world.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from inquest.estimate.linkage_aware import pool_over_histories, target_settings
from inquest.io import read_lists
from inquest.linkage.pipeline import link_records, write_run
from inquest.linkage.posterior import draw_histories, load_run_for_posterior
from inquest.linkage.review import (
    Decision,
    Judgement,
    apply_decisions,
    review_pairs,
    write_decisions,
)
from inquest.linkage.review_value import ReviewOrder, ReviewStatistic, order_review_table
from inquest.simulate import load_scenario, simulate, write_world

OUT = Path(__file__).resolve().parent / "results" / "review_value.json"
METHODS = ("loglinear", "dga")
FAST: dict[str, dict[str, Any]] = {
    "loglinear": {"n_boot": 100, "interval": "bootstrap"},
    "dga": {"n_draws": 1000, "sensitivity": None},
}
ARMS = ("even_odds", "value", "value_persons")


def _estimate(run: Path, decisions: Path | None, draws: int, seed: int) -> dict[str, Any]:
    """Linkage-aware intervals of a run folder (centred target, as ``inquest estimate``)."""
    info = load_run_for_posterior(run, decisions=decisions)
    info = replace(info, settings=target_settings(info, "centred", seed))
    parts = info.draw(draws, seed)
    pooled, _ = pool_over_histories(
        draw_histories(parts), METHODS, FAST, seed=seed, draws_per_partition=100
    )
    out: dict[str, Any] = {"persons_per_draw": float(parts.n_persons().mean())}
    for m, p in pooled.items():
        r = p.result
        out[m] = {
            "estimate": float(r.estimate),
            "lower": float(r.lower),
            "upper": float(r.upper),
            "linkage_share": round(p.linkage_share, 4),
        }
    return out


def _ordered(table: pa.Table, run: Path, arm: str, draws: int, seed: int) -> pa.Table:
    if arm == "even_odds":
        return table  # review_pairs' own order
    info = load_run_for_posterior(run)
    info = replace(info, settings=target_settings(info, "centred", seed))
    statistic = ReviewStatistic.N_HAT if arm == "value" else ReviewStatistic.PERSONS
    return order_review_table(
        table, info.draw(draws, seed), order=ReviewOrder.VALUE, statistic=statistic
    )


def run_world(
    preset: str, seed: int, folder: Path, n_pairs: int, draws: int, rank_draws: int
) -> dict[str, Any]:
    """Link one world, then per arm review ``n_pairs`` with the truth, link again, estimate."""
    world = folder / "world"
    write_world(simulate(load_scenario(preset), seed), world)
    n_true = int(pd.read_csv(world / "population.csv", usecols=["person_id"]).shape[0])
    records = read_lists(sorted((world / "lists").glob("*.csv")))
    truth_df = pd.read_csv(world / "truth.csv", dtype=str)
    key = records.select(["list", "record_id"]).to_pandas()
    truth = key.merge(truth_df, on=["list", "record_id"], how="left")["person_id"].to_numpy()
    person_of = dict(zip(zip(key["list"], key["record_id"], strict=True), truth, strict=True))

    first = link_records(records)
    paths = write_run(first, folder / "run0")
    model_json = json.loads(paths["model"].read_text("utf-8"))
    band = first.model.clustering
    queue = review_pairs(
        pq.read_table(paths["predictions"]), model_json, band.review_low, band.review_high
    )
    row: dict[str, Any] = {
        "preset": preset,
        "seed": seed,
        "N": n_true,
        "records": records.num_rows,
        "persons_true_observed": len(set(truth)),
        "persons_run": len(first.clusters.column("person_id").unique()),
        "queue": queue.num_rows if "list_r" in queue.column_names else 0,
        "arms": {},
        "seconds": {},
    }
    t = time.perf_counter()
    row["arms"]["unreviewed"] = _estimate(folder / "run0", None, draws, seed)
    row["seconds"]["unreviewed"] = round(time.perf_counter() - t, 1)
    for arm in ARMS:
        t = time.perf_counter()
        chosen = _ordered(queue, folder / "run0", arm, rank_draws, seed).to_pylist()[:n_pairs]
        decisions = [
            Decision(
                (r["list_l"], r["record_id_l"]),
                (r["list_r"], r["record_id_r"]),
                Judgement.MATCH
                if person_of[(r["list_l"], r["record_id_l"])]
                == person_of[(r["list_r"], r["record_id_r"])]
                else Judgement.NON_MATCH,
                reviewer="truth",
            )
            for r in chosen
        ]
        decisions_file = folder / f"decisions_{arm}.csv"
        write_decisions(decisions, decisions_file)
        applied = apply_decisions(decisions, records)
        again = link_records(
            records,
            labels=applied.labels,
            must_link=applied.must_link,
            cannot_link=applied.cannot_link,
            previous=first.clusters,
        )
        write_run(again, folder / f"run_{arm}")
        result = _estimate(folder / f"run_{arm}", decisions_file, draws, seed)
        result["reviewed"] = len(decisions)
        result["reviewed_matches"] = sum(d.judgement is Judgement.MATCH for d in decisions)
        result["persons_run"] = len(again.clusters.column("person_id").unique())
        row["arms"][arm] = result
        row["seconds"][arm] = round(time.perf_counter() - t, 1)
    return row


def summarise(worlds: list[dict[str, Any]]) -> dict[str, Any]:
    """Per arm and method: median width over N, median |error| over N, coverage; and in how
    many worlds each value arm's interval is narrower than even_odds'."""
    out: dict[str, Any] = {}
    for arm in ("unreviewed", *ARMS):
        for m in METHODS:
            rows = [(w["N"], w["arms"][arm][m]) for w in worlds if m in w["arms"].get(arm, {})]
            if not rows:
                continue
            n = np.array([r[0] for r in rows], float)
            est = np.array([r[1]["estimate"] for r in rows])
            lo = np.array([r[1]["lower"] for r in rows])
            hi = np.array([r[1]["upper"] for r in rows])
            out[f"{arm} / {m}"] = {
                "median_width_over_N": round(float(np.median((hi - lo) / n)), 4),
                "median_abs_error_over_N": round(float(np.median(np.abs(est / n - 1))), 4),
                "coverage": round(float(np.mean((lo <= n) & (n <= hi))), 3),
                "worlds": len(rows),
            }
    for arm in ("value", "value_persons"):
        for m in METHODS:
            both = [
                (w["arms"][arm][m], w["arms"]["even_odds"][m])
                for w in worlds
                if m in w["arms"].get(arm, {}) and m in w["arms"].get("even_odds", {})
            ]
            narrower = sum((a["upper"] - a["lower"]) < (b["upper"] - b["lower"]) for a, b in both)
            closer = sum(
                abs(a["estimate"] - w["N"]) < abs(b["estimate"] - w["N"])
                for (a, b), w in zip(both, worlds, strict=False)
            )
            out[f"{arm} vs even_odds / {m}"] = {
                "worlds_narrower": narrower,
                "worlds_closer_point": closer,
                "worlds": len(both),
            }
    return out


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", default=["small"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--draws", type=int, default=20, help="partitions per estimate")
    parser.add_argument("--rank-draws", type=int, default=100, help="partitions to rank by")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    worlds: list[dict[str, Any]] = []
    for preset in args.presets:
        for seed in args.seeds:
            with tempfile.TemporaryDirectory(prefix="inquest-review-value-") as tmp:
                row = run_world(preset, seed, Path(tmp), args.pairs, args.draws, args.rank_draws)
            worlds.append(row)
            print(
                preset,
                seed,
                row["N"],
                {
                    arm: {m: round(v[m]["upper"] - v[m]["lower"]) for m in METHODS if m in v}
                    for arm, v in row["arms"].items()
                },
                file=sys.stderr,
                flush=True,
            )
            doc = {
                "study": "review_value",
                "run": {
                    "finished": datetime.now(UTC).isoformat(timespec="seconds"),
                    "cpus": os.cpu_count(),
                    "load_avg": [round(x, 2) for x in os.getloadavg()],
                    "wall_s": round(time.perf_counter() - start, 1),
                    "pairs": args.pairs,
                    "draws": args.draws,
                    "rank_draws": args.rank_draws,
                    "methods": FAST,
                    "target": "centred",
                },
                "summary": summarise(worlds),
                "worlds": worlds,
            }
            args.out.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(summarise(worlds), indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
