"""How well could any linker do? The ceiling on pairwise F1 for a simulated world.

A true pair of records (same person) is *unresolvable* when another person with the same true
name has a record, in the list of one end of the pair, that agrees with the other end on every
field the two records carry: no evidence in either record can tell the two people apart.
Values are taken as clean as they can be: true names, fathers and places from the world's
population table (no typos, no transliteration), dates as the records state them (their
precision; an age is a birth year give or take one). So the bound is generous: real records
only add confusion.

Two versions of "another person's record":
- ``record``: one record of the other person, on its own (what a pairwise comparison sees);
- ``cluster``: everything any list says of the other person (an oracle that has already
  linked everyone else perfectly).
- ``exclusive``: as ``cluster``, and the oracle also knows that a list seldom names one person
  twice. Giving the pair's end to the other person must not make that person appear twice in
  the end's list (when it would, a linker that knows the lists' duplicate rate tells them
  apart more often than not). Of the three this counts the fewest pairs as unresolvable: its
  ceiling is the highest, and the one a target should be held against.

For each, an oracle links every resolvable pair and, for a pair with k indistinguishable other
people, either guesses among the k + 1 candidates (right 1/(k+1) of the time, a false pair
otherwise) or leaves it unlinked. The ceiling on pairwise F1 is its best policy: guess up to
some k (F1 is a ratio of sums, so the best policy is a threshold on k); ``f1_if_abstaining``
and ``f1_if_guessing`` are the two extremes.

``--link`` also links the world with inquest in the same run and reports its precision,
recall and F1 per pair of lists beside the ceiling.

Run: ``python benchmarks/linkage_ceiling.py [--preset default] [--seed 1] [--link]``.
Writes ``benchmarks/results/linkage_ceiling.json``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from inquest.dates import parse_age, parse_date
from inquest.errors import InquestError

OUT = Path(__file__).resolve().parent / "results" / "linkage_ceiling.json"
PLACES = ("birth_place", "residence", "prison", "burial_place")
Interval = tuple[int, int]


def _interval(text: Any) -> Interval | None:
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        d = parse_date(text)
    except InquestError:
        return None
    if d.earliest is None or d.latest is None:
        return None
    return d.earliest.toordinal(), d.latest.toordinal()


def _birth(row: dict[str, Any], death: Interval | None) -> Interval | None:
    """The record's birth interval: its birth date, else its age before the death date."""
    stated = _interval(row.get("birth_date"))
    if stated is not None:
        return stated
    age_text = row.get("age")
    if not isinstance(age_text, str) or not age_text.strip():
        return None
    try:
        age = parse_age(age_text)
    except InquestError:
        return None
    if age.minimum is None or age.maximum is None:
        return None
    lo, hi = death or (_interval("1988") or (0, 0))
    return lo - int((age.maximum + 1) * 365.25), hi - int(age.minimum * 365.25)


def father_markers(world: Path) -> dict[str, list[str]]:
    """Per list, the markers («ولد», "son of") after which it writes a father inside a name."""
    scenario = json.loads((world / "scenario.json").read_text(encoding="utf-8"))["scenario"]
    out: dict[str, list[str]] = {}
    for source in scenario["sources"]:
        spec = source["recording"].get("father_in_name", {"markers": []})
        forms: list[str] = []
        for m in spec["markers"]:
            forms.extend([m] if isinstance(m, str) else [m["male"], m["female"]])
        out[source["name"]] = [f" {m} " for m in forms]
    return out


def _carries_father(row: dict[str, Any], markers: list[str]) -> bool:
    if isinstance(row.get("father_name"), str):
        return True
    name = row.get("full_name")
    return isinstance(name, str) and any(m in name for m in markers)


