"""Arrow-array versions of the name functions, for the linkage engine's millions of rows.

Victim lists repeat names massively (محمد, علی, حسینی ...), so every function here works on
the *distinct* values: the column is dictionary-encoded, each distinct string is processed
once, and the result is spread back with one ``take``. Nulls stay null. Results are exactly
those of the scalar functions (:func:`inquest.text.normalize`, :func:`skeleton`,
:func:`parse_name`, :func:`name_similarity`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, Union, cast

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from inquest.text.normalize import Form, normalize
from inquest.text.parse import parse_name, token_key
from inquest.text.profiles import on_change
from inquest.text.similarity import name_similarity
from inquest.text.skeleton import skeleton_of_key

__all__ = [
    "PARSED_NAME_TYPE",
    "name_similarity_arrays",
    "normalize_array",
    "parse_names_array",
    "skeleton_array",
]

ArrayLike = Union["pa.Array[Any]", "pa.ChunkedArray[Any]"]

#: The Arrow type of :func:`parse_names_array`'s result.
PARSED_NAME_TYPE = pa.struct(
    [
        ("original", pa.string()),
        ("display", pa.string()),
        ("key", pa.string()),
        ("skeleton", pa.string()),
        ("given", pa.string()),
        ("family", pa.string()),
        ("father", pa.string()),
        ("titles", pa.list_(pa.string())),
        ("particles", pa.list_(pa.string())),
        ("script", pa.string()),
        ("gender", pa.string()),
        ("warnings", pa.list_(pa.string())),
    ]
)


def _as_string_array(values: ArrayLike) -> pa.Array[Any]:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    if pa.types.is_large_string(values.type) or pa.types.is_string_view(values.type):
        values = values.cast(pa.string())
    if not pa.types.is_string(values.type):
        raise TypeError(f"expected an Arrow string array, got {values.type}")
    return values


def _map_unique(
    values: ArrayLike, fn: Callable[[str], Any], out_type: pa.DataType
) -> pa.Array[Any]:
    """Apply ``fn`` to each distinct non-null string once; spread back; nulls stay null."""
    arr = _as_string_array(values)
    encoded = cast("pa.DictionaryArray[Any, Any]", pc.dictionary_encode(arr))
    uniques: list[str] = [u for u in encoded.dictionary.to_pylist() if u is not None]
    mapped = pa.array([fn(u) for u in uniques], type=out_type)
    return mapped.take(encoded.indices)


def normalize_array(values: ArrayLike, form: Form = "display") -> pa.Array[Any]:
    """:func:`inquest.text.normalize` over a string array."""
    return _map_unique(values, lambda s: normalize(s, form), pa.string())


def skeleton_array(values: ArrayLike) -> pa.Array[Any]:
    """:func:`inquest.text.skeleton` over a string array."""
    return _map_unique(values, lambda s: skeleton_of_key(normalize(s, "key")), pa.string())


@lru_cache(maxsize=65_536)
def _word_skeleton(word_key: str) -> str:
    return skeleton_of_key(word_key)


_FIELDS = [f.name for f in PARSED_NAME_TYPE]


@lru_cache(maxsize=65_536)
def _parsed_row(s: str) -> tuple[Any, ...]:
    p = parse_name(s)
    words = [token_key(t).replace(" ", "") for t in p.tokens]
    skel = " ".join(k for k in (_word_skeleton(w) for w in words) if k)
    return (
        s,
        p.display,
        " ".join(words),
        skel,
        p.given,
        p.family,
        p.father,
        list(p.titles),
        list(p.particles),
        p.script.value,
        p.gender,
        list(p.warnings),
    )


def parse_names_array(values: ArrayLike) -> pa.StructArray:
    """:func:`inquest.text.parse_name` over a string array, plus the name's key and skeleton.

    ``key`` and ``skeleton`` are of the name proper (titles, particles and father removed),
    which is what blocking should use. A null input gives a null row.
    """
    arr = _as_string_array(values)
    encoded = cast("pa.DictionaryArray[Any, Any]", pc.dictionary_encode(arr))
    uniques: list[str] = [u for u in encoded.dictionary.to_pylist() if u is not None]
    rows = [_parsed_row(u) for u in uniques]
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in _FIELDS]
    children = [
        pa.array(col, type=f.type) for col, f in zip(columns, PARSED_NAME_TYPE, strict=True)
    ]
    table = pa.StructArray.from_arrays(children, fields=list(PARSED_NAME_TYPE))
    out = table.take(encoded.indices)
    assert isinstance(out, pa.StructArray)
    return out


def name_similarity_arrays(
    a: ArrayLike, b: ArrayLike, *, romanised: bool = False
) -> npt.NDArray[np.float64]:
    """:func:`inquest.text.name_similarity` of ``a[i]`` and ``b[i]``; NaN where either is null.

    Each distinct pair of strings is scored once. ``romanised`` as in ``name_similarity``.
    """
    xa, xb = _as_string_array(a), _as_string_array(b)
    if len(xa) != len(xb):
        raise ValueError(f"arrays differ in length: {len(xa)} and {len(xb)}")
    ea = cast("pa.DictionaryArray[Any, Any]", pc.dictionary_encode(xa))
    eb = cast("pa.DictionaryArray[Any, Any]", pc.dictionary_encode(xb))
    ia = ea.indices.to_numpy(zero_copy_only=False).astype(np.float64)
    ib = eb.indices.to_numpy(zero_copy_only=False).astype(np.float64)
    valid = ~(np.isnan(ia) | np.isnan(ib))
    out = np.full(len(xa), np.nan)
    if not valid.any():
        return out
    pairs = np.stack([ia[valid], ib[valid]], axis=1).astype(np.int64)
    uniq, inverse = np.unique(pairs, axis=0, return_inverse=True)
    da, db = ea.dictionary.to_pylist(), eb.dictionary.to_pylist()
    scores = np.array(
        [name_similarity(da[i], db[j], romanised=romanised) for i, j in uniq], dtype=np.float64
    )
    out[valid] = scores[inverse.ravel()]
    return out


for _cached in (_word_skeleton, _parsed_row):
    on_change(_cached.cache_clear)
