"""Ages: "25", "age 25", "۲۵ ساله", "حدود ۲۵ سال", "20-25", and the birth interval they imply."""

from __future__ import annotations

import datetime as dt

from inquest.dates._edtf import edtf
from inquest.dates._fold import fold
from inquest.dates._lex import lex
from inquest.dates._model import AgeRange, DateInterval, Precision
from inquest.errors import InputError
from inquest.text.scripts import strip_bidi

MAX_AGE = 130
_SKIP = frozenset({"age", "filler", "ordinal", "between", "and", "range"})


def parse_age(text: str) -> AgeRange:
    """Parse an age in completed years, or a range of ages; bad input raises ``InputError``."""
    if not isinstance(text, str):
        raise InputError(f"an age must be text, not {type(text).__name__}")
    stripped, removed = strip_bidi(text)
    warnings = (f"removed {removed} bidi control character(s)",) if removed else ()
    folded = fold(stripped)
    if not folded:
        raise InputError("empty age")
    approximate = False
    numbers: list[int] = []
    for item in lex(folded, text):
        kind = item.word.kind if item.word is not None else item.kind
        if kind == "num":
            numbers.append(item.value)
        elif kind == "circa" or (kind == "sep" and item.text == "~"):
            approximate = True
        elif kind not in _SKIP and kind != "sep":
            raise InputError(f"{text!r} is not an age ({item.text!r})")
    if not numbers or len(numbers) > 2:
        raise InputError(f"{text!r} is not an age: expected one number or a range of two")
    low, high = numbers[0], numbers[-1]
    if low > high:
        raise InputError(f"{text!r}: the age range goes down")
    if high > MAX_AGE:
        raise InputError(f"{text!r}: {high} is not a plausible age (over {MAX_AGE})")
    return AgeRange(text, low, high, approximate=approximate, warnings=warnings)


def _years_before(day: dt.date, years: int, *, later: bool) -> dt.date:
    year = max(day.year - years, 1)
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a common year
        return dt.date(year, 3, 1) if later else dt.date(year, 2, 28)


def birth_interval_from_age(
    age: AgeRange, at: DateInterval, *, approximate_margin: int = 2
) -> DateInterval:
    """When someone of ``age`` at date ``at`` was born, as a Gregorian interval.

    Aged ``a`` on day ``D`` means born after ``D - (a + 1)`` years and on or before
    ``D - a`` years; over every day of ``at`` and every age in the range this gives
    ``at.earliest - (max + 1)y + 1d`` .. ``at.latest - min y``. An approximate age
    ("حدود ۲۵") is widened by ``approximate_margin`` years each side.
    """
    low, high = age.minimum, age.maximum
    if age.approximate:
        low, high = max(low - approximate_margin, 0), high + approximate_margin
    earliest = _years_before(at.earliest, high + 1, later=False) + dt.timedelta(days=1)
    latest = _years_before(at.latest, low, later=True)
    approximate = age.approximate or at.approximate
    return DateInterval(
        text=f"age {age.text} at {at.text}",
        calendar=None,
        precision=Precision.RANGE,
        earliest=earliest,
        latest=latest,
        edtf=edtf(earliest, latest, approximate=approximate, uncertain=at.ambiguous),
        native="",
        approximate=approximate,
        ambiguous=at.ambiguous,
        warnings=(*age.warnings, *at.warnings),
    )
