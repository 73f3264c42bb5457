"""A gazetteer of Iranian provinces (1988 and today), cities, and the prisons and
cemeteries of the 1988 case, and name resolution across Persian and Latin script.

``resolve("زندان اوین")`` ranks the places a written name may mean; each ``PlaceMatch``
has the place's id, kind, names, score, its province in 1988 and today, and coordinates
where a public source gives them. Matching reuses ``inquest.text``.
"""

from __future__ import annotations

import functools

from inquest.places._array import MATCH_FIELDS, resolve_array
from inquest.places._load import load_kind_words, load_places
from inquest.places._model import GAZETTEER_KINDS, Place, PlaceKind, PlaceMatch
from inquest.places._resolve import Gazetteer, Query
from inquest.text.profiles import on_change


@functools.cache
def gazetteer() -> Gazetteer:
    """The packaged gazetteer, loaded and indexed once."""
    return Gazetteer(load_places(), load_kind_words())


def resolve(
    name: str,
    kinds: set[PlaceKind] | frozenset[PlaceKind] | None = None,
    limit: int = 10,
    min_score: float = 0.7,
) -> list[PlaceMatch]:
    """Places ``name`` may mean, best first; an empty or kind-only name gives ``[]``."""
    return gazetteer().resolve(name, kinds=kinds, limit=limit, min_score=min_score)


def resolve_one(
    name: str,
    kinds: set[PlaceKind] | frozenset[PlaceKind] | None = None,
    min_score: float = 0.9,
    margin: float = 0.05,
) -> PlaceMatch | None:
    """The one place ``name`` means, or None when none or several fit (see ``Gazetteer``)."""
    return gazetteer().resolve_one(name, kinds=kinds, min_score=min_score, margin=margin)


def get(place_id: str) -> Place:
    """The place with this id ("city:112931", "province:alborz", "prison:evin")."""
    try:
        return gazetteer().by_id[place_id]
    except KeyError:
        raise KeyError(f"no place with id {place_id!r}") from None


__all__ = [
    "GAZETTEER_KINDS",
    "MATCH_FIELDS",
    "Gazetteer",
    "Place",
    "PlaceKind",
    "PlaceMatch",
    "Query",
    "gazetteer",
    "get",
    "resolve",
    "resolve_array",
    "resolve_one",
]


on_change(gazetteer.cache_clear)
