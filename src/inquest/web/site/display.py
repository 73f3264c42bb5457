"""How a user wants dates and digits shown: Jalali or Gregorian, Persian or Latin digits.

The choice lives in the session; without one, Persian pages show Jalali dates with Persian
digits and English pages Gregorian dates with Latin digits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import jdatetime
from django.utils import dateformat, translation
from persiantools import digits as _digits

SESSION_KEY = "inquest_display"


class Calendar(StrEnum):
    """The calendar dates are shown in."""

    GREGORIAN = "gregorian"
    JALALI = "jalali"


class Digits(StrEnum):
    """The digits numbers are shown with."""

    LATIN = "latin"
    PERSIAN = "persian"


@dataclass(frozen=True)
class Display:
    """A user's display choice."""

    calendar: Calendar
    digits: Digits

    def as_session(self) -> dict[str, str]:
        """The form kept in the session."""
        return {"calendar": self.calendar.value, "digits": self.digits.value}


def default_display(language: str | None) -> Display:
    """The display a language implies when the user chose none."""
    if (language or "").startswith("fa"):
        return Display(Calendar.JALALI, Digits.PERSIAN)
    return Display(Calendar.GREGORIAN, Digits.LATIN)


def display_from(stored: Any, language: str | None) -> Display:
    """The display kept in a session (anything malformed falls back to the default)."""
    default = default_display(language)
    if not isinstance(stored, dict):
        return default
    try:
        calendar = Calendar(stored.get("calendar", default.calendar))
        digits = Digits(stored.get("digits", default.digits))
    except ValueError:
        return default
    return Display(calendar, digits)


def shown_digits(text: str, display: Display) -> str:
    """``text`` with its ASCII digits in the chosen script."""
    return _digits.en_to_fa(text) if display.digits is Digits.PERSIAN else text


def format_date(value: dt.date, display: Display, language: str | None = None) -> str:
    """A date as "10 Mordad 1367" / "1 August 1988", in the page's language and digits."""
    lang = language or translation.get_language() or "en"
    if isinstance(value, dt.datetime):
        value = value.date()
    if display.calendar is Calendar.JALALI:
        jalali = jdatetime.date.fromgregorian(date=value)
        months = jdatetime.date.j_months_fa if lang.startswith("fa") else jdatetime.date.j_months_en
        text = f"{jalali.day} {months[jalali.month - 1]} {jalali.year}"
    else:
        with translation.override(lang):
            text = str(dateformat.format(value, "j F Y"))
    return shown_digits(text, display)


def format_interval(
    earliest: dt.date | None,
    latest: dt.date | None,
    display: Display,
    language: str | None = None,
) -> str:
    """A date interval: one date if both ends agree, "a – b", or an open end as "…"."""
    if earliest is None and latest is None:
        return ""
    if earliest is not None and latest is not None and earliest == latest:
        return format_date(earliest, display, language)
    start = format_date(earliest, display, language) if earliest is not None else "…"
    end = format_date(latest, display, language) if latest is not None else "…"
    return f"{start} – {end}"
