"""Calendar arithmetic, all delegated to maintained converters.

Jalali (Solar Hijri) uses ``jdatetime``; Hijri (lunar) uses ``hijridate`` (the Umm
al-Qura table, 1343-1500 AH); Gregorian uses ``datetime``. Every invalid date raises
``InputError`` with a reason a person can act on.
"""

from __future__ import annotations

import calendar as _gregorian
import datetime as dt
import functools

import jdatetime
from hijridate import Gregorian, Hijri

from inquest.dates._model import Calendar
from inquest.errors import InputError

HIJRI_YEARS = (1343, 1500)


def _check_month(calendar: Calendar, year: int, month: int) -> None:
    if not 1 <= month <= 12:
        raise InputError(f"month {month} does not exist (a {calendar} month is 1-12)")
    if calendar is Calendar.HIJRI and not HIJRI_YEARS[0] <= year <= HIJRI_YEARS[1]:
        raise InputError(
            f"Hijri year {year} is outside {HIJRI_YEARS[0]}-{HIJRI_YEARS[1]} AH, "
            "the range the Umm al-Qura table covers"
        )
    if calendar is Calendar.JALALI and not 1 <= year <= 3177:
        raise InputError(f"Jalali year {year} is outside 1-3177")
    if calendar is Calendar.GREGORIAN and not 1 <= year <= 9999:
        raise InputError(f"Gregorian year {year} is outside 1-9999")


@functools.lru_cache(maxsize=4096)
def days_in_month(calendar: Calendar, year: int, month: int) -> int:
    """How many days ``month`` of ``year`` has in ``calendar``."""
    _check_month(calendar, year, month)
    if calendar is Calendar.JALALI:
        if month == 12:
            return 30 if jdatetime.date(year, 1, 1).isleap() else 29
        return int(jdatetime.j_days_in_month[month - 1])
    if calendar is Calendar.HIJRI:
        return int(Hijri(year, month, 1).month_length())
    return _gregorian.monthrange(year, month)[1]


@functools.lru_cache(maxsize=1 << 17)
def to_gregorian(calendar: Calendar, year: int, month: int, day: int) -> dt.date:
    """The Gregorian date of one day; raises ``InputError`` when the day does not exist."""
    length = days_in_month(calendar, year, month)
    if not 1 <= day <= length:
        raise InputError(
            f"day {day} does not exist in {calendar} {year}-{month:02d} ({length} days)"
        )
    if calendar is Calendar.JALALI:
        g = jdatetime.date(year, month, day).togregorian()
        return dt.date(g.year, g.month, g.day)
    if calendar is Calendar.HIJRI:
        g = Hijri(year, month, day).to_gregorian()
        return dt.date(g.year, g.month, g.day)
    return dt.date(year, month, day)


def month_span(
    calendar: Calendar, year: int, first: int, last: int | None = None
) -> tuple[dt.date, dt.date]:
    """First and last Gregorian day of months ``first``..``last`` (same year)."""
    last = first if last is None else last
    return (
        to_gregorian(calendar, year, first, 1),
        to_gregorian(calendar, year, last, days_in_month(calendar, year, last)),
    )


def year_span(calendar: Calendar, first: int, last: int | None = None) -> tuple[dt.date, dt.date]:
    """First and last Gregorian day of years ``first``..``last``."""
    last = first if last is None else last
    return month_span(calendar, first, 1)[0], month_span(calendar, last, 12)[1]


def add_months(calendar: Calendar, year: int, month: int, delta: int) -> tuple[int, int]:
    """(year, month) ``delta`` months after (or before) ``year-month``."""
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def from_gregorian(calendar: Calendar, day: dt.date) -> tuple[int, int, int]:
    """A Gregorian day written in ``calendar`` (year, month, day)."""
    if calendar is Calendar.JALALI:
        j = jdatetime.date.fromgregorian(date=day)
        return int(j.year), int(j.month), int(j.day)
    if calendar is Calendar.HIJRI:
        h = Gregorian(day.year, day.month, day.day).to_hijri()
        return int(h.year), int(h.month), int(h.day)
    return day.year, day.month, day.day
