"""The JSON API: read-only, paginated, every endpoint hides what a role may not see, and the
OpenAPI schema validates."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.test import Client
from drf_spectacular.validation import validate_schema

from inquest.web.access.levels import Level
from inquest.web.registry import services
from inquest.web.registry.models import ParticipantRole

from ..factories import make_records, make_source
from ..personas import Personas
from .conftest import CANARY, ENDPOINTS


def _get(client: Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    return response.json()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_each_endpoint_hides_protected_objects_from_a_researcher(
    client: Client, personas: Personas, world: dict[str, Any], endpoint: str
) -> None:
    client.force_login(personas.researcher)
    page = client.get(f"/api/{endpoint}/")
    assert page.status_code == 200
    assert CANARY not in page.content.decode()
    client.logout()
    assert CANARY not in client.get(f"/api/{endpoint}/").content.decode()
    client.force_login(personas.investigator)
    cleared = _get(client, f"/api/{endpoint}/")
    assert cleared["count"] >= 1
    assert CANARY in client.get(f"/api/{endpoint}/").content.decode()


def test_details_are_narrowed_like_lists(
    client: Client, personas: Personas, world: dict[str, Any]
) -> None:
    person, hidden = world["person"], world["hidden"]
    client.force_login(personas.researcher)
    shown = _get(client, f"/api/persons/{person.uid}/")
    props = {(st["prop"], st["value"]) for st in shown["statements"]}
    assert ("given_name", "علی") in props
    assert all(st["value"] != CANARY for st in shown["statements"])
    assert [r["source"] for r in shown["records"]] == ["PUB"]
    assert client.get(f"/api/persons/{hidden.uid}/").status_code == 404
    assert client.get("/api/sources/SEC/").status_code == 404
    assert _get(client, "/api/sources/PUB/")["n_records"] == 1
    client.force_login(personas.investigator)
    both = _get(client, f"/api/persons/{person.uid}/")
    assert ("father_name", CANARY) in {(st["prop"], st["value"]) for st in both["statements"]}
    records = _get(client, "/api/records/?source=SEC")["results"]
    assert [r["values"] for r in records] == [{"given_name": CANARY}]


def test_api_is_read_only_and_paginated(
    client: Client, personas: Personas, world: dict[str, Any]
) -> None:
    client.force_login(personas.investigator)
    make_records(personas.investigator, make_source(personas.investigator, "MANY"), n=7)
    assert client.post("/api/sources/", {"code": "X"}).status_code == 405
    assert client.delete("/api/sources/PUB/").status_code == 405
    first = _get(client, "/api/records/?source=MANY&page_size=5")
    assert first["count"] == 7 and len(first["results"]) == 5 and first["next"]
    second = _get(client, first["next"])
    assert [r["row_number"] for r in second["results"]] == [6, 7]


def test_openapi_schema_is_refused_to_anonymous_and_unverified_users(
    client: Client, personas: Personas
) -> None:
    assert client.get("/api/schema/").status_code in {401, 403}
    # Signed in without the second factor (the suite's force_login would mark it verified).
    session = client.session
    session[SESSION_KEY] = str(personas.reader.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = personas.reader.get_session_auth_hash()
    session.save()
    assert client.get("/api/schema/").status_code in {401, 403}


def test_openapi_schema_validates_and_lists_every_endpoint(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.researcher)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)
    for endpoint in ENDPOINTS:
        assert f"/api/{endpoint}/" in schema["paths"]
        assert set(schema["paths"][f"/api/{endpoint}/"]) == {"get"}
    assert schema["info"]["title"] == "inquest workbench API"


def test_answers_showing_protected_objects_are_audited(
    client: Client, personas: Personas, world: dict[str, Any]
) -> None:
    from inquest.web.audit.models import AuditEntry

    before = AuditEntry.objects.filter(action="view").count()
    client.force_login(personas.researcher)
    for endpoint in ENDPOINTS:
        client.get(f"/api/{endpoint}/")
    client.get(f"/api/persons/{world['person'].uid}/")
    assert AuditEntry.objects.filter(action="view").count() == before  # nothing protected shown
    client.force_login(personas.investigator)
    client.get(f"/api/persons/{world['person'].uid}/")  # a protected statement, nested
    entry = AuditEntry.objects.filter(action="view").latest("id")
    assert entry.actor_label == personas.investigator.username
    assert entry.detail["where"] == f"/api/persons/{world['person'].uid}/"
    assert any(o.startswith("registry.Statement:") for o in entry.detail["objects"])
    client.get("/api/sources/")
    latest = AuditEntry.objects.filter(action="view").latest("id")
    assert latest.detail["models"] == ["registry.Source"] and latest.detail["n"] == 1


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_objects_are_named_by_public_ids_not_sequential_ones(
    client: Client, personas: Personas, world: dict[str, Any]
) -> None:
    from inquest.web.registry.models import Event, Place, Record

    client.force_login(personas.investigator)
    for endpoint in ENDPOINTS:
        answer = client.get(f"/api/{endpoint}/").json()
        assert answer["results"], endpoint
        assert "id" not in _keys(answer["results"]), endpoint
    for endpoint, obj in (
        ("records", Record.objects.first()),
        ("places", Place.objects.first()),
        ("events", Event.objects.first()),
    ):
        assert obj is not None
        assert client.get(f"/api/{endpoint}/{obj.pk}/").status_code == 404
        assert client.get(f"/api/{endpoint}/{obj.uid}/").status_code == 200
    record = Record.objects.first()
    assert record is not None
    assert client.get(f"/records/{record.pk}/").status_code == 404
    page = client.get(f"/sources/{record.source.code}/").content.decode()
    assert f"/records/{record.uid}/" in page


def test_an_event_names_its_record_only_to_those_who_may_see_the_record(
    client: Client, personas: Personas
) -> None:
    from inquest.web.registry.models import Record

    boss = personas.investigator
    public = make_source(boss, "PUB", level=Level.PUBLIC)
    (record,) = make_records(boss, public, n=1)
    person = services.create_person(boss, records=[record], level=Level.PUBLIC)
    services.add_event(
        boss,
        kind="detention",
        participants=[(person, ParticipantRole.SUBJECT)],
        source=public,
        record=record,
        level=Level.PUBLIC,
    )
    # The record is reclassified after the event cited it: the event stays public.
    Record.objects.filter(pk=record.pk).update(confidentiality=Level.PROTECTED)
    client.force_login(personas.researcher)
    (event,) = _get(client, "/api/events/")["results"]
    assert event["record"] is None
    client.force_login(personas.investigator)
    (event,) = _get(client, "/api/events/")["results"]
    assert event["record"] == str(record.uid)
