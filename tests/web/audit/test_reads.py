"""Reads of protected data in pages are audited: one ``view`` entry per page answer that shows
any protected object, naming it; none for a page showing only public ones; a refused identity
reveal is an entry too."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from inquest.web.access.levels import Level
from inquest.web.audit.models import AuditEntry
from inquest.web.registry import services
from inquest.web.registry.models import Person, Record
from inquest.web.witnesses import redaction
from inquest.web.witnesses import services as witnesses
from inquest.web.witnesses.crypto import ENV_KEY, ENV_KEY_FILE, FieldKey
from inquest.web.witnesses.models import Witness

from ..factories import make_records, make_source
from ..personas import Personas


@dataclass(frozen=True)
class Side:
    """The objects of one level: a source, two records, a person, a witness."""

    source: Any
    records: list[Record]
    person: Person
    witness: Witness


@pytest.fixture
def field_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[FieldKey]:
    key = FieldKey.generate()
    monkeypatch.delenv(ENV_KEY_FILE, raising=False)
    monkeypatch.setenv(ENV_KEY, key.encoded())
    yield key
    redaction.forget_all()


def _side(user: Any, code: str, level: Level) -> Side:
    source = make_source(user, code, level=level)
    records = make_records(user, source, n=2)
    person = services.create_person(user, records=records[:1], level=level, label="synthetic")
    services.add_record_statements(user, person, records[0])
    witness = witnesses.create_witness(
        user, pseudonym=f"W-{code}", identity=witnesses.Identity(real_name="x"), level=level
    )
    witnesses.add_testimony(user, witness, summary="synthetic testimony", level=level)
    return Side(source, records, person, witness)


@pytest.fixture
def sides(personas: Personas, field_key: FieldKey) -> dict[str, Side]:
    boss = personas.investigator
    return {
        "public": _side(boss, "PUB", Level.PUBLIC),
        "protected": _side(boss, "SEC", Level.PROTECTED),
    }


def _pages(side: Side) -> dict[str, tuple[str, Any]]:
    """Each page type: its URL and the object it must name."""
    a, b = side.records
    return {
        "person": (f"/persons/{side.person.uid}/", side.person),
        "record": (f"/records/{a.uid}/", a),
        "source": (f"/sources/{side.source.code}/", side.source),
        "witness": (f"/witnesses/{side.witness.uid}/", side.witness),
        "search": (f"/search/?q=Ali&source={side.source.code}", a),
        "review pair": (f"/review/{a.uid}/{b.uid}/", b),
    }


def _views() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="view").order_by("id"))


@pytest.mark.parametrize("page", ["person", "record", "source", "witness", "search", "review pair"])
def test_a_page_showing_a_protected_object_adds_one_view_entry_naming_it(
    client: Client, personas: Personas, field_key: FieldKey, page: str
) -> None:
    client.force_login(personas.investigator)
    url, obj = _pages(_side(personas.investigator, "PUB", Level.PUBLIC))[page]
    before = len(_views())
    assert client.get(url).status_code == 200
    assert len(_views()) == before, f"{page}: a public page was audited"
    # Made afterwards: the search form offers every source it may see as a choice, and a
    # protected source offered is protected data shown.
    url, obj = _pages(_side(personas.investigator, "SEC", Level.PROTECTED))[page]
    response = client.get(url)
    assert response.status_code == 200
    added = _views()[before:]
    assert len(added) == 1, f"{page}: {len(added)} entries"
    entry = added[0]
    assert entry.actor_label == personas.investigator.username
    assert entry.detail["where"] == url.split("?")[0]
    assert f"{obj._meta.label}:{obj.pk}" in entry.detail["objects"]


def test_a_refused_identity_reveal_is_audited(
    client: Client, personas: Personas, sides: dict[str, Side]
) -> None:
    witness = witnesses.create_witness(
        personas.investigator,
        pseudonym="W-conf",
        identity=witnesses.Identity(),
        level=Level.CONFIDENTIAL,
    )
    client.force_login(personas.analyst)  # sees the witness, may not reveal who it is
    before = AuditEntry.objects.count()
    assert client.get(f"/witnesses/{witness.uid}/identity/").status_code == 403
    refused = list(AuditEntry.objects.filter(id__gt=0).order_by("id"))[before:]
    assert [(e.action, e.object_id, e.actor_label) for e in refused] == [
        ("witness.identity.refused", str(witness.pk), personas.analyst.username)
    ]
    client.force_login(personas.investigator)
    assert client.get(f"/witnesses/{witness.uid}/identity/").status_code == 200
    assert AuditEntry.objects.latest("id").action == "witness.identity.view"


def test_a_search_page_offering_a_protected_source_is_audited(
    client: Client, personas: Personas, sides: dict[str, Side]
) -> None:
    client.force_login(personas.investigator)
    before = len(_views())
    assert client.get("/search/").status_code == 200
    (entry,) = _views()[before:]
    assert f"registry.Source:{sides['protected'].source.pk}" in entry.detail["objects"]
    client.force_login(personas.analyst)  # offered nothing protected
    assert client.get("/search/?q=Ali").status_code == 200
    assert len(_views()) == before + 1


def test_a_list_page_is_one_entry_for_all_it_shows(
    client: Client, personas: Personas, sides: dict[str, Side]
) -> None:
    boss = personas.investigator
    for i in range(3):
        services.create_person(boss, records=[], level=Level.PROTECTED, label=f"p{i}")
    persons = list(Person.objects.filter(confidentiality=Level.PROTECTED).order_by("pk"))
    client.force_login(boss)
    before = len(_views())
    assert client.get("/persons/").status_code == 200
    (entry,) = _views()[before:]
    # four protected persons, and the protected source its filter offers
    assert entry.detail["models"] == ["registry.Person", "registry.Source"]
    shown = entry.detail["objects"]
    assert sum(o.startswith("registry.Person:") for o in shown) == 4
    assert sorted(shown) == sorted(
        [f"registry.Person:{p.pk}" for p in persons]
        + [f"registry.Source:{sides['protected'].source.pk}"]
    )


def test_noting_adds_no_query(client: Client, personas: Personas, sides: dict[str, Side]) -> None:
    """The audited page costs what it did plus the entry's own writes (lock, last, insert)."""
    client.force_login(personas.investigator)
    url = f"/persons/{sides['public'].person.uid}/"
    client.get(url)
    with CaptureQueriesContext(connection) as public:
        client.get(url)
    with CaptureQueriesContext(connection) as protected:
        client.get(f"/persons/{sides['protected'].person.uid}/")
    writes = [
        q
        for q in protected.captured_queries
        if "audit_auditentry" in q["sql"] or "SAVEPOINT" in q["sql"]
    ]
    extra = [
        q["sql"][:60] + " ... " + q["sql"][-60:]
        for q in protected.captured_queries
        if q not in writes
    ]
    assert len(extra) <= len(public.captured_queries), extra
