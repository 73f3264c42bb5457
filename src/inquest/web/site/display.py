"""How a user wants dates and numbers shown: Jalali or Gregorian, Persian or Latin digits.

The choice lives in the session; without one, Persian pages show Jalali dates with Persian
digits and English pages Gregorian dates with Latin digits. The writing itself is the
engine's (``inquest.dates.format_date``, ``inquest.numerals.format_number``); this module
only keeps the choice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import translation

from inquest import dates, numerals
from inquest.dates import Calendar, Digits
from inquest.numerals import Number

SESSION_KEY = "inquest_display"
#: The calendars a user may choose (Hijri dates cover 1924-2077 only: not offered).
CALENDARS = (Calendar.JALALI, Calendar.GREGORIAN)

__all__ = [
    "CALENDARS",
    "SESSION_KEY",
    "Calendar",
    "Digits",
    "Display",
    "default_display",
    "display_from",
    "format_date",
    "format_interval",
    "shown_digits",
    "shown_number",
    "shown_percent",
]


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
    if calendar not in CALENDARS:
        return default
    return Display(calendar, digits)


def shown_digits(text: str, display: Display) -> str:
    """``text`` with its ASCII digits in the chosen script."""
    return dates.shown_digits(text, display.digits)


def shown_number(value: Number, display: Display, places: int | None = None) -> str:
    """A number with its thousands grouped, in the chosen digits and separators."""
    return numerals.format_number(value, display.digits, places=places)


def shown_percent(fraction: Number, display: Display, places: int = 0) -> str:
    """A fraction as a percentage ("95%", "۹۵٪")."""
    return numerals.format_percent(fraction, display.digits, places=places)


def _language(language: str | None) -> str:
    lang = language or translation.get_language() or "en"
    return "fa" if lang.startswith("fa") else "en"


def format_date(value: dt.date, display: Display, language: str | None = None) -> str:
    """A date as "10 Mordad 1367" / "1 August 1988", in the page's language and digits."""
    return dates.format_date(
        value, display.calendar, language=_language(language), digits=display.digits
    )


def format_interval(
    earliest: dt.date | None,
    latest: dt.date | None,
    display: Display,
    language: str | None = None,
) -> str:
    """A date interval: one date if both ends agree, "a – b", or an open end as "…"."""
    return dates.format_interval(
        earliest, latest, display.calendar, language=_language(language), digits=display.digits
    )
