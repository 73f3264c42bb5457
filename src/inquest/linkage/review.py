"""Clerical review: export uncertain pairs with their evidence, import decisions.

Decisions are kept by ``(list, record_id)`` on both sides, in a decisions file that only grows:
a decision is never dropped because the lists changed, it is just not applied (and reported)
while one of its records is absent. A "match" becomes a must-link and a label 1, a
"non-match" a cannot-link and a label 0, "unsure" stays for the record only.
"""

from __future__ import annotations

import csv
import enum
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from inquest.errors import InputError, InputErrors, InputProblem
from inquest.io.cells import restore, write_csv
from inquest.private import private_file

__all__ = [
    "DECISION_COLUMNS",
    "Decision",
    "Judgement",
    "ReviewBand",
    "ReviewCandidate",
    "ReviewReason",
    "Waterfall",
    "WaterfallStep",
    "apply_decisions",
    "export_review",
    "merge_decisions",
    "pair_waterfall",
    "read_decisions",
    "review_pairs",
    "review_queue",
    "waterfall",
    "write_decisions",
]

DECISION_COLUMNS = (
    "list_l",
    "record_id_l",
    "list_r",
    "record_id_r",
    "decision",
    "reviewer",
    "decided_at",
    "note",
)


class Judgement(enum.StrEnum):
    """A reviewer's decision on a pair."""

    MATCH = "match"
    NON_MATCH = "non-match"
    UNSURE = "unsure"


_SPELLINGS = {
    "match": Judgement.MATCH,
    "m": Judgement.MATCH,
    "yes": Judgement.MATCH,
    "1": Judgement.MATCH,
    "non-match": Judgement.NON_MATCH,
    "non_match": Judgement.NON_MATCH,
    "nonmatch": Judgement.NON_MATCH,
    "no": Judgement.NON_MATCH,
    "n": Judgement.NON_MATCH,
    "0": Judgement.NON_MATCH,
    "unsure": Judgement.UNSURE,
    "u": Judgement.UNSURE,
    "?": Judgement.UNSURE,
}


@dataclass(frozen=True)
class Decision:
    """One decision on one pair of records, keyed by list and record id."""

    left: tuple[str, str]
    right: tuple[str, str]
    judgement: Judgement
    reviewer: str = ""
    decided_at: str = ""
    note: str = ""

    @property
    def key(self) -> tuple[tuple[str, str], tuple[str, str]]:
        """The unordered pair as a sorted tuple."""
        a, b = sorted((self.left, self.right))
        return (a, b)


def _level_labels(model_json: dict[str, Any]) -> dict[str, dict[int, tuple[str, float]]]:
    """Per comparison, gamma value -> (label, match weight)."""
    out: dict[str, dict[int, tuple[str, float]]] = {}
    for comp in model_json["comparisons"]:
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        table: dict[int, tuple[str, float]] = {}
        for i, lv in enumerate(levels):
            m, u = lv.get("m_probability"), lv.get("u_probability")
            w = math.log2(m / u) if m and u else 0.0
            table[len(levels) - 1 - i] = (str(lv.get("label_for_charts", "")), w)
        out[comp["output_column_name"]] = table
    return out


@dataclass(frozen=True)
class ReviewBand:
    """The match probabilities a person should look at: ``low <= p < high``."""

    low: float = 0.05
    high: float = 0.5

    def holds(self, probability: float) -> bool:
        """True if ``probability`` lies in the band."""
        return self.low <= probability < self.high


class ReviewReason(enum.StrEnum):
    """Why a pair is in the review queue."""

    BAND = "band"
    """Its match probability lies in the review band."""
    CLUSTER = "cluster"
    """It is the strongest pair that holds a record in its person, whose confidence in that
    record is below the band's top."""


@dataclass(frozen=True)
class ReviewCandidate:
    """One pair to review: its two record ids (``left < right``), the run's scores, why."""

    left: int | str
    right: int | str
    probability: float
    match_weight: float
    reason: ReviewReason


def review_queue(
    predictions: pa.Table, clusters: pa.Table, band: ReviewBand
) -> list[ReviewCandidate]:
    """The pairs of a run to review: those in ``band``, and for every record held in its
    person (``clusters``: record_id, person_id, confidence, cluster_size) with a confidence
    below the band's top, its strongest pair inside that person.

    Record ids are compared as the tables hold them (the same type in both); each pair once,
    lower id first, in the order of ``predictions``.
    """
    scores: dict[tuple[Any, Any], tuple[float, float]] = {}
    for r in predictions.select(
        ["record_id_l", "record_id_r", "match_probability", "match_weight"]
    ).to_pylist():
        a, b = sorted((r["record_id_l"], r["record_id_r"]))
        scores[(a, b)] = (float(r["match_probability"]), float(r["match_weight"]))
    out = {
        pair: ReviewCandidate(*pair, *score, ReviewReason.BAND)
        for pair, score in scores.items()
        if band.holds(score[0])
    }
    members = clusters.select(["record_id", "person_id", "confidence", "cluster_size"]).to_pylist()
    person_of = {m["record_id"]: str(m["person_id"]) for m in members}
    inside: dict[Any, list[tuple[float, tuple[Any, Any]]]] = {}
    for pair, score in scores.items():
        if person_of.get(pair[0]) == person_of.get(pair[1]):
            for record in pair:
                inside.setdefault(record, []).append((score[0], pair))
    for m in members:
        shaky = float(m["confidence"]) < band.high and int(m["cluster_size"]) > 1
        if shaky and m["record_id"] in inside:
            _, pair = max(inside[m["record_id"]])
            if pair not in out:
                out[pair] = ReviewCandidate(*pair, *scores[pair], ReviewReason.CLUSTER)
    return list(out.values())


