"""parse_dates_array: one parse per distinct value, nulls and errors kept per row."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from inquest.dates import FIELDS, parse_date, parse_dates_array
from inquest.errors import InputErrors


def test_rows_match_parse_date() -> None:
    texts = ["Mordad 1367", None, "not a date", "Mordad 1367", "03/04/1988", "۶۷/۵/۱۲"]
    out = parse_dates_array(texts)
    assert out.type == FIELDS
    rows = out.to_pylist()
    assert rows[1] is None
    assert rows[2]["earliest"] is None and "unrecognised" in rows[2]["error"]
    for text, row in zip(texts, rows, strict=True):
        if row is None or row["error"]:
            continue
        d = parse_date(text)
        assert (row["earliest"], row["latest"], row["edtf"]) == (d.earliest, d.latest, d.edtf)
        assert (row["hull_earliest"], row["hull_latest"]) == d.hull()
    assert rows[4]["ambiguous"] is True and rows[4]["hull_earliest"] == dt.date(1988, 3, 4)


def test_chunked_and_hint() -> None:
    chunked = pa.chunked_array([["67"], ["67", None]])
    out = parse_dates_array(chunked, "gregorian").to_pylist()
    assert out[0]["earliest"] == dt.date(1967, 1, 1) and out[2] is None


def test_empty() -> None:
    assert len(parse_dates_array([])) == 0


def test_raise_collects_every_bad_row() -> None:
    with pytest.raises(InputErrors) as info:
        parse_dates_array(["1367", "x", "1367/13/40"], errors="raise", field="date_of_death")
    problems = list(info.value)
    assert [p.row for p in problems] == [2, 3]
    assert all(p.field == "date_of_death" for p in problems)
