"""Benchmark inquest.text.name_similarity: does it rank true name pairs above hard negatives?

Data (``../shared/linkage-reference/``, the DEV half only):

- Persian↔Latin: each row of ``names/fa_latin_fullnames_dev.csv`` and
  ``names/fa_latin_units_dev.csv`` is a positive (a Persian name and a Latin spelling of it).
  Negatives are *hard*: for each distinct Persian string, Latin spellings of OTHER names
  (a different key form) chosen to look alike: (a) one with the same consonant skeleton
  (محمد vs Mahmoud), (b) the one closest by Jaro-Winkler to its own Latin spelling, and for
  full names (c) the same given name with another family name (a swapped surname).
- Latin against Latin (the same files): two different Latin spellings of one Persian
  string are a positive; the first spelling against each hard negative's Latin spelling
  is a negative (two romanised lists linked to each other).
- Latin only (FEBRL, ``febrl/dataset3.csv``): given_name and surname of ``rec-N-org`` vs each
  ``rec-N-dup-k`` are positives (when both are present and differ or not); negatives are the
  same field of another entity, one random and one chosen by Jaro-Winkler to be similar.

Scores: ``name_similarity`` against a baseline, Jaro-Winkler on lower case after a naive
letter-by-letter transliteration of the Persian side. Reported: ROC AUC; precision and
recall at the chosen threshold; the best precision at recall >= 0.90. Writes
``benchmarks/results/names_quality.json``; prints wall and CPU time.
"""

from __future__ import annotations

import csv
import json
import random
import re
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler
from scipy.stats import rankdata

from inquest.text import name_similarity, normalize, skeleton
from inquest.text.phonetic import CARRIER, alphabet
from inquest.text.phonetic import _symbols as symbols

REF = Path(__file__).resolve().parents[1].parent / "shared" / "linkage-reference"
RESULTS = Path(__file__).parent / "results" / "names_quality.json"
THRESHOLD = 0.88  # the threshold recommended to the linkage engine (see docs)
SEED = 1367

NAIVE = str.maketrans(
    {
        "ا": "a", "آ": "a", "ب": "b", "پ": "p", "ت": "t", "ث": "s", "ج": "j", "چ": "ch",
        "ح": "h", "خ": "kh", "د": "d", "ذ": "z", "ر": "r", "ز": "z", "ژ": "zh", "س": "s",
        "ش": "sh", "ص": "s", "ض": "z", "ط": "t", "ظ": "z", "ع": "", "غ": "gh", "ف": "f",
        "ق": "gh", "ک": "k", "گ": "g", "ل": "l", "م": "m", "ن": "n", "و": "o", "ه": "h",
        "ی": "i", "ء": "", "ئ": "i", "ؤ": "o", "أ": "a", "إ": "e", "ة": "h",
    }
)  # fmt: skip


def baseline(a: str, b: str) -> float:
    """Jaro-Winkler on lower case after naive letter-by-letter transliteration."""
    return float(JaroWinkler.similarity(a.translate(NAIVE).lower(), b.translate(NAIVE).lower()))


def roc_auc(y: np.ndarray, s: np.ndarray) -> float:
    """ROC AUC as the Mann-Whitney statistic (ties count half)."""
    ranks = rankdata(s)
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    return float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def at_threshold(y: np.ndarray, s: np.ndarray, t: float) -> dict[str, float]:
    pred = s >= t
    tp = int((pred & (y == 1)).sum())
    fp = int((pred & (y == 0)).sum())
    fn = int((~pred & (y == 1)).sum())
    return {
        "threshold": t,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
    }


def best_precision_at_recall(y: np.ndarray, s: np.ndarray, recall: float) -> dict[str, float]:
    """The highest threshold whose recall is >= ``recall``, with its precision."""
    pos = np.sort(s[y == 1])[::-1]
    k = int(np.ceil(recall * len(pos))) - 1
    t = float(pos[k])
    return at_threshold(y, s, t)


def metrics(y: np.ndarray, s: np.ndarray, threshold: float) -> dict[str, object]:
    return {
        "roc_auc": round(roc_auc(y, s), 4),
        "at_threshold": {k: round(v, 4) for k, v in at_threshold(y, s, threshold).items()},
        "at_recall_0.90": {k: round(v, 4) for k, v in best_precision_at_recall(y, s, 0.90).items()},
    }


def read_pairs(name: str) -> list[tuple[str, str]]:
    with (REF / "names" / name).open(encoding="utf-8", newline="") as fh:
        return [(r["persian"], r["latin"]) for r in csv.DictReader(fh)]