@dataclass(frozen=True)
class WaterfallStep:
    """One step of a pair's match weight: the prior (``comparison`` "prior", no label), or
    one comparison with the label of the level the pair fell in (from the run's model;
    "null" when a value was missing) and its weight in bits, term-frequency adjustment
    included; ``total`` is the running match weight after this step."""

    comparison: str
    label: str
    weight: float
    total: float

    @property
    def supports(self) -> bool:
        """True if this step is evidence for a match."""
        return self.weight > 0


@dataclass(frozen=True)
class Waterfall:
    """The evidence for and against one pair: the prior, then each comparison's step."""

    steps: tuple[WaterfallStep, ...]
    probability: float
    match_weight: float


def comparison_weight(row: dict[str, Any], comp: str) -> float:
    """A comparison's match weight in one scored pair, its term-frequency adjustment included."""
    return float(row.get(f"mw_{comp}") or 0.0) + float(row.get(f"mw_tf_adj_{comp}") or 0.0)


def waterfall(row: dict[str, Any], model_json: dict[str, Any]) -> Waterfall:
    """The waterfall of one scored pair (a row of a run's predictions, with its ``gamma_``
    and ``mw_`` columns) under the run's model (``model.json``)."""
    parts: list[tuple[str, str, float]] = []
    for comp, table in _level_labels(model_json).items():
        gamma: int | None = row.get(f"gamma_{comp}")
        weight = comparison_weight(row, comp)
        label = "null" if gamma is None or gamma < 0 else table.get(gamma, ("", 0.0))[0]
        parts.append((comp, label, weight))
    total = float(row["match_weight"])
    parts.insert(0, ("prior", "", total - sum(w for _, _, w in parts)))
    steps, running = [], 0.0
    for comp, label, weight in parts:
        running += weight
        steps.append(WaterfallStep(comp, label, weight, running))
    return Waterfall(tuple(steps), float(row["match_probability"]), total)


def pair_waterfall(
    predictions: pa.Table, model_json: dict[str, Any], a: str, b: str
) -> Waterfall | None:
    """The waterfall of the pair of records ``a`` and ``b`` (in either order) in a run's
    predictions, or None if the run did not score it."""
    import pyarrow.compute as pc

    ids = pa.array(sorted({a, b}))
    mask = pc.and_(
        pc.is_in(predictions["record_id_l"], ids), pc.is_in(predictions["record_id_r"], ids)
    )
    rows = predictions.filter(mask).to_pylist()
    return waterfall(rows[0], model_json) if rows else None


def review_pairs(
    predictions: pa.Table, model_json: dict[str, Any], low: float, high: float
) -> pa.Table:
    """Pairs with ``low <= match_probability < high``, with evidence for and against."""
    import pyarrow.compute as pc

    p = predictions.column("match_probability")
    mask = pc.and_(pc.greater_equal(p, pa.scalar(low)), pc.less(p, pa.scalar(high)))
    rows = predictions.filter(mask).to_pylist()
    labels = _level_labels(model_json)
    out = []
    for r in sorted(rows, key=lambda r: abs(r["match_probability"] - 0.5)):
        pro: list[str] = []
        con: list[str] = []
        for comp, table in labels.items():
            g = r.get(f"gamma_{comp}")
            if g is None or g < 0 or g not in table:
                continue
            label, w = table[g]
            (pro if w > 0 else con).append(f"{comp}: {label} ({w:+.1f})")
        out.append(
            {
                "list_l": r["list_l"],
                "record_id_l": r["record_id_l"],
                "list_r": r["list_r"],
                "record_id_r": r["record_id_r"],
                "match_probability": round(float(r["match_probability"]), 4),
                "match_weight": round(float(r["match_weight"]), 2),
                "evidence_for": "; ".join(pro),
                "evidence_against": "; ".join(con),
                "decision": "",
                "reviewer": "",
                "note": "",
            }
        )
    return pa.Table.from_pylist(out) if out else pa.table({"list_l": pa.array([], pa.string())})


