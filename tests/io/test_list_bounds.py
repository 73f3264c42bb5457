"""The list reader's bounds against planted files that are small on disk and huge when read.

Every hostile file is built here. Memory is measured in a child process (peak RSS while
reading, over its RSS before), because Arrow's allocations are invisible to tracemalloc.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from inquest.errors import InputErrors
from inquest.io import check_list_bytes as check_list_file
from inquest.io import read_list, standard_schema
from inquest.io.lists import (
    MAX_CSV_ROW_CHARS,
    MAX_PROBLEMS,
    XLSX_MAX_ROW_TAGS,
    xlsx_parts_problem,
)

#: Reading either bomb took 1.5 GB before the bounds; a bounded read needs a few tens of MB.
PEAK_MB = 128

_MEASURE = """
import json, re, sys
from inquest.errors import InputErrors
from inquest.io import read_list

def rss(key):
    status = open("/proc/self/status").read()
    return int(re.search(key + r":\\s+(\\d+) kB", status).group(1)) * 1024

before = rss("VmRSS")
try:
    read_list(sys.argv[1])
    problems = []
except InputErrors as exc:
    problems = [[p.row, p.field, p.reason] for p in exc.problems]
print(json.dumps({"peak_mb": (rss("VmHWM") - before) / 2**20, "problems": problems}))
"""

needs_proc = pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="peak memory is read from /proc"
)


def read_in_child(path: Path) -> tuple[float, list[list[object]]]:
    """Read ``path`` in a fresh interpreter: its peak memory in MB and the problems found."""
    src = str(Path(__file__).resolve().parents[2] / "src")
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": src},
        timeout=300,
    )
    out = json.loads(done.stdout)
    return float(out["peak_mb"]), out["problems"]


_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="list" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="/xl/sharedStrings.xml"/></Relationships>'
    ),
}


def shared_string_bomb(
    path: Path, *, cells: int, chars: int, strings_part: str = "xl/sharedStrings.xml"
) -> Path:
    """An XLSX whose ``cells`` rows all point at one shared string of ``chars`` characters,
    kept in ``strings_part``."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    strings = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{ns}" count="{cells + 2}" '
        f'uniqueCount="3"><si><t>record_id</t></si><si><t>full_name</t></si>'
        f"<si><t>{'x' * chars}</t></si></sst>"
    )
    rows = ['<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>']
    rows += [
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="s"><v>2</v></c></row>'
        for r in range(2, cells + 2)
    ]
    sheet = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}"><sheetData>'
    sheet += "".join(rows) + "</sheetData></worksheet>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _XLSX_PARTS.items():
            archive.writestr(name, text.replace("xl/sharedStrings.xml", strings_part))
        archive.writestr(strings_part, strings)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


@needs_proc
def test_xlsx_shared_string_bomb_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    f = shared_string_bomb(tmp_path / "bomb.xlsx", cells=10_000, chars=30_000)
    assert f.stat().st_size < 200_000
    check_list_file(f)  # the byte checks of uploads let it through: it is no zip bomb

    peak_mb, problems = read_in_child(f)

    assert peak_mb < PEAK_MB
    ((row, field, reason),) = problems
    assert field == "full_name" and isinstance(row, int) and 8_000 < row < 10_000
    assert f"more than {standard_schema().max_text_chars} characters of text" in str(reason)


@needs_proc
def test_parquet_dictionary_bomb_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    n = 20_000
    notes = pa.DictionaryArray.from_arrays(
        pa.array([i % 2 for i in range(n)], pa.int32()), pa.array(["a" * 19_000, "b" * 19_000])
    )
    f = tmp_path / "bomb.parquet"
    pq.write_table(pa.table({"record_id": [str(i) for i in range(n)], "notes": notes}), f)
    assert f.stat().st_size < 200_000
    # each value is within the notes limit: only the decoded total is hostile
    assert standard_schema().column("notes").max_chars > 19_000

    peak_mb, problems = read_in_child(f)

    assert peak_mb < PEAK_MB
    ((row, field, reason),) = problems
    assert field == "notes" and isinstance(row, int) and 14_000 < row < n
    assert "characters of text" in str(reason)


def test_problems_are_capped_with_a_count_of_the_rest(tmp_path: Path) -> None:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["record_id", "full_name"])
    for i in range(50_000):
        sheet.append([i, "Synthetic", "beyond"])
    f = tmp_path / "wide.xlsx"
    book.save(f)
    with pytest.raises(InputErrors) as info:
        read_list(f)
    exc = info.value
    assert len(exc.problems) == MAX_PROBLEMS
    assert exc.total == 50_000 and exc.omitted == 50_000 - MAX_PROBLEMS
    assert all("beyond the last header" in p.reason for p in exc.problems)
    assert f"and {50_000 - 20} more" in str(exc)
    assert len(str(exc)) < 5_000


