"""Lists as XLSX workbooks (the first sheet): the built-in ``xlsx`` format (``inquest.io.formats``).

openpyxl holds the whole shared-string table, and each row and cell whole, so the archive is
measured before it is opened (:func:`xlsx_parts_problem`), and an upload's bytes are checked
for a zip bomb before that (:meth:`XlsxFormat.check`).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from inquest.errors import InputProblem
from inquest.io.formats import ListBatch, ReadContext, batches_from_rows, register

__all__ = [
    "XLSX_MAX_RATIO",
    "XLSX_MAX_ROW_TAGS",
    "XLSX_MAX_TEXT_RUN_BYTES",
    "XLSX_MAX_UNPACKED",
    "XLSX_XML_BYTES_PER_CHAR",
    "XlsxFormat",
    "cell_text",
    "xlsx_parts_problem",
]

_LINE_CHUNK = 1 << 20
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
_ZIP_MAGIC = b"PK\x03\x04"
#: An upload may unpack to at most this many bytes, and each part to at most RATIO times its
#: compressed size: spreadsheets compress about 5-20 times; bombs a thousand times or more.
XLSX_MAX_UNPACKED = 1 << 30
XLSX_MAX_RATIO = 200
_XLSX_REQUIRED = ("[Content_Types].xml", "xl/workbook.xml")


def cell_text(value: object) -> str | None:
    """A spreadsheet or Parquet value as the text a list holds (whole numbers without ".0",
    midnight datetimes as dates)."""
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


class _OpenXlsx:
    def __init__(self, ctx: ReadContext, book: Any, rows: Iterator[Any], headers: list[str]):
        self.ctx = ctx
        self.book = book
        self.sheet_rows = rows
        self.headers = headers

    def _rows(self) -> Iterator[Sequence[str | None]]:
        width = len(self.headers)
        n = 0
        for row in self.sheet_rows:
            values = [cell_text(v) for v in row]
            if not any(v is not None and v.strip() for v in values):
                continue
            n += 1
            if n <= self.ctx.schema.max_rows and any(
                v is not None and v.strip() for v in values[width:]
            ):
                self.ctx.problem("has values beyond the last header", row=n)
            yield values

    def batches(self, wanted: Mapping[int, int]) -> Iterator[ListBatch]:
        return batches_from_rows(self.ctx, self.headers, wanted, self._rows())

    def close(self) -> None:
        self.book.close()


@dataclass(frozen=True)
class XlsxFormat:
    """An Excel workbook; the list is its first sheet, the header its first row."""

    name: str = "xlsx"
    description: str = "XLSX (Excel workbook, first sheet)"
    suffixes: tuple[str, ...] = (".xlsx",)

    def check(self, file: Path, head: bytes) -> str | None:
        if not head.startswith(_ZIP_MAGIC):
            return "not an XLSX workbook (an XLSX file is a zip archive)"
        try:
            with zipfile.ZipFile(file) as archive:
                members = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            return f"not a readable XLSX workbook: {exc}"
        names = {m.filename for m in members}
        missing = [n for n in _XLSX_REQUIRED if n not in names]
        if missing:
            return f"not an XLSX workbook (no {', '.join(missing)})"
        unpacked = sum(m.file_size for m in members)
        if unpacked > XLSX_MAX_UNPACKED:
            return f"unpacks to {unpacked} bytes, over {XLSX_MAX_UNPACKED}"
        for m in members:
            if m.file_size > XLSX_MAX_RATIO * max(m.compress_size, 1) and m.file_size > 1 << 20:
                return f"part {m.filename} is compressed suspiciously far (a zip bomb?)"
        return None

    def open(self, file: Path, ctx: ReadContext) -> _OpenXlsx | None:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        path = ctx.path
        problem = xlsx_parts_problem(file, path, ctx.max_text_chars)
        if problem is not None:
            ctx.stop(problem)
            return None
        try:
            book = openpyxl.load_workbook(file, read_only=True, data_only=True)
        except (InvalidFileException, OSError, KeyError, ValueError) as exc:
            ctx.stop(InputProblem(f"not a readable XLSX workbook: {exc}", path=path))
            return None
        try:
            sheet_rows = book.worksheets[0].iter_rows(values_only=True)
            first = next(sheet_rows, None)
        except Exception:
            book.close()
            raise
        if first is None:
            book.close()
            ctx.stop(InputProblem("the first sheet is empty (no header)", path=path, row=0))
            return None
        headers = [cell_text(h) or "" for h in first]
        while headers and not headers[-1]:
            headers.pop()
        return _OpenXlsx(ctx, book, sheet_rows, headers)


register(XlsxFormat())
