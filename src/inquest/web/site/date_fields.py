"""A date typed in the user's calendar: "۱۳۶۷/۰۵/۲۰", "1367/5/20", "مرداد ۱۳۶۷", "1988-08-11".

The engine reads the text (``inquest.dates.parse_date``): a year/month/day in the user's
calendar first, any other form it knows (a month name, a Gregorian ISO date, a year or a
month alone). A field is one end of a range: ``end="earliest"`` keeps the first day the text
can mean, ``"latest"`` the last, so "1367" to "1367" is the whole Jalali year. An English
page in the Gregorian calendar keeps the browser's own date picker (which sends ISO dates);
every other choice gets a text box with the form and an example beside it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Literal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from inquest.dates import (
    DEFAULT_SETTINGS,
    Calendar,
    DateSettings,
    format_numeric_date,
    parse_date,
)
from inquest.errors import InputError
from inquest.web.site.display import Display, default_display

#: The day shown as the example of the form a date is typed in.
EXAMPLE_DAY = dt.date(1988, 8, 11)
MAX_LENGTH = 40

End = Literal["earliest", "latest"]


def settings_for(calendar: Calendar) -> DateSettings:
    """Parser settings for a date typed by a user of ``calendar``: that calendar's reading
    first, and no Hijri reading of a bare number (the workbench does not offer Hijri)."""
    others = tuple(c for c in (Calendar.JALALI, Calendar.GREGORIAN) if c is not calendar)
    return dataclasses.replace(
        DEFAULT_SETTINGS,
        plausible=tuple(p for p in DEFAULT_SETTINGS.plausible if p[0] is not Calendar.HIJRI),
        calendar_preference=(calendar, *others, Calendar.HIJRI),
    )


def uses_native_picker(display: Display, language: str | None) -> bool:
    """Whether the browser's date picker fits: it shows Gregorian dates in the browser's
    own language and digits, so only an English page in the Gregorian calendar keeps it."""
    return display.calendar is Calendar.GREGORIAN and not (language or "").startswith("fa")


class CalendarDateField(forms.Field):
    """One end of a date range, typed in the user's calendar; cleaned to a Gregorian day."""

    default_error_messages = {  # noqa: RUF012 (Django's own form of this attribute)
        "invalid": _(
            "“%(value)s” is not a date that can be read: write year/month/day, e.g. %(example)s."
        ),
        "ambiguous": _(
            "“%(value)s” can be read in more than one way: write year/month/day, e.g. %(example)s."
        ),
    }

    def __init__(self, *, end: End, **kwargs: Any) -> None:
        self.end = end
        self.display = default_display(None)
        self.native = True
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        super().__init__(**kwargs)

    def for_display(self, display: Display, language: str | None) -> None:
        """Read and show dates in ``display``'s calendar and digits (the form calls this)."""
        self.display = display
        self.native = uses_native_picker(display, language)
        if self.native:
            self.widget = forms.DateInput(attrs={"type": "date"})
            self.help_text = ""
            return
        example = self.example()
        self.widget = forms.TextInput(
            attrs={"dir": "auto", "maxlength": MAX_LENGTH, "placeholder": example}
        )
        self.help_text = _(
            "year/month/day, e.g. %(example)s; a year or a month alone is allowed"
        ) % {"example": example}

    def example(self) -> str:
        """The example day as it is typed in the user's calendar and digits."""
        return format_numeric_date(EXAMPLE_DAY, self.display.calendar, digits=self.display.digits)

    def to_python(self, value: Any) -> dt.date | None:
        """The first or last day ``value`` can mean; None for nothing typed."""
        if isinstance(value, dt.date):
            return value
        text = str(value or "").strip()
        if not text:
            return None
        params = {"value": text[:MAX_LENGTH], "example": self.example()}
        if len(text) > MAX_LENGTH:
            raise ValidationError(self.error_messages["invalid"], code="invalid", params=params)
        try:
            interval = parse_date(text, settings=settings_for(self.display.calendar))
        except InputError as exc:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params=params
            ) from exc
        if interval.ambiguous:
            raise ValidationError(self.error_messages["ambiguous"], code="ambiguous", params=params)
        return interval.earliest if self.end == "earliest" else interval.latest

    def prepare_value(self, value: Any) -> Any:
        """What the input shows: a day in the widget's form; typed text as typed, except
        that the browser's picker is given the ISO day it needs."""
        if isinstance(value, dt.date):
            if self.native:
                return value.isoformat()
            return format_numeric_date(value, self.display.calendar, digits=self.display.digits)
        if self.native and isinstance(value, str) and value.strip():
            try:
                day = self.to_python(value)
            except ValidationError:
                return value
            return day.isoformat() if day is not None else value
        return value
