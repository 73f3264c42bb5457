"""Importing a list in the browser: upload, column mapping, preview, problems by row and
field, all or nothing, the same file recognised, only for those with the import right."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from inquest.web.access.levels import Level
from inquest.web.audit.models import AuditEntry
from inquest.web.registry.models import Record, Source
from inquest.web.registry.staging import staging_root

from ..personas import Personas

# Synthetic list: Persian headers (two are packaged aliases), one column the reader does not know.
GOOD = (
    "شناسه,نام,نام خانوادگی,نام پدر,ستون داخلی\n"
    "n1,علی,نمونه,حسن,x\n"
    "n2,مریم,آزمایشی,رضا,y\n"
    "n3,Reza,Sample,Ali,z\n"
).encode()
BAD = b"record_id,full_name,age\nr1,Ali Sample,40\nr1,Maryam Test,31\n,Reza Test,\n"


@pytest.fixture(autouse=True)
def private_data_dir(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    """Each test's uploads wait in a data folder of its own."""
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]


def _upload(client: Client, content: bytes, name: str = "synthetic_ngo.csv", **extra: str) -> str:
    data = {
        "file": SimpleUploadedFile(name, content, content_type="text/csv"),
        "origin": "synthetic test fixture",
        "level": str(int(Level.INTERNAL)),
        **extra,
    }
    response = client.post("/import/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    match = re.fullmatch(r"/import/([^/]+)/columns/", response["Location"])
    assert match
    return match.group(1)


def _import_as_suggested(client: Client, content: bytes, code: str) -> None:
    """Upload, take the suggested columns, import."""
    token = _upload(client, content, code=code)
    page = client.get(f"/import/{token}/columns/").content.decode()
    client.post(f"/import/{token}/columns/", _columns_form(page))
    assert client.post(f"/import/{token}/preview/").status_code == 302


def _columns_form(page: str) -> dict[str, str]:
    chosen = {}
    for select in re.finditer(r'<select id="(col-\d+)" name="col-\d+">(.*?)</select>', page, re.S):
        value = re.search(r'<option value="([^"]*)"[^>]* selected', select.group(2))
        chosen[select.group(1)] = value.group(1) if value else ""
    return chosen


def test_upload_map_preview_import(client: Client, personas: Personas) -> None:
    client.force_login(personas.researcher)
    token = _upload(client, GOOD, code="NGO")
    folder = staging_root() / token
    assert (folder / "synthetic_ngo.csv").read_bytes() == GOOD
    assert (folder.stat().st_mode & 0o777) == 0o700
    assert not str(folder).startswith(str(getattr(settings, "MEDIA_ROOT", "") or "/nonexistent"))
    page = client.get(f"/import/{token}/columns/").content.decode()
    chosen = _columns_form(page)
    assert chosen == {
        "col-0": "record_id",
        "col-1": "given_name",
        "col-2": "family_name",
        "col-3": "father_name",
        "col-4": "",
    }
    response = client.post(f"/import/{token}/columns/", chosen)
    assert response["Location"] == f"/import/{token}/preview/"
    preview = client.get(f"/import/{token}/preview/").content.decode()
    assert "The file has 3 rows." in preview
    assert "مریم" in preview and "ستون داخلی" not in preview and ">x<" not in preview
    assert not Source.objects.exists()  # nothing stored before the confirmation
    done = client.post(f"/import/{token}/preview/")
    assert done.status_code == 302 and done["Location"] == "/sources/NGO/"
    source = Source.objects.get(code="NGO")
    assert source.file_name == "synthetic_ngo.csv"
    assert source.confidentiality == Level.INTERNAL
    raws = [r.current.raw for r in Record.objects.filter(source=source).order_by("row_number")]
    assert raws[0] == {
        "record_id": "n1",
        "given_name": "علی",
        "family_name": "نمونه",
        "father_name": "حسن",
    }
    assert not folder.exists()
    assert AuditEntry.objects.filter(action="source.create").count() == 1
    page = client.get("/sources/NGO/").content.decode()
    assert "Imported 3 records as source NGO." in page


def test_the_same_file_again_is_recognised(client: Client, personas: Personas) -> None:
    client.force_login(personas.researcher)
    token = _upload(client, GOOD, code="NGO")
    client.post(f"/import/{token}/columns/", {"col-0": "record_id", "col-1": "given_name"})
    client.post(f"/import/{token}/preview/")
    again = client.post(
        "/import/",
        {
            "file": SimpleUploadedFile("renamed.csv", GOOD),
            "origin": "elsewhere",
            "level": str(int(Level.INTERNAL)),
        },
    )
    assert again.status_code == 200
    assert "imported already, as source NGO" in again.content.decode()
    assert Source.objects.count() == 1
    assert list(staging_root().iterdir()) == []
    client.force_login(personas.reader)  # may not see the source: told without its name
    client.force_login(personas.analyst)
    Source.objects.filter(code="NGO").update(confidentiality=Level.PROTECTED)
    hidden = client.post(
        "/import/",
        {
            "file": SimpleUploadedFile("again.csv", GOOD),
            "origin": "elsewhere",
            "level": str(int(Level.INTERNAL)),
        },
    )
    text = hidden.content.decode()
    assert hidden.status_code == 400
    assert "imported already" not in text and "may not see" not in text and "NGO" not in text
    entry = AuditEntry.objects.filter(action="source.clash_hidden").get()
    assert entry.detail["reference"] in text and entry.actor_label == personas.analyst.username
    assert entry.confidentiality == Level.PROTECTED  # the log does not reveal it either


def test_problems_are_listed_by_row_and_field_and_nothing_is_stored(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.researcher)
    token = _upload(client, BAD, name="synthetic_bad.csv")
    page = client.get(f"/import/{token}/columns/").content.decode()
    client.post(f"/import/{token}/columns/", _columns_form(page))
    preview = client.get(f"/import/{token}/preview/").content.decode()
    assert "nothing can be imported" in preview
    rows = re.findall(r"<tr><td>(\S+?)</td><td dir=\"auto\">(.*?)</td><td>(.*?)</td></tr>", preview)
    assert ("2", "record_id", "record_id &#x27;r1&#x27; repeats row 1") in rows
    assert any(r[0] == "3" and r[1] == "record_id" for r in rows)
    assert "Import all rows" not in preview
    assert client.post(f"/import/{token}/preview/").status_code == 200
    assert not Source.objects.exists() and not Record.objects.exists()


def test_an_unmapped_required_column_is_a_problem(client: Client, personas: Personas) -> None:
    client.force_login(personas.researcher)
    token = _upload(client, GOOD)
    client.post(f"/import/{token}/columns/", {"col-1": "given_name"})
    preview = client.get(f"/import/{token}/preview/").content.decode()
    assert "no record_id column" in preview


def test_wrong_type_and_size_are_refused(
    client: Client, personas: Personas, settings: pytest.FixtureRequest
) -> None:
    client.force_login(personas.researcher)
    response = client.post(
        "/import/",
        {
            "file": SimpleUploadedFile("list.exe", b"MZ"),
            "origin": "x",
            "level": str(int(Level.INTERNAL)),
        },
    )
    assert response.status_code == 400 and ".exe" in response.content.decode()
    settings.INQUEST_MAX_UPLOAD_BYTES = 10  # type: ignore[attr-defined]
    response = client.post(
        "/import/",
        {"file": SimpleUploadedFile("big.csv", GOOD), "origin": "x", "level": "1"},
    )
    assert response.status_code == 400 and "over the limit" in response.content.decode()
    assert list(staging_root().iterdir()) == []


def test_only_importers_may_import_and_only_at_their_levels(
    client: Client, personas: Personas
) -> None:
    assert client.get("/import/")["Location"].startswith("/login/")
    client.force_login(personas.reader)
    assert client.get("/import/").status_code == 403
    client.force_login(personas.researcher)
    page = client.get("/import/").content.decode()
    assert 'value="1"' in page and 'value="2"' not in page  # internal, not confidential
    response = client.post(
        "/import/",
        {
            "file": SimpleUploadedFile("l.csv", GOOD),
            "origin": "x",
            "level": str(int(Level.PROTECTED)),
        },
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_a_pending_upload_belongs_to_its_session(client: Client, personas: Personas) -> None:
    client.force_login(personas.researcher)
    token = _upload(client, GOOD)
    other = Client()
    other.force_login(personas.analyst)
    assert other.get(f"/import/{token}/columns/").status_code == 404
    assert other.post(f"/import/{token}/preview/").status_code == 404
    assert client.post(f"/import/{token}/cancel/").status_code == 302
    assert not (staging_root() / token).exists()
    assert client.get(f"/import/{token}/columns/").status_code == 404


def test_xlsx_upload_is_read_with_its_headers(client: Client, personas: Personas) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "full_name", "death_date"])
    sheet.append(["x1", "علی نمونه", "۱۳۶۷/۰۵/۱۰"])
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(personas.researcher)
    token = _upload(client, buffer.getvalue(), name="synthetic.xlsx", code="XL")
    chosen = _columns_form(client.get(f"/import/{token}/columns/").content.decode())
    assert chosen == {"col-0": "record_id", "col-1": "full_name", "col-2": "death_date"}
    client.post(f"/import/{token}/columns/", chosen)
    assert client.post(f"/import/{token}/preview/").status_code == 302
    assert Record.objects.get(source__code="XL").current.raw["death_date"] == "۱۳۶۷/۰۵/۱۰"


