"""Place and sex features for linkage.

A place is its gazetteer id when :mod:`inquest.places` resolves the text to one place
(``resolve_one``) (``gz:<id>``, with its 1988 province), and otherwise ``txt:`` and the
cross-script consonant skeleton of its key (the key itself when it holds digits, as postcodes
do), so places outside the gazetteer still match when written alike in either script. Values
that mean "not known" (``data/linkage/unknown.yaml``) are missing.
"""

from __future__ import annotations

from functools import cache, partial
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import yaml

from inquest.errors import ConfigError
from inquest.linkage._arrow import map_distinct
from inquest.text import normalize
from inquest.text.skeleton import skeleton_of_key

PLACE_COLUMNS = {
    "birth_place_id": pa.string(),
    "birth_province": pa.string(),
    "residence_id": pa.string(),
    "residence_province": pa.string(),
    "prison_id": pa.string(),
    "prison_province": pa.string(),
    "burial_id": pa.string(),
    "burial_province": pa.string(),
    "sex": pa.string(),
}
_SEX_FILE = Path(__file__).resolve().parent.parent / "data" / "linkage" / "sex.yaml"
_UNKNOWN_FILE = _SEX_FILE.with_name("unknown.yaml")
_PLACE = pa.struct([("id", pa.string()), ("province", pa.string())])


@cache
def _sex_values() -> dict[str, str]:
    path = str(_SEX_FILE)
    doc = yaml.safe_load(_SEX_FILE.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or doc.get("version") != 1:
        raise ConfigError("must be a mapping with version: 1", path=path, key="version")
    values = doc.get("values")
    if not isinstance(values, dict) or set(values) != {"m", "f"}:
        raise ConfigError("must map exactly m and f to lists", path=path, key="values")
    out: dict[str, str] = {}
    for code, spellings in values.items():
        if not isinstance(spellings, list):
            raise ConfigError("must be a list", path=path, key=f"values.{code}")
        for s in spellings:
            k = normalize(str(s), "key")
            if out.get(k, code) != code:
                raise ConfigError(f"{s!r} is both m and f", path=path, key=f"values.{code}")
            out[k] = code
    return out


@cache
def _unknown_values() -> frozenset[str]:
    path = str(_UNKNOWN_FILE)
    doc = yaml.safe_load(_UNKNOWN_FILE.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or doc.get("version") != 1:
        raise ConfigError("must be a mapping with version: 1", path=path, key="version")
    values = doc.get("values")
    if not isinstance(values, list) or not values:
        raise ConfigError("must be a non-empty list", path=path, key="values")
    return frozenset(normalize(str(v), "key") for v in values)


def _sex(text: str) -> str | None:
    return _sex_values().get(normalize(text, "key"))


def _resolver() -> Any:
    try:
        from inquest.places import resolve_one
    except ImportError:  # the gazetteer package is optional for non-Iranian cases
        return None
    return resolve_one


def _place(text: str, kind: str | None = None) -> dict[str, str | None] | None:
    """The place feature of ``text``; ``kind`` ("prison", "cemetery"): the column's kind of
    place, tried first, so that "Dastgerd" in a prison column is the prison, not the town."""
    key = normalize(text, "key")
    if not key or key in _unknown_values():
        return None
    resolve_one = _resolver()
    match = None
    if resolve_one is not None and kind is not None:
        from inquest.places import PlaceKind

        match = resolve_one(text, kinds={PlaceKind(kind)})
    if match is None and resolve_one is not None:
        match = resolve_one(text)
    if match is not None:
        return {"id": f"gz:{match.id}", "province": match.province_1988}
    province = None
    if kind is not None:
        # A prison or cemetery outside the gazetteer: its name without the kind words, so
        # "Rasht cemetery" and "گورستان رشت" are one place, and the 1988 province of the city
        # it is named after.
        core, province = _named_after(text, key)
        key = core or key
    # A skeleton drops digits: a postcode ("tq13 8df") keeps its full key.
    text_id = key if any(c.isdigit() for c in key) else (skeleton_of_key(key) or key)
    return {"id": f"txt:{text_id}", "province": province}


def _named_after(text: str, key: str) -> tuple[str, str | None]:
    """A site name without its kind words ("Rasht cemetery" -> "rasht"), and the 1988
    province of the city that is left, if it is one; ``key`` is ``text``'s key form."""
    try:
        from inquest.places import PlaceKind, gazetteer, resolve_one
    except ImportError:
        return "", None
    core = gazetteer().parse_query(text).core
    if not core or core == key:
        return "", None  # no kind word: not "<city> prison" or "<city> cemetery"
    city = resolve_one(core, kinds={PlaceKind.CITY})
    return core, (city.province_1988 if city is not None else None)


def place_features(batch: pa.RecordBatch | pa.Table) -> dict[str, Any]:
    """The :data:`PLACE_COLUMNS` for one batch of standard-format records."""
    out: dict[str, Any] = {}
    for src, dst in (("birth_place", "birth"), ("residence", "residence")):
        resolved = map_distinct(batch.column(src), _place, _PLACE)
        out[f"{dst}_place_id" if dst == "birth" else f"{dst}_id"] = pc.struct_field(resolved, "id")
        out[f"{dst}_province"] = pc.struct_field(resolved, "province")
    for src, dst, kind in (("prison", "prison", "prison"), ("burial_place", "burial", "cemetery")):
        column = map_distinct(batch.column(src), partial(_place, kind=kind), _PLACE)
        out[f"{dst}_id"] = pc.struct_field(column, "id")
        out[f"{dst}_province"] = pc.struct_field(column, "province")
    out["sex"] = map_distinct(batch.column("sex"), _sex, pa.string())
    return out
