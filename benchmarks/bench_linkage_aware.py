"""Linkage-aware estimation beside fixed linkage: the time of each, in one run.

Simulates a preset (``default`` by default, seed 1), links it once with ``link_records`` and
writes the run folder, then, in turns (``--rounds``, default 2), estimates N with every
method twice: on the run's one clustering (``run_estimation``, fixed linkage) and over
``--draws`` partitions of the linkage posterior (``run_linkage_aware``, the command's
defaults otherwise: the ``centred`` target, 50 draws). Reports the median wall time of
each, their ratio (issue 18's target: at most 5), the partition draws per second, and the
effective sample size of the chains' number of clusters. The first round of each is
preceded by an untimed warm-up, so compiling the jitted kernels is not counted.
Writes ``benchmarks/results/linkage_aware.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from inquest.estimate.linkage_aware import run_linkage_aware
from inquest.estimate.run import run_estimation
from inquest.io import read_lists
from inquest.linkage.pipeline import link_records, write_run
from inquest.linkage.posterior import load_run_for_posterior
from inquest.simulate import load_scenario, simulate, write_world

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results" / "linkage_aware.json"
METHODS = ("loglinear", "dga", "lcmcr")


def _timed(fn: Any) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="default")
    parser.add_argument("--draws", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        world = Path(tmp) / "world"
        write_world(simulate(load_scenario(args.preset), 1), world)
        records = read_lists(sorted((world / "lists").glob("*.csv")))
        t = time.perf_counter()
        run = Path(tmp) / "run"
        write_run(link_records(records), run)
        link_wall = time.perf_counter() - t

        def fixed(i: int) -> None:
            run_estimation(run / "clusters.csv", Path(tmp) / f"fixed{i}", methods=METHODS)

        def aware(i: int) -> None:
            run_linkage_aware(run, Path(tmp) / f"aware{i}", methods=METHODS, n_draws=args.draws)

        fixed(-1)
        aware(-1)
        times: dict[str, list[float]] = {"fixed": [], "linkage_aware": []}
        for i in range(args.rounds):
            times["fixed"].append(_timed(lambda i=i: fixed(i)))
            times["linkage_aware"].append(_timed(lambda i=i: aware(i)))
            print(f"round {i + 1}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in times.items()))
        posterior = load_run_for_posterior(run)
        draw_wall = _timed(lambda: posterior.draw(args.draws, 0))
        summary = posterior.draw(args.draws, 0).summary()
    medians = {k: statistics.median(v) for k, v in times.items()}
    result = {
        "run": {
            "started": started,
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "cpus": os.cpu_count(),
            "load_avg_start": [round(x, 2) for x in load_start],
            "load_avg_end": [round(x, 2) for x in os.getloadavg()],
            "python": sys.version.split()[0],
        },
        "preset": args.preset,
        "records": records.num_rows,
        "methods": list(METHODS),
        "draws": args.draws,
        "link_wall_s": round(link_wall, 1),
        "wall_s": {k: [round(x, 1) for x in v] for k, v in times.items()},
        "median_wall_s": {k: round(v, 1) for k, v in medians.items()},
        "ratio_linkage_aware_over_fixed": round(medians["linkage_aware"] / medians["fixed"], 2),
        "target_ratio": 5.0,
        "partition_draws_per_second": round(args.draws / draw_wall, 1),
        "posterior": {
            "components": summary["components"],
            "records_sampled": summary["records_sampled"],
            "mcmc_ess_clusters": summary["mcmc_ess_clusters"],
            "persons": summary["persons"],
        },
    }
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("median_wall_s", "ratio_linkage_aware_over_fixed")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