def export_review(pairs: pa.Table, path: str | Path) -> int:
    """Write review pairs as a UTF-8 CSV (with BOM, so spreadsheets show Persian), 0600; count."""
    cols = pairs.column_names
    with Path(path).open("w", encoding="utf-8-sig", newline="") as fh:
        n = write_csv(fh, cols, ([row[c] for c in cols] for row in pairs.to_pylist()))
    private_file(Path(path))
    return n


def read_decisions(path: str | Path) -> list[Decision]:
    """Read decisions from a review CSV or a decisions file; rows without a decision are skipped.

    Every problem (unknown decision word, missing ids, a pair decided twice differently) is
    collected and raised together; nothing is read unless all rows are good.
    """
    p = Path(path)
    try:
        with p.open(encoding="utf-8-sig", newline="") as fh:
            rows = [
                {k: restore(v) if isinstance(v, str) else v for k, v in row.items()}
                for row in csv.DictReader(fh)
            ]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"cannot read: {exc}", path=str(p)) from exc
    problems: list[InputProblem] = []
    needed = ("list_l", "record_id_l", "list_r", "record_id_r", "decision")
    if rows and any(c not in rows[0] for c in needed):
        missing = [c for c in needed if c not in rows[0]]
        raise InputErrors(InputProblem("missing column", path=str(p), field=c) for c in missing)
    out: dict[tuple[tuple[str, str], tuple[str, str]], Decision] = {}
    for i, row in enumerate(rows, start=1):
        word = (row.get("decision") or "").strip().casefold()
        if not word:
            continue
        judgement = _SPELLINGS.get(word)
        if judgement is None:
            problems.append(
                InputProblem(
                    f"unknown decision {word!r}: use match, non-match or unsure",
                    path=str(p),
                    row=i,
                    field="decision",
                )
            )
            continue
        ids = [(row.get(k) or "").strip() for k in needed[:4]]
        if not all(ids):
            problems.append(InputProblem("list and record ids are required", path=str(p), row=i))
            continue
        d = Decision(
            (ids[0], ids[1]),
            (ids[2], ids[3]),
            judgement,
            (row.get("reviewer") or "").strip(),
            (row.get("decided_at") or "").strip(),
            (row.get("note") or "").strip(),
        )
        if d.key in out and out[d.key].judgement != judgement:
            problems.append(
                InputProblem("the same pair is decided differently above", path=str(p), row=i)
            )
        out[d.key] = d
    if problems:
        raise InputErrors(problems)
    return list(out.values())


def merge_decisions(kept: list[Decision], new: list[Decision]) -> list[Decision]:
    """Add new decisions to the kept ones; a newer decision on a pair replaces the older."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    merged = {d.key: d for d in kept}
    for d in new:
        merged[d.key] = (
            d if d.decided_at else Decision(*d.key, d.judgement, d.reviewer, now, d.note)
        )
    return sorted(merged.values(), key=lambda d: d.key)


def write_decisions(decisions: list[Decision], path: str | Path) -> None:
    """Write the decisions file (the only state review keeps), 0600."""
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        write_csv(
            fh,
            DECISION_COLUMNS,
            (
                [*d.left, *d.right, d.judgement.value, d.reviewer, d.decided_at, d.note]
                for d in decisions
            ),
        )
    private_file(Path(path))


@dataclass(frozen=True)
class AppliedDecisions:
    """Decisions mapped onto this run's records."""

    must_link: list[tuple[int, int]]
    cannot_link: list[tuple[int, int]]
    labels: pa.Table
    not_applied: list[Decision]


def apply_decisions(decisions: list[Decision], records: pa.Table) -> AppliedDecisions:
    """Map decisions to ``unique_id``s (row order of ``records``); absent records are reported."""
    index = {
        (str(a), str(b)): i
        for i, (a, b) in enumerate(
            zip(
                records.column("list").to_pylist(),
                records.column("record_id").to_pylist(),
                strict=True,
            )
        )
    }
    must, cannot, absent = [], [], []
    lab_l, lab_r, lab_s = [], [], []
    for d in decisions:
        a, b = index.get(d.left), index.get(d.right)
        if a is None or b is None:
            absent.append(d)
            continue
        lo, hi = min(a, b), max(a, b)
        if d.judgement is Judgement.MATCH:
            must.append((lo, hi))
        elif d.judgement is Judgement.NON_MATCH:
            cannot.append((lo, hi))
        else:
            continue
        lab_l.append(lo)
        lab_r.append(hi)
        lab_s.append(1.0 if d.judgement is Judgement.MATCH else 0.0)
    labels = pa.table(
        {
            "unique_id_l": pa.array(lab_l, pa.int64()),
            "unique_id_r": pa.array(lab_r, pa.int64()),
            "clerical_match_score": pa.array(lab_s, pa.float64()),
        }
    )
    return AppliedDecisions(must, cannot, labels, absent)
