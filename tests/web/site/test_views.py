"""Pages: home and source list use visible_to; English/Persian layout; no inline scripts."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from inquest.web.access.levels import Level
from inquest.web.registry import services
from inquest.web.registry.models import ParticipantRole, Source
from inquest.web.runs import services as runs

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


def test_source_list_shows_only_what_the_user_may_see(
    client: Client, personas: Personas, sources: None
) -> None:
    anonymous = _page(client, "/sources/")
    assert "PUB" in anonymous and "SEC" not in anonymous
    assert "فهرست نمونه" in anonymous
    client.force_login(personas.investigator)
    cleared = _page(client, "/sources/")
    assert "PUB" in cleared and "SEC" in cleared


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


def test_person_page_shows_conflicts_and_hides_what_it_must(
    client: Client, personas: Personas
) -> None:

    a = make_source(personas.investigator, "A", level=Level.PUBLIC)
    b = make_source(personas.investigator, "B", level=Level.PUBLIC)
    s = make_source(personas.investigator, "S", level=Level.PROTECTED)
    record = make_records(personas.investigator, a, 1)[0]
    person = services.create_person(
        personas.investigator, records=[record], level=Level.PUBLIC, label="Synthetic Person"
    )
    hidden = services.create_person(personas.investigator, level=Level.PROTECTED)
    for source, value in ((a, "hasan"), (b, "hossein"), (s, "secret-value")):
        services.add_statement(
            personas.investigator,
            person,
            prop="father_name",
            value=value,
            source=source,
            original_value="حسن" if source is a else None,
        )
    services.add_event(
        personas.investigator,
        kind="execution",
        date_earliest=dt.date(1988, 7, 23),
        date_latest=dt.date(1988, 8, 22),
        date_original="مرداد ۱۳۶۷",
        source=a,
        participants=[(person, ParticipantRole.SUBJECT)],
    )
    page = _page(client, f"/persons/{person.uid}/")
    assert "23 July 1988 – 22 August 1988" in page and "مرداد ۱۳۶۷" in page
    assert "sources disagree" in page
    assert "hasan" in page and "hossein" in page and "حسن" in page
    assert "secret-value" not in page
    assert "A · row 1" in page
    assert client.get(f"/persons/{hidden.uid}/").status_code == 404
    listing = _page(client, "/persons/")
    # the name its record gives (the rule's choice) before the label it was given
    assert "علی نمونه" in listing and str(hidden.uid) not in listing
    client.force_login(personas.investigator)
    assert "secret-value" in _page(client, f"/persons/{person.uid}/")


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


def test_source_and_record_pages_show_versions_with_who_and_why(
    client: Client, personas: Personas
) -> None:
    source = make_source(personas.investigator, "PUB", level=Level.PUBLIC)
    record = make_records(personas.investigator, source, 2)[0]
    services.correct_record(
        personas.investigator,
        record,
        raw={**record.current.raw, "father_name": "حسین"},
        reason="misread in the scan",
    )
    secret = make_source(personas.investigator, "SEC", level=Level.PROTECTED)
    hidden = make_records(personas.investigator, secret, 1)[0]
    listing = _page(client, "/sources/PUB/")
    assert "حسین" in listing  # the current values
    assert f'href="/records/{record.uid}/"' in listing
    page = _page(client, f"/records/{record.uid}/")
    assert "misread in the scan" in page
    assert "synthetic-investigator" not in page  # staff names only for signed-in users
    assert "حسن" in page and "حسین" in page  # before and after
    assert page.index("misread in the scan") < page.index(services.IMPORT_REASON)
    assert client.get("/sources/SEC/").status_code == 404
    assert client.get(f"/records/{hidden.uid}/").status_code == 404
    client.force_login(personas.reader)
    assert "synthetic-investigator" in _page(client, f"/records/{record.uid}/")


def test_run_pages_trace_a_figure_to_its_run(
    client: Client, personas: Personas, tmp_path: Path
) -> None:
    source = make_source(personas.investigator, "PUB", level=Level.PUBLIC)
    linkage = runs.start_linkage_run(
        personas.investigator,
        sources=[source],
        parameters={"threshold": 0.92},
        input_sha256="ab" * 32,
        seed=1367,
    )
    model = tmp_path / "model.json"
    model.write_text("{}", encoding="utf-8")
    runs.finish_run(
        personas.investigator, linkage, results={"persons": 41}, artefacts={"model": model}
    )
    estimate = runs.start_estimate_run(
        personas.investigator,
        method="loglinear",
        parameters={},
        input_sha256="cd" * 32,
        linkage_run=linkage,
        level=Level.PUBLIC,
    )
    hidden = runs.start_estimate_run(
        personas.investigator,
        method="dga",
        parameters={},
        input_sha256="ef" * 32,
        level=Level.PROTECTED,
    )
    listing = _page(client, "/runs/")
    assert f"/runs/linkage/{linkage.uid}/" in listing
    assert f"/runs/estimate/{estimate.uid}/" in listing
    assert f"/runs/estimate/{hidden.uid}/" not in listing
    page = html.unescape(_page(client, f"/runs/linkage/{linkage.uid}/"))
    assert '<code dir="ltr">threshold</code></th><td>0.92</td>' in page  # a key without label
    assert '<th scope="row">Persons</th><td>41</td>' in page
    assert "ab" * 32 in page and "1367" in page
    assert hashlib.sha256(b"{}").hexdigest() in page
    assert client.get(f"/runs/estimate/{hidden.uid}/").status_code == 404
    assert client.get(f"/runs/other/{linkage.uid}/").status_code == 404


def test_run_pages_and_api_show_no_server_paths(
    client: Client, personas: Personas, tmp_path: Path
) -> None:
    source = make_source(personas.investigator, "PUB", level=Level.PUBLIC)
    folder = tmp_path / "server-folder-xyz"
    folder.mkdir()
    model = folder / "model.json"
    model.write_text("{}", encoding="utf-8")
    linkage = runs.start_linkage_run(
        personas.investigator,
        sources=[source],
        parameters={"directory": str(folder), "threshold": 0.9},
        input_sha256="ab" * 32,
    )
    runs.finish_run(
        personas.investigator,
        linkage,
        results={"written": [str(model)], "note": f"see {model} for the model"},
        artefacts={"model": model},
    )
    client.force_login(personas.investigator)
    page = html.unescape(_page(client, f"/runs/linkage/{linkage.uid}/"))
    answer = client.get(f"/api/linkage-runs/{linkage.uid}/").content.decode()
    for text in (page, answer):
        assert str(tmp_path) not in text and "server-folder-xyz/" not in text
        assert "model.json" in text
    assert '"directory": "server-folder-xyz"' in answer.replace('":"', '": "')
    assert "server-folder-xyz" not in page  # the page does not show the run's folder
