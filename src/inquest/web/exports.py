"""The one way the workbench writes CSV and XLSX exports: formula-safe, audited, attachments.

Text cells go through the engine's neutraliser (:mod:`inquest.io.cells`): formula-like text
gets a leading ``'`` and every CSV field is quoted; numbers and dates are written as they
are. XLSX cells are also typed as text. Each export appends an audit entry with the file's
SHA-256 and row count, in the same transaction as the response is built.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django.db import models, transaction
from django.http import HttpResponse, HttpResponseBase

from inquest.io.cells import neutralise, write_csv
from inquest.web.access.levels import Level
from inquest.web.access.policy import AnyUser
from inquest.web.audit import services as audit

Format = Literal["csv", "xlsx"]
CONTENT_TYPES: dict[Format, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: Served files may not run anything, even if a browser is talked into rendering them.
DOWNLOAD_CSP = "default-src 'none'; sandbox"
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _plain(value: Any) -> Any:
    """Dates as ISO 8601 text; every other value as it is (text is neutralised on writing)."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> tuple[bytes, int]:
    """A UTF-8 CSV (with BOM, so spreadsheet programs read Persian right) and its row count."""
    buffer = io.StringIO(newline="")
    n = write_csv(buffer, header, ([_plain(v) for v in row] for row in rows))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8"), n


def xlsx_bytes(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str = "export"
) -> tuple[bytes, int]:
    """An XLSX workbook with one sheet, and its row count; text cells are stored as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    ws = book.create_sheet(title=_UNSAFE_NAME.sub("_", sheet)[:31] or "export")

    def cell(value: Any) -> WriteOnlyCell:
        if value is None or isinstance(value, bool | int | float | dt.date | dt.datetime):
            return WriteOnlyCell(ws, value=value)
        text = str(value)
        c = WriteOnlyCell(ws, value=neutralise(text))
        c.data_type = "s"  # never "f" (formula), whatever the text starts with
        return c

    ws.append([cell(h) for h in header])
    n = 0
    for row in rows:
        ws.append([cell(v) for v in row])
        n += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), n


def safe_filename(name: str, extension: str) -> str:
    """An ASCII file name for Content-Disposition: letters, digits, ``.``, ``_``, ``-``."""
    stem = _UNSAFE_NAME.sub("_", name).strip("._") or "export"
    return f"{stem[:100]}.{extension}"


def as_download(response: HttpResponseBase, filename: str) -> HttpResponseBase:
    """Mark ``response`` as a file to save, never to render: attachment, nosniff, sandboxed."""
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    return response


@dataclass(frozen=True)
class Export:
    """What is exported: a header, rows, and the object or model the audit entry names."""

    name: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    subject: models.Model | type[models.Model]
    level: Level | int


def export_response(user: AnyUser, export: Export, fmt: Format = "csv") -> HttpResponse:
    """The export as an attachment, with an audit entry (format, rows, SHA-256).

    The caller has already narrowed ``rows`` to what ``user`` may see (``visible_to``).
    """
    if fmt == "csv":
        content, n = csv_bytes(export.header, export.rows)
    elif fmt == "xlsx":
        content, n = xlsx_bytes(export.header, export.rows, sheet=export.name)
    else:
        raise ValueError(f"unknown export format {fmt!r}; use csv or xlsx")
    filename = safe_filename(export.name, fmt)
    with transaction.atomic():
        audit.record(
            user,
            "export",
            export.subject,
            level=export.level,
            detail={
                "name": export.name,
                "format": fmt,
                "rows": n,
                "sha256": hashlib.sha256(content).hexdigest(),
            },
        )
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    as_download(response, filename)
    return response