def load(world: Path) -> pd.DataFrame:
    """Every record with its person and the clean features it carries (None: not recorded).

    A father written inside a full name after one of its list's markers counts as carried.
    """
    population = pd.read_csv(world / "population.csv", dtype=str).set_index("person_id")
    markers = father_markers(world)
    truth = pd.read_csv(world / "truth.csv", dtype=str)
    frames = []
    for path in sorted((world / "lists").glob("*.csv")):
        frame = pd.read_csv(path, dtype=str)
        frame["list"] = path.stem
        frames.append(frame)
    records = pd.concat(frames, ignore_index=True).merge(truth, on=["list", "record_id"])
    person = population.loc[records["person_id"]].reset_index(drop=True)
    rows = records.to_dict("records")
    out: dict[str, list[Any]] = defaultdict(list)
    for row, (_, p) in zip(rows, person.iterrows(), strict=True):
        death = _interval(row.get("death_date"))
        out["list"].append(row["list"])
        out["person_id"].append(row["person_id"])
        out["name"].append(f"{p['given_name']}|{p['family_name']}")
        out["death"].append(death)
        out["birth"].append(_birth(row, death))
        out["father_name"].append(
            p["father_name"] if _carries_father(row, markers[row["list"]]) else None
        )
        out["sex"].append(p["sex"] if isinstance(row.get("sex"), str) else None)
        for place in PLACES:
            out[place].append(p[place] if isinstance(row.get(place), str) else None)
    frame = pd.DataFrame(out).astype(object)
    return frame.where(frame.notna(), None)


FIELDS = ("death", "birth", "father_name", "sex", *PLACES)
VERSIONS = ("record", "cluster", "exclusive")


