"""The person page: records side by side, the lists naming the person, a dated timeline,
each narrowed to the viewer's clearance."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.test import Client

from inquest.web.access.levels import Level
from inquest.web.registry import queries, services
from inquest.web.registry.models import ParticipantRole, Person

from ..factories import make_source
from ..personas import Personas


@pytest.fixture
def person(personas: Personas) -> Person:
    writer = personas.investigator
    fam = make_source(writer, "FAM", level=Level.PUBLIC)
    ngo = make_source(writer, "NGO", level=Level.PUBLIC)
    sec = make_source(writer, "SEC", level=Level.PROTECTED)
    fa = services.add_records(
        writer,
        fam,
        [services.RowIn(1, {"given_name": "محمد", "family_name": "حسینی", "prison": "زندان اوین"})],
    )[0]
    la = services.add_records(
        writer, ngo, [services.RowIn(7, {"full_name": "Mohammad Hosseini", "age": "27"})]
    )[0]
    hidden = services.add_records(
        writer, sec, [services.RowIn(1, {"full_name": "Canary Hidden Name"})]
    )[0]
    person = services.create_person(
        writer, records=[fa, la], level=Level.PUBLIC, label="Mohammad Hosseini"
    )
    services.create_person(writer, records=[hidden], level=Level.PROTECTED)
    for kind, start, end in (
        ("execution", dt.date(1988, 8, 1), dt.date(1988, 8, 1)),
        ("arrest", dt.date(1987, 3, 1), dt.date(1987, 3, 31)),
        ("burial", None, None),
    ):
        services.add_event(
            writer,
            kind=kind,
            date_earliest=start,
            date_latest=end,
            source=ngo,
            participants=[(person, ParticipantRole.SUBJECT)],
        )
    services.add_event(
        writer,
        kind="transfer",
        date_earliest=dt.date(1988, 7, 1),
        date_latest=dt.date(1988, 7, 1),
        source=sec,
        participants=[(person, ParticipantRole.SUBJECT)],
        description="Canary protected transfer",
    )
    return person


def test_side_by_side_and_timeline_queries(personas: Personas, person: Person) -> None:
    table = queries.records_side_by_side(personas.researcher, person)
    assert [c.record.source.code for c in table.columns] == ["FAM", "NGO"]
    # Standard list order: full_name, given_name, family_name, ..., age, ..., prison.
    assert table.fields == ("full_name", "given_name", "family_name", "age", "prison")
    assert table.rows()[0] == ("full_name", ["", "Mohammad Hosseini"])
    assert [s.code for s in table.sources()] == ["FAM", "NGO"]
    kinds = [e.part.event.kind for e in queries.timeline_of(personas.researcher, person)]
    assert kinds == ["arrest", "execution", "burial"]
    cleared = [e.part.event.kind for e in queries.timeline_of(personas.investigator, person)]
    assert cleared == ["arrest", "transfer", "execution", "burial"]


def test_person_page_for_two_roles(client: Client, personas: Personas, person: Person) -> None:
    anonymous = html.unescape(client.get(f"/persons/{person.uid}/").content.decode())
    assert "محمد" in anonymous and "Mohammad Hosseini" in anonymous and "زندان اوین" in anonymous
    assert "FAM · row 1" in anonymous and "NGO · row 7" in anonymous
    assert "1 August 1988" in anonymous and "date unknown" in anonymous
    assert "Canary" not in anonymous and "SEC" not in anonymous
    assert "<script" not in anonymous and 'style="' not in anonymous
    client.force_login(personas.investigator)
    cleared = client.get(f"/persons/{person.uid}/").content.decode()
    assert "Canary protected transfer" in cleared
    assert "Canary Hidden Name" not in cleared  # another person's record


def test_person_page_in_jalali(client: Client, personas: Personas, person: Person) -> None:
    client.post("/display/", {"calendar": "jalali", "digits": "persian", "next": "/"})
    page = client.get(f"/persons/{person.uid}/").content.decode()
    assert "۱۰ Mordad ۱۳۶۷" in page
    assert "NGO · row ۷" in html.unescape(page)
