"""How linkage scales: simulated worlds of growing population, linked end to end.

``python benchmarks/bench_linkage_scale.py 10000 100000 300000 1000000`` simulates the
``default`` scenario at each population (seed 1; 1,000,000 is the ``large`` preset), links
every list in a fresh process and records, in ``benchmarks/results/linkage_scale.json``: wall
and CPU time (total and per step, child processes included), peak memory (total and per
step: the proportional set size of the process and its workers, sampled from /proc every
0.1 s; and the process's own peak resident set), the load average before and after, pairs
kept and F1 against the truth. The ``large`` preset is the ``default`` world at 1,000,000
people (about 1.7 million records); 600,000 people give about a million records.

``--worlds DIR`` keeps the simulated worlds there (``DIR/w<population>``) and reuses them.
``--max-rss-gb G`` (default 13) stops a run whose memory passes G instead of taking the
machine down.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "results" / "linkage_scale.json"


def _kb(path: str, field: str) -> int:
    try:
        with open(path, encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:  # the process has just ended
        pass
    return 0


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as fh:
                out += [int(c) for c in fh.read().split()]
    except OSError:
        pass
    return out


def _rss_gb() -> float:
    """Memory of this process and of its child processes (prepare's forked workers), as
    proportional set size: pages a worker shares with its parent are counted once."""
    pids = [os.getpid()]
    pids += [c for p in list(pids) for c in _children(p)]
    return sum(_kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids) / 1024 / 1024


class _Sampler(threading.Thread):
    """Peak RSS per step (the step in progress when each sample is taken)."""

    def __init__(self, limit_gb: float) -> None:
        super().__init__(daemon=True)
        self.limit_gb = limit_gb
        self.step = "read"
        self.peaks: dict[str, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.1):
            rss = _rss_gb()
            self.peaks[self.step] = max(self.peaks.get(self.step, 0.0), rss)
            if rss > self.limit_gb:
                print(f"RSS {rss:.1f} GB passed {self.limit_gb} GB in {self.step}", flush=True)
                os._exit(3)


def simulate(population: int, worlds: Path | None) -> Path:
    folder = (
        worlds / f"w{population}"
        if worlds
        else Path(tempfile.mkdtemp(prefix=f"inquest-scale-{population}-"))
    )
    if (folder / "truth.csv").exists():
        return folder
    preset = ["--preset", "large"] if population == 1_000_000 else ["--preset", "default"]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "inquest",
            "simulate",
            *preset,
            "--population",
            str(population),
            "--seed",
            "1",
            "--out",
            str(folder),
        ],
        check=True,
        capture_output=True,
    )
    return folder


def link_one(folder: Path, population: int, limit_gb: float) -> dict[str, Any]:
    """Link one world in this process and measure it."""
    import pandas as pd

    from inquest.io import read_lists
    from inquest.linkage.evaluate import score_clusters
    from inquest.linkage.pipeline import cpu_seconds, link_records

    sampler = _Sampler(limit_gb)
    sampler.start()
    load_before = os.getloadavg()

    def step(name: str, _total: int) -> Any:
        sampler.step = name
        return lambda _n: None

    wall, cpu = time.perf_counter(), cpu_seconds()
    records = read_lists(sorted((folder / "lists").glob("*.csv")))
    read_s = time.perf_counter() - wall
    result = link_records(records, step=step)
    total = {
        "wall_s": round(time.perf_counter() - wall, 1),
        "cpu_s": round(cpu_seconds() - cpu, 1),
    }
    sampler.step = "score"
    truth_df = pd.read_csv(folder / "truth.csv", dtype=str)
    key = records.select(["list", "record_id"]).to_pandas()
    truth = key.merge(truth_df, on=["list", "record_id"], how="left")["person_id"].to_numpy()
    scores = score_clusters(result.clustering.labels, truth)
    sampler.stop.set()
    self_peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    peak_gb = max([self_peak_gb, *sampler.peaks.values()])
    steps = {
        name: {**t, "peak_rss_gb": round(sampler.peaks.get(name, 0.0), 2)}
        for name, t in result.timings.items()
    }
    return {
        "population": population,
        "records": records.num_rows,
        "read_s": round(read_s, 1),
        **total,
        "steps": steps,
        "pairs_kept": result.edges.num_rows,
        "peak_rss_gb": round(peak_gb, 2),
        "peak_rss_self_gb": round(self_peak_gb, 2),
        "load_avg_before": [round(x, 2) for x in load_before],
        "load_avg_after": [round(x, 2) for x in os.getloadavg()],
        "pairwise_f1": round(scores.pairwise_f1, 4),
        "bcubed_f1": round(scores.bcubed_f1, 4),
    }


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("populations", nargs="*", type=int, default=[10_000, 100_000])
    parser.add_argument("--worlds", type=Path, default=None)
    parser.add_argument("--max-rss-gb", type=float, default=13.0)
    parser.add_argument("--one", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one is not None:  # child process: link one world, print JSON
        row = link_one(args.one, args.populations[0], args.max_rss_gb)
        print("RESULT " + json.dumps(row), flush=True)
        return
    results = json.loads(OUT.read_text()) if OUT.exists() else {}
    for n in args.populations:
        folder = simulate(n, args.worlds)
        child = subprocess.run(
            [
                sys.executable,
                __file__,
                str(n),
                "--one",
                str(folder),
                "--max-rss-gb",
                str(args.max_rss_gb),
            ],
            capture_output=True,
            text=True,
        )
        lines = [ln for ln in child.stdout.splitlines() if ln.startswith("RESULT ")]
        if child.returncode != 0 or not lines:
            print(child.stdout[-2000:], child.stderr[-4000:], file=sys.stderr)
            raise SystemExit(f"population {n}: the run failed (exit {child.returncode})")
        row = json.loads(lines[-1][len("RESULT ") :])
        print(json.dumps(row), flush=True)
        results[str(n)] = row
        OUT.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main(sys.argv[1:])
