"""Read victim lists in the standard list format into Arrow tables, all or nothing.

A list is a UTF-8 CSV, an XLSX workbook (first sheet) or a Parquet file with one row per
record and columns from :mod:`inquest.io.schema`. Every problem found (bad encoding,
malformed rows, unknown or duplicate columns, empty or duplicate ``record_id``, over-long
fields, bidi override characters, control characters) is collected with its file, row and
column, and raised together as :class:`~inquest.errors.InputErrors`; nothing is returned
unless the whole input is clean. Row numbers count data rows from 1 (the header is row 0).

Files are streamed within bounds, since a planted file can be small on disk and huge when
read: over-long values are held cut to one character over their limit, the decoded text of
a file is limited (``max_text_chars``), and only the first :data:`MAX_PROBLEMS` problems are
kept (``docs/list-format.md``, Limits).
"""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from inquest.errors import InputError, InputErrors, InputProblem, ProblemLog
from inquest.io.mapping import ColumnMapping, resolve_headers
from inquest.io.schema import ListSchema, standard_schema
from inquest.text.scripts import BIDI_EXPLICIT_CLASS, BIDI_MARKS_CLASS

__all__ = [
    "LIST_FORMATS",
    "MAX_CSV_ROW_CHARS",
    "MAX_PROBLEMS",
    "XLSX_MAX_ROW_TAGS",
    "XLSX_MAX_TEXT_RUN_BYTES",
    "XLSX_XML_BYTES_PER_CHAR",
    "provenance_columns",
    "read_list",
    "read_lists",
    "xlsx_parts_problem",
]

LIST_FORMATS = (".csv", ".xlsx", ".parquet")

# Embeddings, overrides and isolates reorder what a reader sees: reported as errors.
# Directional marks (LRM, RLM, ALM) are invisible and common in Persian text: removed.
# C0/C1 controls other than tab and line breaks.
_CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_MAX_PROBLEMS_PER_CHECK = 200
#: Problems kept per read; the rest are counted ("and N more").
MAX_PROBLEMS = 100
_LINE_CHUNK = 1 << 20
#: Characters one CSV row may span: every column at its limit fits many times, while a row
#: of millions of short fields, which the CSV parser builds whole before any check, does not.
MAX_CSV_ROW_CHARS = 1 << 20
_PARQUET_BATCH_ROWS = 65_536
_MAX_CONTENT_TYPES_BYTES = 1 << 20
#: Bytes an XLSX may unpack to per character of the text limit: a filled cell's markup, such
#: as ``<c r="O1000000" t="inlineStr"><is><t>`` and its end tags, is about 50 bytes, so a
#: list whose cells average a few characters fits (docs/list-format.md, Limits).
XLSX_XML_BYTES_PER_CHAR = 16
#: Longest run of bytes without markup in any XLSX part: the longest legal cell (20,000 characters
#: of ``notes``, up to 4 bytes each, some written as character references) fits many times.
XLSX_MAX_TEXT_RUN_BYTES = 1 << 20
#: Tags one worksheet row may hold: 8 for each of the 16,384 columns a sheet can have.
XLSX_MAX_ROW_TAGS = 1 << 17
# The start of a row element, with or without a namespace prefix, and the bytes it may take.
_ROW_START = re.compile(rb"<(?:[^\s<>/:]{1,40}:)?row[\s>/]")
_ROW_TAG_BYTES = 48


def provenance_columns() -> tuple[str, ...]:
    """The provenance columns every table from :func:`read_list` starts with."""
    return ("list", "record_id", "row")


@dataclass
class _Raw:
    """A file's headers, their standard columns and the cells read of them, and its rows."""

    headers: list[str]
    positions: dict[int, str]
    columns: dict[int, Any]
    n_rows: int


