"""The review loop: how much 200 reviewed pairs improve a linkage run, on simulated worlds.

For each world (a preset of the ``linkage`` family and a seed, simulated into a temporary
folder), inquest links the lists with no labels, as ``inquest link`` does. The review queue is
then built as ``inquest review export`` builds it (:func:`inquest.linkage.review.review_pairs`:
the pairs in the model's review band, nearest 0.5 first), the first ``--pairs`` are decided
from the simulation's truth (a perfect reviewer), and the lists are linked again with those
decisions and the first run's clusters, as ``inquest link --labels --previous`` does. Both runs
are scored against the truth; the report gives pairwise and B-cubed F1 before and after, how
many true pairs changed side beyond the reviewed ones (what the re-estimated model gained by
itself), and the share of records that kept their person id.

Run: ``python benchmarks/linkage_review_loop.py [--presets a b] [--seeds 1] [--pairs 200]``.
Writes ``benchmarks/results/linkage_review_loop.json`` and prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))

from inquest.io import read_lists
from inquest.linkage.evaluate import score_clusters
from inquest.linkage.pipeline import link_records, write_run
from inquest.linkage.review import Decision, Judgement, apply_decisions, review_pairs
from inquest.simulate import presets
from linkage_ceiling import simulate_world
from linkage_family import _true_pairs

OUT = Path(__file__).resolve().parent / "results" / "linkage_review_loop.json"
DEFAULT_PRESETS = ("concentrated", "moderate", "french", "six_lists")


def _pair_set(labels: np.ndarray[Any, Any]) -> set[tuple[int, int]]:
    """Every pair of records (i < j) that ``labels`` puts in one cluster."""
    return {(int(a), int(b)) for a, b in _true_pairs(labels)}


def run_world(preset: str, seed: int, folder: Path, n_pairs: int) -> dict[str, Any]:
    """Link one world, review ``n_pairs`` from the queue with the truth, link again."""
    world = simulate_world(preset, seed, folder / "world")
    records = read_lists(sorted((world / "lists").glob("*.csv")))
    truth_df = pd.read_csv(world / "truth.csv", dtype=str)
    key = records.select(["list", "record_id"]).to_pandas()
    truth = key.merge(truth_df, on=["list", "record_id"], how="left")["person_id"].to_numpy()
    person_of = dict(zip(zip(key["list"], key["record_id"], strict=True), truth, strict=True))

    t = time.perf_counter()
    first = link_records(records)
    first_s = time.perf_counter() - t
    paths = write_run(first, folder / "run1")
    model_json = json.loads(paths["model"].read_text("utf-8"))
    band = first.model.clustering
    queue = review_pairs(
        pq.read_table(paths["predictions"]), model_json, band.review_low, band.review_high
    )
    rows = queue.to_pylist()[:n_pairs] if queue.num_rows and "list_r" in queue.column_names else []
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
        for r in rows
    ]
    applied = apply_decisions(decisions, records)
    t = time.perf_counter()
    second = link_records(
        records,
        labels=applied.labels,
        must_link=applied.must_link,
        cannot_link=applied.cannot_link,
        previous=first.clusters,
    )
    second_s = time.perf_counter() - t

    before = score_clusters(first.clustering.labels, truth).as_dict()
    after = score_clusters(second.clustering.labels, truth).as_dict()
    true_pairs = _pair_set(truth)
    reviewed = {(min(a, b), max(a, b)) for a, b in (*applied.must_link, *applied.cannot_link)}
    found_before = _pair_set(np.asarray(first.clustering.labels)) & true_pairs
    found_after = _pair_set(np.asarray(second.clustering.labels)) & true_pairs
    gained = found_after - found_before
    lost = found_before - found_after
    ids_before = first.clusters.column("person_id").to_pylist()
    ids_after = second.clusters.column("person_id").to_pylist()
    kept = sum(a == b for a, b in zip(ids_before, ids_after, strict=True)) / len(ids_before)
    return {
        "preset": preset,
        "seed": seed,
        "records": records.num_rows,
        "queue": queue.num_rows if "list_r" in queue.column_names else 0,
        "reviewed": len(decisions),
        "reviewed_matches": sum(d.judgement is Judgement.MATCH for d in decisions),
        "before": {k: round(v, 4) for k, v in before.items() if isinstance(v, float)},
        "after": {k: round(v, 4) for k, v in after.items() if isinstance(v, float)},
        "true_pairs_gained": len(gained),
        "true_pairs_gained_not_reviewed": len(gained - reviewed),
        "true_pairs_lost": len(lost),
        "person_ids_kept": round(kept, 4),
        "wall_s": {"first": round(first_s, 1), "second": round(second_s, 1)},
    }


def main(argv: list[str]) -> None:
    family = sorted(p.name for p in presets(family="linkage"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", default=list(DEFAULT_PRESETS), choices=family)
    parser.add_argument("--seeds", nargs="+", type=int, default=[1])
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    worlds = []
    for preset in args.presets:
        for seed in args.seeds:
            with tempfile.TemporaryDirectory() as tmp:
                row = run_world(preset, seed, Path(tmp), args.pairs)
            worlds.append(row)
            print(
                f"{preset} {seed}: pairwise F1 {row['before']['pairwise_f1']:.4f} -> "
                f"{row['after']['pairwise_f1']:.4f} with {row['reviewed']} reviewed pairs",
                file=sys.stderr,
            )
    doc = {
        "run": {
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "cpus": os.cpu_count(),
            "load_avg": [round(x, 2) for x in os.getloadavg()],
            "pairs": args.pairs,
        },
        "worlds": worlds,
    }
    args.out.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    print(
        "| world | records | reviewed (matches) | pairwise F1 before -> after "
        "| B-cubed F1 before -> after | true pairs gained (not reviewed) / lost "
        "| person ids kept |"
    )
    print("|---|---:|---:|---|---|---|---:|")
    for w in worlds:
        b, a = w["before"], w["after"]
        print(
            f"| {w['preset']} {w['seed']} | {w['records']:,} | {w['reviewed']} "
            f"({w['reviewed_matches']}) | {b['pairwise_f1']:.4f} -> {a['pairwise_f1']:.4f} "
            f"| {b['bcubed_f1']:.4f} -> {a['bcubed_f1']:.4f} | {w['true_pairs_gained']:,} "
            f"({w['true_pairs_gained_not_reviewed']:,}) / {w['true_pairs_lost']:,} "
            f"| {w['person_ids_kept']:.1%} |"
        )
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
