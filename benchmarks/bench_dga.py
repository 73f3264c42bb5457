"""dga speed: the posterior over (graph, N) for 3, 4 and 5 lists, 300 values of the missing count.

Baseline (the issue, R package dga's ``bma.cr`` with its C++ core, on this machine): 7-8 ms
per call with 5 lists, 822 graphs and Nmissing = 1..300. Target: under 20 ms.

Two timings per table, wall and CPU (``time.process_time``; the machine has 2 cores and other
work may run beside us, so wall > CPU shows contention):
- ``posterior``: ``posterior_weights``, what ``bma.cr`` returns: the normalised (graphs x N)
  weight matrix, input checks included;
- ``estimate_dga``: the whole public call without the delta-sensitivity reruns (posterior,
  model-averaged and per-graph summaries of the top 10 graphs, the tail-mass check beyond the
  grid and 10,000 draws of N), and ``estimate_dga_default`` with them (two more posteriors).
Also the first call (graph enumeration, cached afterwards) and Kosovo with the default grid.

Coverage (honesty): 100 synthetic worlds from ``inquest.simulate``'s "small" preset (N = 2,000,
4 lists with shared latent visibility, i.e. heterogeneous capture, and explicit dependence
between lists), and the same worlds with every list's capture rate halved. For dga's default
delta = 2^-J and for delta = 1: how often the 95% interval holds the true N, the median
relative error of the posterior median, and the median interval width relative to N.
"""

from __future__ import annotations

import copy
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from inquest.estimate.dga import estimate_dga, posterior_weights
from inquest.estimate.dga._graphs import decomposable_graphs, graph_design
from inquest.simulate import load_scenario, scenario_from_dict, simulate_captures

HERE = Path(__file__).parent
SHARED = HERE.parent.parent / "shared" / "mse-reference"
RESULTS = HERE / "results" / "dga.json"
REPEATS = 50
GRID = np.arange(1, 301)  # Nmissing = 1..300, as in dga's examples
WORLDS = 100

CASES = [  # file, delta (as in the references)
    ("madigan_york_3list", 1.0),
    ("kosovo_4list", 2.0**-4),
    ("madigan_york_5list", 0.5),
]


