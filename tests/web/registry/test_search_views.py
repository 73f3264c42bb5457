"""The search page: cross-script results, filters from visible choices only, two roles."""

from __future__ import annotations

import html

from django.test import Client

from inquest.places import PlaceKind
from inquest.web.access.levels import Level
from inquest.web.registry import services

from ..factories import make_source
from ..personas import Personas


def _registry(personas: Personas) -> None:
    writer = personas.investigator
    public = make_source(writer, "PUB", level=Level.PUBLIC)
    secret = make_source(writer, "SEC", level=Level.PROTECTED)
    rows = [
        services.RowIn(row_number=1, raw={"given_name": "محمد", "family_name": "حسینی"}),
        services.RowIn(row_number=2, raw={"full_name": "Mohammad Hosseini"}),
    ]
    records = services.add_records(writer, public, rows)
    services.create_person(writer, records=records[:1], label="محمد حسینی", level=Level.PUBLIC)
    services.add_records(
        writer, secret, [services.RowIn(row_number=1, raw={"full_name": "Mohamad Hoseyni"})]
    )
    services.add_place(
        writer, name="Canary secret prison", kind=PlaceKind.PRISON, level=Level.PROTECTED
    )


def test_search_finds_every_script_and_hides_what_is_protected(
    client: Client, personas: Personas
) -> None:
    _registry(personas)
    page = html.unescape(client.get("/search/", {"q": "Mohamad Hoseini"}).content.decode())
    assert "محمد حسینی" in page and "Mohammad Hosseini" in page
    assert "Mohamad Hoseyni" not in page and "SEC" not in page
    assert "Canary secret prison" not in page
    assert "2 records found" in page
    client.force_login(personas.investigator)
    cleared = client.get("/search/", {"q": "Mohamad Hoseini"})
    assert cleared.status_code == 200
    seen = html.unescape(cleared.content.decode())
    assert "Mohamad Hoseyni" in seen and "3 records found" in seen
    assert "Canary secret prison" in seen  # now a prison it may choose


def test_choices_outside_clearance_are_refused(client: Client, personas: Personas) -> None:
    _registry(personas)
    response = client.get("/search/", {"q": "Mohamad Hoseini", "source": "SEC"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Select a valid choice" in page and "Hoseyni" not in page
    bad_range = client.get(
        "/search/", {"q": "x y", "date_from": "1988-09-01", "date_to": "1988-08-01"}
    )
    assert "The range ends before it starts." in bad_range.content.decode()


def test_empty_query_shows_the_form_only(client: Client, personas: Personas) -> None:
    response = client.get("/search/")
    assert response.status_code == 200
    assert b"records found" not in response.content


def test_search_page_in_persian(client: Client, personas: Personas) -> None:
    _registry(personas)
    response = client.get("/search/", {"q": "محمد حسینی"}, HTTP_ACCEPT_LANGUAGE="fa")
    page = html.unescape(response.content.decode())
    assert 'dir="rtl"' in page and "جستجو در دفتر ثبت" in page
    assert "۲ رکورد یافت شد" in page  # Persian digits by default on Persian pages
    assert "Mohammad Hosseini" in page
