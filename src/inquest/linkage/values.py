"""One stated value in the form linkage compares it, so that equal values written in two
scripts, calendars or units are equal.

``prepared_value(ValueKind.DATE, "۱۳۶۷/۰۵/۲۰")`` and ``prepared_value(ValueKind.DATE,
"11 August 1988")`` are both ``"1988-08-11"``; "34" and "۳۴ ساله" are ``"34"``; "M" and
"مرد" are ``"m"``; "Vakilabad" and "زندان وکیل‌آباد" are the gazetteer id
``"gz:prison:vakilabad"``. The parsing is the engine's (``inquest.dates``, the sex and
place features of :mod:`inquest.linkage.prepare`); text it cannot read keeps its display
form (``inquest.text.normalize``), so nothing is lost and nothing is guessed.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache

from inquest.dates import parse_age, parse_date
from inquest.errors import InputError
from inquest.linkage._places import _place, _sex
from inquest.text import normalize

__all__ = ["GAZETTEER_PREFIX", "TEXT_PREFIX", "ValueKind", "prepared_value", "value_label"]

#: The prefix of a prepared place that the gazetteer resolved ("gz:prison:evin").
GAZETTEER_PREFIX = "gz:"
#: The prefix of a prepared place outside the gazetteer: its cross-script key ("txt:rsht").
TEXT_PREFIX = "txt:"


class ValueKind(StrEnum):
    """What a stated value is, and so how it is read."""

    NAME = "name"
    """A personal name: its display form (the original script kept)."""
    DATE = "date"
    """A date: its Gregorian interval, "YYYY-MM-DD" or "YYYY-MM-DD/YYYY-MM-DD"."""
    PLACE = "place"
    """A place: its gazetteer id (``gz:``) or its cross-script key (``txt:``)."""
    TEXT = "text"
    """Free text: its display form."""
    CODE = "code"
    """One of a closed set: sex is "m" or "f"; other codes keep their display form."""
    NUMBER = "number"
    """An age in years: "34", or a range "30/39"."""


@lru_cache(maxsize=4096)
def prepared_value(kind: ValueKind | str, text: str, place_kind: str | None = None) -> str:
    """``text`` as linkage compares it (see the module); ``place_kind`` ("prison",
    "cemetery") is tried first for a place, as the prison and burial columns are."""
    kind = ValueKind(kind)
    display = normalize(text, "display")
    try:
        if kind is ValueKind.DATE:
            interval = parse_date(text)
            first, last = interval.earliest.isoformat(), interval.latest.isoformat()
            return first if first == last else f"{first}/{last}"
        if kind is ValueKind.NUMBER:
            age = parse_age(text)
            low, high = age.minimum, age.maximum
            return str(low) if low == high else f"{low}/{high}"
    except InputError:
        return display
    if kind is ValueKind.CODE:
        return _sex(text) or display
    if kind is ValueKind.PLACE:
        place = _place(text, place_kind)
        return str(place["id"]) if place is not None and place["id"] else display
    return display


def value_label(value: str) -> str | None:
    """How to show a prepared value: a gazetteer place by its label ("Vakilabad Prison (زندان
    وکیل‌آباد)"); None for a place outside the gazetteer, whose key is no text to show
    (show what the source wrote); any other value as it is."""
    if value.startswith(GAZETTEER_PREFIX):
        from inquest.places import get

        try:
            return get(value.removeprefix(GAZETTEER_PREFIX)).label
        except KeyError:
            return value
    if value.startswith(TEXT_PREFIX):
        return None
    return value