def fold(s: str) -> str:
    """Key form without spaces, letters of one sound class folded, vowel carriers dropped.

    Two Persian strings with the same fold are written alike in any Latin spelling
    (سرمد/صرمد, حاتفی/هاتفی, انوشیروان/نوشیروان): no Latin spelling can tell them apart,
    so one is never used as a negative for the other.
    """
    ab = alphabet()
    out = []
    for word in normalize(s, "key").split():
        out.extend(f"{x.cls}{x.vowel}" for x in symbols(word, ab) if x.kind != CARRIER)
    return "".join(out)


def hard_negatives(
    pairs: list[tuple[str, str]], rng: random.Random, swapped: bool
) -> list[tuple[str, str, str]]:
    """(persian, latin, kind) pairs of different names that look alike."""
    latin_of: dict[str, list[str]] = defaultdict(list)
    for p, la in pairs:
        latin_of[p].append(la)
    persians = sorted(latin_of)
    keys = {p: fold(p) for p in persians}
    by_skel: dict[str, list[str]] = defaultdict(list)
    for p in persians:
        by_skel[skeleton(p)].append(p)
    all_latin = [(p, la) for p in persians for la in latin_of[p]]
    latin_choices = [la.lower() for _, la in all_latin]
    by_given: dict[str, list[str]] = defaultdict(list)
    for p in persians:
        words = p.split()
        if len(words) >= 2:
            by_given[words[0]].append(p)
    out: list[tuple[str, str, str]] = []
    for p in persians:
        own = latin_of[p][0]
        # (a) same skeleton, different name
        others = [q for q in by_skel[skeleton(p)] if keys[q] != keys[p]]
        if others:
            q = rng.choice(others)
            out.append((p, rng.choice(latin_of[q]), "same-skeleton"))
        # (b) closest other Latin spelling by Jaro-Winkler
        hits = process.extract(own.lower(), latin_choices, scorer=JaroWinkler.similarity, limit=12)
        for _, _, idx in hits:
            q, la = all_latin[idx]
            if keys[q] != keys[p] and fold(la) not in {fold(x) for x in latin_of[p]}:
                out.append((p, la, "near-spelling"))
                break
        # (c) same given name, another family name
        if swapped:
            words = p.split()
            if len(words) >= 2:
                cands = [
                    q
                    for q in by_given[words[0]]
                    if keys[q] != keys[p] and q.split()[-1] != words[-1]
                ]
                if cands:
                    q = rng.choice(cands)
                    out.append((p, rng.choice(latin_of[q]), "swapped-surname"))
    return out


def evaluate(
    label: str,
    pos: list[tuple[str, str]],
    neg: list[tuple[str, str, str]],
    ours: Callable[[str, str], float],
) -> dict[str, object]:
    y = np.array([1] * len(pos) + [0] * len(neg))
    pairs = [(a, b) for a, b in pos] + [(a, b) for a, b, _ in neg]
    t0, c0 = time.perf_counter(), time.process_time()
    s_ours = np.array([ours(a, b) for a, b in pairs])
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    s_base = np.array([baseline(a, b) for a, b in pairs])
    kinds: dict[str, int] = defaultdict(int)
    for *_, k in neg:
        kinds[k] += 1
    result = {
        "positives": len(pos),
        "negatives": len(neg),
        "negative_kinds": dict(kinds),
        "ours": metrics(y, s_ours, THRESHOLD),
        "baseline_jaro_winkler": metrics(y, s_base, best_baseline_threshold(y, s_base)),
        "scoring_wall_s": round(wall, 2),
        "scoring_cpu_s": round(cpu, 2),
        "pairs_per_cpu_second": round(len(pairs) / max(cpu, 1e-9)),
    }
    o, b = result["ours"], result["baseline_jaro_winkler"]
    assert isinstance(o, dict) and isinstance(b, dict)
    print(
        f"{label:40s} n+={len(pos):5d} n-={len(neg):5d}  AUC ours {o['roc_auc']:.4f} "
        f"base {b['roc_auc']:.4f} | @t={THRESHOLD}: P {o['at_threshold']['precision']:.3f} "
        f"R {o['at_threshold']['recall']:.3f} | @R>=.90: P ours "
        f"{o['at_recall_0.90']['precision']:.3f} base {b['at_recall_0.90']['precision']:.3f}"
        f"  ({wall:.1f}s wall, {cpu:.1f}s cpu)"
    )
    return result


def best_baseline_threshold(y: np.ndarray, s: np.ndarray) -> float:
    """The baseline's own best F1 threshold (so it is not judged at our threshold)."""
    best_t, best_f = 0.5, -1.0
    for t in np.linspace(0.5, 1.0, 51):
        r = at_threshold(y, s, float(t))
        p, rc = r["precision"], r["recall"]
        f = 2 * p * rc / (p + rc) if p + rc else 0.0
        if f > best_f:
            best_t, best_f = float(t), f
    return round(best_t, 2)


