"""The linkage posterior on the ``default`` preset: draws per second, ESS, memory, and how
the drawn partitions compare with the truth.

Simulates ``default`` (seed 1), links it once with ``link_records`` and writes the run, then
reads the run folder with ``load_run_for_posterior`` and draws ``--draws`` partitions
(default 200, seed 1), and the capture histories of every draw. Reports the time of each
step, draws per second, the components by method, the chains' ESS of the number of clusters,
persons per draw beside the fixed clustering's and the true number, pairwise precision and
recall of the draws, the calibration of the pair probabilities against the truth, and the
peak memory (resident set size of the process, linking included). ``--odds-scale`` adds draws
with every pair's odds scaled; ``prior_per_join`` are draws with the run's prior paid once
per join (``PosteriorSettings.prior_odds``); the draws from oracle-calibrated probabilities
(calibrated on the truth) show what calibration alone would change.
Writes ``benchmarks/results/linkage_posterior.json``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from inquest.io import read_lists
from inquest.linkage.evaluate import score_clusters
from inquest.linkage.pipeline import link_records, write_run
from inquest.linkage.posterior import (
    PartitionDraws,
    RunForPosterior,
    draw_histories,
    load_run_for_posterior,
)
from inquest.simulate import load_scenario, simulate, write_world

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results" / "linkage_posterior.json"


def _peak_gb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 3)


def _pairwise(labels: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    s = score_clusters(labels, truth)
    # A partition with no pair has precision 0 here, as this benchmark reported it before.
    precision = s.pairwise_precision if s.predicted_pairs else 0.0
    return {"precision": round(precision, 4), "recall": round(s.pairwise_recall, 4)}


def _calibration(run: RunForPosterior, truth: np.ndarray) -> list[dict[str, Any]]:
    left = run.pairs.column("unique_id_l").to_numpy()
    right = run.pairs.column("unique_id_r").to_numpy()
    p = run.pairs.column("match_probability").to_numpy()
    same = truth[left] == truth[right]
    out = []
    edges = (0.0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 0.99, 1.0 + 1e-9)
    for lo, hi in itertools.pairwise(edges):
        m = (p >= lo) & (p < hi)
        if m.any():
            out.append(
                {
                    "band": [lo, round(min(hi, 1.0), 2)],
                    "pairs": int(m.sum()),
                    "mean_probability": round(float(p[m].mean()), 4),
                    "share_true": round(float(same[m].mean()), 4),
                }
            )
    return out


def _oracle_calibrated(run: RunForPosterior, truth: np.ndarray) -> RunForPosterior:
    """The run with each pair's probability replaced by the share of true pairs among pairs
    of like probability (40 quantile bins, made monotone): what calibrated probabilities
    would give. It uses the truth, which a commission does not have."""
    left = run.pairs.column("unique_id_l").to_numpy()
    right = run.pairs.column("unique_id_r").to_numpy()
    p = run.pairs.column("match_probability").to_numpy()
    same = (truth[left] == truth[right]).astype(float)
    edges = np.unique(np.quantile(p, np.linspace(0, 1, 41)))
    bins = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
    used = np.unique(bins)
    share = np.maximum.accumulate(np.array([same[bins == b].mean() for b in used]))
    mid = np.array([p[bins == b].mean() for b in used])
    calibrated = np.clip(np.interp(p, mid, share), 1e-4, 1 - 1e-4)
    pairs = pa.table(
        {
            "unique_id_l": pa.array(left),
            "unique_id_r": pa.array(right),
            "match_probability": pa.array(calibrated),
        }
    )
    return replace(run, pairs=pairs)


def _draw(run: RunForPosterior, n_draws: int, seed: int, truth: np.ndarray) -> dict[str, Any]:
    run.draw(2, seed + 1)  # compiled kernels loaded, untimed
    t = time.perf_counter()
    draws: PartitionDraws = run.draw(n_draws, seed)
    wall = time.perf_counter() - t
    t = time.perf_counter()
    observed = [h.n_observed for h in draw_histories(draws)]
    hist_wall = time.perf_counter() - t
    again = run.draw(min(n_draws, 20), seed)
    reproducible = bool(np.array_equal(again.local, draws.local[: again.n_draws]))
    c = draws.components
    mcmc = c.method == 2
    ess = c.ess_clusters[mcmc]
    finite = ess[np.isfinite(ess)]
    summary = draws.summary()
    fit = [_pairwise(draws.labels(d), truth) for d in range(0, n_draws, max(1, n_draws // 10))]
    return {
        "settings": summary["settings"],
        "draw_wall_s": round(wall, 2),
        "draws_per_second": round(n_draws / wall, 1),
        "sampled_labels_mb": round(draws.local.nbytes / 1024**2, 1),
        "histories_wall_s": round(hist_wall, 2),
        "histories_per_second": round(n_draws / hist_wall, 1),
        "same_seed_same_draws": reproducible,
        "input_hash": draws.input_hash,
        "components": summary["components"],
        "records_sampled": summary["records_sampled"],
        "largest_component_units": int(c.units.max(initial=0)),
        "mcmc": {
            "components": int(mcmc.sum()),
            "units_median": float(np.median(c.units[mcmc])) if mcmc.any() else None,
            "units_max": int(c.units[mcmc].max(initial=0)),
            "ess_clusters_varying": len(finite),
            "ess_clusters_min": round(float(finite.min()), 1) if len(finite) else None,
            "ess_clusters_q10": round(float(np.quantile(finite, 0.1)), 1) if len(finite) else None,
            "ess_clusters_median": round(float(np.median(finite)), 1) if len(finite) else None,
            "split_merge_acceptance_median": summary["mcmc_split_merge_acceptance_median"],
            "gibbs_moves_median": round(float(np.median(c.gibbs_moves[mcmc])), 4)
            if mcmc.any()
            else None,
        },
        "persons": summary["persons"],
        "observed_in_histories_equals_persons": observed == draws.n_persons().tolist(),
        "pairwise_of_draws": {
            "precision_mean": round(float(np.mean([f["precision"] for f in fit])), 4),
            "recall_mean": round(float(np.mean([f["recall"] for f in fit])), 4),
            "draws_scored": len(fit),
        },
        "pairs_left_out": summary["pairs_left_out"],
        "expected_joins_left_out": round(summary["expected_joins_left_out"], 1),
        "notes": summary["notes"],
    }


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="default")
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--odds-scale",
        type=float,
        action="append",
        default=None,
        help="Also draw with the pair odds multiplied by this (repeatable).",
    )
    args = parser.parse_args(argv)
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="inquest-posterior-") as tmp:
        world = Path(tmp) / "world"
        write_world(simulate(load_scenario(args.preset), 1), world)
        records = read_lists(sorted((world / "lists").glob("*.csv")))
        t = time.perf_counter()
        result = link_records(records)
        write_run(result, Path(tmp) / "run")
        link_wall = time.perf_counter() - t
        peak_after_link = _peak_gb()
        t = time.perf_counter()
        run = load_run_for_posterior(Path(tmp) / "run")
        load_wall = time.perf_counter() - t
        truth_table = pacsv.read_csv(world / "truth.csv").to_pandas().astype(str)
        key = run.records.to_pandas().merge(truth_table, on=["list", "record_id"], how="left")
        truth = np.unique(key["person_id"].to_numpy(), return_inverse=True)[1].ravel()
        draws = {"odds_scale_1": _draw(run, args.draws, args.seed, truth)}
        peak_after_draws = _peak_gb()
        for scale in args.odds_scale or []:
            scaled = replace(run, settings=replace(run.settings, odds_scale=scale))
            draws[f"odds_scale_{scale:g}"] = _draw(scaled, args.draws, args.seed, truth)
        if run.prior_odds is not None:
            per_join = replace(run, settings=replace(run.settings, prior_odds=run.prior_odds))
            draws["prior_per_join"] = _draw(per_join, args.draws, args.seed, truth)
        draws["oracle_calibrated_uses_truth"] = _draw(
            _oracle_calibrated(run, truth), args.draws, args.seed, truth
        )
        out = {
            "run": {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "preset": args.preset,
                "world_seed": 1,
                "draw_seed": args.seed,
                "draws": args.draws,
                "machine": "2 cores shared with other workers (load average "
                f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the start); one run",
                "python": sys.version.split()[0],
            },
            "records": run.n_records,
            "true_persons_on_lists": len(np.unique(truth)),
            "fixed_clustering": {
                "persons": len(np.unique(run.fixed_labels)),
                **_pairwise(run.fixed_labels, truth),
            },
            "pairs_in_run": run.pairs.num_rows,
            "link_and_write_wall_s": round(link_wall, 1),
            "load_run_wall_s": round(load_wall, 2),
            "peak_rss_gb_after_link": peak_after_link,
            "peak_rss_gb_after_first_draws": peak_after_draws,
            "peak_rss_gb_at_end": _peak_gb(),
            "calibration_of_pair_probabilities": _calibration(run, truth),
            "posterior": draws,
        }
    OUT.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main(sys.argv[1:])