def test_import_pages_in_persian(client: Client, personas: Personas, tmp_path: Path) -> None:
    client.force_login(personas.researcher)
    client.post("/i18n/setlang/", {"language": "fa", "next": "/"})
    page = client.get("/import/").content.decode()
    assert 'dir="rtl"' in page
    assert "وارد کردن فهرست" in page  # "Import a list"


def test_a_list_with_a_problem_on_every_row_gives_a_short_page(
    client: Client, personas: Personas
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["record_id", "full_name"])
    for i in range(5_000):
        sheet.append([f"s{i}", "Synthetic", "beyond the header"])
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(personas.researcher)
    token = _upload(client, buffer.getvalue(), name="synthetic_wide.xlsx")
    client.post(
        f"/import/{token}/columns/",
        _columns_form(client.get(f"/import/{token}/columns/").content.decode()),
    )
    preview = client.get(f"/import/{token}/preview/").content.decode()
    assert "5,000 problems: nothing can be imported" in preview
    assert preview.count("has values beyond the last header") == 100
    assert "…and 4,900 more problems, not listed." in preview
    assert len(preview) < 50_000


def test_the_preview_cuts_long_cells_and_the_text_limit_applies(
    client: Client, personas: Personas, settings: pytest.FixtureRequest
) -> None:
    notes = "synthetic note " * 1_000
    content = f"record_id,notes\nn1,{notes}\n".encode()
    client.force_login(personas.researcher)
    token = _upload(client, content, name="synthetic_notes.csv")
    client.post(
        f"/import/{token}/columns/",
        _columns_form(client.get(f"/import/{token}/columns/").content.decode()),
    )
    preview = client.get(f"/import/{token}/preview/").content.decode()
    assert "The file has 1 row." in preview
    assert notes.strip() not in preview and notes[:150] in preview and "…" in preview
    settings.INQUEST_MAX_LIST_TEXT_CHARS = 1_000  # type: ignore[attr-defined]
    preview = client.get(f"/import/{token}/preview/").content.decode()
    assert "more than 1000 characters of text" in preview
    assert client.post(f"/import/{token}/preview/").status_code == 200
    assert not Source.objects.exists()


