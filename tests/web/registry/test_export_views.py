"""Record exports hold only what the user may see, are formula-safe, and are audited."""

from __future__ import annotations

import csv
import io

from django.test import Client
from openpyxl import load_workbook

from inquest.web.access.levels import Level
from inquest.web.audit.models import AuditEntry
from inquest.web.registry import services

from ..factories import make_source
from ..personas import Personas


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def _seed(personas: Personas) -> None:
    source = make_source(personas.investigator, "EXP", level=Level.INTERNAL)
    services.add_records(
        personas.investigator,
        source,
        [
            services.RowIn(
                row_number=1, raw={"given_name": "=HYPERLINK(1)", "family_name": "نمونه"}
            ),
            services.RowIn(
                row_number=2, raw={"given_name": "PROTECTED-CANARY"}, level=Level.PROTECTED
            ),
        ],
    )


def test_each_role_gets_only_what_it_may_see(client: Client, personas: Personas) -> None:
    _seed(personas)
    assert client.get("/sources/EXP/export/csv/").status_code == 404  # anonymous: public only
    client.force_login(personas.researcher)
    response = client.get("/sources/EXP/export/csv/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="EXP-records.csv"'
    rows = _rows(response.content)
    assert rows[0] == [
        "row_number", "external_id", "confidentiality", "version", "given_name", "family_name"
    ]  # fmt: skip
    assert rows[1:] == [["1", "", "internal", "1", "'=HYPERLINK(1)", "نمونه"]]
    assert b"PROTECTED-CANARY" not in response.content
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.actor_id == personas.researcher.pk and entry.confidentiality == Level.INTERNAL

    client.force_login(personas.investigator)
    response = client.get("/sources/EXP/export/xlsx/")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[2][4] == "PROTECTED-CANARY" and values[1][4] == "'=HYPERLINK(1)"
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.confidentiality == Level.PROTECTED and entry.detail["rows"] == 2


def test_unknown_format_is_not_found(client: Client, personas: Personas) -> None:
    _seed(personas)
    client.force_login(personas.investigator)
    assert client.get("/sources/EXP/export/ods/").status_code == 404
    assert not AuditEntry.objects.filter(action="export").exists()
