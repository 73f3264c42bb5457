"""List formats as plug-ins: the ``ListFormat`` protocol, its registry and the row helper.

A format has a ``name``, the file ``suffixes`` it reads, a ``check`` of a file's first bytes
(is this really the format its suffix says?) and ``open``, which returns the file's headers
and a reader of Arrow batches, each batch saying the number of its first row, so that every
problem names file, row and field. ``read_list``/``read_lists``, the workbench's upload check,
its column step and its import all pick the format here, by suffix: a new format is one
module and one ``register`` call (``docs/contributing.md``, "How to add a list format").

The bounds of ``docs/list-format.md`` (rows, decoded text, characters per cell) travel in the
:class:`ReadContext`; a format whose file is read row by row (CSV, XLSX, a toy TSV) hands its
rows to :func:`batches_from_rows`, which applies them all.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from inquest.errors import InputError, InputProblem, ProblemLog
from inquest.io.schema import ListSchema

__all__ = [
    "BUILTIN",
    "SNIFF_BYTES",
    "ListBatch",
    "ListFormat",
    "OpenList",
    "ReadContext",
    "RowBatcher",
    "batches_from_rows",
    "check_list_bytes",
    "format_for",
    "get",
    "list_formats",
    "register",
    "suffixes",
    "text_limit_problem",
    "unregister",
]

#: The modules of the formats that come with inquest (each registers itself on import).
BUILTIN = ("inquest.io.csv_list", "inquest.io.xlsx_list", "inquest.io.parquet_list")
#: Bytes of a file's start a format's ``check`` is given.
SNIFF_BYTES = 64 * 1024
#: Rows per batch when reading a whole list.
BATCH_ROWS = 65_536


@dataclass
class ReadContext:
    """What one read of one file may cost, and where its problems go.

    ``path`` is the file as problems name it. ``batch_rows`` is how many rows a batch should
    hold at most (a sample asks for a few). A format that meets a problem after which it
    cannot go on calls :meth:`stop`; any other problem it appends to ``problems`` and reads on.
    """

    path: str
    schema: ListSchema
    max_text_chars: int
    problems: ProblemLog
    batch_rows: int = BATCH_ROWS
    stopped: bool = False

    def stop(self, problem: InputProblem) -> None:
        """Record ``problem`` and mark the read as stopped (nothing of the file is kept)."""
        self.problems.append(problem)
        self.stopped = True

    def problem(self, reason: str, *, row: int | None = None, field: str | None = None) -> None:
        """Record a problem of this file that does not stop the read."""
        self.problems.append(InputProblem(reason, path=self.path, row=row, field=field))


@dataclass(frozen=True)
class ListBatch:
    """Consecutive rows of a list: the number of the first (data rows count from 1; the
    header is row 0), how many, and the text of each wanted column by header position, as
    Arrow strings, each value cut to its column's cap."""

    first_row: int
    num_rows: int
    columns: Mapping[int, pa.Array[Any]]


class OpenList(Protocol):
    """A list file opened by its format: its headers, then its rows in batches."""

    @property
    def headers(self) -> Sequence[str]:
        """The column headers, in file order (a position is an index into them)."""
        ...

    def batches(self, wanted: Mapping[int, int]) -> Iterator[ListBatch]:
        """The rows, in batches of at most ``ctx.batch_rows``, holding the columns at the
        positions of ``wanted``, each value longer than ``wanted[position]`` characters
        trimmed and cut to it. Stops early (``ctx.stop``) at a problem it cannot read past."""
        ...

    def close(self) -> None:
        """Release the file."""
        ...


class ListFormat(Protocol):
    """One file format a victim list may come in."""

    @property
    def name(self) -> str:
        """A short identifier, e.g. ``csv``."""
        ...

    @property
    def description(self) -> str:
        """One line for people, e.g. "CSV (UTF-8 text)"."""
        ...

    @property
    def suffixes(self) -> tuple[str, ...]:
        """File suffixes it reads, lower case with the dot (``.csv``)."""
        ...

    def check(self, file: Path, head: bytes) -> str | None:
        """Why the file, whose first :data:`SNIFF_BYTES` are ``head``, is not of this format
        (a renamed binary, a zip bomb posing as a workbook), or None. Runs before ``open``
        on every upload, so it must be cheap and must not trust the file."""
        ...

    def open(self, file: Path, ctx: ReadContext) -> OpenList | None:
        """The file opened for reading, or None after ``ctx.stop`` with the reason."""
        ...


_REGISTRY: dict[str, ListFormat] = {}
_loaded = False


def register(fmt: ListFormat, *, replace: bool = False) -> ListFormat:
    """Add ``fmt`` under its name (again with ``replace=True`` to swap one); its suffixes
    may not be another format's."""
    if not fmt.name.isidentifier():
        raise ValueError(f"list format name {fmt.name!r} must be an identifier")
    if not fmt.suffixes or not all(
        s.startswith(".") and s == s.lower() and len(s) > 1 for s in fmt.suffixes
    ):
        raise ValueError(f"{fmt.name}: suffixes must be lower case and start with a dot")
    if fmt.name in _REGISTRY and not replace and _REGISTRY[fmt.name] is not fmt:
        raise ValueError(f"a list format named {fmt.name!r} is registered already")
    for other in _REGISTRY.values():
        shared = set(other.suffixes) & set(fmt.suffixes)
        if other.name != fmt.name and shared:
            raise ValueError(f"{fmt.name}: {sorted(shared)} is read by {other.name} already")
    _REGISTRY[fmt.name] = fmt
    return fmt