def test_oversized_xlsx_shared_strings_are_refused_at_the_columns_step(
    client: Client, personas: Personas, settings: pytest.FixtureRequest
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["record_id", "notes"])
    buffer = io.BytesIO()
    book.save(buffer)
    # openpyxl writes inline strings; add the shared-string table the reader holds whole
    patched = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(patched, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            out.writestr(item, data)
        out.writestr(
            "xl/sharedStrings.xml",
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<si><t>{'synthetic note ' * 400}</t></si></sst>",
        )
    client.force_login(personas.researcher)
    token = _upload(client, patched.getvalue(), name="synthetic_strings.xlsx")
    assert "record_id" in client.get(f"/import/{token}/columns/").content.decode()
    settings.INQUEST_MAX_LIST_TEXT_CHARS = 1_000  # type: ignore[attr-defined]
    page = client.get(f"/import/{token}/columns/").content.decode()
    assert "shared strings unpack to" in page


# The headers of issue 20, only the first of which got a suggestion before.
PLAIN = (
    "ID,Father,Notes,Name of victim,Executed on\n"
    "p1,Hasan,synthetic note,Ali Sample,1988-08-01\n"
    "p2,Reza,,Maryam Test,۱۳۶۷/۰۵/۱۰\n"
).encode()


def test_the_column_step_shows_values_labels_and_reasons(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.researcher)
    token = _upload(client, PLAIN, code="PL")
    page = client.get(f"/import/{token}/columns/").content.decode()
    assert _columns_form(page) == {
        "col-0": "record_id",
        "col-1": "father_name",
        "col-2": "notes",
        "col-3": "full_name",
        "col-4": "death_date",
    }
    row = re.search(r'<label for="col-3" dir="auto">Name of victim</label>.*?</tr>', page, re.S)
    assert row is not None
    assert '<span class="sample" dir="auto">Ali Sample</span>' in row.group(0)
    assert '<span class="sample" dir="auto">Maryam Test</span>' in row.group(0)
    assert "a usual header for this column" in row.group(0)
    assert '<option value="father_name">Father&#x27;s name</option>' in page
    assert ">father_name<" not in page and ">death_date<" not in page
    client.post("/i18n/setlang/", {"language": "fa", "next": "/"})
    page = client.get(f"/import/{token}/columns/").content.decode()
    assert '<option value="father_name" selected>نام پدر</option>' in page
    assert "نخستین مقدارها" in page and "سرستونی رایج برای این ستون" in page


def test_a_code_clash_is_told_at_the_column_step_with_advice_that_works(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.researcher)
    _import_as_suggested(client, GOOD, "NGO")
    token = _upload(client, PLAIN, code="NGO")
    page = client.get(f"/import/{token}/columns/").content.decode()
    assert "A source with the code NGO exists already" in page
    assert "give it another code below" in page
    chosen = _columns_form(page)
    again = client.post(f"/import/{token}/columns/", {**chosen, "code": "NGO"})
    assert again.status_code == 400 and "exists already" in again.content.decode()
    moved = client.post(f"/import/{token}/columns/", {**chosen, "code": "NGO-2"})
    assert moved["Location"] == f"/import/{token}/preview/"
    assert client.post(f"/import/{token}/preview/")["Location"] == "/sources/NGO-2/"
    assert Source.objects.filter(code__in=["NGO", "NGO-2"]).count() == 2


def test_a_hidden_code_clash_is_told_without_the_source(client: Client, personas: Personas) -> None:
    client.force_login(personas.analyst)
    _import_as_suggested(client, GOOD, "SECRET")
    Source.objects.filter(code="SECRET").update(confidentiality=Level.PROTECTED)
    client.force_login(personas.researcher)
    token = _upload(client, PLAIN, code="SECRET")
    page = client.get(f"/import/{token}/columns/").content.decode()
    assert "exists already" not in page and "new edition" not in page
    response = client.post(f"/import/{token}/columns/", {**_columns_form(page), "code": "SECRET"})
    text = response.content.decode()
    assert response.status_code == 400 and "ask an administrator" in text
    assert AuditEntry.objects.filter(action="source.clash_hidden").count() == 1


GROWN = (
    "ID,Father,Notes,Name of victim,Executed on\n"
    "p2,Reza,,Maryam Test,۱۳۶۷/۰۵/۱۰\n"
    "p1,Hasan,corrected synthetic note,Ali Sample,1988-08-01\n"
    "p3,Karim,,Sara Example,1988-09-01\n"
).encode()


def test_a_new_edition_of_a_source_adds_and_versions_records(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.researcher)
    _import_as_suggested(client, PLAIN, "PL")
    token = _upload(client, GROWN, name="synthetic_grown.csv", code="PL")
    page = client.get(f"/import/{token}/columns/").content.decode()
    assert "Import as a new edition of PL" in page
    response = client.post(
        f"/import/{token}/columns/", {**_columns_form(page), "code": "PL", "edition": "1"}
    )
    assert response["Location"] == f"/import/{token}/preview/"
    preview = client.get(f"/import/{token}/preview/").content.decode()
    assert "New edition of" in preview
    done = client.post(f"/import/{token}/preview/")
    assert done["Location"] == "/sources/PL/"
    records = {r.external_id: r for r in Record.objects.filter(source__code="PL")}
    assert sorted(records) == ["p1", "p2", "p3"] and Source.objects.count() == 1
    assert records["p1"].current.number == 2
    assert records["p1"].current.raw["notes"] == "corrected synthetic note"
    assert records["p1"].versions.get(number=1).raw["notes"] == "synthetic note"
    assert "synthetic_grown.csv" in records["p1"].current.reason
    assert records["p2"].current.number == 1 and records["p3"].row_number == 3
    entry = AuditEntry.objects.get(action="source.edition")
    assert (entry.detail["added"], entry.detail["changed"], entry.detail["unchanged"]) == (1, 1, 1)
    page = client.get("/sources/PL/").content.decode()
    assert "1 records added, 1 changed, 1 unchanged" in page
    assert "Edition 2" in page and "synthetic_grown.csv" in page
    again = client.post(
        "/import/",
        {
            "file": SimpleUploadedFile("renamed_edition.csv", GROWN),
            "origin": "synthetic test fixture",
            "level": str(int(Level.INTERNAL)),
        },
    )
    assert "imported already, as source PL" in again.content.decode()


def test_a_header_only_list_is_refused(client: Client, personas: Personas) -> None:
    client.force_login(personas.researcher)
    token = _upload(client, b"record_id,full_name\n", name="synthetic_empty.csv")
    page = client.get(f"/import/{token}/columns/").content.decode()
    client.post(f"/import/{token}/columns/", _columns_form(page))
    preview = client.get(f"/import/{token}/preview/").content.decode()
    assert "a header but no rows" in preview and "Import all rows" not in preview
    assert client.post(f"/import/{token}/preview/").status_code == 200
    assert not Source.objects.exists()
