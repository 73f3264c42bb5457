"""Ceiling of the linkage posterior: would it cover N if its inputs were as good as can be?

Small worlds of the ``linkage`` family (``--people`` persons each), linked by
:func:`inquest.linkage.pipeline.link_records` with no labels, then estimated with every method
(``mse_coverage_linked.FAST`` settings) on

* ``true_clusters`` and ``fixed`` (the run's clustering), as in ``mse_coverage_linked.py``;
* ``oracle_scored_truth``: every pair the run scored decided by the truth and the records
  clustered by those decisions alone (one partition): the best any posterior over the run's
  scored pairs could centre on; what it misses are true pairs the run never scored or kept;
* ``oracle_pairwise``: the pairwise measure with probabilities calibrated on the truth (the
  share of true pairs in each of 20 quantile bands of the run's probability) and every kept
  pair allowed to join (candidate components at the kept-pair threshold, not the link
  threshold: pairs across the run's components can be joined);
* ``oracle_per_join``: the same with the run's prior paid once per join;
* ``oracle_centred``: the run's probabilities, every kept pair allowed, every pair's odds
  scaled so that the draws hold on average as many persons as the truth (the truth-known
  number of missed links: a bias-corrected centre);
* ``platt_all``: Platt scaling fitted on every scored pair with the truth's labels (the
  label-light calibration of ``inquest.linkage.calibration`` with unlimited labels), default
  components.

Truth is used only where a variant's name says ``oracle`` (or ``platt_all``'s labels).
Run: ``python benchmarks/mse_coverage_ceiling.py [--people 2500] [--seeds 1 2]
[--families concentrated moderate ...]``. Writes ``results/mse_coverage_ceiling.json``
after every world.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from inquest import __version__
from inquest.estimate.histories import histories_from_clusters
from inquest.estimate.linkage_aware import pool_over_histories
from inquest.estimate.run import estimate
from inquest.io import read_lists
from inquest.linkage.calibration import calibrate_pairs, fit_platt
from inquest.linkage.cluster.components import connected
from inquest.linkage.pipeline import link_records, write_run
from inquest.linkage.posterior import (
    RunForPosterior,
    draw_histories,
    load_run_for_posterior,
)
from inquest.simulate import load_scenario, simulate, write_world
from mse_coverage_linked import FAST, METHODS, summarise

OUT = Path(__file__).resolve().parent / "results" / "mse_coverage_ceiling.json"
KEPT = 0.011  # just above the model's kept-pair threshold (0.01): every kept pair may join


def _interval(res: Any) -> dict[str, float]:
    return {"estimate": float(res.estimate), "lower": float(res.lower), "upper": float(res.upper)}


def binned_truth(prob: np.ndarray, y: np.ndarray, bins: int = 20) -> np.ndarray:
    """Each pair's probability replaced by the share of true pairs in its quantile band."""
    edges = np.unique(np.quantile(prob, np.linspace(0, 1, bins + 1)))
    b = np.clip(np.searchsorted(edges, prob, side="right") - 1, 0, len(edges) - 2)
    rate = np.bincount(b, weights=y, minlength=len(edges) - 1) / np.maximum(
        np.bincount(b, minlength=len(edges) - 1), 1
    )
    return np.clip(rate[b], 1e-3, 0.999)


def scale_to_persons(run: RunForPosterior, target: int, seed: int) -> float:
    """Odds factor whose draws hold on average ``target`` persons (bisection on its log)."""
    lo, hi, mid = math.log(1e-3), math.log(1e5), 0.0
    for _ in range(14):
        mid = (lo + hi) / 2
        trial = replace(run, settings=replace(run.settings, odds_scale=math.exp(mid)))
        persons = float(trial.draw(4, seed).n_persons().mean())
        if abs(persons - target) <= 0.002 * target:
            break
        lo, hi = (mid, hi) if persons > target else (lo, mid)
    return math.exp(mid)


def _pooled(run: RunForPosterior, draws: int, seed: int) -> tuple[dict[str, Any], float]:
    parts = run.draw(draws, seed)
    pooled, _ = pool_over_histories(
        draw_histories(parts), METHODS, FAST, seed=seed, draws_per_partition=100
    )
    out = {
        m: _interval(p.result) | {"linkage_share": round(p.linkage_share, 3)}
        for m, p in pooled.items()
    }
    return out, float(parts.n_persons().mean())


def _hist(records: pa.Table, labels: np.ndarray) -> Any:
    return histories_from_clusters(
        pa.table(
            {
                "list": records.column("list"),
                "record_id": records.column("record_id"),
                "person_id": pa.array([str(x) for x in labels]),
            }
        )
    )


