"""Resolve a column of place names once per distinct value (for linkage)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, cast

import pyarrow as pa
import pyarrow.compute as pc

from inquest.errors import InputError
from inquest.places._model import PlaceKind, PlaceMatch
from inquest.text.profiles import on_change

#: Fields of the struct ``resolve_array`` returns, in order.
MATCH_FIELDS = pa.struct(
    [
        pa.field("place_id", pa.string()),
        pa.field("kind", pa.string()),
        pa.field("score", pa.float64()),
        pa.field("province_1988", pa.string()),
        pa.field("province_today", pa.string()),
        pa.field("runner_up_id", pa.string()),
        pa.field("runner_up_score", pa.float64()),
    ]
)


@functools.lru_cache(maxsize=1 << 16)
def _cached(
    text: str, kinds: frozenset[PlaceKind] | None, min_score: float
) -> tuple[PlaceMatch, ...]:
    from inquest.places import resolve

    return tuple(resolve(text, kinds=kinds, limit=2, min_score=min_score))


def _cached_resolve(
    text: str, *, kinds: set[PlaceKind] | None, limit: int, min_score: float
) -> list[PlaceMatch]:
    """``resolve`` with a cache shared between calls (linkage resolves the same names often)."""
    frozen = frozenset(kinds) if kinds is not None else None
    return list(_cached(text, frozen, min_score)[:limit])


def resolve_array(
    values: pa.Array[Any] | pa.ChunkedArray[Any] | Sequence[str | None],
    kinds: set[PlaceKind] | None = None,
    *,
    min_score: float = 0.7,
    resolver: Callable[..., list[PlaceMatch]] | None = None,
) -> pa.StructArray:
    """The best match of every value (and the runner-up, to judge ambiguity).

    Each distinct text is resolved once (and cached across calls). A text with no match,
    or that is not a place name at all (over 200 characters), gives nulls; a null gives a
    null row.
    """
    if resolver is None:
        resolver = _cached_resolve
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    array = values if isinstance(values, pa.Array) else pa.array(values, type=pa.string())
    encoded = cast("pa.DictionaryArray[Any, Any]", pc.dictionary_encode(array))
    rows: list[tuple[Any, ...]] = []
    for text in encoded.dictionary.to_pylist():
        try:
            matches = resolver(str(text), kinds=kinds, limit=2, min_score=min_score)
        except InputError:  # not a place name (e.g. too long): no match
            matches = []
        first = matches[0] if matches else None
        second = matches[1] if len(matches) > 1 else None
        rows.append(
            (
                first.id if first else None,
                first.kind.value if first else None,
                first.score if first else None,
                first.province_1988 if first else None,
                first.province_today if first else None,
                second.id if second else None,
                second.score if second else None,
            )
        )
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in MATCH_FIELDS]
    children = [
        pc.take(pa.array(list(col), type=f.type), encoded.indices)
        for col, f in zip(columns, MATCH_FIELDS, strict=True)
    ]
    return pa.StructArray.from_arrays(children, fields=list(MATCH_FIELDS), mask=array.is_null())


on_change(_cached.cache_clear)
