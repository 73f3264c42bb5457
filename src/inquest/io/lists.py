"""Read victim lists in the standard list format into Arrow tables, all or nothing.

A list is a file in one of the registered list formats (:mod:`inquest.io.formats`: UTF-8
CSV, an XLSX workbook's first sheet, Parquet, and any format registered beside them) with one
row per record and columns from :mod:`inquest.io.schema`. The format is chosen by the file's
suffix; it gives the headers and the rows in Arrow batches. Every problem found (bad
encoding, malformed rows, unknown or duplicate columns, empty or duplicate ``record_id``,
over-long fields, bidi override characters, control characters) is collected with its file,
row and column, and raised together as :class:`~inquest.errors.InputErrors`; nothing is
returned unless the whole input is clean. Row numbers count data rows from 1 (the header is
row 0).

Files are streamed within bounds, since a planted file can be small on disk and huge when
read: over-long values are held cut to one character over their limit, the decoded text of
a file is limited (``max_text_chars``), and only the first :data:`MAX_PROBLEMS` problems are
kept (``docs/list-format.md``, Limits).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from inquest.errors import InputError, InputErrors, InputProblem, ProblemLog
from inquest.io import formats
from inquest.io.csv_list import MAX_CSV_ROW_CHARS
from inquest.io.formats import ReadContext
from inquest.io.mapping import ColumnMapping, resolve_headers
from inquest.io.schema import ListSchema, standard_schema
from inquest.io.xlsx_list import (
    XLSX_MAX_ROW_TAGS,
    XLSX_MAX_TEXT_RUN_BYTES,
    XLSX_XML_BYTES_PER_CHAR,
    xlsx_parts_problem,
)
from inquest.text.scripts import BIDI_EXPLICIT_CLASS, BIDI_MARKS_CLASS

__all__ = [
    "MAX_CSV_ROW_CHARS",
    "MAX_PROBLEMS",
    "SAMPLE_CELL_CHARS",
    "SAMPLE_ROWS",
    "XLSX_MAX_ROW_TAGS",
    "XLSX_MAX_TEXT_RUN_BYTES",
    "XLSX_XML_BYTES_PER_CHAR",
    "ListSample",
    "provenance_columns",
    "read_list",
    "read_lists",
    "sample_list",
    "xlsx_parts_problem",
]

# Embeddings, overrides and isolates reorder what a reader sees: reported as errors.
# Directional marks (LRM, RLM, ALM) are invisible and common in Persian text: removed.
# C0/C1 controls other than tab and line breaks.
_CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_MAX_PROBLEMS_PER_CHECK = 200
#: Problems kept per read; the rest are counted ("and N more").
MAX_PROBLEMS = 100
#: Rows a sample of a list holds (the workbench's column step shows them beside each column).
SAMPLE_ROWS = 20
#: Characters a sampled cell is cut to.
SAMPLE_CELL_CHARS = 200


def provenance_columns() -> tuple[str, ...]:
    """The provenance columns every table from :func:`read_list` starts with."""
    return ("list", "record_id", "row")


@dataclass(frozen=True)
class _Raw:
    """A file's headers, their standard columns, the cells read of them, and its row count."""

    headers: list[str]
    positions: dict[int, str]
    columns: dict[int, Any]
    n_rows: int


def _open(file: Path, schema: ListSchema, ctx: ReadContext) -> formats.OpenList | None:
    """The file opened by its format, after the checks every format shares (suffix, size)."""
    fmt = formats.format_for(file)
    if fmt is None:
        ctx.stop(
            InputProblem(
                f"unsupported format {file.suffix.lower()!r}; use one of {formats.suffixes()}",
                path=ctx.path,
            )
        )
        return None
    try:
        size = file.stat().st_size
    except OSError as exc:
        ctx.stop(InputProblem(f"cannot read: {exc.strerror}", path=ctx.path))
        return None
    if size > schema.max_file_bytes:
        ctx.stop(
            InputProblem(
                f"{size} bytes is over the limit of {schema.max_file_bytes}", path=ctx.path
            )
        )
        return None
    return fmt.open(file, ctx)


def _read_raw(
    file: Path,
    mapping: ColumnMapping | None,
    schema: ListSchema,
    max_text_chars: int,
    problems: ProblemLog,
) -> _Raw | None:
    ctx = ReadContext(str(file), schema, max_text_chars, problems)
    opened = _open(file, schema, ctx)
    if opened is None:
        return None
    with closing(opened):
        headers = list(opened.headers)
        positions, header_problems = resolve_headers(headers, mapping, ctx.path, schema)
        problems.extend(header_problems)
        caps = {pos: schema.column(col).max_chars + 1 for pos, col in positions.items()}
        chunks: dict[int, list[Any]] = {pos: [] for pos in positions}
        n_rows = 0
        for batch in opened.batches(caps):
            n_rows += batch.num_rows
            for pos, arr in batch.columns.items():
                chunks[pos].append(arr)
    if ctx.stopped:
        return None
    columns = {
        pos: pa.chunked_array(c, pa.string()).combine_chunks() for pos, c in chunks.items() if c
    }
    return _Raw(headers, positions, columns, n_rows)


@dataclass(frozen=True)
class ListSample:
    """A list's headers and its first rows' values under each (None where a cell is empty)."""

    headers: tuple[str, ...]
    values: tuple[tuple[str | None, ...], ...]
    """One tuple per header, in header order: the values of the first rows."""

    def column(self, position: int) -> tuple[str | None, ...]:
        """The sampled values of the column at ``position``."""
        return self.values[position]


def sample_list(
    path: str | Path,
    *,
    rows: int = SAMPLE_ROWS,
    schema: ListSchema | None = None,
    max_text_chars: int | None = None,
    shown: str | None = None,
) -> ListSample:
    """The headers of the list at ``path`` and the values of its first ``rows`` rows, each
    trimmed and cut to :data:`SAMPLE_CELL_CHARS` (for a column step, or to guess a mapping).

    Read by the file's format within the same bounds as :func:`read_list`; raises
    :class:`~inquest.errors.InputErrors` if the file cannot be read that far. Problems
    :func:`read_list` would report further on (unknown columns, bad values) are not looked for.
    """
    schema = schema or standard_schema()
    limit = schema.max_text_chars if max_text_chars is None else max_text_chars
    file = Path(path)
    problems = ProblemLog(MAX_PROBLEMS)
    ctx = ReadContext(shown or str(file), schema, limit, problems, batch_rows=max(rows, 1))
    opened = _open(file, schema, ctx)
    if opened is None:
        raise InputErrors.from_log(problems)
    with closing(opened):
        headers = tuple(opened.headers)
        values: list[list[str | None]] = [[] for _ in headers]
        wanted = dict.fromkeys(range(len(headers)), SAMPLE_CELL_CHARS)
        for batch in opened.batches(wanted):
            for pos, arr in batch.columns.items():
                values[pos].extend(arr.to_pylist()[: rows - len(values[pos])])
            if min((len(v) for v in values), default=rows) >= rows or not headers:
                break
    if ctx.stopped:
        raise InputErrors.from_log(problems)
    cleaned = tuple(
        tuple(v.strip() or None if v is not None else None for v in column) for column in values
    )
    return ListSample(headers, cleaned)


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
    raw = _read_raw(file, mapping, schema, max_text_chars, problems)
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