def febrl(
    rng: random.Random,
) -> dict[str, tuple[list[tuple[str, str]], list[tuple[str, str, str]]]]:
    path = REF / "febrl" / "dataset3.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, skipinitialspace=True)
        rows = [{k.strip(): (v or "").strip() for k, v in r.items()} for r in reader]
    ent = [re.match(r"rec-(\d+)-", r["rec_id"]).group(1) for r in rows]  # type: ignore[union-attr]
    out = {}
    for field in ("given_name", "surname"):
        org = {e: r[field] for e, r in zip(ent, rows, strict=True) if r["rec_id"].endswith("-org")}
        pos = [
            (org[e], r[field])
            for e, r in zip(ent, rows, strict=True)
            if "-dup-" in r["rec_id"] and r[field] and org.get(e)
        ]
        values = sorted({v for v in org.values() if v})
        neg: list[tuple[str, str, str]] = []
        for a, _ in pos:
            b = rng.choice(values)
            if b != a:
                neg.append((a, b, "random"))
            for cand, _, _ in process.extract(a, values, scorer=JaroWinkler.similarity, limit=3):
                if cand != a:
                    neg.append((a, cand, "near-spelling"))
                    break
        out[field] = (pos, neg)
    return out


def febrl_eval(
    label: str, pos: list[tuple[str, str]], neg: list[tuple[str, str, str]]
) -> dict[str, object]:
    y = np.array([1] * len(pos) + [0] * len(neg))
    pairs = [(a, b) for a, b in pos] + [(a, b) for a, b, _ in neg]
    s_ours = np.array([name_similarity(a, b) for a, b in pairs])
    s_jw = np.array([JaroWinkler.similarity(a.lower(), b.lower()) for a, b in pairs])
    res = {
        "positives": len(pos),
        "negatives": len(neg),
        "ours": metrics(y, s_ours, THRESHOLD),
        "jaro_winkler": metrics(y, s_jw, best_baseline_threshold(y, s_jw)),
    }
    o, j = res["ours"], res["jaro_winkler"]
    assert isinstance(o, dict) and isinstance(j, dict)
    print(
        f"{label:40s} n+={len(pos):5d} n-={len(neg):5d}  AUC ours {o['roc_auc']:.4f} "
        f"JW {j['roc_auc']:.4f} | @R>=.90: P ours {o['at_recall_0.90']['precision']:.3f} "
        f"JW {j['at_recall_0.90']['precision']:.3f}"
    )
    return res


def romanised_similarity(a: str, b: str) -> float:
    """``name_similarity`` with the sound rules also for two Latin words."""
    return name_similarity(a, b, romanised=True)


def latin_variants(
    pairs: list[tuple[str, str]], neg: list[tuple[str, str, str]]
) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """Latin against Latin: two spellings of one Persian name vs a hard negative's spelling."""
    latin_of: dict[str, list[str]] = defaultdict(list)
    for p, la in pairs:
        if la not in latin_of[p]:
            latin_of[p].append(la)
    pos = [(ls[0], ls[1]) for ls in latin_of.values() if len(ls) >= 2]
    lneg = [(latin_of[p][0], la, kind) for p, la, kind in neg]
    return pos, lneg


def main() -> None:
    rng = random.Random(SEED)
    t0, c0 = time.perf_counter(), time.process_time()
    results: dict[str, object] = {"threshold": THRESHOLD, "seed": SEED}
    for label, name, swapped in (
        ("fa-latin full names", "fa_latin_fullnames_dev.csv", True),
        ("fa-latin units", "fa_latin_units_dev.csv", False),
    ):
        pos = read_pairs(name)
        neg = hard_negatives(pos, rng, swapped)
        results[label] = evaluate(label, pos, neg, name_similarity)
        lpos, lneg = latin_variants(pos, neg)
        results[f"{label}, Latin vs Latin"] = evaluate(
            f"{label}, Latin vs Latin", lpos, lneg, name_similarity
        )
        results[f"{label}, Latin vs Latin, romanised=True"] = evaluate(
            f"{label}, Latin vs Latin, romanised", lpos, lneg, romanised_similarity
        )
    for field, (pos, neg) in febrl(rng).items():
        results[f"febrl3 {field}"] = febrl_eval(f"febrl3 {field} (Latin only)", pos, neg)
    results["total_wall_s"] = round(time.perf_counter() - t0, 1)
    results["total_cpu_s"] = round(time.process_time() - c0, 1)
    print(f"total {results['total_wall_s']} s wall, {results['total_cpu_s']} s cpu")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