class _Rows:
    """Collects the mapped cells of a list row by row, within the reader's bounds.

    Only mapped columns are kept. A cell longer than its column's limit is kept trimmed and
    cut to one character over it (enough for the length check to report it), so one huge
    value costs no more than a legal one. Every decoded cell counts towards ``max_text_chars``;
    the first cell past it, or the first row past ``max_rows``, stops the read with a problem
    naming the row and field.
    """

    def __init__(
        self,
        path: str,
        headers: list[str],
        positions: dict[int, str],
        schema: ListSchema,
        max_text_chars: int,
        problems: ProblemLog,
    ) -> None:
        self.path = path
        self.headers = headers
        self.positions = positions
        self.caps = {pos: schema.column(col).max_chars + 1 for pos, col in positions.items()}
        self.cells: dict[int, list[str | None]] = {pos: [] for pos in positions}
        self.sinks = [(pos, self.cells[pos].append, self.caps[pos]) for pos in positions]
        self.max_rows = schema.max_rows
        self.max_text_chars = max_text_chars
        self.text_chars = 0
        self.n_rows = 0
        self.problems = problems

    def _field(self, pos: int) -> str | None:
        return self.headers[pos] if pos < len(self.headers) else None

    def too_many_rows(self) -> bool:
        """Count one more row; report and return True once it is past the row limit."""
        self.n_rows += 1
        if self.n_rows <= self.max_rows:
            return False
        self.problems.append(
            InputProblem(
                f"more than {self.max_rows} rows, over the limit", path=self.path, row=self.n_rows
            )
        )
        return True

    def over_text_limit(self, pos: int) -> bool:
        """Report and return True once the text read so far is past the limit."""
        if self.text_chars <= self.max_text_chars:
            return False
        self.problems.append(
            _text_limit_problem(self.max_text_chars, self.path, self.n_rows, self._field(pos))
        )
        return True

    def add(self, values: Sequence[str | None]) -> bool:
        """Add one row (already counted); False once a limit is passed and reading must stop."""
        chars = sum(map(len, filter(None, values)))
        if self.text_chars + chars > self.max_text_chars:
            for pos, v in enumerate(values):
                self.text_chars += len(v) if v is not None else 0
                if self.over_text_limit(pos):
                    return False
        self.text_chars += chars
        n = len(values)
        for pos, append, cap in self.sinks:
            v = values[pos] if pos < n else None
            append(v if v is None or len(v) <= cap else v.strip()[:cap])
        return True

    def raw(self) -> _Raw:
        """What was collected, as Arrow string arrays."""
        columns = {pos: pa.array(c, pa.string()) for pos, c in self.cells.items()}
        return _Raw(self.headers, self.positions, columns, self.n_rows)


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _not_utf8(file: Path, path: str) -> InputProblem:
    """The problem of a file that is not UTF-8, naming the line and byte where decoding fails."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    line = offset = 0
    with file.open("rb") as handle:
        for chunk in iter(lambda: handle.readline(_LINE_CHUNK), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return InputProblem(
                    f"not UTF-8 (byte {offset + exc.start}: {exc.reason}); save the file as UTF-8",
                    path=path,
                    row=line,
                )
            line += chunk.endswith(b"\n")
            offset += len(chunk)
    return InputProblem("not UTF-8; save the file as UTF-8", path=path, row=line)


class _RowTooLong(Exception):
    """A CSV row spans more than :data:`MAX_CSV_ROW_CHARS` characters."""


class _BoundedLines:
    """The lines of a text file, fed to the CSV parser no further than ``max_chars`` into
    one row: past that it raises :class:`_RowTooLong` before the parser holds more.
    Call :meth:`row_done` after each row the parser returns."""

    def __init__(self, handle: Any, max_chars: int) -> None:
        self.handle = handle
        self.max_chars = max_chars
        self.used = 0

    def __iter__(self) -> _BoundedLines:
        return self

    def __next__(self) -> str:
        line: str = self.handle.readline(self.max_chars + 1 - self.used)
        if not line:
            raise StopIteration
        self.used += len(line)
        if self.used > self.max_chars:
            raise _RowTooLong
        return line

    def row_done(self) -> None:
        self.used = 0


def _row_too_long(path: str, row: int) -> InputProblem:
    return InputProblem(
        f"the row spans more than {MAX_CSV_ROW_CHARS} characters, over the limit (a planted "
        "file can be small on disk and huge when read)",
        path=path,
        row=row,
    )


def _read_csv(
    file: Path,
    path: str,
    mapping: ColumnMapping | None,
    schema: ListSchema,
    max_text_chars: int,
    problems: ProblemLog,
) -> _Raw | None:
    with file.open(encoding="utf-8-sig", newline="") as handle:
        lines = _BoundedLines(handle, MAX_CSV_ROW_CHARS)
        reader = csv.reader(lines, strict=True)
        try:
            headers = next(reader)
        except _RowTooLong:
            problems.append(_row_too_long(path, 0))
            return None
        except StopIteration:
            problems.append(InputProblem("the file is empty (no header)", path=path, row=0))
            return None
        except UnicodeDecodeError:
            problems.append(_not_utf8(file, path))
            return None
        except csv.Error as exc:
            problems.append(InputProblem(f"malformed header: {exc}", path=path, row=0))
            return None
        rows = _Rows(
            path,
            headers,
            _resolve(headers, mapping, path, schema, problems),
            schema,
            max_text_chars,
            problems,
        )
        width = len(headers)
        while True:
            lines.row_done()
            try:
                row = next(reader)
            except StopIteration:
                break
            except _RowTooLong:
                problems.append(_row_too_long(path, rows.n_rows + 1))
                return None
            except UnicodeDecodeError:
                problems.append(_not_utf8(file, path))
                return None
            except csv.Error as exc:
                problems.append(
                    InputProblem(f"malformed CSV: {exc}", path=path, row=rows.n_rows + 1)
                )
                return None
            if not row:
                continue
            if rows.too_many_rows():
                return None
            if len(row) != width:
                problems.append(
                    InputProblem(
                        f"has {len(row)} fields, the header has {width}",
                        path=path,
                        row=rows.n_rows,
                    )
                )
            if not rows.add(row):
                return None
    return rows.raw()


def _resolve(
    headers: list[str],
    mapping: ColumnMapping | None,
    path: str,
    schema: ListSchema,
    problems: ProblemLog,
) -> dict[int, str]:
    positions, header_problems = resolve_headers(headers, mapping, path, schema)
    problems.extend(header_problems)
    return positions


def xlsx_parts_problem(file: Path, path: str, max_text_chars: int) -> InputProblem | None:
    """Why the XLSX at ``file`` cannot be opened within ``max_text_chars``, or None.

    The XLSX reader holds the whole shared-string table in memory before the first row, and
    each row and cell whole while it reads them, so before it opens the file: the shared
    strings (found by their content type, as the reader finds them) may unpack to at most
    ``max_text_chars`` bytes, the whole archive (so every worksheet) to at most
    :data:`XLSX_XML_BYTES_PER_CHAR` times that, and no part may hold a run of more than
    :data:`XLSX_MAX_TEXT_RUN_BYTES` without markup or a row of more than
    :data:`XLSX_MAX_ROW_TAGS` tags.
    """
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, SHARED_STRINGS
    from openpyxl.xml.functions import fromstring

    xml_cap = max_text_chars * XLSX_XML_BYTES_PER_CHAR
    try:
        with zipfile.ZipFile(file) as archive:
            types = archive.getinfo(ARC_CONTENT_TYPES)
            if types.file_size > _MAX_CONTENT_TYPES_BYTES:
                return InputProblem(f"its {ARC_CONTENT_TYPES} is oversized", path=path)
            manifest = Manifest.from_tree(fromstring(archive.read(types)))
            part = manifest.find(SHARED_STRINGS)
            shared = archive.getinfo(part.PartName[1:]).file_size if part is not None else 0
            if shared > max_text_chars:
                return InputProblem(
                    f"its shared strings unpack to {shared} bytes, over the limit of "
                    f"{max_text_chars}",
                    path=path,
                )
            members = archive.infolist()
            unpacked = sum(m.file_size for m in members)
            if unpacked > xml_cap:
                largest = max(members, key=lambda m: m.file_size)
                return InputProblem(
                    f"it unpacks to {unpacked} bytes (its part {largest.filename}: "
                    f"{largest.file_size}), over the limit of {xml_cap} "
                    f"({XLSX_XML_BYTES_PER_CHAR} bytes per character of text)",
                    path=path,
                )
            # Every part, not only those typed as worksheets: the reader follows the
            # workbook's relationships, whatever content type the manifest gives a part.
            for member in members:
                overflow = _part_overflow(archive, member)
                if overflow is not None:
                    return InputProblem(
                        f"its part {member.filename} holds {overflow}, more than a list needs "
                        "(a planted file can be small on disk and huge when read)",
                        path=path,
                    )
    except (
        zipfile.BadZipFile,
        zlib.error,
        NotImplementedError,
        OSError,
        ValueError,
        KeyError,
        SyntaxError,
        EOFError,
    ) as exc:
        return InputProblem(f"not a readable XLSX workbook: {exc}", path=path)
    return None


def _part_overflow(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> str | None:
    """What in ``part`` is past the reader's bounds, or None: a run of more than
    :data:`XLSX_MAX_TEXT_RUN_BYTES` with no ``<`` in between, or a row element with more
    than :data:`XLSX_MAX_ROW_TAGS` tags before the next (openpyxl builds a row whole).

    The part is read in chunks no larger than the run limit, so only a run crossing chunks
    can pass it. Reading goes through :mod:`zipfile`, which stops at the part's declared
    size and then fails its CRC check, so a part cannot hold more than its header says.
    """
    run = 0
    row_tags: int | None = None  # tags since the last row start; None before the first
    tail = b""
    with archive.open(part) as data:
        for chunk in iter(lambda: data.read(min(_LINE_CHUNK, XLSX_MAX_TEXT_RUN_BYTES)), b""):
            first = chunk.find(b"<")
            if first < 0:
                run += len(chunk)
            else:
                if run + first > XLSX_MAX_TEXT_RUN_BYTES:
                    break
                last = chunk.rfind(b"<")
                run = len(chunk) - last - 1
            if run > XLSX_MAX_TEXT_RUN_BYTES:
                break
            buf = tail + chunk
            at = len(tail)
            for start in _ROW_START.finditer(buf):
                if start.end() <= len(tail):
                    continue  # found in the previous chunk
                if row_tags is not None:
                    row_tags += buf.count(b"<", at, start.start())
                    if row_tags > XLSX_MAX_ROW_TAGS:
                        return f"a row of more than {XLSX_MAX_ROW_TAGS} tags"
                row_tags = 0
                at = max(at, start.start() + 1)
            if row_tags is not None:
                row_tags += buf.count(b"<", at)
                if row_tags > XLSX_MAX_ROW_TAGS:
                    return f"a row of more than {XLSX_MAX_ROW_TAGS} tags"
            tail = chunk[chunk.rfind(b"<") :][:_ROW_TAG_BYTES] if first >= 0 else b""
        else:
            return None
    return f"more than {XLSX_MAX_TEXT_RUN_BYTES} bytes without markup"


def _read_xlsx(
    file: Path,
    path: str,
    mapping: ColumnMapping | None,
    schema: ListSchema,
    max_text_chars: int,
    problems: ProblemLog,
) -> _Raw | None:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    problem = xlsx_parts_problem(file, path, max_text_chars)
    if problem is not None:
        problems.append(problem)
        return None
    try:
        wb = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        problems.append(InputProblem(f"not a readable XLSX workbook: {exc}", path=path))
        return None
    try:
        ws = wb.worksheets[0]
        sheet_rows = ws.iter_rows(values_only=True)
        first = next(sheet_rows, None)
        if first is None:
            problems.append(InputProblem("the first sheet is empty (no header)", path=path, row=0))
            return None
        headers = [_cell(h) or "" for h in first]
        while headers and not headers[-1]:
            headers.pop()
        width = len(headers)
        rows = _Rows(
            path,
            headers,
            _resolve(headers, mapping, path, schema, problems),
            schema,
            max_text_chars,
            problems,
        )
        for row in sheet_rows:
            values = [_cell(v) for v in row]
            if not any(v is not None and v.strip() for v in values):
                continue
            if rows.too_many_rows():
                return None
            if any(v is not None and v.strip() for v in values[width:]):
                problems.append(
                    InputProblem("has values beyond the last header", path=path, row=rows.n_rows)
                )
            if not rows.add(values):
                return None
        return rows.raw()
    finally:
        wb.close()


def _read_parquet(
    file: Path,
    path: str,
    mapping: ColumnMapping | None,
    schema: ListSchema,
    max_text_chars: int,
    problems: ProblemLog,
) -> _Raw | None:
    try:
        pf = pq.ParquetFile(file)
        arrow_schema = pf.schema_arrow
    except (pa.ArrowException, OSError) as exc:
        problems.append(InputProblem(f"not a readable Parquet file: {exc}", path=path))
        return None
    headers = list(arrow_schema.names)
    positions = _resolve(headers, mapping, path, schema, problems)
    n_rows = pf.metadata.num_rows
    if n_rows > schema.max_rows:
        problems.append(
            InputProblem(f"{n_rows} rows is over the limit of {schema.max_rows}", path=path)
        )
        return None
    wanted: dict[int, str] = {}
    for pos in positions:
        field = arrow_schema.field(pos)
        if pa.types.is_nested(field.type):
            problems.append(
                InputProblem(
                    f"nested type {field.type} is not allowed", path=path, field=field.name
                )
            )
        else:
            wanted[pos] = field.name
    stored = sum(
        pf.metadata.row_group(g).column(c).total_uncompressed_size
        for g in range(pf.metadata.num_row_groups)
        for c in range(pf.metadata.num_columns)
        if pf.metadata.row_group(g).column(c).path_in_schema in wanted.values()
    )
    if stored > max_text_chars:
        problems.append(
            InputProblem(
                f"its columns unpack to {stored} bytes, over the limit of {max_text_chars}",
                path=path,
            )
        )
        return None
    text = [
        name
        for pos, name in wanted.items()
        if pa.types.is_string(arrow_schema.field(pos).type)
        or pa.types.is_large_string(arrow_schema.field(pos).type)
    ]
    caps = {pos: schema.column(positions[pos]).max_chars + 1 for pos in wanted}
    chunks: dict[int, list[Any]] = {pos: [] for pos in wanted}
    if not wanted:
        return _Raw(headers, positions, {}, n_rows)
    try:
        # One pass: each batch is measured before it is decoded, so only text under the limit
        # is ever held; the batch that passes it is reported by row and field.
        left = max_text_chars
        first_row = 1
        for batch in _parquet_batches(file, wanted, text):
            lengths = {
                pos: _decoded_lengths(arr) for pos, arr in zip(wanted, batch.columns, strict=True)
            }
            per_row = _sum_arrays(list(lengths.values()), batch.num_rows)
            total = pc.sum(per_row).as_py() or 0
            if total > left:
                over = pc.greater(pc.cumulative_sum(per_row), pa.scalar(left, pa.int64()))
                i = int(pc.index(over, True).as_py())
                pos = max(lengths, key=lambda p: lengths[p][i].as_py() or 0)
                problems.append(
                    _text_limit_problem(max_text_chars, path, first_row + i, headers[pos])
                )
                return None
            left -= total
            first_row += batch.num_rows
            for pos, arr in zip(wanted, batch.columns, strict=True):
                chunks[pos].append(_bounded_strings(arr, caps[pos]))
    except (pa.ArrowException, OSError) as exc:
        problems.append(InputProblem(f"not a readable Parquet file: {exc}", path=path))
        return None
    columns = {pos: pa.chunked_array(c, pa.string()).combine_chunks() for pos, c in chunks.items()}
    return _Raw(headers, positions, columns, n_rows)


def _parquet_batches(file: Path, wanted: dict[int, str], text: list[str]) -> Iterator[Any]:
    # Strings stay dictionary-encoded until their decoded size is known: a short dictionary
    # of long values can decode to gigabytes.
    return pq.ParquetFile(file, read_dictionary=text).iter_batches(  # type: ignore[no-any-return]
        batch_size=_PARQUET_BATCH_ROWS, columns=list(wanted.values())
    )


def _text_limit_problem(limit: int, path: str, row: int, field: str | None) -> InputProblem:
    return InputProblem(
        f"the file holds more than {limit} characters of text, over the limit (a planted file "
        "can be small on disk and huge when read); split the list",
        path=path,
        row=row,
        field=field,
    )


def _sum_arrays(arrays: list[Any], n: int) -> Any:
    total: Any = pa.array([0] * n, pa.int64())
    for a in arrays:
        total = pc.add(total, pc.fill_null(pc.cast(a, pa.int64()), 0))
    return total


def _decoded_lengths(arr: Any) -> Any:
    """The length in characters of each value of ``arr`` once decoded, without decoding it."""
    if pa.types.is_dictionary(arr.type):
        return pc.take(_decoded_lengths(arr.dictionary), arr.indices)
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return pc.utf8_length(arr)
    if pa.types.is_binary(arr.type) or pa.types.is_large_binary(arr.type):
        return pc.binary_length(arr)
    return pa.nulls(len(arr), pa.int64())


def _bounded_strings(arr: Any, cap: int) -> Any:
    """``arr`` as strings, each value trimmed and cut to ``cap`` characters if it is longer."""
    if pa.types.is_dictionary(arr.type):
        values = _bounded_strings(arr.dictionary, cap)
        return pc.take(values, arr.indices)
    try:
        text = pc.cast(arr, pa.string())
    except pa.ArrowException:
        text = pa.array([_cell(v) for v in arr.to_pylist()], pa.string())
    long = pc.greater(pc.utf8_length(text), pa.scalar(cap))
    if not pc.any(long).as_py():
        return text
    cut = pc.utf8_slice_codeunits(pc.utf8_trim_whitespace(text), 0, cap)
    return pc.if_else(long, cut, text)


def _rows_where(mask: Any) -> list[int]:
    idx = pc.indices_nonzero(pc.fill_null(mask, False))
    return [int(i) + 1 for i in idx.to_pylist()[:_MAX_PROBLEMS_PER_CHECK] if i is not None]


def _validate_column(
    arr: Any,
    name: str,
    schema: ListSchema,
    path: str,
    problems: ProblemLog,
) -> Any:
    spec = schema.column(name)
    if spec.required:
        for r in _rows_where(pc.is_null(arr)):
            problems.append(InputProblem("required value is empty", path=path, row=r, field=name))
    too_long = pc.greater(pc.utf8_length(arr), pa.scalar(spec.max_chars))
    for r in _rows_where(too_long):
        problems.append(
            InputProblem(f"longer than {spec.max_chars} characters", path=path, row=r, field=name)
        )
    for r in _rows_where(pc.match_substring_regex(arr, BIDI_EXPLICIT_CLASS)):
        problems.append(
            InputProblem(
                "contains a bidi embedding/override/isolate control character (U+202A-202E, "
                "U+2066-2069), which can disguise the text; remove it",
                path=path,
                row=r,
                field=name,
            )
        )
    for r in _rows_where(pc.match_substring_regex(arr, _CONTROL)):
        problems.append(InputProblem("contains a control character", path=path, row=r, field=name))
    return pc.replace_substring_regex(arr, BIDI_MARKS_CLASS, "")


def _list_name(file: Path, given: str | None, mapping: ColumnMapping | None) -> str:
    name = given or (mapping.list_name if mapping else None) or file.stem
    return name.strip()


def _read_one(
    file: Path,
    list_name: str,
    mapping: ColumnMapping | None,
    schema: ListSchema,
    max_text_chars: int,
    problems: ProblemLog,
) -> pa.Table | None:
    path = str(file)
    suffix = file.suffix.lower()
    if suffix not in LIST_FORMATS:
        problems.append(
            InputProblem(f"unsupported format {suffix!r}; use one of {LIST_FORMATS}", path=path)
        )
        return None
    try:
        size = file.stat().st_size
    except OSError as exc:
        problems.append(InputProblem(f"cannot read: {exc.strerror}", path=path))
        return None
    if size > schema.max_file_bytes:
        problems.append(
            InputProblem(f"{size} bytes is over the limit of {schema.max_file_bytes}", path=path)
        )
        return None
    reader = {".csv": _read_csv, ".xlsx": _read_xlsx, ".parquet": _read_parquet}[suffix]
    raw = reader(file, path, mapping, schema, max_text_chars, problems)
    if raw is None:
        return None
    by_column = {col: pos for pos, col in raw.positions.items()}
    out: dict[str, Any] = {
        "list": pa.array([list_name] * raw.n_rows, pa.string()),
    }
    for spec in schema.columns:
        pos = by_column.get(spec.name)
        if pos is None or pos not in raw.columns:
            out[spec.name] = pa.nulls(raw.n_rows, pa.string())
            continue
        arr: Any = pc.utf8_trim_whitespace(raw.columns[pos])
        arr = pc.if_else(pc.equal(arr, pa.scalar("")), pa.scalar(None, pa.string()), arr)
        out[spec.name] = _validate_column(arr, spec.name, schema, path, problems)
    out["row"] = pa.array(range(1, raw.n_rows + 1), pa.int64())
    if "record_id" in by_column:
        _check_unique_ids(out["record_id"], path, problems)
    order = ["list", "record_id", "row", *[c for c in schema.names if c != "record_id"]]
    meta = {b"inquest.list": list_name.encode(), b"inquest.path": path.encode()}
    return pa.table({k: out[k] for k in order}).replace_schema_metadata(meta)


def _check_unique_ids(ids: Any, path: str, problems: ProblemLog) -> None:
    counts = pc.value_counts(ids)
    dup = counts.filter(pc.greater(counts.field("counts"), pa.scalar(1, pa.int64()))).field(
        "values"
    )
    if len(dup) == 0:
        return
    rows = _rows_where(pc.is_in(ids, value_set=dup))
    first: dict[str, int] = {}
    values = ids.to_pylist()
    for r in rows:
        v = values[r - 1]
        if v is None:
            continue
        if v in first:
            problems.append(
                InputProblem(
                    f"record_id {v!r} repeats row {first[v]}", path=path, row=r, field="record_id"
                )
            )
        else:
            first[v] = r


def read_list(
    path: str | Path,
    *,
    list_name: str | None = None,
    mapping: ColumnMapping | None = None,
    schema: ListSchema | None = None,
    max_text_chars: int | None = None,
) -> pa.Table:
    """Read one list into an Arrow table of strings with provenance (``list, record_id, row``).

    Every standard column is present (null where the file lacks it). Values are trimmed,
    empty values are null, and invisible direction marks (LRM/RLM/ALM) are removed.
    Raises :class:`~inquest.errors.InputErrors` naming every problem; returns nothing partial.
    """
    return read_lists(
        [path],
        list_names=[list_name],
        mappings=[mapping],
        schema=schema,
        max_text_chars=max_text_chars,
    )


def read_lists(
    paths: Sequence[str | Path],
    *,
    list_names: Sequence[str | None] | None = None,
    mappings: Sequence[ColumnMapping | None] | None = None,
    schema: ListSchema | None = None,
    max_text_chars: int | None = None,
) -> pa.Table:
    """Read several lists into one table, all or nothing; list names must be distinct.

    Each file may hold at most ``max_text_chars`` characters of text once decoded (default:
    the schema's ``max_text_chars``); reading a file stops at the first cell past it.
    Problems past the first :data:`MAX_PROBLEMS` are counted, not kept.
    """
    schema = schema or standard_schema()
    text_limit = schema.max_text_chars if max_text_chars is None else max_text_chars
    if not paths:
        raise InputError("no lists given")
    names = list(list_names) if list_names is not None else [None] * len(paths)
    maps = list(mappings) if mappings is not None else [None] * len(paths)
    if len(names) != len(paths) or len(maps) != len(paths):
        raise ValueError("list_names and mappings must match paths one to one")
    problems = ProblemLog(MAX_PROBLEMS)
    tables = []
    seen: dict[str, str] = {}
    for p, given, mapping in zip(paths, names, maps, strict=True):
        file = Path(p)
        name = _list_name(file, given, mapping)
        if not name:
            problems.append(InputProblem("the list name is empty", path=str(file)))
        elif name in seen:
            problems.append(
                InputProblem(
                    f"list name {name!r} is already used by {seen[name]}; give a distinct name",
                    path=str(file),
                )
            )
        seen.setdefault(name, str(file))
        table = _read_one(file, name, mapping, schema, text_limit, problems)
        if table is not None:
            tables.append(table)
    if problems:
        raise InputErrors.from_log(problems)
    combined = pa.concat_tables(tables)
    return combined.replace_schema_metadata(
        {
            b"inquest.lists": ",".join(
                t.schema.metadata[b"inquest.list"].decode() for t in tables
            ).encode()
        }
    )
