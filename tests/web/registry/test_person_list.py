"""The persons list: shown names and dates, sources, sort, filters, paging and exports, all
narrowed to what the user may see."""

from __future__ import annotations

import csv
import html
import io
import re
from urllib.parse import parse_qsl

from django.contrib.auth.models import User
from django.test import Client
from openpyxl import load_workbook

from inquest.places import PlaceKind
from inquest.web.access.levels import Level
from inquest.web.audit.models import AuditEntry
from inquest.web.registry import persons as summaries
from inquest.web.registry import queries, search, services
from inquest.web.registry.models import Person, PersonRecord, Place, Record, Source
from inquest.web.registry.views import persons as persons_views

from ..factories import make_source
from ..personas import Personas


def _add(user: User, source: Source, rows: list[dict[str, str]], level: Level) -> list[Record]:
    start = Record.objects.filter(source=source).count()
    return services.add_records(
        user,
        source,
        [
            services.RowIn(row_number=start + i + 1, raw=raw, level=level)
            for i, raw in enumerate(rows)
        ],
    )


def _seed(personas: Personas) -> dict[str, Person]:
    """Synthetic persons: three public ones named by two public lists, one protected."""
    user = personas.investigator
    a = make_source(user, "A", level=Level.PUBLIC)
    b = make_source(user, "B", level=Level.PUBLIC)
    s = make_source(user, "S", level=Level.PROTECTED)
    services.add_place(user, name="Evin prison", kind=PlaceKind.PRISON, level=Level.PUBLIC)
    zahra = _add(user, a, [{"full_name": "Zahra Karimi", "death_date": "1988-08-01"}], Level.PUBLIC)
    zahra += _add(user, b, [{"full_name": "زهرا کریمی", "death_date": "۱۳۶۷/۰۵/۱۰"}], Level.PUBLIC)
    ali = _add(
        user, a, [{"full_name": "Ali Bahrami", "death_date": "1988-09-05", "prison": "Evin"}],
        Level.PUBLIC,
    )  # fmt: skip
    formula = _add(user, b, [{"full_name": "=HYPERLINK(1) Rezaei"}], Level.PUBLIC)
    hidden = _add(user, s, [{"full_name": "Secret Canary"}], Level.PROTECTED)
    return {
        "zahra": services.create_person(user, records=zahra),
        "ali": services.create_person(user, records=ali),
        "formula": services.create_person(user, records=formula),
        "hidden": services.create_person(user, records=hidden),
    }


def _names(client: Client, **params: str) -> list[str]:
    page = html.unescape(client.get("/persons/", params).content.decode())
    return re.findall(r'<a href="/persons/[0-9a-f-]+/" dir="auto">([^<]*)</a>', page)


def test_rows_show_name_date_records_and_sources(client: Client, personas: Personas) -> None:
    persons = _seed(personas)
    page = html.unescape(client.get("/persons/").content.decode())
    assert "3 persons" in page
    row = page.split(f"/persons/{persons['zahra'].uid}/")[1].split("</tr>")[0]
    assert "Zahra Karimi" in row and "1 August 1988" in row
    assert "<td>2</td>" in row and ">A</a> · <a" in row and ">B</a>" in row
    assert "Secret Canary" not in page and str(persons["hidden"].uid) not in page
    assert ">S</a>" not in page


