"""Source list, source, record and person pages: only what the user may see, with versions and
who made them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from inquest.web.access.levels import Level
from inquest.web.registry import services
from inquest.web.registry.models import ParticipantRole

from ..factories import make_records, make_source
from ..personas import Personas


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