def compatible(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """No field that both carry tells them apart (dates: the intervals overlap)."""
    for f in FIELDS:
        x, y = a[f], b[f]
        if x is None or y is None:
            continue
        if f in ("death", "birth"):
            if x[1] < y[0] or y[1] < x[0]:
                return False
        elif x != y:
            return False
    return True


def union(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """What all of a person's records say: the narrowest interval, any stated value."""
    merged: dict[str, Any] = {}
    for f in FIELDS:
        values = [r[f] for r in rows if r[f] is not None]
        if not values:
            merged[f] = None
        elif f in ("death", "birth"):
            merged[f] = min(values, key=lambda iv: iv[1] - iv[0])
        else:
            merged[f] = values[0]
    return merged


def _pair_key(a: str, b: str) -> str:
    return "~".join(sorted((a, b)))


def unresolvable(records: pd.DataFrame) -> dict[str, Any]:
    """Per true pair: how many other people each version finds indistinguishable."""
    totals: Counter[str] = Counter()
    counts: dict[str, Counter[str]] = {v: Counter() for v in VERSIONS}
    # per version: how many true pairs have k indistinguishable other people (k >= 1)
    confusers: dict[str, Counter[int]] = {v: Counter() for v in VERSIONS}
    for _, group in records.groupby("name", sort=False):
        rows = group.to_dict("records")
        people: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            people[row["person_id"]].append(row)
        lists_of = {q: {r["list"] for r in rs} for q, rs in people.items()}
        merged = {q: union(rs) for q, rs in people.items()} if len(people) > 1 else {}
        for pid, own in people.items():
            others = [q for q in people if q != pid]
            for a, b in itertools.combinations(own, 2):
                key = _pair_key(a["list"], b["list"])
                totals[key] += 1
                by_record = {
                    q
                    for q in others
                    for r in people[q]
                    if (r["list"] == b["list"] and compatible(a, r))
                    or (r["list"] == a["list"] and compatible(b, r))
                }
                by_cluster = {
                    q
                    for q in others
                    if (b["list"] in lists_of[q] and compatible(a, merged[q]))
                    or (a["list"] in lists_of[q] and compatible(b, merged[q]))
                }
                # a goes to q (beside q's record in b's list) only if q has none in a's list
                by_exclusive = {
                    q
                    for q in by_cluster
                    if (
                        b["list"] in lists_of[q]
                        and a["list"] not in lists_of[q]
                        and compatible(a, merged[q])
                    )
                    or (
                        a["list"] in lists_of[q]
                        and b["list"] not in lists_of[q]
                        and compatible(b, merged[q])
                    )
                }
                found_by = {"record": by_record, "cluster": by_cluster, "exclusive": by_exclusive}
                for version, found in found_by.items():
                    k = len(found)
                    if k:
                        counts[version][key] += 1
                        confusers[version][k] += 1
    n = sum(totals.values())
    result: dict[str, Any] = {"true_pairs": n, "by_list_pair": {}}
    for version in counts:
        # F1 when guessing up to k = 0 (abstaining on every unresolvable pair), 1, 2, ...
        policies = [
            best_f1(n, confusers[version], t) for t in range(max(confusers[version], default=0) + 1)
        ]
        result[version] = {
            "unresolvable_share": round(sum(counts[version].values()) / n, 4),
            "f1_if_abstaining": round(policies[0], 4),
            "f1_if_guessing": round(policies[-1], 4),
            "f1_ceiling": round(max(policies), 4),
        }
    for key in sorted(totals):
        result["by_list_pair"][key] = {
            "true_pairs": totals[key],
            **{f"unresolvable_{v}": round(counts[v][key] / totals[key], 4) for v in VERSIONS},
        }
    return result


def best_f1(n: int, confusers: Counter[int], guess_up_to: int) -> float:
    """Pairwise F1 of an oracle that links every resolvable true pair, guesses among the
    k + 1 candidates of a pair with k <= ``guess_up_to`` indistinguishable other people
    (right 1/(k+1) of the time, a false pair otherwise) and leaves the rest unlinked.

    F1 is a ratio of sums over the pairs, so the best policy links pairs in order of their
    chance of being right: some threshold on k, the ceiling is the best of them (0: abstain).
    """
    tp = float(n - sum(confusers.values()))
    fp = 0.0
    for k, pairs in confusers.items():
        if k <= guess_up_to:
            tp += pairs / (k + 1)
            fp += pairs * k / (k + 1)
    return 2 * tp / (tp + fp + n) if n else 0.0


def linked(world: Path) -> dict[str, Any]:
    """Link the world with inquest; precision, recall and F1 per pair of lists."""
    from inquest.io import read_lists
    from inquest.linkage.pipeline import link_records

    t = time.perf_counter()
    table = read_lists(sorted((world / "lists").glob("*.csv")))
    result = link_records(table)
    wall = time.perf_counter() - t
    frame = table.select(["list", "record_id"]).to_pandas()
    frame["cluster"] = np.asarray(result.clustering.labels)
    truth = pd.read_csv(world / "truth.csv", dtype=str)
    frame = frame.merge(truth, on=["list", "record_id"])

    def pairs(column: str) -> set[tuple[int, int]]:
        found: set[tuple[int, int]] = set()
        for idx in frame.groupby(column).indices.values():
            found.update(itertools.combinations(sorted(idx.tolist()), 2))
        return found

    true, predicted = pairs("person_id"), pairs("cluster")
    lists = frame["list"].to_numpy()

    def by_key(ps: set[tuple[int, int]]) -> Counter[str]:
        return Counter(_pair_key(lists[a], lists[b]) for a, b in ps)

    t_n, p_n, tp_n = by_key(true), by_key(predicted), by_key(true & predicted)
    out: dict[str, Any] = {"wall_s": round(wall, 1)}
    for key in ["all", *sorted(t_n)]:
        tt = sum(t_n.values()) if key == "all" else t_n[key]
        pp = sum(p_n.values()) if key == "all" else p_n[key]
        hit = sum(tp_n.values()) if key == "all" else tp_n[key]
        precision, recall = hit / max(pp, 1), hit / max(tt, 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-12)
        out[key] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
        }
    return out


def simulate_world(preset: str, seed: int, out: Path) -> Path:
    """Simulate ``preset`` with ``seed`` into ``out`` (as ``inquest simulate`` writes it)."""
    from inquest.simulate import load_scenario, simulate, write_world

    write_world(simulate(load_scenario(preset), seed), out)
    return out


def ceiling(world: Path) -> dict[str, Any]:
    """The world's records, its unresolvable pairs and ceilings per version (see above)."""
    t = time.perf_counter()
    records = load(world)
    return {
        "records": len(records),
        **unresolvable(records),
        "analysis_wall_s": round(time.perf_counter() - t, 1),
    }


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="default")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--world", type=Path, default=None, help="an existing world folder")
    parser.add_argument("--link", action="store_true", help="also link it with inquest")
    args = parser.parse_args(argv)
    world = args.world
    if world is None:
        world = simulate_world(
            args.preset, args.seed, Path(tempfile.mkdtemp(prefix="inquest-ceiling-"))
        )
    row: dict[str, Any] = {
        "world": str(args.world) if args.world else f"{args.preset} seed {args.seed}",
        **ceiling(world),
    }
    if args.link:
        row["inquest"] = linked(world)
    print(json.dumps(row, indent=2))
    results = json.loads(OUT.read_text()) if OUT.exists() else {}
    results[row["world"]] = row
    OUT.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main(sys.argv[1:])