def test_text_limit_names_file_row_and_field(tmp_path: Path) -> None:
    f = tmp_path / "l.csv"
    with f.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["record_id", "full_name"])
        w.writerows([[str(i), "n" * 10] for i in range(10)])
    assert read_list(f, max_text_chars=1_000).num_rows == 10
    with pytest.raises(InputErrors) as info:
        read_list(f, max_text_chars=50)
    ((p),) = list(info.value)
    assert (p.path, p.row, p.field) == (str(f), 5, "full_name")


def test_parquet_refused_by_its_unpacked_size_before_decoding(tmp_path: Path) -> None:
    f = tmp_path / "plain.parquet"
    pq.write_table(pa.table({"record_id": ["1"], "notes": ["z" * 5_000]}), f, use_dictionary=False)
    with pytest.raises(InputErrors, match="unpack to"):
        read_list(f, max_text_chars=1_000)


def test_row_limit_stops_the_read(tmp_path: Path) -> None:
    f = tmp_path / "rows.csv"
    f.write_text("record_id\n" + "".join(f"{i}\n" for i in range(100)), encoding="utf-8")
    base = standard_schema()
    few = base.__class__(columns=base.columns, max_file_bytes=1 << 20, max_rows=10)
    with pytest.raises(InputErrors) as info:
        read_list(f, schema=few)
    ((p),) = list(info.value)
    assert p.row == 11 and "more than 10 rows" in p.reason


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_an_over_long_value_is_reported_in_every_format(tmp_path: Path, suffix: str) -> None:
    long = "y" * 100_000
    f = tmp_path / f"long{suffix}"
    if suffix == ".csv":
        f.write_text(f"record_id,full_name\n1,{long}\n2,ok\n", encoding="utf-8")
    elif suffix == ".xlsx":
        book = openpyxl.Workbook()
        ws = book.active
        assert ws is not None
        ws.append(["record_id", "full_name"])
        ws.append(["1", long])
        ws.append(["2", "ok"])
        book.save(f)
    else:
        pq.write_table(pa.table({"record_id": ["1", "2"], "full_name": [long, "ok"]}), f)
    with pytest.raises(InputErrors) as info:
        read_list(f)
    ((p),) = list(info.value)
    assert (p.row, p.field) == (1, "full_name") and "longer than 4000" in p.reason


@pytest.mark.parametrize("part", ["xl/sharedStrings.xml", "xl/worksheets/renamed.xml"])
def test_xlsx_shared_strings_are_sized_before_they_are_read(tmp_path: Path, part: str) -> None:
    f = shared_string_bomb(tmp_path / "s.xlsx", cells=3, chars=3_000, strings_part=part)
    assert read_list(f, max_text_chars=100_000).num_rows == 3
    with pytest.raises(InputErrors, match="shared strings unpack to"):
        read_list(f, max_text_chars=2_000)


