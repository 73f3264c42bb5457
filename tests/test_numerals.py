"""Numbers for a reader: grouping, decimals, percentages, Latin and Persian digits."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inquest.numerals import Digits, format_number, format_percent, parse_digits, shown_digits

P = Digits.PERSIAN


@pytest.mark.parametrize(
    ("value", "places", "latin", "persian"),
    [
        (1783, None, "1,783", "۱٬۷۸۳"),
        (1234567, None, "1,234,567", "۱٬۲۳۴٬۵۶۷"),
        (95, None, "95", "۹۵"),
        (0, None, "0", "۰"),
        (1783.5, None, "1,783.5", "۱٬۷۸۳٫۵"),
        (1783.5, 0, "1,784", "۱٬۷۸۴"),
        (0.9939393939393939, 3, "0.994", "۰٫۹۹۴"),
        ("2104.25", None, "2,104.25", "۲٬۱۰۴٫۲۵"),  # what floatformat writes
        (Decimal("1E+3"), None, "1,000", "۱٬۰۰۰"),
        (-3.25, None, "-3.25", "\u200e\u2212۳٫۲۵"),
        (-0.0004, 2, "0.00", "۰٫۰۰"),  # no "-0.00"
        (float("inf"), None, "∞", "∞"),
        (float("nan"), None, "—", "—"),
        ("—", None, "—", "—"),  # not a number: left as it is
        ("#12", None, "#12", "#۱۲"),
        ("inf", None, "∞", "∞"),  # what floatformat leaves of an infinity
    ],
)
def test_format_number(value: object, places: int | None, latin: str, persian: str) -> None:
    assert format_number(value, places=places) == latin  # type: ignore[arg-type]
    assert format_number(value, P, places=places) == persian  # type: ignore[arg-type]


def test_a_boolean_is_not_a_number() -> None:
    assert format_number(True) == "True"


def test_format_percent() -> None:
    assert format_percent(0.95) == "95%"
    assert format_percent(0.95, P) == "۹۵٪"
    assert format_percent(0.999, P, places=1) == "۹۹٫۹٪"
    assert format_percent(12.5) == "1,250%"


def test_digits_both_ways() -> None:
    assert shown_digits("row 12 of 1988", P) == "row ۱۲ of ۱۹۸۸"
    assert shown_digits("12", Digits.LATIN) == "12"
    assert parse_digits("۱۳۶۷/۰۵/۲۰ ٢٠") == "1367/05/20 20"
