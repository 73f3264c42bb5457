"""inquest.simulate speed: synthetic worlds (every person synthetic) and their lists.

Target (issue 3): 1,000,000 people and their lists in under 2 minutes on this machine.

For each preset (small 2,000, default 20,000, large 1,000,000 people; four lists each), the
wall and CPU time (``time.process_time``; 2 cores shared with other engineers, so wall > CPU
shows contention) of:
- ``simulate``: draw the people, the captures and render every list in memory;
- ``write``: write the lists, truth, population (CSV) and scenario.json;
- ``total``: both, the figure the 2-minute target is about.
A first tiny call is timed apart (one-time imports). Also the name-free
path for coverage studies: ``simulate_captures`` for 100 worlds of the small and default
presets. Baseline in the same run: a pure-Python loop drawing one default world's captures
person by person (what the vectorised path replaces; simpler, no calibration).
"""

from __future__ import annotations

import json
import math
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inquest.simulate import load_scenario, simulate, simulate_captures, write_world

HERE = Path(__file__).parent
RESULTS = HERE / "results" / "simulate.json"


def _timed(fn: Callable[[], Any]) -> tuple[Any, dict[str, float]]:
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, {
        "wall_s": round(time.perf_counter() - w0, 3),
        "cpu_s": round(time.process_time() - c0, 3),
    }


def _python_loop_captures(n: int, rates: list[float], seed: int) -> int:
    """Baseline: one person at a time in plain Python (visibility-driven logistic captures)."""
    rng = random.Random(seed)
    seen = 0
    for _ in range(n):
        v = rng.gauss(0.0, 1.0)
        hit = False
        for r in rates:
            a = math.log(r / (1 - r))
            hit |= rng.random() < 1 / (1 + math.exp(-(a + v)))
        seen += hit
    return seen


def main(argv: list[str]) -> int:
    presets = argv or ["small", "default", "large"]
    results: dict[str, Any] = {"presets": {}, "machine": "2 cores, shared"}
    # First call pays one-time imports (pyarrow's pandas shim) and table loading.
    _, t_first = _timed(lambda: simulate(load_scenario("small").with_population(10), 0))
    results["first_call_10_people"] = t_first
    print(f"first call (10 people, imports): {t_first['wall_s']:.2f} s wall", flush=True)
    for name in presets:
        scenario = load_scenario(name)
        world, t_sim = _timed(lambda s=scenario: simulate(s, 1988))
        with tempfile.TemporaryDirectory() as tmp:
            written, t_write = _timed(lambda w=world, d=tmp: write_world(w, d))
            size = sum(p.stat().st_size for p in written)
        records = sum(t.num_rows for t in world.lists.values())
        total = {k: round(t_sim[k] + t_write[k], 3) for k in t_sim}
        results["presets"][name] = {
            "people": scenario.population,
            "lists": len(world.lists),
            "records": records,
            "observed_union": world.observed,
            "bytes_written": size,
            "simulate": t_sim,
            "write": t_write,
            "total": total,
        }
        print(
            f"{name:>8}: {scenario.population:>9,} people, {records:>9,} records; "
            f"simulate {t_sim['wall_s']:.2f} s wall / {t_sim['cpu_s']:.2f} s CPU, "
            f"write {t_write['wall_s']:.2f} / {t_write['cpu_s']:.2f}, "
            f"total {total['wall_s']:.2f} / {total['cpu_s']:.2f}",
            flush=True,
        )
        del world
    if "large" in results["presets"]:
        wall = results["presets"]["large"]["total"]["wall_s"]
        results["target_1m_under_120s"] = wall < 120
        print(f"1,000,000 people and lists in {wall:.1f} s (target < 120 s): {wall < 120}")

    coverage: dict[str, Any] = {}
    for name in ("small", "default"):
        scenario = load_scenario(name)
        _, t = _timed(lambda s=scenario: [simulate_captures(s, k) for k in range(100)])
        coverage[name] = {"worlds": 100, "people_each": scenario.population, **t}
        print(f"simulate_captures x100 ({name}): {t['wall_s']:.2f} s wall / {t['cpu_s']:.2f} s CPU")
    default = load_scenario("default")
    rates = [s.capture.rate for s in default.sources]
    _, t_loop = _timed(lambda: _python_loop_captures(default.population, rates, 1))
    _, t_vec = _timed(lambda: simulate_captures(default, 1))
    coverage["baseline_python_loop_default_one_world"] = t_loop
    coverage["vectorised_default_one_world"] = t_vec
    print(
        f"one default world's captures: Python loop {t_loop['wall_s']:.3f} s, "
        f"simulate_captures {t_vec['wall_s']:.3f} s"
    )
    results["captures"] = coverage
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
