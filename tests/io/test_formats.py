"""The registry of list formats (inquest.io.formats) and sampling a list; synthetic people."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from inquest.errors import InputError, InputErrors, ProblemLog
from inquest.io import formats, sample_list, standard_schema
from inquest.io.formats import ReadContext


def _csv(path: Path, n: int) -> Path:
    rows = "".join(f"r{i},Synthetic Person {i}\n" for i in range(1, n + 1))
    path.write_text("record_id,full_name\n" + rows, encoding="utf-8")
    return path


def test_the_built_in_formats_come_first() -> None:
    assert list(formats.list_formats())[:3] == ["csv", "xlsx", "parquet"]
    assert formats.suffixes()[:3] == (".csv", ".xlsx", ".parquet")
    assert formats.format_for("LIST.XLSX") is formats.list_formats()["xlsx"]
    assert formats.format_for("list.txt") is None
    with pytest.raises(InputError, match=r"\.txt is not a list format; use one of \.csv"):
        formats.get("list.txt")


@dataclass(frozen=True)
class _Clash:
    name: str = "other_csv"
    description: str = "another CSV reader"
    suffixes: tuple[str, ...] = (".csv",)

    def check(self, file: Path, head: bytes) -> str | None:
        return None

    def open(self, file: Path, ctx: ReadContext) -> None:
        return None


def test_a_suffix_is_read_by_one_format_only() -> None:
    with pytest.raises(ValueError, match="read by csv already"):
        formats.register(_Clash())
    with pytest.raises(ValueError, match="lower case"):
        formats.register(_Clash(name="upper", suffixes=(".TSV",)))
    assert "other_csv" not in formats.list_formats() and "upper" not in formats.list_formats()


def test_rows_come_in_numbered_batches(tmp_path: Path) -> None:
    path = _csv(tmp_path / "synthetic.csv", 5)
    ctx = ReadContext(str(path), standard_schema(), 10_000, ProblemLog(), batch_rows=2)
    opened = formats.list_formats()["csv"].open(path, ctx)
    assert opened is not None
    batches = list(opened.batches({1: 9}))
    opened.close()
    assert [(b.first_row, b.num_rows) for b in batches] == [(1, 2), (3, 2), (5, 1)]
    assert batches[1].columns[1].to_pylist() == ["Synthetic", "Synthetic"]  # cut to 9


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_a_sample_holds_the_headers_and_first_values(tmp_path: Path, suffix: str) -> None:
    headers = ["شناسه", "Name of victim", "Notes"]
    rows = [[f"s{i}", f"Synthetic {i}", "" if i % 2 else "x" * 500] for i in range(1, 40)]
    path = tmp_path / f"synthetic{suffix}"
    if suffix == ".csv":
        path.write_text("\n".join(",".join(r) for r in [headers, *rows]) + "\n", encoding="utf-8")
    elif suffix == ".xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        for row in [headers, *rows]:
            sheet.append(row)
        book.save(path)
    else:
        columns = list(zip(*rows, strict=True))
        pq.write_table(pa.table({h: list(c) for h, c in zip(headers, columns, strict=True)}), path)
    sample = sample_list(path, rows=5)
    assert sample.headers == tuple(headers)
    assert sample.column(0) == ("s1", "s2", "s3", "s4", "s5")
    assert sample.column(2)[0] is None and sample.column(2)[1] == "x" * 200


def test_a_sample_is_bounded_and_names_the_file(tmp_path: Path) -> None:
    path = _csv(tmp_path / "synthetic.csv", 50)
    with pytest.raises(InputErrors, match="more than 100 characters of text") as caught:
        sample_list(path, max_text_chars=100, shown="upload.csv")
    assert caught.value.problems[0].path == "upload.csv"
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InputErrors, match="empty"):
        sample_list(tmp_path / "empty.csv")
