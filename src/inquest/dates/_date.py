"""``parse_date``: free-text dates in Jalali, Hijri or Gregorian to ``DateInterval``.

A date may carry a second rendering in brackets ("Mordad 1367 (August 1988)"): both are
parsed, the first is kept, and the second is used to choose between the first's readings
when it is ambiguous, or reported when the two share no day.
"""

from __future__ import annotations

import dataclasses
import re

from inquest.dates._model import DEFAULT_SETTINGS, Calendar, DateInterval, DateSettings
from inquest.dates._parse import parse_one
from inquest.errors import InputError

MAX_DATE_LENGTH = 200
_BRACKETED = re.compile(r"^(?P<main>[^()\[\]]+)[(\[](?P<other>[^()\[\]]+)[)\]]\s*$")


def parse_date(
    text: str,
    calendar_hint: Calendar | str | None = None,
    *,
    settings: DateSettings = DEFAULT_SETTINGS,
) -> DateInterval:
    """Parse free-text ``text`` into a ``DateInterval``; bad input raises ``InputError``.

    ``calendar_hint`` ("jalali", "hijri", "gregorian") is used when the text itself
    (month name, "AH", "ش", ...) does not say. Bidi control characters are stripped with
    a warning. Examples: "Mordad 1367" is 1988-07-23..1988-08-22; "۶۷/۵/۱۲" is Jalali
    1367-05-12 = 1988-08-03; "c. 1960" is 1958..1962 with edtf "1960~".
    """
    if not isinstance(text, str):
        raise InputError(f"a date must be text, not {type(text).__name__}")
    if len(text) > MAX_DATE_LENGTH:
        raise InputError(
            f"{text[:40]!r}... is {len(text)} characters: too long to be a date "
            f"(at most {MAX_DATE_LENGTH})"
        )
    try:
        return _parse_date(text, calendar_hint, settings)
    except InputError:
        raise
    except (ValueError, OverflowError) as exc:  # a converter's own range check
        raise InputError(f"{text!r} is outside the dates that can be converted: {exc}") from exc


def _parse_date(
    text: str, calendar_hint: Calendar | str | None, settings: DateSettings
) -> DateInterval:
    match = _BRACKETED.match(text)
    if match is not None:
        try:
            main = parse_one(match["main"], calendar_hint, settings)
            other = parse_one(match["other"], calendar_hint, settings)
        except InputError:
            pass  # not two dates: read the text whole ("1367 (approx)")
        else:
            return _reconcile(text, main, other)
    return parse_one(text, calendar_hint, settings)


def _reconcile(text: str, main: DateInterval, other: DateInterval) -> DateInterval:
    """The first date, checked against (and disambiguated by) the bracketed one."""
    readings = (main, *main.alternatives)
    agree = [r for r in readings if r.overlaps(other)]
    if not agree:
        note = f"the bracketed date shares no day with it: {main.native} vs {other.native}"
        return dataclasses.replace(
            main,
            text=text,
            ambiguous=True,
            alternatives=(*main.alternatives, other),
            warnings=(*main.warnings, note),
        )
    if main.ambiguous and len(agree) == 1:
        chosen = agree[0]
        note = f"the bracketed date {other.native} chose the reading {chosen.native}"
        return dataclasses.replace(
            chosen,
            text=text,
            ambiguous=False,
            alternatives=(),
            edtf=_certain(chosen.edtf),
            warnings=(*(w for w in chosen.warnings if not w.startswith("ambiguous:")), note),
        )
    note = f"the bracketed date {other.native} agrees"
    return dataclasses.replace(main, text=text, warnings=(*main.warnings, note))


def _certain(code: str) -> str:
    """The EDTF of the first reading without the marks of ambiguity ("[a,b]" -> "a")."""
    if code.startswith("["):
        return code[1:].split(",")[0]
    return code.replace("?", "").replace("%", "~")
