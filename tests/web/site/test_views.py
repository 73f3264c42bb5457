"""Site pages: home uses visible_to; English/Persian layout; no inline scripts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from inquest.web.access.levels import Level
from inquest.web.registry.models import Source

from ..factories import make_records, make_source
from ..personas import Personas, totp_device, totp_token


@pytest.fixture
def sources(personas: Personas) -> None:
    make_source(personas.investigator, "PUB", level=Level.PUBLIC, name_original="فهرست نمونه")
    make_records(
        personas.investigator, make_source(personas.investigator, "SEC", level=Level.PROTECTED)
    )


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_home_counts_visible_objects(client: Client, personas: Personas, sources: None) -> None:
    client.force_login(personas.researcher)
    page = _page(client, "/")
    assert re.search(r"<dt>Sources</dt><dd>1</dd>", page)


def test_persian_layout_is_right_to_left(client: Client, sources: None) -> None:
    english = _page(client, "/")
    assert '<html lang="en" dir="ltr">' in english
    response = client.post("/i18n/setlang/", {"language": "fa", "next": "/sources/"})
    assert response.status_code == 302
    persian = _page(client, "/sources/")
    assert '<html lang="fa" dir="rtl">' in persian
    assert "Vazirmatn-Variable.woff2" in persian


def test_display_choice_is_kept(client: Client, personas: Personas) -> None:
    make_source(personas.investigator, "D", level=Level.PUBLIC)
    Source.objects.filter(code="D").update(obtained_on=dt.date(1988, 8, 1))
    assert "1 August 1988" in _page(client, "/sources/")
    response = client.post(
        "/display/", {"calendar": "jalali", "digits": "persian", "next": "/sources/"}
    )
    assert response.status_code == 302 and response["Location"] == "/sources/"
    assert "۱۰ Mordad ۱۳۶۷" in _page(client, "/sources/")


def test_display_refuses_foreign_redirects(client: Client, db: None) -> None:
    response = client.post("/display/", {"calendar": "jalali", "next": "https://elsewhere.test/"})
    assert response["Location"] == "/"


def test_pages_have_no_inline_scripts_or_styles(client: Client, sources: None) -> None:
    for url in ("/", "/sources/"):
        page = _page(client, url)
        assert "<script" not in page
        assert "<style" not in page
        assert " style=" not in page
        assert re.search(r"\son[a-z]+=", page) is None


def test_font_and_licence_are_served_locally() -> None:
    font = finders.find("inquest/fonts/vazirmatn/Vazirmatn-Variable.woff2")
    licence = finders.find("inquest/fonts/vazirmatn/OFL.txt")
    assert isinstance(font, str) and isinstance(licence, str)
    with open(font, "rb") as handle:
        assert handle.read(4) == b"wOF2"


def test_api_lists_visible_sources(client: Client, personas: Personas, sources: None) -> None:
    assert client.get("/api/sources/").status_code == 401  # the API is for signed-in callers
    client.force_login(personas.researcher)
    assert [s["code"] for s in client.get("/api/sources/").json()["results"]] == ["PUB"]
    client.force_login(personas.investigator)
    cleared = client.get("/api/sources/").json()["results"]
    assert [(s["code"], s["n_records"]) for s in cleared] == [("PUB", 0), ("SEC", 3)]


def test_persian_pages_are_translated(client: Client, db: None) -> None:
    client.post("/i18n/setlang/", {"language": "fa", "next": "/"})
    page = _page(client, "/")
    assert "منابع" in page  # "Sources"
    assert "میز کار" in page  # "Workbench"
    assert "۰" in page  # counts in Persian digits by default


def test_sign_in_and_out(client: Client, personas: Personas, sources: None) -> None:
    user = personas.investigator
    user.set_password("synthetic-pass-1988")
    user.save()
    assert "Sign in" in _page(client, "/login/")
    response = client.post(
        "/login/", {"username": user.username, "password": "wrong", "next": "/sources/"}
    )
    assert response.status_code == 200  # form again, with the error
    response = client.post(
        "/login/",
        {"username": user.username, "password": "synthetic-pass-1988", "next": "/sources/"},
    )
    assert response.status_code == 302 and response["Location"] == "/sources/"
    # An investigator sees protected data, so a TOTP code is asked for first.
    device = totp_device(user)
    assert client.get("/sources/")["Location"].startswith("/accounts/two-factor/verify/")
    response = client.post(
        "/accounts/two-factor/verify/", {"token": totp_token(device), "next": "/sources/"}
    )
    assert response.status_code == 302 and response["Location"] == "/sources/"
    page = _page(client, "/sources/")
    assert "SEC" in page and "synthetic-investigator" in page
    assert client.post("/logout/").status_code == 302
    assert "SEC" not in _page(client, "/sources/")
