"""Places (extensible gazetteer) and events (date intervals, places, persons and roles)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from inquest.errors import InputError
from inquest.places import PlaceKind
from inquest.web.access.levels import Level
from inquest.web.registry import services
from inquest.web.registry.models import Event, ParticipantRole

from ..factories import make_records, make_source
from ..personas import Personas


def test_event_with_interval_place_and_participants(personas: Personas) -> None:
    city = services.add_place(personas.researcher, name="Synthetic City", kind=PlaceKind.CITY)
    prison = services.add_place(
        personas.researcher,
        name="Synthetic Prison",
        name_original="زندان نمونه",
        kind=PlaceKind.PRISON,
        parent=city,
        latitude=35.5,
        longitude=51.25,
    )
    source = make_source(personas.analyst)
    record = make_records(personas.analyst, source, 1)[0]
    person = services.create_person(personas.analyst, records=[record])
    event = services.add_event(
        personas.analyst,
        kind="execution",
        date_earliest=dt.date(1988, 7, 23),
        date_latest=dt.date(1988, 8, 22),
        date_original="مرداد ۱۳۶۷",
        place=prison,
        source=source,
        record=record,
        participants=[(person, ParticipantRole.SUBJECT)],
    )
    assert event.participants.get().person == person
    assert event.confidentiality == Level.INTERNAL
    assert list(Event.objects.visible_to(personas.researcher)) == [event]
    assert not Event.objects.visible_to(personas.reader).exists()


def test_event_checks(personas: Personas) -> None:
    with pytest.raises(InputError, match="ends before it starts"):
        services.add_event(
            personas.analyst,
            kind="arrest",
            date_earliest=dt.date(1988, 8, 2),
            date_latest=dt.date(1988, 8, 1),
            participants=[],
        )
    with pytest.raises(InputError, match="unknown event kind"):
        services.add_event(personas.analyst, kind="party", participants=[])


def test_places_need_the_right_and_sane_coordinates(personas: Personas) -> None:
    with pytest.raises(PermissionDenied):
        services.add_place(personas.reader, name="X", kind=PlaceKind.CITY)
    with pytest.raises(InputError, match="latitude"):
        services.add_place(personas.researcher, name="X", kind=PlaceKind.CITY, latitude=91)
    with pytest.raises(PermissionDenied):  # a child of an internal place is internal too
        parent = services.add_place(
            personas.researcher, name="Y", kind=PlaceKind.CITY, level=Level.INTERNAL
        )
        services.add_place(personas.reader, name="Z", kind=PlaceKind.CEMETERY, parent=parent)
