"""Tests for inquest.linkage.review: decisions are validated, merged and never dropped."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from inquest.errors import InputErrors
from inquest.linkage.review import (
    Judgement,
    apply_decisions,
    export_review,
    merge_decisions,
    read_decisions,
    write_decisions,
)

HEADER = "list_l,record_id_l,list_r,record_id_r,decision,reviewer,note\n"


def test_read_merge_apply(tmp_path: Path) -> None:
    f = tmp_path / "review.csv"
    f.write_text(
        HEADER + "a,1,b,1,match,r1,\na,2,b,2,non-match,r1,\na,3,b,3,,,\nb,9,a,9,unsure,r2,\n",
        "utf-8",
    )
    ds = read_decisions(f)
    assert [d.judgement for d in ds] == [Judgement.MATCH, Judgement.NON_MATCH, Judgement.UNSURE]
    kept = tmp_path / "decisions.csv"
    write_decisions(merge_decisions([], ds), kept)
    again = read_decisions(kept)
    assert len(again) == 3 and all(d.decided_at for d in again)
    records = pa.table({"list": ["a", "b", "a", "b"], "record_id": ["1", "1", "2", "2"]})
    applied = apply_decisions(again, records)
    assert applied.must_link == [(0, 1)] and applied.cannot_link == [(2, 3)]
    assert applied.labels.column("clerical_match_score").to_pylist() == [1.0, 0.0]
    # the unsure decision's records are absent: kept, reported, not applied
    assert [d.left for d in applied.not_applied] == [("a", "9")]


def test_bad_decisions_are_all_reported(tmp_path: Path) -> None:
    f = tmp_path / "review.csv"
    f.write_text(HEADER + "a,1,b,1,perhaps,,\na,,b,2,match,,\na,1,b,1,match,,\n", "utf-8")
    with pytest.raises(InputErrors) as info:
        read_decisions(f)
    assert {p.row for p in info.value} == {1, 2}


def test_newer_decision_replaces_older(tmp_path: Path) -> None:
    f = tmp_path / "r.csv"
    f.write_text(HEADER + "a,1,b,1,match,,\n", "utf-8")
    first = merge_decisions([], read_decisions(f))
    f.write_text(HEADER + "b,1,a,1,non-match,,\n", "utf-8")
    merged = merge_decisions(first, read_decisions(f))
    assert len(merged) == 1 and merged[0].judgement is Judgement.NON_MATCH


def test_review_files_are_formula_safe_and_read_back_exactly(tmp_path: Path) -> None:
    pairs = pa.table(
        {
            "list_l": ["a"],
            "record_id_l": ["-7"],
            "list_r": ["b"],
            "record_id_r": ["'=x"],
            "name_l": ['=HYPERLINK("http://attacker.example/","click")'],
            "name_r": ["x;=1+1"],
            "decision": ["match"],
            "reviewer": ["@r1"],
            "note": [" +1"],
        }
    )
    review = tmp_path / "review.csv"
    assert export_review(pairs, review) == 1
    lines = review.read_text("utf-8-sig").splitlines()
    assert lines[1] == (
        '"a","\'-7","b","\'\'=x","\'=HYPERLINK(""http://attacker.example/"",""click"")",'
        '"x;=1+1","match","\'@r1","\' +1"'
    )
    (d,) = read_decisions(review)
    assert (d.left, d.right, d.reviewer, d.note) == (("a", "-7"), ("b", "'=x"), "@r1", "+1")
    kept = tmp_path / "decisions.csv"
    write_decisions([d], kept)
    assert "'-7" in kept.read_text("utf-8") and "'@r1" in kept.read_text("utf-8")
    assert read_decisions(kept) == [d]
