"""Benchmark inquest.dates: dates parsed per second, one by one and as a column.

Synthetic date strings in the formats of the case's lists (Jalali numeric in ASCII and
Persian digits, month names, years, circa, Gregorian ISO). Three runs:

- ``parse_date`` one row at a time (the baseline: no reuse of repeated values);
- ``parse_dates_array`` on a realistic column (1,000,000 rows drawn from 20,000 distinct
  strings with Zipf-like repetition, as in merged victim lists);
- ``parse_dates_array`` on all-unique strings (the worst case: nothing repeats).

Prints wall and CPU time (the machine is shared; CPU time shows contention) and writes
``benchmarks/results/dates.json``.
"""

from __future__ import annotations

import json
import platform
import random
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from inquest.dates import parse_date, parse_dates_array
from inquest.dates._array import _row

RESULTS = Path(__file__).parent / "results" / "dates.json"
MONTHS_LA = ["Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
             "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand"]  # fmt: skip
MONTHS_FA = ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
             "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"]  # fmt: skip
FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def synthetic_date(rng: random.Random) -> str:
    """One synthetic date string in a format seen in victim lists."""
    y, m, d = rng.randint(1300, 1367), rng.randint(1, 12), rng.randint(1, 28)
    style = rng.randrange(9)
    if style == 0:
        return f"{y}/{m}/{d}"
    if style == 1:
        return f"{y % 100:02d}/{m}/{d}".translate(FA_DIGITS)
    if style == 2:
        return f"{d} {MONTHS_LA[m - 1]} {y}"
    if style == 3:
        return f"{MONTHS_FA[m - 1]} {y}".translate(FA_DIGITS)
    if style == 4:
        return f"{y}".translate(FA_DIGITS)
    if style == 5:
        return f"حدود {y}".translate(FA_DIGITS)
    if style == 6:
        return f"{1921 + (y - 1300)}-{m:02d}-{d:02d}"
    if style == 7:
        return f"{y}-{m:02d}-{d:02d}"
    return f"c. {1921 + (y - 1300)}"


def timed(fn: object, *args: object) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn(*args)  # type: ignore[operator]
    return time.perf_counter() - wall, time.process_time() - cpu


def distinct(rng: random.Random, n: int) -> list[str]:
    seen: dict[str, None] = {}
    while len(seen) < n:
        seen[synthetic_date(rng)] = None
    return list(seen)


def main() -> None:
    rng = random.Random(1367)
    pool = distinct(rng, 20_000)
    weights = 1.0 / np.arange(1, len(pool) + 1) ** 0.8
    picks = np.random.default_rng(1367).choice(len(pool), 1_000_000, p=weights / weights.sum())
    column = pa.array([pool[i] for i in picks], type=pa.string())
    unique = pa.array(distinct(random.Random(88), 100_000), type=pa.string())
    baseline_rows = [pool[i] for i in picks[:20_000]]

    def one_by_one() -> None:
        for text in baseline_rows:
            parse_date(text)

    parse_date("1367")  # load the vocabulary outside the timings
    figures: dict[str, dict[str, float]] = {}
    wall, cpu = timed(one_by_one)
    figures["parse_date_row_by_row"] = {"rows": len(baseline_rows), "wall_s": wall, "cpu_s": cpu}
    _row.cache_clear()
    wall, cpu = timed(parse_dates_array, column)
    figures["array_realistic_cold"] = {"rows": len(column), "distinct": len(pool),
                                       "wall_s": wall, "cpu_s": cpu}  # fmt: skip
    wall, cpu = timed(parse_dates_array, column)
    figures["array_realistic_warm"] = {"rows": len(column), "distinct": len(pool),
                                       "wall_s": wall, "cpu_s": cpu}  # fmt: skip
    _row.cache_clear()
    wall, cpu = timed(parse_dates_array, unique)
    figures["array_all_unique"] = {"rows": len(unique), "distinct": len(unique),
                                   "wall_s": wall, "cpu_s": cpu}  # fmt: skip
    for name, f in figures.items():
        f["rows_per_s_wall"] = f["rows"] / f["wall_s"]
        f["rows_per_s_cpu"] = f["rows"] / f["cpu_s"] if f["cpu_s"] else float("inf")
        print(
            f"{name:26} {int(f['rows']):>9,} rows  wall {f['wall_s']:7.2f}s  cpu {f['cpu_s']:7.2f}s"
            f"  {f['rows_per_s_wall']:>12,.0f} rows/s (wall)  {f['rows_per_s_cpu']:>12,.0f} (cpu)"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    meta = {"python": platform.python_version(), "machine": platform.machine(),
            "cpus": __import__("os").cpu_count()}  # fmt: skip
    RESULTS.write_text(json.dumps({"benchmark": "dates", "meta": meta, "figures": figures},
                                  indent=2) + "\n")  # fmt: skip
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
