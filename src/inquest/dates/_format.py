"""Dates written for a reader: a Gregorian day in the calendar, language and digits chosen.

``format_date(date(1988, 8, 1), Calendar.JALALI, language="fa", digits=Digits.PERSIAN)`` is
"۱۰ مرداد ۱۳۶۷"; in English "10 Mordad 1367". Month names are the first spelling of each
month in ``data/dates/months.csv`` (the ones the parser reads), so what is shown parses back.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from inquest.dates._calendars import from_gregorian
from inquest.dates._model import Calendar
from inquest.dates._vocab import month_names
from inquest.errors import InputError, InputErrors
from inquest.numerals import Digits, shown_digits
from inquest.text.profiles import on_change

__all__ = ["Digits", "format_date", "format_interval", "format_numeric_date", "shown_digits"]

#: The language of the English month names of each calendar in ``months.csv``.
_ENGLISH = {Calendar.GREGORIAN: "en", Calendar.JALALI: "la", Calendar.HIJRI: "la"}


def format_date(
    day: dt.date,
    calendar: Calendar = Calendar.GREGORIAN,
    *,
    language: str = "en",
    digits: Digits = Digits.LATIN,
) -> str:
    """``day`` as "<day> <month name> <year>" in ``calendar``; month names in ``language``
    when the vocabulary (or a script profile) has all twelve in it ("fa" Persian), else in
    English (Jalali and Hijri months transliterated). A Hijri date outside the Umm al-Qura
    table raises ``InputError``."""
    if isinstance(day, dt.datetime):
        day = day.date()
    try:
        year, month, date = from_gregorian(calendar, day)
    except (OverflowError, ValueError) as exc:
        raise InputError(f"{day} cannot be written in the {calendar} calendar: {exc}") from exc
    return shown_digits(f"{date} {_names(calendar, language)[month - 1]} {year}", digits)


@cache
def _names(calendar: Calendar, language: str) -> tuple[str, ...]:
    if language != "en":
        try:
            return month_names(calendar, language)
        except InputErrors:
            pass  # no such language for this calendar: English
    return month_names(calendar, _ENGLISH[calendar])


on_change(_names.cache_clear)


def format_numeric_date(
    day: dt.date, calendar: Calendar = Calendar.GREGORIAN, *, digits: Digits = Digits.LATIN
) -> str:
    """``day`` as "year/month/day" in ``calendar`` ("۱۳۶۷/۰۵/۲۰" for 11 August 1988 in
    Jalali with Persian digits), the form a date is typed in; it parses back with the
    calendar as hint. A Hijri date outside the Umm al-Qura table raises ``InputError``."""
    if isinstance(day, dt.datetime):
        day = day.date()
    try:
        year, month, date = from_gregorian(calendar, day)
    except (OverflowError, ValueError) as exc:
        raise InputError(f"{day} cannot be written in the {calendar} calendar: {exc}") from exc
    return shown_digits(f"{year:04d}/{month:02d}/{date:02d}", digits)


def format_interval(
    earliest: dt.date | None,
    latest: dt.date | None,
    calendar: Calendar = Calendar.GREGORIAN,
    *,
    language: str = "en",
    digits: Digits = Digits.LATIN,
) -> str:
    """An interval of days: one date if both ends agree, "a – b", "…" for an open end,
    "" if both are open."""
    if earliest is None and latest is None:
        return ""
    if earliest is not None and latest is not None and earliest == latest:
        return format_date(earliest, calendar, language=language, digits=digits)
    ends = [
        "…" if end is None else format_date(end, calendar, language=language, digits=digits)
        for end in (earliest, latest)
    ]
    return " – ".join(ends)
