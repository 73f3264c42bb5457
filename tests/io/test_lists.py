"""Tests for inquest.io.lists: the standard list format reader (synthetic people only)."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inquest.errors import InputErrors
from inquest.io import ColumnMapping, load_mapping, read_list, read_lists, standard_schema


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def problems(exc: InputErrors) -> list[tuple[int | None, str | None, str]]:
    return [(p.row, p.field, p.reason) for p in exc]


def test_reads_csv_with_provenance(tmp_path: Path) -> None:
    f = write_csv(
        tmp_path / "synthetic_a.csv",
        ["record_id", "full_name", "death_date"],
        [["1", " علی رضایی ", "۱۳۶۷/۵/۱۰"], ["2", "", "1988"]],
    )
    t = read_list(f)
    assert t.column_names[:3] == ["list", "record_id", "row"]
    assert set(standard_schema().names) <= set(t.column_names)
    assert t.column("list").to_pylist() == ["synthetic_a", "synthetic_a"]
    assert t.column("row").to_pylist() == [1, 2]
    assert t.column("full_name").to_pylist() == ["علی رضایی", None]
    assert t.column("sex").null_count == 2


def test_list_name_can_be_given(tmp_path: Path) -> None:
    f = write_csv(tmp_path / "x.csv", ["record_id"], [["1"]])
    assert read_list(f, list_name="ngo").column("list")[0].as_py() == "ngo"


def test_errors_are_collected_with_row_and_field(tmp_path: Path) -> None:
    f = write_csv(
        tmp_path / "bad.csv",
        ["record_id", "full_name", "colour"],
        [["1", "a", "x"], ["", "b", "y"], ["1", "c\u202e", "z"]],
    )
    with pytest.raises(InputErrors) as info:
        read_list(f)
    got = problems(info.value)
    assert (None, "colour", got[0][2]) in got
    assert any(r == 2 and fld == "record_id" and "empty" in why for r, fld, why in got)
    assert any(r == 3 and fld == "record_id" and "repeats row 1" in why for r, fld, why in got)
    assert any(r == 3 and fld == "full_name" and "bidi" in why for r, fld, why in got)
    assert all(p.path == str(f) for p in info.value)


def test_direction_marks_are_removed(tmp_path: Path) -> None:
    f = write_csv(tmp_path / "m.csv", ["record_id", "full_name"], [["1", "\u200fعلی\u200e"]])
    assert read_list(f).column("full_name")[0].as_py() == "علی"


def test_bad_encoding_names_the_line(tmp_path: Path) -> None:
    f = tmp_path / "latin1.csv"
    f.write_bytes("record_id,full_name\n1,ok\n2,Jos\xe9\n".encode("latin-1"))
    with pytest.raises(InputErrors) as info:
        read_list(f)
    (p,) = list(info.value)
    assert p.row == 2 and "UTF-8" in p.reason


def test_ragged_row_and_missing_record_id(tmp_path: Path) -> None:
    f = tmp_path / "ragged.csv"
    f.write_text("full_name,sex\na,m\nb\n", encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        read_list(f)
    got = problems(info.value)
    assert any(r == 2 and "fields" in why for r, _, why in got)
    assert any(fld == "record_id" and "no record_id" in why for _, fld, why in got)


def test_field_length_limit(tmp_path: Path) -> None:
    f = write_csv(tmp_path / "long.csv", ["record_id", "sex"], [["1", "m" * 41]])
    with pytest.raises(InputErrors, match="longer than 40"):
        read_list(f)


def test_file_size_limit(tmp_path: Path) -> None:
    f = write_csv(tmp_path / "big.csv", ["record_id"], [[str(i)] for i in range(100)])
    small = standard_schema().__class__(
        columns=standard_schema().columns, max_file_bytes=50, max_rows=10
    )
    with pytest.raises(InputErrors, match="over the limit"):
        read_list(f, schema=small)


def test_all_or_nothing_across_files(tmp_path: Path) -> None:
    good = write_csv(tmp_path / "good.csv", ["record_id"], [["1"]])
    bad = write_csv(tmp_path / "bad.csv", ["record_id", "zzz"], [["1", "x"]])
    with pytest.raises(InputErrors) as info:
        read_lists([good, bad])
    assert [p.path for p in info.value] == [str(bad)]


def test_duplicate_list_names_rejected(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    a = write_csv(tmp_path / "a" / "same.csv", ["record_id"], [["1"]])
    b = write_csv(tmp_path / "same.csv", ["record_id"], [["1"]])
    with pytest.raises(InputErrors, match="already used"):
        read_lists([a, b])
    t = read_lists([a, b], list_names=["one", "two"])
    assert t.column("list").to_pylist() == ["one", "two"]


def test_persian_headers_by_alias_and_mapping(tmp_path: Path) -> None:
    f = write_csv(
        tmp_path / "fa.csv",
        ["ردیف", "نام", "نام خانوادگی", "نام پدر", "شغل"],
        [["1", "علی", "رضایی", "حسن", "معلم"]],
    )
    with pytest.raises(InputErrors, match="unknown column"):
        read_list(f)
    m = tmp_path / "map.yaml"
    m.write_text("list: ngo_1990\ncolumns:\n  نام پدر: father_name\nignore: [شغل]\n", "utf-8")
    t = read_list(f, mapping=load_mapping(m))
    row = t.to_pylist()[0]
    assert row["list"] == "ngo_1990"
    assert (row["record_id"], row["given_name"], row["family_name"], row["father_name"]) == (
        "1",
        "علی",
        "رضایی",
        "حسن",
    )


def test_mapping_csv_and_bad_target(tmp_path: Path) -> None:
    m = tmp_path / "map.csv"
    m.write_text("source,target\nID,record_id\nextra,\n", "utf-8")
    mapping = load_mapping(m)
    assert mapping.columns == {"ID": "record_id"} and mapping.ignore == frozenset({"extra"})
    bad = tmp_path / "bad.yaml"
    bad.write_text("columns:\n  X: favourite_colour\n", "utf-8")
    with pytest.raises(InputErrors, match="not a standard column"):
        load_mapping(bad)


def test_two_headers_for_one_column(tmp_path: Path) -> None:
    f = write_csv(tmp_path / "two.csv", ["record_id", "surname", "family_name"], [["1", "a", "b"]])
    with pytest.raises(InputErrors, match="would be read as 'family_name'"):
        read_list(f)


def test_xlsx(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["record_id", "full_name", "age"])
    ws.append([1, "Synthetic Person", 27])
    ws.append([None, None, None])
    ws.append([2, "Another Synthetic", None])
    f = tmp_path / "book.xlsx"
    wb.save(f)
    t = read_list(f)
    assert t.column("record_id").to_pylist() == ["1", "2"]
    assert t.column("age").to_pylist() == ["27", None]


def test_parquet_casts_to_strings(tmp_path: Path) -> None:
    f = tmp_path / "p.parquet"
    pq.write_table(pa.table({"record_id": [1, 2], "age": [30, None]}), f)
    t = read_list(f)
    assert t.column("record_id").to_pylist() == ["1", "2"]
    assert t.column("age").to_pylist() == ["30", None]


def test_unsupported_format(tmp_path: Path) -> None:
    f = tmp_path / "x.json"
    f.write_text("{}", "utf-8")
    with pytest.raises(InputErrors, match="unsupported format"):
        read_list(f)


_text = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Zl", "Zp"),
        blacklist_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\x85",
    ),
    max_size=30,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.tuples(_text, _text), min_size=1, max_size=15))
def test_csv_round_trip(tmp_path: Path, rows: list[tuple[str, str]]) -> None:
    """Any clean text survives the reader, trimmed, with empty values as null."""
    f = write_csv(
        tmp_path / "rt.csv",
        ["record_id", "full_name", "notes"],
        [[f"r{i}", a, b] for i, (a, b) in enumerate(rows)],
    )
    t = read_list(f, mapping=ColumnMapping())
    for got, (a, b) in zip(t.to_pylist(), rows, strict=True):
        assert got["full_name"] == (a.strip() or None)
        assert got["notes"] == (b.strip() or None)
