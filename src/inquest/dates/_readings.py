"""Readings: what a date's numbers and words can mean, one candidate per calendar and order.

A reading is a calendar, a precision and the fields it names. ``_parse`` asks this module
for every reading that the text and the settings allow, in order of preference; readings
that name a day that does not exist are dropped (their error is kept, and raised when no
reading is left).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from inquest.dates._calendars import days_in_month, month_span, to_gregorian, year_span
from inquest.dates._lex import Item
from inquest.dates._model import Calendar, DateSettings, Part, Precision
from inquest.dates._vocab import SEASONS
from inquest.errors import InputError

#: Gregorian meteorological seasons (Northern hemisphere): first month of each.
GREGORIAN_SEASON_START = {"spring": 3, "summer": 6, "autumn": 9, "winter": 12}


@dataclass(frozen=True)
class Reading:
    """One meaning of a date: calendar, precision and the fields written (0 = not written).

    For a decade ``year`` is its first year; for a Gregorian winter ``previous_winter``
    chooses December of the year before (the default is December of ``year``).
    """

    calendar: Calendar
    precision: Precision
    year: int
    month: int = 0
    day: int = 0
    season: str = ""
    previous_winter: bool = False

    def native(self) -> str:
        """The date as written, in its own calendar."""
        if self.precision is Precision.DAY:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.precision is Precision.MONTH:
            return f"{self.year:04d}-{self.month:02d}"
        if self.precision is Precision.SEASON:
            if self.calendar is Calendar.GREGORIAN and self.season == "winter":
                first = self.year - 1 if self.previous_winter else self.year
                return f"winter {first}-{first + 1}"
            return f"{self.season} {self.year:04d}"
        if self.precision is Precision.DECADE:
            return f"{self.year:04d}s"
        return f"{self.year:04d}"

    def season_months(self) -> list[tuple[int, int]]:
        """(year, month) of each month of a season reading."""
        if self.calendar is Calendar.GREGORIAN:
            year = self.year - 1 if self.previous_winter else self.year
            first = GREGORIAN_SEASON_START[self.season]
            return [(year + (first + k - 1) // 12, (first + k - 1) % 12 + 1) for k in range(3)]
        first = SEASONS.index(self.season) * 3 + 1
        return [(self.year, first + k) for k in range(3)]

    def span(self, part: Part | None = None) -> tuple[dt.date, dt.date]:
        """First and last Gregorian day the reading names, narrowed to ``part``."""
        cal, y = self.calendar, self.year
        third = None if part is None else list(Part).index(part)
        if self.precision is Precision.DAY:
            day = to_gregorian(cal, y, self.month, self.day)
            return day, day
        if self.precision is Precision.MONTH:
            length = days_in_month(cal, y, self.month)
            first, last = ((1, length), (1, 10), (11, 20), (21, length))[
                0 if third is None else third + 1
            ]
            return to_gregorian(cal, y, self.month, first), to_gregorian(cal, y, self.month, last)
        if self.precision is Precision.SEASON:
            if cal is Calendar.HIJRI:
                raise InputError("a lunar (Hijri) year has no fixed seasons")
            months = self.season_months()
            if third is not None:
                months = [months[third]]
            return month_span(cal, *months[0])[0], month_span(cal, *months[-1])[1]
        if self.precision is Precision.YEAR:
            if third is None:
                return year_span(cal, y)
            return month_span(cal, y, 4 * third + 1, 4 * third + 4)
        first_year, last_year = ((0, 9), (0, 3), (4, 6), (7, 9))[0 if third is None else third + 1]
        return year_span(cal, y + first_year, y + last_year)


@dataclass
class Candidates:
    """Readings in order of preference, with the first error met and any warnings."""

    readings: list[Reading] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, reading: Reading, part: Part | None) -> None:
        """Keep ``reading`` if its days exist."""
        try:
            reading.span(part)
        except InputError as exc:
            self.errors.append(exc)
            return
        if reading not in self.readings:
            self.readings.append(reading)


def year_readings(
    num: Item,
    explicit: Calendar | None,
    persian: bool,
    settings: DateSettings,
    warnings: list[str],
) -> list[tuple[Calendar, int]]:
    """The (calendar, four-digit year) pairs a written year can stand for, preferred first."""
    if num.digits == 1:
        raise InputError(f"{num.text!r} is too short to be a year")
    if num.digits == 2:
        if explicit is not None:
            calendars = [explicit]
        elif persian:
            calendars = [Calendar.JALALI]
        else:
            calendars = [c for c in settings.calendar_preference if c is not Calendar.HIJRI]
        return [(c, settings.expand_two_digit(num.value, c)) for c in calendars]
    if explicit is not None:
        lo, hi = settings.stated_years(explicit)
        if not lo <= num.value <= hi:
            warnings.append(
                f"{explicit.value} year {num.value} is outside the plausible range {lo}-{hi}"
            )
        return [(explicit, num.value)]
    plausible = []
    for cal in settings.calendar_preference:
        lo, hi = settings.plausible_years(cal)
        if lo <= num.value <= hi:
            plausible.append((cal, num.value))
    if plausible:
        return plausible
    fallback = Calendar.GREGORIAN if num.value >= 1600 else Calendar.JALALI
    warnings.append(f"year {num.value} is outside every plausible range; read as {fallback.value}")
    return [(fallback, num.value)]
