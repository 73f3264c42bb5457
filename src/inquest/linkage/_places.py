"""Place and sex features for linkage.

A place is its gazetteer id when :mod:`inquest.places` resolves the text to one place
(``resolve_one``) (``gz:<id>``, with its 1988 province), and otherwise ``txt:`` and the
cross-script consonant skeleton of its key (the key itself when it holds digits, as postcodes
do), so places outside the gazetteer still match when written alike in either script. Values
that mean "not known" (``data/linkage/unknown.yaml``) are missing.

A list whose place column lies outside the gazetteer (the places of an English register, say)
does not pay for looking each of its places up there: :func:`gazetteer_scope` samples each
list's distinct values of each place column once, and a column where too few of them resolve
is compared as written (``txt:``), as its places would have been after a failed look-up.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
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

#: The source columns of places, with the kind of place each names first (None: any).
PLACE_SOURCES: dict[str, str | None] = {
    "birth_place": None,
    "residence": None,
    "prison": "prison",
    "burial_place": "cemetery",
}
#: Distinct values of a list's place column looked up to decide whether the column lies in the
#: gazetteer; a column with no more values than this is looked up whole.
GAZETTEER_SAMPLE = 60
#: The share of the sample that must resolve for the column to be looked up: a few chance
#: matches among foreign names do not pay for looking up every value.
GAZETTEER_MIN_SHARE = 0.05


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


def _gazetteer_match(text: str, kind: str | None) -> Any:
    """The one gazetteer place ``text`` names (``kind`` tried first), or None."""
    resolve_one = _resolver()
    if resolve_one is None:
        return None
    match = None
    if kind is not None:
        from inquest.places import PlaceKind

        match = resolve_one(text, kinds={PlaceKind(kind)})
    return match if match is not None else resolve_one(text)


def _place(
    text: str, kind: str | None = None, look_up: bool = True
) -> dict[str, str | None] | None:
    """The place feature of ``text``; ``kind`` ("prison", "cemetery"): the column's kind of
    place, tried first, so that "Dastgerd" in a prison column is the prison, not the town;
    ``look_up=False``: compared as written, without the gazetteer's places."""
    key = normalize(text, "key")
    if not key or key in _unknown_values():
        return None
    match = _gazetteer_match(text, kind) if look_up else None
    if match is not None:
        return {"id": f"gz:{match.id}", "province": match.province_1988}
    province = None
    if kind is not None:
        # A prison or cemetery outside the gazetteer: its name without the kind words, so
        # "Rasht cemetery" and "گورستان رشت" are one place, and the 1988 province of the city
        # it is named after.
        core, province = _named_after(text, key, look_up)
        key = core or key
    # A skeleton drops digits: a postcode ("tq13 8df") keeps its full key.
    text_id = key if any(c.isdigit() for c in key) else (skeleton_of_key(key) or key)
    return {"id": f"txt:{text_id}", "province": province}


def _named_after(text: str, key: str, look_up: bool = True) -> tuple[str, str | None]:
    """A site name without its kind words ("Rasht cemetery" -> "rasht"), and the 1988
    province of the city that is left, if it is one (``look_up``); ``key`` is ``text``'s key
    form."""
    try:
        from inquest.places import PlaceKind, gazetteer, resolve_one
    except ImportError:
        return "", None
    core = gazetteer().parse_query(text).core
    if not core or core == key:
        return "", None  # no kind word: not "<city> prison" or "<city> cemetery"
    city = resolve_one(core, kinds={PlaceKind.CITY}) if look_up else None
    return core, (city.province_1988 if city is not None else None)


@dataclass(frozen=True)
class OutsideGazetteer:
    """A list's place column whose sampled values the gazetteer does not know."""

    list: str
    column: str
    sampled: int
    resolved: int

    def describe(self) -> str:
        """The decision, for the run's messages."""
        return (
            f"list {self.list}: {self.column} compared as written, not looked up in the "
            f"gazetteer ({self.resolved} of {self.sampled} sampled values found there)"
        )


def _sample_order(value: str) -> bytes:
    # a fixed pseudo-random order: the same sample on every run and every machine
    return hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest()


def gazetteer_scope(records: pa.Table) -> tuple[OutsideGazetteer, ...]:
    """The place columns of each list in ``records`` (standard format) to compare as written.

    A column with more than :data:`GAZETTEER_SAMPLE` distinct values is looked up on a fixed
    sample of them; it stays outside the gazetteer when fewer than
    :data:`GAZETTEER_MIN_SHARE` of the sample resolve. The look-up stops as soon as enough
    have resolved, so a list in the gazetteer pays for a few values only.
    """
    if _resolver() is None or records.num_rows == 0:
        return ()
    needed = max(1, math.ceil(GAZETTEER_MIN_SHARE * GAZETTEER_SAMPLE))
    unknown = _unknown_values()
    lists = records.column("list")
    out = []
    for name in pc.unique(lists).to_pylist():
        rows = records.filter(pc.equal(lists, pa.scalar(name, lists.type)))
        for column, kind in PLACE_SOURCES.items():
            values = [str(v) for v in pc.unique(rows.column(column)).drop_null().to_pylist()]
            if len(values) <= GAZETTEER_SAMPLE:
                continue
            sampled = resolved = 0
            for value in sorted(values, key=_sample_order):
                key = normalize(value, "key")
                if not key or key in unknown:
                    continue
                sampled += 1
                resolved += _gazetteer_match(value, kind) is not None
                if resolved >= needed or sampled == GAZETTEER_SAMPLE:
                    break
            if resolved < needed and sampled == GAZETTEER_SAMPLE:
                out.append(OutsideGazetteer(str(name), column, sampled, resolved))
    return tuple(out)


_TARGETS = {
    "birth_place": ("birth_place_id", "birth_province"),
    "residence": ("residence_id", "residence_province"),
    "prison": ("prison_id", "prison_province"),
    "burial_place": ("burial_id", "burial_province"),
}


def _place_column(batch: pa.RecordBatch | pa.Table, column: str, outside: frozenset[str]) -> Any:
    """The place features of ``column``; values of the lists in ``outside`` as written."""
    kind = PLACE_SOURCES[column]
    values = batch.column(column)
    if not outside:
        return map_distinct(values, partial(_place, kind=kind), _PLACE)
    lists = batch.column("list")
    written = pc.is_in(lists, value_set=pa.array(sorted(outside), lists.type))
    looked_up = map_distinct(
        pc.if_else(written, pa.scalar(None, values.type), values),
        partial(_place, kind=kind),
        _PLACE,
    )
    as_written = map_distinct(
        pc.if_else(written, values, pa.scalar(None, values.type)),
        partial(_place, kind=kind, look_up=False),
        _PLACE,
    )
    return pc.if_else(written, as_written, looked_up)


def place_features(
    batch: pa.RecordBatch | pa.Table, outside: tuple[OutsideGazetteer, ...] = ()
) -> dict[str, Any]:
    """The :data:`PLACE_COLUMNS` for one batch of standard-format records; ``outside``: the
    lists' columns to compare as written (:func:`gazetteer_scope`)."""
    out: dict[str, Any] = {}
    for src, (id_column, province_column) in _TARGETS.items():
        lists = frozenset(o.list for o in outside if o.column == src)
        column = _place_column(batch, src, lists)
        out[id_column] = pc.struct_field(column, "id")
        out[province_column] = pc.struct_field(column, "province")
    out["sex"] = map_distinct(batch.column("sex"), _sex, pa.string())
    return out
