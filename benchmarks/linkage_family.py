"""Linkage over the family of simulated worlds: inquest, a deterministic linker, generic Splink.

For every preset of the ``linkage`` family (``inquest.simulate.presets(family="linkage")``)
and seed, the world is simulated into a temporary folder and linked three ways, none with
labels: inquest with its default settings (:func:`inquest.linkage.pipeline.link_records`),
the simple deterministic linker of ``deterministic_linker.py``, and the generic Splink set-up
of ``bench_linkage.py``. Each is scored against the truth (pairwise and B-cubed, with
:func:`inquest.linkage.evaluate.score_clusters`) beside the world's exclusive oracle ceiling
on pairwise F1 (``linkage_ceiling.py``), and timed (wall seconds, one run each; the first
world also pays for imports and loading data tables).

For inquest, the true pairs it misses are split by where they were lost: never scored (no
blocking rule pairs them), scored below the kept-pair threshold, kept below the link
threshold, or linked at or above it but split by the clustering.

Run: ``python benchmarks/linkage_family.py [--presets a b] [--seeds 1 2 3] [--quick] [--out F]``.
Writes ``benchmarks/results/linkage_family.json`` (per world, merged into what is there, and
the mean over seeds per preset) and prints a markdown table.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_linkage import generic_labels, simulated_generic_input
from deterministic_linker import link as deterministic_link
from inquest.io import read_lists
from inquest.linkage.evaluate import score_clusters
from inquest.linkage.pipeline import LinkResult, link_records
from inquest.simulate import load_scenario, presets
from linkage_ceiling import ceiling, simulate_world

OUT = Path(__file__).resolve().parent / "results" / "linkage_family.json"
LINKERS = ("inquest", "deterministic", "generic_splink")
#: Worlds whose names.concentration is at most this have diverse names (the presets described
#: "names diverse"): there issue 17 asks for 0.95 x the ceiling, elsewhere 0.90 x.
DIVERSE = 0.4
MISSES = ("never_scored", "below_keep", "below_link", "split_by_clustering")


def _true_pairs(truth: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Every pair (i < j) of records of one true person, as an (n, 2) array."""
    codes = pd.factorize(pd.Series(truth))[0]
    order = np.argsort(codes, kind="stable")
    pairs: list[tuple[int, int]] = []
    bounds = np.flatnonzero(np.r_[True, np.diff(codes[order]) != 0, True])
    for lo, hi in itertools.pairwise(bounds):
        members = np.sort(order[lo:hi])
        pairs.extend((int(a), int(b)) for n, a in enumerate(members) for b in members[n + 1 :])
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def _blocked(prepared: pa.Table, pairs: np.ndarray[Any, Any], rules: list[str]) -> np.ndarray:
    """Per pair, whether any of inquest's (capped) blocking rules pairs its two records."""
    if len(pairs) == 0 or not rules:
        return np.zeros(len(pairs), bool)
    con = duckdb.connect()
    con.register("recs", prepared)
    con.register("pairs", pa.table({"l_id": pairs[:, 0], "r_id": pairs[:, 1]}))
    any_rule = " OR ".join(f"coalesce(({rule}), false)" for rule in rules)
    sql = (
        f"SELECT p.l_id, p.r_id, {any_rule} AS hit FROM pairs p "
        "JOIN recs l ON l.unique_id = p.l_id JOIN recs r ON r.unique_id = p.r_id"
    )
    hits = con.sql(sql).df()
    con.close()
    found = {(int(a), int(b)) for a, b, h in hits.itertuples(index=False) if h}
    return np.array([(int(a), int(b)) in found for a, b in pairs])


def misses(result: LinkResult, truth: np.ndarray[Any, Any]) -> dict[str, Any]:
    """Where inquest's missed true pairs were lost (counts and shares of the missed)."""
    labels = np.asarray(result.clustering.labels)
    pairs = _true_pairs(truth)
    missed = pairs[labels[pairs[:, 0]] != labels[pairs[:, 1]]]
    edges = result.edges.to_pydict()
    prob = {
        (min(a, b), max(a, b)): p
        for a, b, p in zip(
            edges["unique_id_l"], edges["unique_id_r"], edges["match_probability"], strict=True
        )
    }
    link_threshold = result.model.clustering.link_threshold
    blocked = _blocked(result.prepared, missed, list(result.model.blocking))
    counts = {"never_scored": 0, "below_keep": 0, "below_link": 0, "split_by_clustering": 0}
    for (a, b), is_blocked in zip(missed.tolist(), blocked, strict=True):
        p = prob.get((a, b))
        if p is None:
            counts["below_keep" if is_blocked else "never_scored"] += 1
        elif p < link_threshold:
            counts["below_link"] += 1
        else:
            counts["split_by_clustering"] += 1
    n = len(missed)
    return {
        "true_pairs": len(pairs),
        "missed": n,
        **counts,
        "shares": {k: round(v / n, 4) if n else 0.0 for k, v in counts.items()},
    }


