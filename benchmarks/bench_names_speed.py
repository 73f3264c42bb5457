"""Benchmark inquest.text on Arrow arrays: names per second through normalise + key + parse.

Synthetic names only (no real people): given names, family names, titles and father's
names drawn from small vocabularies in Persian and Latin script, with the noise of real
lists (Arabic ي/ك, ZWNJ or space in compounds, bidi marks, digits). Two columns of
1,000,000 names each:

- *realistic*: drawn from 50,000 distinct strings with Zipf-like repetition, as in merged
  victim lists;
- *all unique*: 1,000,000 distinct strings (the worst case: nothing repeats as a whole,
  though words do).

Each column goes through ``parse_names_array`` (display form, titles, particles, father,
given/family, and the key and skeleton of the name) in batches of 100,000. Reports
names/second of wall and CPU time (``time.process_time``; the machine is shared, CPU time
shows contention; one core is used) and writes ``benchmarks/results/names_speed.json``.
Also times ``name_similarity_arrays`` on 200,000 candidate pairs.
"""

from __future__ import annotations

import json
import platform
import random
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from inquest.text.batch import name_similarity_arrays, parse_names_array

RESULTS = Path(__file__).parent / "results" / "names_speed.json"
N = 1_000_000
BATCH = 100_000
SEED = 67

GIVEN_FA = [
    "محمد",
    "علی",
    "حسین",
    "حسن",
    "رضا",
    "مهدی",
    "احمد",
    "محمود",
    "فاطمه",
    "زهرا",
    "مریم",
    "معصومه",
    "زینب",
    "اکبر",
    "اصغر",
    "غلام",
    "جواد",
]
FAMILY_FA = [
    "رضایی",
    "محمدی",
    "حسینی",
    "احمدی",
    "موسوی",
    "کریمی",
    "جعفری",
    "صادقی",
    "حیدری",
    "کاظمی",
    "قاسمی",
    "نوری",
    "یزدی",
    "تهرانی",
]
AFFIX_FA = ["زاده", "پور", "نژاد", "", "", "", ""]
GIVEN_LA = [
    "Mohammad",
    "Ali",
    "Hossein",
    "Hassan",
    "Reza",
    "Mehdi",
    "Ahmad",
    "Mahmoud",
    "Fatemeh",
    "Zahra",
    "Maryam",
    "Masoumeh",
    "Zeinab",
    "Akbar",
    "Gholamreza",
]
FAMILY_LA = [
    "Rezaei",
    "Mohammadi",
    "Hosseini",
    "Ahmadi",
    "Mousavi",
    "Karimi",
    "Jafari",
    "Sadeghi",
    "Heydari",
    "Kazemi",
    "Ghasemi",
    "Nouri",
    "Yazdi",
    "Tehrani",
]
AFFIX_LA = ["zadeh", "-Zadeh", " Pour", "nejad", "", "", "", ""]
TITLES = ["", "", "", "", "سید ", "حاج ", "Seyyed ", "Haj ", "Dr. ", "شهید "]


def synthetic_name(rng: random.Random, serial: int | None) -> str:
    """One synthetic name; ``serial`` makes it unique (a made-up family name stem)."""
    persian = rng.random() < 0.6
    title = rng.choice(TITLES)
    if persian:
        given = rng.choice(GIVEN_FA)
        if rng.random() < 0.2:
            given += "\u200c" + rng.choice(GIVEN_FA)
        family = rng.choice(FAMILY_FA) + rng.choice(AFFIX_FA)
        name = f"{title}{given} {family}"
        if rng.random() < 0.1:
            name = name.replace("ی", "ي").replace("ک", "ك")
        if serial is not None:
            name += " " + "".join(rng.choice("بپتجدرزسشفکگلمن") for _ in range(3)) + "ی"
        if rng.random() < 0.1:
            name += " فرزند " + rng.choice(GIVEN_FA)
        if rng.random() < 0.02:
            name = "\u202b" + name + "\u202c"
    else:
        given = rng.choice(GIVEN_LA)
        family = rng.choice(FAMILY_LA) + rng.choice(AFFIX_LA)
        name = f"{title}{given} {family}"
        if serial is not None:
            name += " " + "".join(
                rng.choice("bdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3)
            )
        if rng.random() < 0.1:
            name = name.upper()
        if rng.random() < 0.05:
            name += f" son of {rng.choice(GIVEN_LA)}"
    if serial is not None:
        name += f" {serial}" if rng.random() < 0.01 else ""
    return name


def column_realistic(rng: random.Random) -> pa.Array:
    distinct = list(dict.fromkeys(synthetic_name(rng, None) for _ in range(200_000)))
    distinct += [synthetic_name(rng, i) for i in range(50_000 - len(distinct))]
    distinct = distinct[:50_000]
    weights = 1.0 / np.arange(1, len(distinct) + 1) ** 0.8
    idx = np.random.default_rng(SEED).choice(len(distinct), size=N, p=weights / weights.sum())
    return pa.array(distinct).take(pa.array(idx))


def column_unique(rng: random.Random) -> pa.Array:
    values = list(dict.fromkeys(synthetic_name(rng, i) for i in range(N)))
    i = N
    while len(values) < N:
        values.append(synthetic_name(rng, i))
        i += 1
    return pa.array(values)


def run(column: pa.Array) -> dict[str, Any]:
    t0, c0 = time.perf_counter(), time.process_time()
    rows = 0
    for start in range(0, len(column), BATCH):
        out = parse_names_array(column.slice(start, BATCH))
        rows += len(out)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "names": rows,
        "distinct": len(column.unique()),
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "names_per_wall_second": round(rows / wall),
        "names_per_cpu_second": round(rows / cpu),
    }


def main() -> None:
    rng = random.Random(SEED)
    parse_names_array(pa.array(["warm up"]))  # load tables, compile nothing else
    results: dict[str, Any] = {"python": platform.python_version(), "batch": BATCH}
    for label, make in (("realistic", column_realistic), ("all_unique", column_unique)):
        column = make(rng)
        r = run(column)
        results[label] = r
        print(
            f"{label:10s} {r['names']:,} names ({r['distinct']:,} distinct): "
            f"{r['names_per_cpu_second']:,.0f} names/cpu-s, {r['names_per_wall_second']:,.0f} "
            f"names/wall-s ({r['cpu_s']} s cpu, {r['wall_s']} s wall)"
        )
    # Pair scoring, as the linkage engine calls it on candidate pairs.
    col = column_realistic(rng)
    a, b = col.slice(0, 200_000), col.slice(200_000, 200_000)
    t0, c0 = time.perf_counter(), time.process_time()
    name_similarity_arrays(a, b)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    results["similarity_pairs"] = {
        "pairs": 200_000,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "pairs_per_cpu_second": round(200_000 / cpu),
    }
    print(
        f"similarity 200,000 pairs: {200_000 / cpu:,.0f} pairs/cpu-s "
        f"({cpu:.1f} s cpu, {wall:.1f} s wall)"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