def wide_row_workbook(path: Path, *, cells: int, prefix: str = "") -> Path:
    """An XLSX whose second row holds ``cells`` one-digit cells, with ``prefix`` on its tags."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    x = f"{prefix}:" if prefix else ""
    xmlns = f"xmlns:{prefix}" if prefix else "xmlns"
    strings = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{ns}" count="2" uniqueCount="2">'
        "<si><t>record_id</t></si><si><t>full_name</t></si></sst>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _XLSX_PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/sharedStrings.xml", strings)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                f'<?xml version="1.0" encoding="UTF-8"?><{x}worksheet {xmlns}="{ns}">'
                f'<{x}sheetData><{x}row r="1"><{x}c r="A1" t="s"><{x}v>0</{x}v></{x}c>'
                f'<{x}c r="B1" t="s"><{x}v>1</{x}v></{x}c></{x}row><{x}row r="2">'.encode()
            )
            cell = f"<{x}c><{x}v>1</{x}v></{x}c>".encode()
            for _ in range(cells // 1_000):
                sheet.write(cell * 1_000)
            sheet.write(f"</{x}row></{x}sheetData></{x}worksheet>".encode())
    return path


@needs_proc
def test_xlsx_row_of_millions_of_cells_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    f = wide_row_workbook(tmp_path / "wide.xlsx", cells=5_000_000)
    assert f.stat().st_size < 200_000

    peak_mb, problems = read_in_child(f)

    assert peak_mb < PEAK_MB
    ((_, _, reason),) = problems
    assert "xl/worksheets/sheet1.xml holds a row of more than" in str(reason)


@pytest.mark.parametrize("prefix", ["", "x"])
def test_xlsx_row_tags_are_counted_with_or_without_a_prefix(tmp_path: Path, prefix: str) -> None:
    ok = wide_row_workbook(tmp_path / "ok.xlsx", cells=16_000, prefix=prefix)
    assert xlsx_parts_problem(ok, "ok", 1 << 20) is None
    wide = wide_row_workbook(tmp_path / "wide.xlsx", cells=50_000, prefix=prefix)
    problem = xlsx_parts_problem(wide, "wide", 1 << 20)
    assert problem is not None and f"a row of more than {XLSX_MAX_ROW_TAGS} tags" in problem.reason


def inline_string_bomb(path: Path, *, chars: int, declared: int | None = None) -> Path:
    """An XLSX whose one data row holds an inline string of ``chars`` characters, streamed
    into the zip so that neither the test nor the file holds it whole; with ``declared``, the
    zip's directory gives the worksheet that size instead of its real one."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    head = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}"><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><t>'
    ).encode()
    tail = b"</t></is></c></row></sheetData></worksheet>"
    strings = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{ns}" count="2" uniqueCount="2">'
        "<si><t>record_id</t></si><si><t>full_name</t></si></sst>"
    )
    chunk = b"x" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _XLSX_PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/sharedStrings.xml", strings)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(head)
            left = chars
            while left > 0:
                sheet.write(chunk[: min(left, len(chunk))])
                left -= len(chunk)
            sheet.write(tail)
    if declared is not None:
        info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
        data = bytearray(path.read_bytes())
        real = info.file_size.to_bytes(4, "little")
        # the local header (offset 22) and the central directory entry (offset 24)
        for start, at in ((info.header_offset, 22), (data.rindex(b"PK\x01\x02"), 24)):
            assert data[start + at : start + at + 4] == real
            data[start + at : start + at + 4] = declared.to_bytes(4, "little")
        path.write_bytes(bytes(data))
    return path


@needs_proc
def test_xlsx_inline_string_bomb_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    f = inline_string_bomb(tmp_path / "inline.xlsx", chars=400_000_000)
    assert f.stat().st_size < 600_000

    peak_mb, problems = read_in_child(f)

    assert peak_mb < PEAK_MB
    ((_, _, reason),) = problems
    assert "xl/worksheets/sheet1.xml" in str(reason) and "without markup" in str(reason)


def test_xlsx_inline_strings_within_the_limits_are_read(tmp_path: Path) -> None:
    f = inline_string_bomb(tmp_path / "inline.xlsx", chars=3_000)
    assert read_list(f).column("full_name").to_pylist() == ["x" * 3_000]
    with pytest.raises(InputErrors) as info:
        read_list(f, max_text_chars=300)
    ((p),) = list(info.value)
    assert p.path == str(f) and "xl/worksheets/sheet1.xml" in p.reason
    assert "unpacks to" in p.reason


def test_xlsx_worksheet_larger_than_its_header_says_is_refused(tmp_path: Path) -> None:
    f = inline_string_bomb(tmp_path / "lying.xlsx", chars=3 << 20, declared=1_000)
    assert zipfile.ZipFile(f).getinfo("xl/worksheets/sheet1.xml").file_size == 1_000
    with pytest.raises(InputErrors) as info:
        read_list(f)
    ((p),) = list(info.value)
    assert p.path == str(f) and "not a readable XLSX workbook" in p.reason
    assert "xl/worksheets/sheet1.xml" in p.reason


@needs_proc
def test_csv_row_of_millions_of_fields_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    f = tmp_path / "wide.csv"
    with f.open("w", encoding="utf-8") as fh:
        fh.write("record_id,full_name\n1,ok\n2")
        for _ in range(40):
            fh.write(",ab" * 333_333)
        fh.write("\n")
    assert f.stat().st_size > 39_000_000

    peak_mb, problems = read_in_child(f)

    assert peak_mb < PEAK_MB
    ((row, field, reason),) = problems
    assert (row, field) == (2, None)
    assert f"more than {MAX_CSV_ROW_CHARS} characters" in str(reason)


def test_csv_row_limit_counts_a_quoted_row_across_lines(tmp_path: Path) -> None:
    f = tmp_path / "quoted.csv"
    cell = '"' + "a\n" * 1_000 + '"'
    f.write_text("record_id,notes\n1," + cell + "\n", encoding="utf-8")
    assert read_list(f).num_rows == 1
    f.write_text("record_id,notes\n1," + ",".join([cell] * 600) + "\n", encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        read_list(f)
    ((p),) = list(info.value)
    assert (p.path, p.row) == (str(f), 1) and "spans more than" in p.reason