def _scores(labels: Any, truth: np.ndarray[Any, Any], wall: float) -> dict[str, Any]:
    s = score_clusters(labels, truth).as_dict()
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in s.items()} | {
        "wall_s": round(wall, 1)
    }


def run_world(preset: str, seed: int, folder: Path) -> dict[str, Any]:
    """Simulate one world, compute its ceiling, link it three ways and score each."""
    t = time.perf_counter()
    world = simulate_world(preset, seed, folder)
    simulate_s = time.perf_counter() - t
    ceil = ceiling(world)
    records = read_lists(sorted((world / "lists").glob("*.csv")))
    truth_df = pd.read_csv(world / "truth.csv", dtype=str)
    key = records.select(["list", "record_id"]).to_pandas()
    truth = key.merge(truth_df, on=["list", "record_id"], how="left")["person_id"].to_numpy()
    if pd.isna(truth).any():
        raise RuntimeError(f"{world}: records without a true person in truth.csv")
    people = pd.read_csv(world / "population.csv", usecols=["person_id"]).shape[0]

    t = time.perf_counter()
    result = link_records(records)
    inquest = _scores(result.clustering.labels, truth, time.perf_counter() - t)
    inquest["misses"] = misses(result, truth)
    inquest["warnings"] = result.warnings

    t = time.perf_counter()
    labels = deterministic_link(records)
    deterministic = _scores(labels, truth, time.perf_counter() - t)

    df, spec = simulated_generic_input(records)
    t = time.perf_counter()
    try:
        labels = generic_labels(df, spec)
        generic = _scores(labels, truth, time.perf_counter() - t)
    except ValueError as exc:
        # Splink refuses to predict when its deterministic rules find no pair (a prior of
        # 0): the generic set-up then links nothing. Recorded as its result, not hidden.
        generic = {"error": f"{exc}", "wall_s": round(time.perf_counter() - t, 1)}
        print(f"generic Splink failed on {preset} seed {seed}: {exc}", file=sys.stderr)

    c = ceil["exclusive"]["f1_ceiling"]
    return {
        "preset": preset,
        "seed": seed,
        "name_concentration": load_scenario(preset).name_concentration,
        "people": people,
        "records": records.num_rows,
        "simulate_wall_s": round(simulate_s, 1),
        "ceiling": {v: ceil[v] for v in ("true_pairs", "record", "cluster", "exclusive")},
        "ceiling_exclusive_f1": c,
        "inquest": inquest,
        "deterministic": deterministic,
        "generic_splink": generic,
        "inquest_f1_over_ceiling": round(inquest["pairwise_f1"] / c, 4) if c else None,
    }