def test_sort_and_filters(client: Client, personas: Personas) -> None:
    _seed(personas)
    assert _names(client) == ["=HYPERLINK(1) Rezaei", "Ali Bahrami", "Zahra Karimi"]
    assert _names(client, sort="-name") == ["Zahra Karimi", "Ali Bahrami", "=HYPERLINK(1) Rezaei"]
    assert _names(client, sort="date") == ["Zahra Karimi", "Ali Bahrami", "=HYPERLINK(1) Rezaei"]
    assert _names(client, sort="-date")[:2] == ["Ali Bahrami", "Zahra Karimi"]
    assert _names(client, sort="-records")[0] == "Zahra Karimi"
    assert _names(client, source="B") == ["=HYPERLINK(1) Rezaei", "Zahra Karimi"]
    assert _names(client, dated="no") == ["=HYPERLINK(1) Rezaei"]
    assert _names(client, dated="yes") == ["Ali Bahrami", "Zahra Karimi"]
    evin = Place.objects.get(name="Evin prison")
    assert _names(client, prison=str(evin.pk)) == ["Ali Bahrami"]
    # a source the user may not see is no choice: refused, not a way to count hidden persons
    refused = html.unescape(client.get("/persons/", {"source": "S"}).content.decode())
    assert "Select a valid choice" in refused and "Secret Canary" not in refused
    # in Persian the Persian-script name is shown and sorted on
    persian = html.unescape(client.get("/persons/", HTTP_ACCEPT_LANGUAGE="fa").content.decode())
    assert "زهرا کریمی" in persian and "۱۰ مرداد ۱۳۶۷" in persian
    assert "۳ فرد" in persian and "تاریخ درگذشت" in persian and "نخست بیشترین رکورد" in persian
    for english in ("Date of death", "Order", "Download", "3 persons", "most records first"):
        assert english not in persian


def _walk(client: Client, link: str, params: dict[str, str]) -> tuple[list[str], str]:
    """The names on the page ``params`` asks for and the page's ``link`` ("next" or
    "prev") as a query string, "" if none."""
    page = html.unescape(client.get("/persons/", params).content.decode())
    found = re.search(rf'<a href="\?([^"]*)" rel="{link}">', page)
    names = re.findall(r'<a href="/persons/[0-9a-f-]+/" dir="auto">([^<]*)</a>', page)
    return names, found.group(1) if found else ""


def test_paging_keeps_filters(client: Client, personas: Personas, monkeypatch: object) -> None:
    persons = _seed(personas)
    monkeypatch.setattr(persons_views, "PAGE_SIZE", 1)  # type: ignore[attr-defined]
    page = html.unescape(client.get("/persons/", {"sort": "-name"}).content.decode())
    ali = Person.objects.get(name_en="Ali Bahrami").uid
    assert "1 / 3" in page and f'href="?sort=-name&after={ali}&page=2"' not in page
    zahra = Person.objects.get(name_en="Zahra Karimi").uid
    assert f'href="?sort=-name&after={zahra}&page=2" rel="next"' in page
    second = html.unescape(
        client.get("/persons/", {"sort": "-name", "after": str(zahra)}).content.decode()
    )
    assert _names(client, sort="-name", after=str(zahra), page="2") == ["Ali Bahrami"]
    numbered = client.get("/persons/", {"sort": "-name", "after": str(zahra), "page": "2"})
    assert "2 / 3" in numbered.content.decode()
    assert f"before={ali}&amp;page=1" in numbered.content.decode() and "before=" in second
    # a cursor that is not a uid, or names a person the user may not see, is the first page
    assert _names(client, sort="-name", after="not-a-uid") == ["Zahra Karimi"]
    hidden = str(persons["hidden"].uid)
    assert _names(client, sort="-name", after=hidden) == ["Zahra Karimi"]
    assert _names(client, sort="-name", before=hidden) == ["Zahra Karimi"]