def _load(name: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    frame = pd.read_csv(SHARED / f"{name}.csv")
    lists = [c for c in frame.columns if c != "count"]
    return frame[lists].to_numpy(np.uint8), frame["count"].to_numpy(np.int64), lists


def _time(fn: Callable[[], object], repeats: int = REPEATS) -> dict[str, float]:
    fn()
    walls, cpus = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return {
        "wall_ms_median": 1e3 * statistics.median(walls),
        "wall_ms_min": 1e3 * min(walls),
        "cpu_ms_median": 1e3 * statistics.median(cpus),
        "repeats": repeats,
    }


def _coverage() -> dict[str, object]:
    base = load_scenario("small")
    raw = copy.deepcopy(dict(base.raw))
    for source in raw["sources"]:
        source["capture"]["rate"] = source["capture"]["rate"] / 2
    worlds = {"small": base, "small, capture rates halved": scenario_from_dict(raw)}
    out: dict[str, object] = {}
    for label, scenario in worlds.items():
        rows: dict[str, list[tuple[int, float, float, float, int]]] = {"2^-J": [], "1": []}
        w, c = time.perf_counter(), time.process_time()
        for seed in range(WORLDS):
            sample = simulate_captures(scenario, seed)
            histories = sample.history_counts()
            patterns = np.array(list(histories), dtype=np.uint8)
            counts = np.array(list(histories.values()), dtype=np.int64)
            for name, delta in (("2^-J", None), ("1", 1.0)):
                r = estimate_dga(patterns, counts, delta=delta, sensitivity=(), seed=seed).result
                rows[name].append((sample.n, r.estimate, r.lower, r.upper, r.n_observed))
        table = {}
        for name, values in rows.items():
            a = np.array(values, dtype=np.float64)
            truth = a[:, 0]
            table[f"delta={name}"] = {
                "coverage_95": float(np.mean((a[:, 2] <= truth) & (truth <= a[:, 3]))),
                "median_relative_error": float(np.median((a[:, 1] - truth) / truth)),
                "median_abs_relative_error": float(np.median(np.abs(a[:, 1] - truth) / truth)),
                "median_interval_width_over_n": float(np.median((a[:, 3] - a[:, 2]) / truth)),
                "observed_share": float(np.mean(a[:, 4] / truth)),
            }
            row = table[f"delta={name}"]
            print(
                f"coverage {label:28s} delta={name:4s}: 95% interval covers N in "
                f"{row['coverage_95']:.0%} of {WORLDS} worlds, median rel. error "
                f"{row['median_relative_error']:+.1%} (|.| {row['median_abs_relative_error']:.1%}),"
                f" width {row['median_interval_width_over_n']:.1%} of N, "
                f"observed {row['observed_share']:.0%}"
            )
        out[label] = {
            "worlds": WORLDS,
            "true_n": int(scenario.population),
            "lists": len(scenario.sources),
            **table,
            "wall_s": time.perf_counter() - w,
            "cpu_s": time.process_time() - c,
        }
    return out


def main() -> None:
    out: dict[str, object] = {
        "baseline": "R dga bma.cr, 5 lists, 822 graphs, Nmissing 1..300: 7-8 ms (issue 5)",
        "target_ms": 20.0,
        "load_average_at_start": os.getloadavg()[0],
        "cases": {},
    }
    cases: dict[str, object] = {}
    for name, delta in CASES:
        patterns, counts, lists = _load(name)
        p = len(lists)
        w, c = time.perf_counter(), time.process_time()
        decomposable_graphs.cache_clear()
        graph_design.cache_clear()
        graph_design(p)
        first = {
            "wall_ms": 1e3 * (time.perf_counter() - w),
            "cpu_ms": 1e3 * (time.process_time() - c),
        }
        kwargs = {"delta": delta, "n_missing_min": 1, "n_missing_max": 300, "seed": 1}
        plain = {**kwargs, "sensitivity": ()}
        cases[name] = {
            "lists": p,
            "graphs": len(decomposable_graphs(p)),
            "n_missing": "1..300",
            "graph_enumeration_first_call": first,
            "posterior": _time(
                lambda pa=patterns, co=counts, d=delta: posterior_weights(pa, co, GRID, delta=d)
            ),
            "estimate_dga": _time(
                lambda pa=patterns, co=counts, kw=plain: estimate_dga(pa, co, **kw)
            ),
            "estimate_dga_default": _time(
                lambda pa=patterns, co=counts, kw=kwargs: estimate_dga(pa, co, **kw)
            ),
        }
        row = cases[name]
        assert isinstance(row, dict)
        print(
            f"{name:20s} {p} lists {row['graphs']:4d} graphs: "
            f"posterior {row['posterior']['wall_ms_median']:6.2f} ms wall "
            f"({row['posterior']['cpu_ms_median']:6.2f} CPU), "
            f"estimate_dga {row['estimate_dga']['wall_ms_median']:6.2f} ms wall "
            f"({row['estimate_dga']['cpu_ms_median']:6.2f} CPU), with sensitivity reruns "
            f"{row['estimate_dga_default']['wall_ms_median']:6.2f} ms wall "
            f"({row['estimate_dga_default']['cpu_ms_median']:6.2f} CPU); "
            f"first-call enumeration {first['wall_ms']:.1f} ms"
        )
    patterns, counts, lists = _load("kosovo_4list")
    est = estimate_dga(patterns, counts, lists=lists, seed=1)
    kosovo = {
        "grid_size": est.result.diagnostics["grid"]["size"],
        "median": est.result.estimate,
        "interval": [est.result.lower, est.result.upper],
        **_time(lambda: estimate_dga(patterns, counts, lists=lists, seed=1), repeats=10),
    }
    cases["kosovo_4list_default_grid"] = kosovo
    print(
        f"kosovo default grid ({kosovo['grid_size']} values of N): "
        f"{kosovo['wall_ms_median']:.1f} ms wall ({kosovo['cpu_ms_median']:.1f} CPU), "
        f"median {kosovo['median']:.0f} {kosovo['interval']}"
    )
    out["cases"] = cases
    out["load_average_before_coverage"] = os.getloadavg()[0]
    out["coverage"] = _coverage()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