def summary(worlds: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per preset, the mean over its seeds of the ceiling and each linker's scores and time."""
    by_preset: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in worlds.values():
        by_preset[row["preset"]].append(row)
    out: dict[str, dict[str, Any]] = {}
    for preset, rows in sorted(by_preset.items()):

        def mean(get: Any, rows: list[dict[str, Any]] = rows) -> float | None:
            values = [v for r in rows if (v := get(r)) is not None]
            return round(float(np.mean(values)), 4) if values else None

        entry: dict[str, Any] = {
            "seeds": sorted(r["seed"] for r in rows),
            "ceiling_exclusive_f1": mean(lambda r: r["ceiling_exclusive_f1"]),
            "inquest_f1_over_ceiling": mean(lambda r: r["inquest_f1_over_ceiling"]),
        }
        for linker in LINKERS:
            entry[linker] = {
                k: mean(lambda r, k=k, linker=linker: r[linker].get(k))
                for k in (
                    "pairwise_precision",
                    "pairwise_recall",
                    "pairwise_f1",
                    "bcubed_f1",
                    "wall_s",
                )
            }
        entry["generic_splink"]["failed_seeds"] = sorted(
            r["seed"] for r in rows if "error" in r["generic_splink"]
        )
        entry["inquest"]["misses_shares"] = {
            k: mean(lambda r, k=k: r["inquest"]["misses"]["shares"][k]) for k in MISSES
        }
        entry["name_concentration"] = rows[0]["name_concentration"]
        entry["worlds_meeting_targets"] = sum(_failures(r) == "ok" for r in rows)
        out[preset] = entry
    return out


def _failures(row: dict[str, Any]) -> str:
    """Issue 17's targets this world misses: F1 >= 0.90 x the ceiling (0.95 x where names are
    diverse, see ``DIVERSE``), precision >= 0.93, F1 >= the deterministic linker's."""
    ours = row["inquest"]
    out = []
    bar = 0.95 if row["name_concentration"] <= DIVERSE else 0.90
    if row["inquest_f1_over_ceiling"] is not None and row["inquest_f1_over_ceiling"] < bar:
        out.append(f"<{bar:.2f}c")
    if ours["pairwise_precision"] < 0.93:
        out.append("P<0.93")
    if ours["pairwise_f1"] < row["deterministic"]["pairwise_f1"]:
        out.append("<det")
    return " ".join(out) or "ok"


def table(worlds: list[dict[str, Any]]) -> str:
    """The markdown table of the worlds run."""
    lines = [
        "| world | records | ceiling | inquest P / R / F1 | F1 / ceiling | deterministic F1 "
        "| generic F1 | wall s (inq / det / gen) | misses: unscored / <keep / <link / split "
        "| targets |",
        "|---|---:|---:|---|---:|---:|---:|---|---|---|",
    ]
    for r in worlds:
        q, d, g, m = r["inquest"], r["deterministic"], r["generic_splink"], r["inquest"]["misses"]
        sh = m["shares"]
        generic_f1 = "fails" if "error" in g else f"{g['pairwise_f1']:.3f}"
        lines.append(
            f"| {r['preset']} {r['seed']} | {r['records']:,} | {r['ceiling_exclusive_f1']:.3f} "
            f"| {q['pairwise_precision']:.3f} / {q['pairwise_recall']:.3f} / "
            f"{q['pairwise_f1']:.3f} | {r['inquest_f1_over_ceiling']:.3f} "
            f"| {d['pairwise_f1']:.3f} | {generic_f1} "
            f"| {q['wall_s']:.0f} / {d['wall_s']:.0f} / {g['wall_s']:.0f} "
            f"| {m['missed']:,}: {sh['never_scored']:.0%} / {sh['below_keep']:.0%} / "
            f"{sh['below_link']:.0%} / {sh['split_by_clustering']:.0%} | {_failures(r)} |"
        )
    return "\n".join(lines)


def summary_table(presets_summary: dict[str, dict[str, Any]]) -> str:
    """The markdown table of the means over seeds, one row per preset."""
    lines = [
        "| preset | names.concentration | ceiling | inquest P / R / F1 | F1 / ceiling "
        "| deterministic F1 | generic F1 | wall s (inq / det / gen) "
        "| misses: unscored / <keep / <link / split | worlds meeting targets |",
        "|---|---:|---:|---|---:|---:|---:|---|---|---|",
    ]
    for preset, e in presets_summary.items():
        q, d, g = e["inquest"], e["deterministic"], e["generic_splink"]
        sh = q["misses_shares"]
        failed = len(g["failed_seeds"])
        generic_f1 = f"{g['pairwise_f1']:.3f}" + (f" ({failed} failed)" if failed else "")
        lines.append(
            f"| {preset} | {e['name_concentration']:g} | {e['ceiling_exclusive_f1']:.3f} "
            f"| {q['pairwise_precision']:.3f} / {q['pairwise_recall']:.3f} / "
            f"{q['pairwise_f1']:.3f} | {e['inquest_f1_over_ceiling']:.3f} "
            f"| {d['pairwise_f1']:.3f} | {generic_f1} "
            f"| {q['wall_s']:.1f} / {d['wall_s']:.1f} / {g['wall_s']:.1f} "
            f"| {sh['never_scored']:.0%} / {sh['below_keep']:.0%} / {sh['below_link']:.0%} / "
            f"{sh['split_by_clustering']:.0%} | {e['worlds_meeting_targets']} of "
            f"{len(e['seeds'])} |"
        )
    return "\n".join(lines)


def write(worlds: dict[str, dict[str, Any]], path: Path = OUT) -> dict[str, Any]:
    """Write the worlds and their summary per preset to ``path``; return what was written."""
    out = {
        "run": {
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "cpus": os.cpu_count(),
            "load_avg": [round(x, 2) for x in os.getloadavg()],
        },
        "summary": summary(worlds),
        "worlds": dict(sorted(worlds.items())),
    }
    path.write_text(json.dumps(out, indent=2) + "\n")
    return out


def main(argv: list[str]) -> None:
    family = [p.name for p in presets(family="linkage")]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", default=family, choices=family)
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    parser.add_argument("--quick", action="store_true", help="one seed (the first of --seeds)")
    parser.add_argument("--out", type=Path, default=OUT, help="the results file to merge into")
    args = parser.parse_args(argv)
    seeds = args.seeds[:1] if args.quick else args.seeds
    stored = json.loads(args.out.read_text()) if args.out.exists() else {}
    worlds: dict[str, dict[str, Any]] = stored.get("worlds", {})
    done: list[dict[str, Any]] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="inquest-family-") as tmp:
        for preset in args.presets:
            for seed in seeds:
                t = time.perf_counter()
                row = run_world(preset, seed, Path(tmp) / f"{preset}-{seed}")
                row["world_wall_s"] = round(time.perf_counter() - t, 1)
                worlds[f"{preset} seed {seed}"] = row
                done.append(row)
                print(table([row]).splitlines()[-1], flush=True)
                written = write(worlds, args.out)
    print()
    print(table(done))
    print()
    print(summary_table(written["summary"]))
    print(f"\n{len(done)} worlds in {time.perf_counter() - started:.0f} s; wrote {args.out}")


if __name__ == "__main__":
    main(sys.argv[1:])
