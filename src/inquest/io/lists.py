"""Read victim lists in the standard list format into Arrow tables, all or nothing.

A list is a UTF-8 CSV, an XLSX workbook (first sheet) or a Parquet file with one row per
record and columns from :mod:`inquest.io.schema`. Every problem found (bad encoding,
malformed rows, unknown or duplicate columns, empty or duplicate ``record_id``, over-long
fields, bidi override characters, control characters) is collected with its file, row and
column, and raised together as :class:`~inquest.errors.InputErrors`; nothing is returned
unless the whole input is clean. Row numbers count data rows from 1 (the header is row 0).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from inquest.errors import InputError, InputErrors, InputProblem
from inquest.io.mapping import ColumnMapping, resolve_headers
from inquest.io.schema import ListSchema, standard_schema

__all__ = ["LIST_FORMATS", "provenance_columns", "read_list", "read_lists"]

LIST_FORMATS = (".csv", ".xlsx", ".parquet")

# Embeddings, overrides and isolates reorder what a reader sees: reported as errors.
_BIDI_CONTROLS = "[\u202a-\u202e\u2066-\u2069]"
# Directional marks (LRM, RLM, ALM) are invisible and common in Persian text: removed.
_BIDI_MARKS = "[\u200e\u200f\u061c]"
# C0/C1 controls other than tab and line breaks.
_CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_MAX_PROBLEMS_PER_CHECK = 200


def provenance_columns() -> tuple[str, ...]:
    """The provenance columns every table from :func:`read_list` starts with."""
    return ("list", "record_id", "row")


@dataclass
class _Raw:
    headers: list[str]
    columns: list[list[str | None]]
    n_rows: int


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


def _read_csv(data: bytes, path: str, problems: list[InputProblem]) -> _Raw | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n")
        problems.append(
            InputProblem(
                f"not UTF-8 (byte {exc.start}: {exc.reason}); save the file as UTF-8",
                path=path,
                row=line,
            )
        )
        return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        headers = next(reader)
    except StopIteration:
        problems.append(InputProblem("the file is empty (no header)", path=path, row=0))
        return None
    except csv.Error as exc:
        problems.append(InputProblem(f"malformed header: {exc}", path=path, row=0))
        return None
    width = len(headers)
    cols: list[list[str | None]] = [[] for _ in range(width)]
    n = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(InputProblem(f"malformed CSV: {exc}", path=path, row=n + 1))
            return None
        if not row:
            continue
        n += 1
        if len(row) != width:
            if len(problems) < _MAX_PROBLEMS_PER_CHECK:
                problems.append(
                    InputProblem(f"has {len(row)} fields, the header has {width}", path=path, row=n)
                )
            row = (row + [""] * width)[:width]
        for c, v in zip(cols, row, strict=True):
            c.append(v)
    return _Raw(headers, cols, n)


def _read_xlsx(file: Path, path: str, problems: list[InputProblem]) -> _Raw | None:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        problems.append(InputProblem(f"not a readable XLSX workbook: {exc}", path=path))
        return None
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        first = next(rows, None)
        if first is None:
            problems.append(InputProblem("the first sheet is empty (no header)", path=path, row=0))
            return None
        headers = [_cell(h) or "" for h in first]
        while headers and not headers[-1]:
            headers.pop()
        width = len(headers)
        cols: list[list[str | None]] = [[] for _ in range(width)]
        n = 0
        for row in rows:
            values = [_cell(v) for v in row]
            if not any(v is not None and v.strip() for v in values):
                continue
            n += 1
            if any(v is not None and v.strip() for v in values[width:]):
                problems.append(InputProblem("has values beyond the last header", path=path, row=n))
            values = (values + [None] * width)[:width]
            for c, v in zip(cols, values, strict=True):
                c.append(v)
        return _Raw(headers, cols, n)
    finally:
        wb.close()


def _read_parquet(file: Path, path: str, problems: list[InputProblem]) -> _Raw | None:
    try:
        table = pq.read_table(file)
    except (pa.ArrowException, OSError) as exc:
        problems.append(InputProblem(f"not a readable Parquet file: {exc}", path=path))
        return None
    cols: list[list[str | None]] = []
    for name, col in zip(table.column_names, table.columns, strict=True):
        try:
            cols.append(pc.cast(col, pa.string()).to_pylist())
        except pa.ArrowException:
            cols.append([_cell(v) for v in col.to_pylist()])
            if pa.types.is_nested(col.type):
                problems.append(
                    InputProblem(f"nested type {col.type} is not allowed", path=path, field=name)
                )
    return _Raw(list(table.column_names), cols, table.num_rows)


def _rows_where(mask: Any) -> list[int]:
    idx = pc.indices_nonzero(pc.fill_null(mask, False))
    return [int(i) + 1 for i in idx.to_pylist()[:_MAX_PROBLEMS_PER_CHECK] if i is not None]


def _validate_column(
    arr: Any,
    name: str,
    schema: ListSchema,
    path: str,
    problems: list[InputProblem],
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
    for r in _rows_where(pc.match_substring_regex(arr, _BIDI_CONTROLS)):
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
    return pc.replace_substring_regex(arr, _BIDI_MARKS, "")


def _list_name(file: Path, given: str | None, mapping: ColumnMapping | None) -> str:
    name = given or (mapping.list_name if mapping else None) or file.stem
    return name.strip()


def _read_one(
    file: Path,
    list_name: str,
    mapping: ColumnMapping | None,
    schema: ListSchema,
    problems: list[InputProblem],
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
    if suffix == ".csv":
        raw = _read_csv(file.read_bytes(), path, problems)
    elif suffix == ".xlsx":
        raw = _read_xlsx(file, path, problems)
    else:
        raw = _read_parquet(file, path, problems)
    if raw is None:
        return None
    if raw.n_rows > schema.max_rows:
        problems.append(
            InputProblem(f"{raw.n_rows} rows is over the limit of {schema.max_rows}", path=path)
        )
        return None
    positions, header_problems = resolve_headers(raw.headers, mapping, path, schema)
    problems.extend(header_problems)
    by_column = {col: pos for pos, col in positions.items()}
    out: dict[str, Any] = {
        "list": pa.array([list_name] * raw.n_rows, pa.string()),
    }
    for spec in schema.columns:
        pos = by_column.get(spec.name)
        if pos is None:
            out[spec.name] = pa.nulls(raw.n_rows, pa.string())
            continue
        arr: Any = pc.utf8_trim_whitespace(pa.array(raw.columns[pos], pa.string()))
        arr = pc.if_else(pc.equal(arr, pa.scalar("")), pa.scalar(None, pa.string()), arr)
        out[spec.name] = _validate_column(arr, spec.name, schema, path, problems)
    out["row"] = pa.array(range(1, raw.n_rows + 1), pa.int64())
    if "record_id" in by_column:
        _check_unique_ids(out["record_id"], path, problems)
    order = ["list", "record_id", "row", *[c for c in schema.names if c != "record_id"]]
    meta = {b"inquest.list": list_name.encode(), b"inquest.path": path.encode()}
    return pa.table({k: out[k] for k in order}).replace_schema_metadata(meta)


def _check_unique_ids(ids: Any, path: str, problems: list[InputProblem]) -> None:
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
) -> pa.Table:
    """Read one list into an Arrow table of strings with provenance (``list, record_id, row``).

    Every standard column is present (null where the file lacks it). Values are trimmed,
    empty values are null, and invisible direction marks (LRM/RLM/ALM) are removed.
    Raises :class:`~inquest.errors.InputErrors` naming every problem; returns nothing partial.
    """
    return read_lists([path], list_names=[list_name], mappings=[mapping], schema=schema)


def read_lists(
    paths: Sequence[str | Path],
    *,
    list_names: Sequence[str | None] | None = None,
    mappings: Sequence[ColumnMapping | None] | None = None,
    schema: ListSchema | None = None,
) -> pa.Table:
    """Read several lists into one table, all or nothing; list names must be distinct."""
    schema = schema or standard_schema()
    if not paths:
        raise InputError("no lists given")
    names = list(list_names) if list_names is not None else [None] * len(paths)
    maps = list(mappings) if mappings is not None else [None] * len(paths)
    if len(names) != len(paths) or len(maps) != len(paths):
        raise ValueError("list_names and mappings must match paths one to one")
    problems: list[InputProblem] = []
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
        table = _read_one(file, name, mapping, schema, problems)
        if table is not None:
            tables.append(table)
    if problems:
        raise InputErrors(problems)
    combined = pa.concat_tables(tables)
    return combined.replace_schema_metadata(
        {
            b"inquest.lists": ",".join(
                t.schema.metadata[b"inquest.list"].decode() for t in tables
            ).encode()
        }
    )
