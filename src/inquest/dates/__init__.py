"""Dates in Jalali, Hijri and Gregorian, partial and imprecise, as Gregorian intervals.

``parse_date("Mordad 1367")`` is the interval 1988-07-23..1988-08-22 with its calendar,
precision, EDTF string and any ambiguity. ``parse_age`` reads ages ("۲۵ ساله"),
``birth_interval_from_age`` turns an age at a date into a birth interval, and
``parse_dates_array`` parses a column of dates once per distinct value. ``format_date`` and
``format_interval`` write a day for a reader in the calendar, language and digits chosen;
``format_numeric_date`` writes it as it is typed ("1367/05/20").
"""

from inquest.dates._age import birth_interval_from_age, parse_age
from inquest.dates._array import FIELDS, parse_dates_array
from inquest.dates._date import parse_date
from inquest.dates._format import (
    Digits,
    format_date,
    format_interval,
    format_numeric_date,
    shown_digits,
)
from inquest.dates._model import (
    DEFAULT_SETTINGS,
    AgeRange,
    Calendar,
    DateInterval,
    DateSettings,
    Part,
    Precision,
)
from inquest.dates._settings import settings_from_dict, settings_to_dict

__all__ = [
    "DEFAULT_SETTINGS",
    "FIELDS",
    "AgeRange",
    "Calendar",
    "DateInterval",
    "DateSettings",
    "Digits",
    "Part",
    "Precision",
    "birth_interval_from_age",
    "format_date",
    "format_interval",
    "format_numeric_date",
    "parse_age",
    "parse_date",
    "parse_dates_array",
    "settings_from_dict",
    "settings_to_dict",
    "shown_digits",
]