def test_keyset_pages_walk_every_order_both_ways(
    client: Client, personas: Personas, monkeypatch: object
) -> None:
    """Page by page forward and back, every order gives the persons of the one query that
    sorts them all (the export's), undated persons last in either direction."""
    _seed(personas)
    user = personas.investigator
    extra = make_source(user, "C", level=Level.PUBLIC)
    for i in range(5):  # equal names and dates, and no dates: ties go by id
        rows = [{"full_name": "Same Name", **({"death_date": "1988-08-01"} if i % 2 else {})}]
        services.create_person(user, records=_add(user, extra, rows, Level.PUBLIC))
    monkeypatch.setattr(persons_views, "PAGE_SIZE", 2)  # type: ignore[attr-defined]
    client.force_login(user)
    for sort in ("name", "-name", "date", "-date", "records", "-records"):
        expected = [
            p.display_name("en")
            for p in queries.person_rows(user, queries.PersonFilters(), queries.PersonSort(sort))
        ]
        assert len(expected) == 9
        forward: list[str] = []
        params, last = f"sort={sort}", ""
        while params:
            last = params
            names, params = _walk(client, "next", dict(parse_qsl(last)))
            forward += names
        assert forward == expected, sort
        backward, params = _walk(client, "prev", dict(parse_qsl(last)))
        while params:
            names, params = _walk(client, "prev", dict(parse_qsl(params)))
            backward = names + backward
        assert backward == expected, sort


def test_count_stops_at_its_cap(client: Client, personas: Personas, monkeypatch: object) -> None:
    _seed(personas)
    monkeypatch.setattr(queries, "COUNT_CAP", 2)  # type: ignore[attr-defined]
    page = html.unescape(client.get("/persons/").content.decode())
    assert "more than 2 persons" in page and "3 persons" not in page
    persian = html.unescape(client.get("/persons/", HTTP_ACCEPT_LANGUAGE="fa").content.decode())
    assert "بیش از ۲ فرد" in persian


def _csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def test_exports_are_narrowed_formula_safe_and_audited(client: Client, personas: Personas) -> None:
    persons = _seed(personas)
    response = client.get("/persons/export/csv/", {"sort": "name"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="persons.csv"'
    rows = _csv(response.content)
    assert rows[0] == list(persons_views.EXPORT_HEADER)
    assert [r[1] for r in rows[1:]] == ["'=HYPERLINK(1) Rezaei", "Ali Bahrami", "Zahra Karimi"]
    zahra = rows[3]
    assert zahra[0] == str(persons["zahra"].uid) and zahra[2:4] == ["زهرا کریمی", "Zahra Karimi"]
    assert zahra[4:] == ["1 August 1988", "1988-08-01", "1988-08-01", "2", "A; B", "public"]
    assert b"Secret Canary" not in response.content
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.detail["rows"] == 3 and entry.confidentiality == Level.PUBLIC
    # filtered, XLSX, for a user who sees the protected person too
    client.force_login(personas.investigator)
    response = client.get("/persons/export/xlsx/", {"source": "S"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(values) == 2 and values[1][1] == "Secret Canary" and values[1][8] == "S"
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.confidentiality == Level.PROTECTED and entry.detail["rows"] == 1
    assert client.get("/persons/export/ods/").status_code == 404
    client.logout()
    refused = client.get("/persons/export/csv/", {"source": "S"})
    assert refused.status_code == 400 and b"Secret" not in refused.content


def test_a_record_above_its_persons_level_neither_counts_nor_names_it(
    client: Client, personas: Personas
) -> None:
    """The services never write such a record; were one written by hand, a reader cleared
    for the person only would see neither the record, its list nor its name."""
    persons = _seed(personas)
    secret = Source.objects.get(code="S")
    hidden = [{"full_name": "Hidden Alias"}] * 2  # the commoner name, were it counted
    records = _add(personas.investigator, secret, hidden, Level.PROTECTED)
    for record in records:
        PersonRecord.objects.create(
            person=persons["ali"], record=record, confidentiality=Level.PROTECTED
        )
    search.sync_persons(records)
    summaries.refresh([persons["ali"].pk])
    page = html.unescape(client.get("/persons/", {"sort": "-records"}).content.decode())
    row = page.split(f"/persons/{persons['ali'].uid}/")[1].split("</tr>")[0]
    assert "<td>1</td>" in row and ">S</a>" not in row and "Hidden Alias" not in page
    assert _names(client, source="A") == ["Ali Bahrami", "Zahra Karimi"]
