"""Clearance from grants and the matrix, and ``visible_to`` on every model."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from inquest.web.access import policy
from inquest.web.access.actions import Action
from inquest.web.access.levels import Level
from inquest.web.access.services import grant_role, revoke_role
from inquest.web.registry import services
from inquest.web.registry.models import Person, Record, RecordVersion, Source, Statement

from ..factories import make_records, make_source
from ..personas import Personas


def test_clearance_by_role(personas: Personas) -> None:
    assert policy.clearance(personas.anonymous) is Level.PUBLIC
    assert policy.clearance(personas.reader) is Level.PUBLIC
    assert policy.clearance(personas.researcher) is Level.INTERNAL
    assert policy.clearance(personas.analyst) is Level.CONFIDENTIAL
    assert policy.clearance(personas.investigator) is Level.PROTECTED


def test_inactive_accounts_see_nothing(personas: Personas) -> None:
    personas.investigator.is_active = False
    assert policy.clearance(personas.investigator) is None
    assert not policy.can(personas.investigator, Action.VIEW)


def test_grant_and_revoke(personas: Personas) -> None:
    with pytest.raises(PermissionDenied):
        grant_role(personas.analyst, personas.reader, "investigator")
    grant_role(personas.administrator, personas.reader, "analyst")
    assert policy.clearance(personas.reader) is Level.CONFIDENTIAL
    assert revoke_role(personas.administrator, personas.reader, "analyst") == 1
    assert policy.clearance(personas.reader) is Level.PUBLIC
    assert revoke_role(personas.administrator, personas.reader, "analyst") == 0


def test_can_checks_action_and_level(personas: Personas) -> None:
    assert policy.can(personas.researcher, Action.IMPORT, Level.INTERNAL)
    assert not policy.can(personas.researcher, Action.IMPORT, Level.CONFIDENTIAL)
    assert not policy.can(personas.researcher, Action.LINK, Level.PUBLIC)
    assert not policy.can(personas.administrator, Action.IMPORT, Level.PUBLIC)


def _one_source_per_level(personas: Personas) -> dict[Level, Source]:
    return {
        level: make_source(personas.investigator, level.name.lower(), level=level)
        for level in Level
    }


def test_visible_to_filters_by_level(personas: Personas) -> None:
    _one_source_per_level(personas)
    seen = {
        name: sorted(
            Source.objects.visible_to(getattr(personas, name)).values_list("code", flat=True)
        )
        for name in ("anonymous", "reader", "researcher", "analyst", "investigator")
    }
    assert seen["anonymous"] == ["public"]
    assert seen["reader"] == ["public"]
    assert seen["researcher"] == ["internal", "public"]
    assert seen["analyst"] == ["confidential", "internal", "public"]
    assert seen["investigator"] == ["confidential", "internal", "protected", "public"]


def test_children_are_hidden_with_their_parents(personas: Personas) -> None:
    sources = _one_source_per_level(personas)
    for source in sources.values():
        make_records(personas.investigator, source, 2)
    # Force a child below its parent's level (services never do): the parent still hides it.
    Record.objects.filter(source=sources[Level.PROTECTED]).update(confidentiality=Level.PUBLIC)
    RecordVersion.objects.update(confidentiality=Level.PUBLIC)
    visible = Record.objects.visible_to(personas.reader)
    assert {r.source.code for r in visible} == {"public"}
    assert RecordVersion.objects.visible_to(personas.reader).count() == 2
    assert RecordVersion.objects.visible_to(personas.analyst).count() == 6


def test_statements_hidden_when_person_source_or_record_is(personas: Personas) -> None:
    public = make_source(personas.investigator, "P", level=Level.PUBLIC)
    protected = make_source(personas.investigator, "S", level=Level.PROTECTED)
    record = make_records(personas.investigator, public, 1)[0]
    person = services.create_person(personas.investigator, records=[record], level=Level.PUBLIC)
    services.add_statement(personas.investigator, person, prop="alias", value="x", source=public)
    services.add_statement(personas.investigator, person, prop="alias", value="y", source=protected)
    assert Person.objects.visible_to(personas.reader).count() == 1
    assert [s.value for s in Statement.objects.visible_to(personas.reader)] == ["x"]
    assert Statement.objects.visible_to(personas.investigator).count() == 2


def test_record_visibility_is_exhaustively_the_rule(personas: Personas) -> None:
    """Every (source level, record level) pair against every persona: a record is visible
    exactly when the user's clearance covers both its own level and its source's."""
    expected: dict[int, tuple[Level, Level]] = {}
    for source_level in Level:
        source = make_source(personas.investigator, f"s{source_level}", level=source_level)
        for record_level in Level:
            record = Record.objects.create(
                source=source, row_number=int(record_level) + 1, confidentiality=record_level
            )
            expected[record.pk] = (source_level, record_level)
    for name in ("anonymous", "reader", "researcher", "analyst", "investigator"):
        user = getattr(personas, name)
        cleared = policy.clearance(user)
        assert cleared is not None
        seen = set(Record.objects.visible_to(user).values_list("pk", flat=True))
        want = {pk for pk, (s, r) in expected.items() if s <= cleared and r <= cleared}
        assert seen == want, name


def test_grants_are_read_once_inside_a_request(
    personas: Personas, django_assert_num_queries: Any
) -> None:
    with policy.grants_read_once(), django_assert_num_queries(1):
        for _ in range(5):
            assert policy.clearance(personas.researcher) is Level.INTERNAL
    with django_assert_num_queries(2):  # outside a request: every call reads the grants
        policy.clearance(personas.researcher)
        policy.clearance(personas.researcher)


def test_a_grant_inside_a_request_is_seen_at_once(personas: Personas) -> None:
    with policy.grants_read_once():
        assert policy.clearance(personas.reader) is Level.PUBLIC
        grant_role(personas.administrator, personas.reader, "analyst")
        assert policy.clearance(personas.reader) is Level.CONFIDENTIAL
        revoke_role(personas.administrator, personas.reader, "analyst")
        assert policy.clearance(personas.reader) is Level.PUBLIC
