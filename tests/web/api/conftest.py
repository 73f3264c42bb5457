"""The API tests' world: a public source with a person, and a protected source whose every
text holds ``CANARY``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from inquest.places import PlaceKind
from inquest.web.access.levels import Level
from inquest.web.registry import services
from inquest.web.registry.models import ParticipantRole
from inquest.web.runs import services as runs

from ..factories import make_records, make_source
from ..personas import Personas

CANARY = "CANARY-7f3a"  # planted only in protected objects


@pytest.fixture
def world(personas: Personas) -> dict[str, Any]:
    """A public source with a person, and a protected source whose every text holds CANARY."""
    boss = personas.investigator
    public = make_source(boss, "PUB", level=Level.PUBLIC)
    (pub_record,) = make_records(boss, public, n=1)
    person = services.create_person(boss, records=[pub_record], level=Level.PUBLIC)
    services.add_record_statements(boss, person, pub_record)
    secret = services.create_source(
        boss, code="SEC", name=f"list {CANARY}", origin=CANARY, level=Level.PROTECTED
    )
    (sec_record,) = services.add_records(
        boss,
        secret,
        [services.RowIn(row_number=1, raw={"given_name": CANARY}, external_id=CANARY)],
    )
    # A protected statement about the public person, from the protected source.
    services.add_statement(
        boss, person, prop="father_name", value=CANARY, source=secret, record=sec_record
    )
    hidden_person = services.create_person(boss, records=[sec_record])
    services.add_record_statements(boss, hidden_person, sec_record)
    place = services.add_place(boss, name="Synthetic prison", kind=PlaceKind.PRISON)
    services.add_place(boss, name=CANARY, kind=PlaceKind.CEMETERY, level=Level.PROTECTED)
    services.add_event(
        boss,
        kind="detention",
        participants=[(person, ParticipantRole.SUBJECT)],
        date_earliest=dt.date(1988, 7, 1),
        date_latest=dt.date(1988, 7, 31),
        place=place,
        source=public,
        level=Level.PUBLIC,
    )
    services.add_event(
        boss,
        kind="execution",
        participants=[(hidden_person, ParticipantRole.SUBJECT)],
        description=CANARY,
        source=secret,
    )
    linkage = runs.start_linkage_run(
        boss, sources=[secret], parameters={"note": CANARY}, input_sha256="ab" * 32
    )
    runs.start_estimate_run(
        boss,
        method="loglinear",
        parameters={"note": CANARY},
        input_sha256="cd" * 32,
        linkage_run=linkage,
    )
    return {"person": person, "hidden": hidden_person}


ENDPOINTS = (
    "sources",
    "records",
    "persons",
    "places",
    "events",
    "linkage-runs",
    "estimate-runs",
)