def unregister(name: str) -> None:
    """Remove a format (tests register toy ones)."""
    _REGISTRY.pop(name, None)


def list_formats() -> dict[str, ListFormat]:
    """Every registered format by name, the built-in ones first."""
    global _loaded
    if not _loaded:
        for module in BUILTIN:
            importlib.import_module(module)
        _loaded = True
    first = [m.rsplit(".", 1)[-1].removesuffix("_list") for m in BUILTIN]
    ranked = sorted(_REGISTRY, key=lambda n: first.index(n) if n in first else len(first))
    return {name: _REGISTRY[name] for name in ranked}


def suffixes() -> tuple[str, ...]:
    """Every suffix a registered format reads, in the formats' order."""
    return tuple(s for fmt in list_formats().values() for s in fmt.suffixes)


def format_for(path: str | Path) -> ListFormat | None:
    """The format that reads ``path``, by its suffix (case does not matter), or None."""
    suffix = Path(path).suffix.lower()
    for fmt in list_formats().values():
        if suffix in fmt.suffixes:
            return fmt
    return None


def get(path: str | Path, *, shown: str | None = None) -> ListFormat:
    """The format of ``path``; ``InputError`` naming the suffixes read otherwise."""
    fmt = format_for(path)
    if fmt is None:
        suffix = Path(path).suffix.lower()
        raise InputError(
            f"{suffix or 'no extension'} is not a list format; use one of {', '.join(suffixes())}",
            path=shown or str(path),
            field="file",
        )
    return fmt


def check_list_bytes(path: Path, *, name: str | None = None) -> None:
    """Raise ``InputError`` unless the file at ``path`` looks like its suffix's format, by
    its bytes, before any parser touches it (``ListFormat.check``)."""
    shown = name or path.name
    fmt = get(path, shown=shown)
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    reason = fmt.check(path, head)
    if reason is not None:
        raise InputError(reason, path=shown, field="file")


def text_limit_problem(limit: int, path: str, row: int, field: str | None) -> InputProblem:
    """The problem of a file whose decoded text passes ``limit`` at ``row`` and ``field``."""
    return InputProblem(
        f"the file holds more than {limit} characters of text, over the limit (a planted file "
        "can be small on disk and huge when read); split the list",
        path=path,
        row=row,
        field=field,
    )


class RowBatcher:
    """Collects a list's rows of text into batches, within the reader's bounds.

    Only wanted columns are kept. A cell longer than its cap is kept trimmed and cut to it,
    so one huge value costs no more than a legal one. Every decoded cell counts towards
    ``ctx.max_text_chars``; the first cell past it, or the first row past the schema's
    ``max_rows``, stops the read with a problem naming the row and field.
    """

    def __init__(self, ctx: ReadContext, headers: Sequence[str], wanted: Mapping[int, int]):
        self.ctx = ctx
        self.headers = headers
        self.sinks = [(pos, cap) for pos, cap in wanted.items()]
        self.cells: dict[int, list[str | None]] = {pos: [] for pos in wanted}
        self.text_chars = 0
        self.n_rows = 0
        self.first_row = 1

    def _field(self, pos: int) -> str | None:
        return self.headers[pos] if pos < len(self.headers) else None

    def add(self, values: Sequence[str | None]) -> bool:
        """Count and keep one row; False (the read stopped) once a limit is passed."""
        ctx = self.ctx
        self.n_rows += 1
        if self.n_rows > ctx.schema.max_rows:
            ctx.stop(
                InputProblem(
                    f"more than {ctx.schema.max_rows} rows, over the limit",
                    path=ctx.path,
                    row=self.n_rows,
                )
            )
            return False
        chars = sum(map(len, filter(None, values)))
        if self.text_chars + chars > ctx.max_text_chars:
            for pos, v in enumerate(values):
                self.text_chars += len(v) if v is not None else 0
                if self.text_chars > ctx.max_text_chars:
                    ctx.stop(
                        text_limit_problem(
                            ctx.max_text_chars, ctx.path, self.n_rows, self._field(pos)
                        )
                    )
                    return False
        self.text_chars += chars
        n = len(values)
        for pos, cap in self.sinks:
            v = values[pos] if pos < n else None
            self.cells[pos].append(v if v is None or len(v) <= cap else v.strip()[:cap])
        return True

    @property
    def pending(self) -> int:
        """Rows kept since the last batch was taken."""
        return self.n_rows - self.first_row + 1

    def take(self) -> ListBatch:
        """The rows kept since the last batch, as a batch."""
        batch = ListBatch(
            self.first_row,
            self.pending,
            {pos: pa.array(c, pa.string()) for pos, c in self.cells.items()},
        )
        self.first_row = self.n_rows + 1
        self.cells = {pos: [] for pos in self.cells}
        return batch


def batches_from_rows(
    ctx: ReadContext,
    headers: Sequence[str],
    wanted: Mapping[int, int],
    rows: Iterable[Sequence[str | None]],
) -> Iterator[ListBatch]:
    """Batches of ``rows`` (each a data row's cells, in header order; the iterable may
    ``ctx.stop`` and end early), within the bounds of :class:`RowBatcher`."""
    batcher = RowBatcher(ctx, headers, wanted)
    for values in rows:
        if not batcher.add(values):
            return
        if batcher.pending >= ctx.batch_rows:
            yield batcher.take()
    if batcher.pending and not ctx.stopped:
        yield batcher.take()
