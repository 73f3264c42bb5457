"""EDTF (ISO 8601-2, Extended Date/Time Format) strings for Gregorian day intervals.

An interval is written in the shortest exact form: a day ("1988-08-03"), a month
("1988-08"), a year ("1988"), a decade ("196X"), or a start/end pair in the coarsest
unit both ends share ("1988-07-23/1988-08-22", "1988-06/1988-08", "1958/1962").
``~`` marks an approximate date and ``?`` an uncertain one (``%`` both).
"""

from __future__ import annotations

import calendar
import datetime as dt


def _month_end(day: dt.date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def _qualifier(approximate: bool, uncertain: bool) -> str:
    if approximate and uncertain:
        return "%"
    return "~" if approximate else "?" if uncertain else ""


def edtf(
    earliest: dt.date, latest: dt.date, *, approximate: bool = False, uncertain: bool = False
) -> str:
    """The EDTF string of the inclusive Gregorian interval ``earliest..latest``."""
    q = _qualifier(approximate, uncertain)
    whole_months = earliest.day == 1 and _month_end(latest)
    whole_years = whole_months and earliest.month == 1 and latest.month == 12
    if whole_years:
        if earliest.year == latest.year:
            return f"{earliest.year:04d}{q}"
        if earliest.year % 10 == 0 and latest.year == earliest.year + 9 and not q:
            return f"{earliest.year // 10:03d}X"
        return f"{earliest.year:04d}{q}/{latest.year:04d}{q}"
    if whole_months:
        start = f"{earliest.year:04d}-{earliest.month:02d}"
        if (earliest.year, earliest.month) == (latest.year, latest.month):
            return f"{start}{q}"
        return f"{start}{q}/{latest.year:04d}-{latest.month:02d}{q}"
    if earliest == latest:
        return f"{earliest.isoformat()}{q}"
    return f"{earliest.isoformat()}{q}/{latest.isoformat()}{q}"
