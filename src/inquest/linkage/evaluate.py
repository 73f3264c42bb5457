"""Evaluate clusters against truth: pairwise and B-cubed precision, recall and F1."""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from inquest.errors import InputError, InputErrors, InputProblem

__all__ = ["TRUTH_ID_COLUMNS", "Scores", "evaluate_files", "score_clusters"]

#: Column names accepted for the true person in a truth file, in order of preference.
TRUTH_ID_COLUMNS = ("true_person_id", "person_id", "entity_id", "cluster", "truth")


@dataclass(frozen=True)
class Scores:
    """Pairwise and B-cubed precision/recall/F1 of a clustering against truth."""

    records: int
    true_pairs: int
    predicted_pairs: int
    pairwise_precision: float
    pairwise_recall: float
    pairwise_f1: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float

    def as_dict(self) -> dict[str, float | int]:
        """The scores as a plain dict (for JSON)."""
        return asdict(self)


def _f1(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def _pairs(counts: np.ndarray[Any, Any]) -> int:
    c = counts.astype("int64")
    return int((c * (c - 1) // 2).sum())


def score_clusters(predicted: Any, truth: Any) -> Scores:
    """Scores of ``predicted`` cluster labels against ``truth`` labels (same record order)."""
    pred = pd.factorize(pd.Series(np.asarray(predicted)))[0]
    true = pd.factorize(pd.Series(np.asarray(truth)))[0]
    if len(pred) != len(true):
        raise ValueError("predicted and truth must label the same records")
    n = len(pred)
    if n == 0:
        return Scores(0, 0, 0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
    joint = pd.DataFrame({"p": pred, "t": true}).value_counts()
    both = joint.to_numpy()
    p_sizes = np.bincount(pred)
    t_sizes = np.bincount(true)
    tp = _pairs(both)
    pp = _pairs(p_sizes)
    tt = _pairs(t_sizes)
    precision = tp / pp if pp else 1.0
    recall = tp / tt if tt else 1.0
    # B-cubed: for each record, |pred ∩ true| / |pred| and / |true|, averaged over records.
    cell_p = joint.index.get_level_values("p").to_numpy()
    cell_t = joint.index.get_level_values("t").to_numpy()
    b_p = float((both * both / p_sizes[cell_p]).sum() / n)
    b_r = float((both * both / t_sizes[cell_t]).sum() / n)
    return Scores(
        records=n,
        true_pairs=tt,
        predicted_pairs=pp,
        pairwise_precision=precision,
        pairwise_recall=recall,
        pairwise_f1=_f1(precision, recall),
        bcubed_precision=b_p,
        bcubed_recall=b_r,
        bcubed_f1=_f1(b_p, b_r),
    )


def _read(path: Path, id_columns: tuple[str, ...]) -> tuple[pd.DataFrame, str]:
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, csv.Error) as exc:
        raise InputError(f"cannot read: {exc}", path=str(path)) from exc
    missing = [c for c in ("list", "record_id") if c not in df.columns]
    id_col = next((c for c in id_columns if c in df.columns), None)
    problems = [InputProblem("missing column", path=str(path), field=c) for c in missing]
    if id_col is None:
        problems.append(
            InputProblem(f"needs one of the columns {list(id_columns)}", path=str(path))
        )
    if problems:
        raise InputErrors(problems)
    assert id_col is not None
    dup = df.duplicated(["list", "record_id"], keep="first")
    if dup.any():
        raise InputErrors(
            InputProblem(
                "(list, record_id) appears twice", path=str(path), row=int(i) + 1, field="record_id"
            )
            for i in np.flatnonzero(dup.to_numpy())[:20]
        )
    return df, id_col


def evaluate_files(truth: str | Path, clusters: str | Path) -> Scores:
    """Score a ``clusters.csv`` against a truth CSV (``list, record_id`` + a true-person column).

    Records in only one of the files are reported as an error rather than ignored.
    """
    t, t_col = _read(Path(truth), TRUTH_ID_COLUMNS)
    c, c_col = _read(Path(clusters), ("person_id",))
    merged = t.merge(c, on=["list", "record_id"], how="outer", indicator=True, suffixes=("_t", ""))
    lost = merged[merged["_merge"] != "both"]
    if len(lost):
        side = lost["_merge"].map({"left_only": str(clusters), "right_only": str(truth)})
        raise InputErrors(
            InputProblem(
                f"record {r.list}/{r.record_id} is missing here",
                path=str(s),
                field="record_id",
            )
            for r, s in zip(lost.head(20).itertuples(), side.head(20), strict=True)
        )
    t_values = merged[f"{t_col}_t"] if f"{t_col}_t" in merged else merged[t_col]
    return score_clusters(merged[c_col].to_numpy(), t_values.to_numpy())
