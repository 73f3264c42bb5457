"""Load the packaged gazetteer (``inquest.places``) into the registry's places, idempotently.

Places are matched by ``gazetteer_id``; a second load updates what changed and adds what is
new. Places users added (no ``gazetteer_id``) are never touched, nor is the level of a place
someone has reclassified.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from inquest import places as gazetteer_places
from inquest.web.access.actions import Action
from inquest.web.access.levels import Level
from inquest.web.access.policy import AnyUser, require, user_id
from inquest.web.audit import services as audit
from inquest.web.registry.models import Place

_FIELDS = ("name", "name_original", "other_names", "kind", "latitude", "longitude", "details")


@dataclass(frozen=True)
class GazetteerSync:
    """How many gazetteer places were added, changed and already up to date."""

    created: int
    updated: int
    unchanged: int


def _coordinate(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.000001"))


def _values(entry: gazetteer_places.Place) -> dict[str, Any]:
    details = {
        "province_1988": entry.province_1988,
        "province_today": entry.province_today,
        "city": entry.city,
        "population": entry.population,
        "coord_source": entry.coord_source,
        "notes": entry.notes,
    }
    return {
        "name": entry.latin,
        "name_original": entry.persian,
        "other_names": list(entry.variants),
        "kind": entry.kind.value,
        "latitude": _coordinate(entry.lat),
        "longitude": _coordinate(entry.lon),
        "details": {k: v for k, v in details.items() if v not in (None, "")},
    }


@transaction.atomic
def sync_gazetteer(
    user: AnyUser, entries: Iterable[gazetteer_places.Place] | None = None
) -> GazetteerSync:
    """Add or update the registry's places from the gazetteer (default: the packaged one)."""
    require(user, Action.MANAGE_PLACES, Level.PUBLIC)
    items = list(entries if entries is not None else gazetteer_places.gazetteer().by_id.values())
    provinces_first = sorted(items, key=lambda e: e.kind != gazetteer_places.PlaceKind.PROVINCE)
    known = {p.gazetteer_id: p for p in Place.objects.filter(gazetteer_id__isnull=False)}
    created = updated = unchanged = 0
    actor = user_id(user)
    for entry in provinces_first:
        values = _values(entry)
        parent = None
        if entry.kind != gazetteer_places.PlaceKind.PROVINCE and entry.province_today:
            parent = known.get(f"province:{entry.province_today}")
        place = known.get(entry.id)
        if place is None:
            known[entry.id] = Place.objects.create(
                gazetteer_id=entry.id,
                parent=parent,
                added_by_id=actor,
                confidentiality=Level.PUBLIC,
                **values,
            )
            created += 1
            continue
        changed = [f for f in _FIELDS if getattr(place, f) != values[f]]
        if parent is not None and place.parent_id != parent.pk:
            place.parent = parent
            changed.append("parent")
        if not changed:
            unchanged += 1
            continue
        for field in _FIELDS:
            setattr(place, field, values[field])
        place.save(update_fields=changed)
        updated += 1
    result = GazetteerSync(created, updated, unchanged)
    audit.record(
        user,
        "gazetteer.sync",
        Place,
        level=Level.PUBLIC,
        detail={"created": created, "updated": updated, "unchanged": unchanged},
    )
    return result