def run_world(
    preset: str, seed: int, people: int, folder: Path, draws: int, variants: list[str]
) -> dict[str, Any]:
    write_world(simulate(load_scenario(preset).with_population(people), seed), folder)
    n_true = int(pd.read_csv(folder / "population.csv", usecols=["person_id"]).shape[0])
    records = read_lists(sorted((folder / "lists").glob("*.csv")))
    t = time.perf_counter()
    result = link_records(records)
    link_s = time.perf_counter() - t
    write_run(result, folder / "run")
    base = load_run_for_posterior(folder / "run")
    truth_df = pd.read_csv(folder / "truth.csv", dtype=str)
    key = base.records.to_pandas()
    truth_ids = key.merge(truth_df, on=["list", "record_id"], how="left")["person_id"]
    _, truth = np.unique(truth_ids.to_numpy().astype(str), return_inverse=True)
    left = base.pairs.column("unique_id_l").to_numpy()
    right = base.pairs.column("unique_id_r").to_numpy()
    prob = base.pairs.column("match_probability").to_numpy()
    y = (truth[left] == truth[right]).astype(float)
    sizes = np.bincount(truth)
    true_pairs = int((sizes * (sizes - 1) // 2).sum())
    fixed = base.fixed_labels
    joined = int(
        sum(
            (c * (c - 1) // 2)
            for c in pd.Series(list(zip(truth, fixed, strict=True))).value_counts().to_numpy()
        )
    )
    persons_true = len(np.unique(truth))
    out: dict[str, Any] = {
        "preset": preset,
        "seed": seed,
        "N": n_true,
        "records": records.num_rows,
        "persons_true_observed": persons_true,
        "persons_run": len(np.unique(fixed)),
        "true_pairs": true_pairs,
        "true_pairs_scored": int(y.sum()),
        "true_pairs_joined_by_run": joined,
        "true_pairs_never_scored": true_pairs - int(y.sum()),
        "link_s": round(link_s, 1),
        "modes": {},
        "persons_per_draw": {},
        "seconds": {},
        "settings": {},
    }
    scored_truth = connected(len(truth), left[y > 0], right[y > 0])
    for mode, labels in (
        ("true_clusters", truth),
        ("fixed", fixed),
        ("oracle_scored_truth", scored_truth),
    ):
        t = time.perf_counter()
        res = estimate(_hist(base.records, labels), METHODS, FAST, seed=seed)
        out["seconds"][mode] = round(time.perf_counter() - t, 1)
        out["modes"][mode] = {m: _interval(r) for m, r in res.combined.items()}
        out["persons_per_draw"][mode] = len(np.unique(labels))
    binned = base.pairs.set_column(2, "match_probability", pa.array(binned_truth(prob, y)))
    wide = replace(base.settings, link_threshold=KEPT)
    for variant in variants:
        t = time.perf_counter()
        if variant == "oracle_pairwise":
            run = replace(base, pairs=binned, settings=wide)
        elif variant == "oracle_per_join":
            run = replace(base, pairs=binned, settings=replace(wide, prior_odds=base.prior_odds))
        elif variant == "oracle_centred":
            run = replace(base, settings=wide)
            run = replace(
                run,
                settings=replace(wide, odds_scale=scale_to_persons(run, persons_true, seed)),
            )
        elif variant == "platt_all":
            cal = fit_platt(prob, y)
            out["settings"]["platt_all"] = {"slope": cal.slope, "intercept": cal.intercept}
            run = replace(base, pairs=calibrate_pairs(base.pairs, cal))
        else:
            raise SystemExit(f"unknown variant {variant}")
        out["modes"][variant], out["persons_per_draw"][variant] = _pooled(run, draws, seed)
        out["seconds"][variant] = round(time.perf_counter() - t, 1)
        out["settings"].setdefault(variant, {})["odds_scale"] = run.settings.odds_scale
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--families",
        nargs="+",
        default=["concentrated", "moderate", "french", "age_only", "six_lists"],
    )
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--people", type=int, default=2500)
    parser.add_argument("--draws", type=int, default=10)
    parser.add_argument(
        "--variants",
        nargs="+",
        default=["oracle_pairwise", "oracle_per_join", "oracle_centred", "platt_all"],
    )
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    start = time.perf_counter()
    rows: list[dict[str, Any]] = []
    for seed in args.seeds:
        for preset in args.families:
            with tempfile.TemporaryDirectory(prefix="inquest-ceiling-") as tmp:
                row = run_world(preset, seed, args.people, Path(tmp), args.draws, args.variants)
            rows.append(row)
            print(
                preset,
                seed,
                row["N"],
                row["persons_true_observed"],
                row["persons_per_draw"],
                {
                    m: {k: round(v["estimate"]) for k, v in row["modes"][m].items()}
                    for m in row["modes"]
                },
                flush=True,
            )
            doc = {
                "study": "mse_coverage_ceiling",
                "created_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "inquest_version": __version__,
                "platform": platform.platform(),
                "people_per_world": args.people,
                "draws_per_world": args.draws,
                "draws_of_N_per_partition": 100,
                "method_settings": FAST,
                "variants": args.variants,
                "wall_s": round(time.perf_counter() - start, 1),
                "summary": summarise(rows),
                "worlds": rows,
            }
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
