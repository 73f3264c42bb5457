"""Loading the packaged gazetteer into places: idempotent, updates, leaves user places alone."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.exceptions import PermissionDenied

from inquest import places as gazetteer
from inquest.places import PlaceKind
from inquest.web.access.levels import Level
from inquest.web.registry import services
from inquest.web.registry.gazetteer import sync_gazetteer
from inquest.web.registry.models import Place

from ..personas import Personas


def _sample() -> list[gazetteer.Place]:
    ids = ("province:tehran", "province:alborz", "prison:evin", "prison:gohardasht")
    return [gazetteer.get(i) for i in ids] + [gazetteer.get("cemetery:khavaran")]


def test_sync_creates_then_does_nothing(personas: Personas) -> None:
    first = sync_gazetteer(personas.researcher, _sample())
    assert (first.created, first.updated, first.unchanged) == (5, 0, 0)
    evin = Place.objects.get(gazetteer_id="prison:evin")
    assert (evin.name, evin.name_original, evin.kind) == ("Evin Prison", "زندان اوین", "prison")
    assert evin.parent is not None and evin.parent.gazetteer_id == "province:tehran"
    assert evin.details["province_1988"] == "tehran"
    gohardasht = Place.objects.get(gazetteer_id="prison:gohardasht")
    assert gohardasht.parent is not None and gohardasht.parent.gazetteer_id == "province:alborz"
    assert gohardasht.details["province_1988"] == "tehran"
    khavaran = Place.objects.get(gazetteer_id="cemetery:khavaran")
    assert khavaran.latitude is not None and float(khavaran.latitude) == pytest.approx(35.55694)
    assert evin.confidentiality == Level.PUBLIC
    again = sync_gazetteer(personas.researcher, _sample())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)


def test_sync_updates_changes_and_keeps_user_places_and_levels(personas: Personas) -> None:
    sync_gazetteer(personas.researcher, _sample())
    Place.objects.filter(gazetteer_id="cemetery:khavaran").update(confidentiality=Level.INTERNAL)
    mine = services.add_place(personas.researcher, name="Synthetic site", kind=PlaceKind.OTHER)
    changed = [
        dataclasses.replace(p, variants=(*p.variants, "Evin-e Now")) if p.id == "prison:evin" else p
        for p in _sample()
    ]
    result = sync_gazetteer(personas.researcher, changed)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 4)
    assert "Evin-e Now" in Place.objects.get(gazetteer_id="prison:evin").other_names
    assert Place.objects.get(gazetteer_id="cemetery:khavaran").confidentiality == Level.INTERNAL
    assert Place.objects.filter(pk=mine.pk).exists()


def test_sync_needs_the_right(personas: Personas) -> None:
    with pytest.raises(PermissionDenied):
        sync_gazetteer(personas.reader, _sample())
    assert not Place.objects.exists()


@pytest.mark.slow
def test_whole_packaged_gazetteer_loads(personas: Personas) -> None:
    result = sync_gazetteer(personas.researcher)
    assert result.created == len(gazetteer.gazetteer().by_id) == Place.objects.count()
    orphans = Place.objects.exclude(kind=PlaceKind.PROVINCE).filter(parent__isnull=True)
    assert not orphans.exists()
