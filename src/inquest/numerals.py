"""Numbers written for a reader: Latin or Persian digits, with the separators that go with them.

``format_number(1783.5, Digits.PERSIAN, places=1)`` is "۱٬۷۸۳٫۵" (Persian digits, the Arabic
thousands separator U+066C and decimal separator U+066B); with Latin digits "1,783.5".
``format_percent(0.95, Digits.PERSIAN)`` is "۹۵٪". Dates use the same digits
(``inquest.dates.format_date``). Figures in files, exports and machine interfaces are not
written through this module: it is for people reading a page.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

__all__ = ["Digits", "Number", "format_number", "format_percent", "parse_digits", "shown_digits"]

_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
# Persian and Arabic-Indic digits read back as ASCII (what a user types may be either).
_ASCII_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
# Grouping, decimal point and minus in Persian: U+066C, U+066B and a minus sign kept left of
# its digits in right-to-left text by a left-to-right mark (as CLDR's "fa" locale writes it).
_PERSIAN_MARKS = str.maketrans({",": "\u066c", ".": "\u066b", "-": "\u200e\u2212"})


class Digits(StrEnum):
    """The digits numbers are written with."""

    LATIN = "latin"
    PERSIAN = "persian"


def shown_digits(text: str, digits: Digits) -> str:
    """``text`` with its ASCII digits in the chosen script (nothing else changed)."""
    return text.translate(_PERSIAN_DIGITS) if digits is Digits.PERSIAN else text


def parse_digits(text: str) -> str:
    """``text`` with Persian and Arabic-Indic digits as ASCII digits."""
    return text.translate(_ASCII_DIGITS)


Number = int | float | Decimal | str


def _decimal(value: Number) -> Decimal | None:
    """``value`` as a ``Decimal`` (NaN and infinities included); None for text that is not a
    plain number."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, float):
            return Decimal(repr(value)) if math.isfinite(value) else Decimal(value)
        if isinstance(value, str):
            return Decimal(parse_digits(value.strip()))
        return Decimal(value)
    except (InvalidOperation, ValueError):
        return None


def format_number(
    value: Number, digits: Digits = Digits.LATIN, *, places: int | None = None
) -> str:
    """``value`` with thousands grouped, in the chosen digits.

    ``places`` rounds to that many decimals (half up); None keeps the value's own (none for
    an integer, as written for text such as "0.875"). An infinity is "∞" (an interval with
    no upper bound), NaN "—"; other text that is not a number is returned with its digits
    changed only.
    """
    number = _decimal(value)
    if number is None:
        return shown_digits(str(value), digits)
    if not number.is_finite():
        return "—" if number.is_nan() else ("−∞" if number < 0 else "∞")
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if number == 0:
        number = abs(number)  # no "-0" after rounding
    written = format(number, ",f")
    if digits is Digits.PERSIAN:
        return written.translate(_PERSIAN_MARKS).translate(_PERSIAN_DIGITS)
    return written


def format_percent(fraction: Number, digits: Digits = Digits.LATIN, *, places: int = 0) -> str:
    """A fraction as a percentage: 0.95 is "95%", or "۹۵٪" in Persian digits."""
    number = _decimal(fraction)
    if number is None or not number.is_finite():
        return format_number(fraction, digits)
    sign = "\u066a" if digits is Digits.PERSIAN else "%"
    return format_number(number * 100, digits, places=places) + sign
