"""Dates written for a reader in a chosen calendar, language and digits; they parse back."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inquest.dates import (
    Calendar,
    Digits,
    format_date,
    format_interval,
    format_numeric_date,
    parse_date,
    shown_digits,
)
from inquest.dates._vocab import month_names
from inquest.errors import InputError, InputErrors

DAY = dt.date(1988, 8, 1)
ASCII_DIGITS = set("0123456789")


@pytest.mark.parametrize(
    ("calendar", "language", "digits", "expected"),
    [
        (Calendar.JALALI, "fa", Digits.PERSIAN, "۱۰ مرداد ۱۳۶۷"),
        (Calendar.JALALI, "en", Digits.LATIN, "10 Mordad 1367"),
        (Calendar.GREGORIAN, "en", Digits.LATIN, "1 August 1988"),
        (Calendar.GREGORIAN, "en", Digits.PERSIAN, "۱ August ۱۹۸۸"),
        (Calendar.GREGORIAN, "fa", Digits.PERSIAN, "۱ اوت ۱۹۸۸"),
        (Calendar.HIJRI, "en", Digits.LATIN, "19 Dhu al-Hijjah 1408"),
        (Calendar.HIJRI, "fa", Digits.LATIN, "19 ذی‌الحجه 1408"),
    ],
)
def test_known_dates(calendar: Calendar, language: str, digits: Digits, expected: str) -> None:
    assert format_date(DAY, calendar, language=language, digits=digits) == expected


def test_intervals() -> None:
    start, end = dt.date(1988, 7, 23), dt.date(1988, 8, 22)
    assert format_interval(start, end) == "23 July 1988 – 22 August 1988"
    assert format_interval(start, start, Calendar.JALALI) == "1 Mordad 1367"
    assert format_interval(None, end) == "… – 22 August 1988"
    assert format_interval(start, None) == "23 July 1988 – …"
    assert format_interval(None, None) == ""


def test_datetimes_are_their_day_and_hijri_has_a_range() -> None:
    assert format_date(dt.datetime(1988, 8, 1, 23, 59)) == "1 August 1988"
    with pytest.raises(InputError, match="hijri"):
        format_date(dt.date(1900, 1, 1), Calendar.HIJRI)


def test_digits() -> None:
    assert shown_digits("row 1367/05", Digits.PERSIAN) == "row ۱۳۶۷/۰۵"
    assert shown_digits("row 12", Digits.LATIN) == "row 12"


_RANGES = {
    Calendar.GREGORIAN: (dt.date(1800, 1, 1), dt.date(2100, 12, 31)),
    Calendar.JALALI: (dt.date(1800, 1, 1), dt.date(2100, 12, 31)),
    Calendar.HIJRI: (dt.date(1924, 8, 1), dt.date(2077, 11, 16)),
}


@settings(deadline=None, max_examples=150)
@given(
    calendar=st.sampled_from(list(Calendar)),
    language=st.sampled_from(["en", "fa"]),
    digits=st.sampled_from(list(Digits)),
    offset=st.integers(min_value=0, max_value=50_000),
)
def test_what_is_shown_parses_back_to_the_day(
    calendar: Calendar, language: str, digits: Digits, offset: int
) -> None:
    low, high = _RANGES[calendar]
    day = min(low + dt.timedelta(days=offset), high)
    text = format_date(day, calendar, language=language, digits=digits)
    if digits is Digits.PERSIAN:
        assert not ASCII_DIGITS & set(text)
    parsed = parse_date(text)
    assert parsed.calendar is calendar
    if calendar is Calendar.HIJRI:  # the parser widens a lunar day by the sighting's margin
        assert parsed.earliest <= day <= parsed.latest, text
    else:
        assert (parsed.earliest, parsed.latest) == (day, day), text


def test_numeric_dates_are_typed_forms_that_parse_back() -> None:
    day = dt.date(1988, 8, 11)
    assert format_numeric_date(day, Calendar.JALALI, digits=Digits.PERSIAN) == "۱۳۶۷/۰۵/۲۰"
    assert format_numeric_date(day) == "1988/08/11"
    assert format_numeric_date(dt.datetime(1988, 8, 11, 23, 0), Calendar.JALALI) == "1367/05/20"
    for calendar in (Calendar.JALALI, Calendar.GREGORIAN):
        text = format_numeric_date(day, calendar, digits=Digits.PERSIAN)
        parsed = parse_date(text, calendar)
        assert (parsed.earliest, parsed.latest) == (day, day)
    with pytest.raises(InputError, match="hijri"):
        format_numeric_date(dt.date(1900, 1, 1), Calendar.HIJRI)


def test_a_language_without_month_names_is_named() -> None:
    assert month_names(Calendar.JALALI, "fa")[4] == "مرداد"
    with pytest.raises(InputErrors, match="jalali month 1 has no 'xx' spelling"):
        month_names(Calendar.JALALI, "xx")
