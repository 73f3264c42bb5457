"""How linkage scales: simulated worlds of growing population, linked end to end.

``python benchmarks/bench_linkage_scale.py 10000 100000 [1000000]`` simulates the ``default``
scenario at each population (seed 1), links every list and records wall time, CPU time,
peak memory (max RSS of this process) and F1, in ``benchmarks/results/linkage_scale.json``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from inquest.io import read_lists
from inquest.linkage.evaluate import score_clusters
from inquest.linkage.pipeline import link_records

OUT = Path(__file__).resolve().parent / "results" / "linkage_scale.json"


def run(population: int) -> dict[str, object]:
    folder = Path(tempfile.mkdtemp(prefix=f"inquest-scale-{population}-"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "inquest",
            "simulate",
            "--preset",
            "default",
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
    wall, cpu = time.perf_counter(), time.process_time()
    records = read_lists(sorted((folder / "lists").glob("*.csv")))
    read_s = time.perf_counter() - wall
    result = link_records(records)
    total = {
        "wall_s": round(time.perf_counter() - wall, 1),
        "cpu_s": round(time.process_time() - cpu, 1),
    }
    truth_df = pd.read_csv(folder / "truth.csv", dtype=str)
    key = records.select(["list", "record_id"]).to_pandas()
    truth = key.merge(truth_df, on=["list", "record_id"], how="left")["person_id"].to_numpy()
    scores = score_clusters(result.clustering.labels, truth)
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    row = {
        "population": population,
        "records": records.num_rows,
        "read_s": round(read_s, 1),
        **total,
        "steps": result.timings,
        "pairs_kept": result.edges.num_rows,
        "peak_rss_gb": round(peak_gb, 2),
        "pairwise_f1": round(scores.pairwise_f1, 4),
        "bcubed_f1": round(scores.bcubed_f1, 4),
    }
    print(row)
    return row


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [10_000, 100_000]
    results = json.loads(OUT.read_text()) if OUT.exists() else {}
    for n in sizes:
        results[str(n)] = run(n)
        OUT.write_text(json.dumps(results, indent=2))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main(sys.argv[1:])
