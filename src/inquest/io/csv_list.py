"""Lists as UTF-8 CSV: the built-in ``csv`` format (``inquest.io.formats``).

The file is fed to the CSV parser line by line, no further than :data:`MAX_CSV_ROW_CHARS`
into one row, since the parser builds a row whole before any check.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from inquest.errors import InputProblem
from inquest.io.formats import ListBatch, ReadContext, batches_from_rows, register

__all__ = ["MAX_CSV_ROW_CHARS", "CsvFormat"]

_LINE_CHUNK = 1 << 20
#: Characters one CSV row may span: every column at its limit fits many times, while a row
#: of millions of short fields, which the CSV parser builds whole before any check, does not.
MAX_CSV_ROW_CHARS = 1 << 20
_ZIP_MAGIC = b"PK\x03\x04"
_PARQUET_MAGIC = b"PAR1"


def not_utf8(file: Path, path: str) -> InputProblem:
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

    def __init__(self, handle: IO[str], max_chars: int) -> None:
        self.handle = handle
        self.max_chars = max_chars
        self.used = 0

    def __iter__(self) -> _BoundedLines:
        return self

    def __next__(self) -> str:
        line = self.handle.readline(self.max_chars + 1 - self.used)
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


class _OpenCsv:
    def __init__(
        self,
        file: Path,
        ctx: ReadContext,
        handle: IO[str],
        lines: _BoundedLines,
        reader: Any,
        headers: list[str],
    ) -> None:
        self.file = file
        self.ctx = ctx
        self.handle = handle
        self.lines = lines
        self.reader = reader
        self.headers = headers

    def _rows(self) -> Iterator[Sequence[str | None]]:
        ctx, path = self.ctx, self.ctx.path
        width = len(self.headers)
        n = 0
        while True:
            self.lines.row_done()
            try:
                row = next(self.reader)
            except StopIteration:
                return
            except _RowTooLong:
                ctx.stop(_row_too_long(path, n + 1))
                return
            except UnicodeDecodeError:
                ctx.stop(not_utf8(self.file, path))
                return
            except csv.Error as exc:
                ctx.stop(InputProblem(f"malformed CSV: {exc}", path=path, row=n + 1))
                return
            if not row:
                continue
            n += 1
            if len(row) != width and n <= ctx.schema.max_rows:
                ctx.problem(f"has {len(row)} fields, the header has {width}", row=n)
            yield row

    def batches(self, wanted: Mapping[int, int]) -> Iterator[ListBatch]:
        return batches_from_rows(self.ctx, self.headers, wanted, self._rows())

    def close(self) -> None:
        self.handle.close()


@dataclass(frozen=True)
class CsvFormat:
    """UTF-8 CSV (a byte-order mark is allowed), comma-separated, the header on line 1."""

    name: str = "csv"
    description: str = "CSV (UTF-8 text)"
    suffixes: tuple[str, ...] = (".csv",)

    def check(self, file: Path, head: bytes) -> str | None:
        if b"\x00" in head:
            return "not a text file (it holds NUL bytes); a CSV list must be UTF-8 text"
        if head.startswith(_ZIP_MAGIC) or head.startswith(_PARQUET_MAGIC):
            return "this is a binary file named .csv; save it as CSV or keep its extension"
        try:
            codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
        except UnicodeDecodeError as exc:
            return f"not UTF-8 text (byte {exc.start} of the file); save it as UTF-8"
        return None

    def open(self, file: Path, ctx: ReadContext) -> _OpenCsv | None:
        path = ctx.path
        handle = file.open(encoding="utf-8-sig", newline="")
        lines = _BoundedLines(handle, MAX_CSV_ROW_CHARS)
        reader = csv.reader(lines, strict=True)
        problem: InputProblem | None = None
        try:
            headers = next(reader)
        except _RowTooLong:
            problem = _row_too_long(path, 0)
        except StopIteration:
            problem = InputProblem("the file is empty (no header)", path=path, row=0)
        except UnicodeDecodeError:
            problem = not_utf8(file, path)
        except csv.Error as exc:
            problem = InputProblem(f"malformed header: {exc}", path=path, row=0)
        if problem is not None:
            handle.close()
            ctx.stop(problem)
            return None
        return _OpenCsv(file, ctx, handle, lines, reader, headers)


register(CsvFormat())
