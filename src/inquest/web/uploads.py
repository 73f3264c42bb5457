"""Check that an uploaded list is what its extension says, by its bytes, before reading it.

The extension picks the reader; the magic bytes must agree, so a renamed executable, an HTML
page or a zip bomb posing as a spreadsheet is refused before any parser touches it. Errors
are ``InputError`` naming the file and the field ``file``.
"""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

from inquest.errors import InputError

SNIFF_BYTES = 64 * 1024
ZIP_MAGIC = b"PK\x03\x04"
PARQUET_MAGIC = b"PAR1"
#: An XLSX may unpack to at most this many bytes, and each part to at most RATIO times its
#: compressed size: spreadsheets compress about 5-20 times; bombs a thousand times or more.
XLSX_MAX_UNPACKED = 1 << 30
XLSX_MAX_RATIO = 200
XLSX_REQUIRED = ("[Content_Types].xml", "xl/workbook.xml")


def check_list_file(path: Path, *, name: str | None = None) -> None:
    """Raise ``InputError`` unless the file at ``path`` looks like its extension's format."""
    shown = name or path.name
    suffix = path.suffix.lower()
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if suffix == ".csv":
        _check_csv(head, shown)
    elif suffix == ".xlsx":
        _check_xlsx(path, head, shown)
    elif suffix == ".parquet":
        _check_parquet(path, head, shown)
    else:
        raise InputError(
            f"{suffix or 'no extension'} is not a list format", path=shown, field="file"
        )


def _refuse(reason: str, shown: str) -> InputError:
    return InputError(reason, path=shown, field="file")


def _check_csv(head: bytes, shown: str) -> None:
    if b"\x00" in head:
        raise _refuse("not a text file (it holds NUL bytes); a CSV list must be UTF-8 text", shown)
    if head.startswith(ZIP_MAGIC) or head.startswith(PARQUET_MAGIC):
        raise _refuse(
            "this is a binary file named .csv; save it as CSV or keep its extension", shown
        )
    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise _refuse(
            f"not UTF-8 text (byte {exc.start} of the file); save it as UTF-8", shown
        ) from None


def _check_xlsx(path: Path, head: bytes, shown: str) -> None:
    if not head.startswith(ZIP_MAGIC):
        raise _refuse("not an XLSX workbook (an XLSX file is a zip archive)", shown)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse(f"not a readable XLSX workbook: {exc}", shown) from None
    names = {m.filename for m in members}
    missing = [n for n in XLSX_REQUIRED if n not in names]
    if missing:
        raise _refuse(f"not an XLSX workbook (no {', '.join(missing)})", shown)
    unpacked = sum(m.file_size for m in members)
    if unpacked > XLSX_MAX_UNPACKED:
        raise _refuse(f"unpacks to {unpacked} bytes, over {XLSX_MAX_UNPACKED}", shown)
    for m in members:
        if m.file_size > XLSX_MAX_RATIO * max(m.compress_size, 1) and m.file_size > 1 << 20:
            raise _refuse(f"part {m.filename} is compressed suspiciously far (a zip bomb?)", shown)


def _check_parquet(path: Path, head: bytes, shown: str) -> None:
    size = path.stat().st_size
    if size < 12 or not head.startswith(PARQUET_MAGIC):
        raise _refuse("not a Parquet file (no PAR1 header)", shown)
    with path.open("rb") as handle:
        handle.seek(size - 4)
        if handle.read(4) != PARQUET_MAGIC:
            raise _refuse("not a complete Parquet file (no PAR1 footer)", shown)
