"""The values the dates package returns: calendars, precisions, intervals, ages, settings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Calendar(StrEnum):
    """The calendar a date was written in."""

    JALALI = "jalali"
    HIJRI = "hijri"
    GREGORIAN = "gregorian"


class Precision(StrEnum):
    """The unit the original text names.

    ``RANGE`` is an explicit span ("1360 to 1367") or one derived from an age.
    """

    DAY = "day"
    MONTH = "month"
    SEASON = "season"
    YEAR = "year"
    DECADE = "decade"
    RANGE = "range"


class Part(StrEnum):
    """Narrows a month, season, year or decade to its first, middle or last third."""

    EARLY = "early"
    MID = "mid"
    LATE = "late"


@dataclass(frozen=True)
class DateInterval:
    """A date as an inclusive interval of Gregorian days, with where it came from.

    ``earliest``/``latest`` bound every day the text can mean (inclusive, proleptic
    Gregorian). ``native`` is the date as written, in its own calendar ("1367-05",
    "1408-12-01"). ``edtf`` is an Extended Date/Time Format string of the Gregorian
    interval. When the text has several readings, the first is this interval,
    ``ambiguous`` is true and the others are in ``alternatives``.
    """

    text: str
    calendar: Calendar | None
    precision: Precision
    earliest: dt.date
    latest: dt.date
    edtf: str
    native: str = ""
    approximate: bool = False
    part: Part | None = None
    ambiguous: bool = False
    alternatives: tuple[DateInterval, ...] = ()
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.earliest > self.latest:
            raise ValueError(f"earliest {self.earliest} is after latest {self.latest}")

    @property
    def days(self) -> int:
        """How many days the interval spans (1 for a known day)."""
        return (self.latest - self.earliest).days + 1

    def hull(self) -> tuple[dt.date, dt.date]:
        """The smallest interval holding this reading and every alternative."""
        readings = (self, *self.alternatives)
        return min(r.earliest for r in readings), max(r.latest for r in readings)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO strings, alternatives nested)."""
        return {
            "text": self.text,
            "calendar": self.calendar.value if self.calendar else None,
            "precision": self.precision.value,
            "earliest": self.earliest.isoformat(),
            "latest": self.latest.isoformat(),
            "edtf": self.edtf,
            "native": self.native,
            "approximate": self.approximate,
            "part": self.part.value if self.part else None,
            "ambiguous": self.ambiguous,
            "alternatives": [a.to_dict() for a in self.alternatives],
            "warnings": list(self.warnings),
        }

    def overlaps(self, other: DateInterval) -> bool:
        """True when the two intervals share at least one day."""
        return self.earliest <= other.latest and other.earliest <= self.latest


@dataclass(frozen=True)
class AgeRange:
    """An age in completed solar years, as an inclusive range (``25`` is 25..25)."""

    text: str
    minimum: int
    maximum: int
    approximate: bool = False
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 0 <= self.minimum <= self.maximum:
            raise ValueError(f"bad age range {self.minimum}..{self.maximum}")


def _default_plausible() -> tuple[tuple[Calendar, int, int], ...]:
    return (
        (Calendar.JALALI, 1200, 1405),
        (Calendar.HIJRI, 1400, 1448),
        (Calendar.GREGORIAN, 1800, 2026),
    )


def _default_stated() -> tuple[tuple[Calendar, int, int], ...]:
    return (
        (Calendar.JALALI, 1200, 1405),
        (Calendar.HIJRI, 1343, 1448),
        (Calendar.GREGORIAN, 1800, 2026),
    )


@dataclass(frozen=True)
class DateSettings:
    """Choices the parser makes, stated once and stored with every run.

    - ``plausible``: per calendar, the range of years a bare year (no month name, marker or
      hint) may be read in. Defaults: Jalali 1200-1405, Hijri 1400-1448, Gregorian
      1800-2026 (upper bounds: the year this was written, so a bare "1408" is Hijri
      1987-88, not Jalali 2029; "1402" stays ambiguous). Bare 13xx years read as Jalali
      only, because Hijri years in 13xx (1882-1980) are rare in the case material; pass
      another range to change that.
    - ``stated``: per calendar, the years a date whose calendar is stated (a month name, a
      marker, a hint) may fall in without a warning. Defaults: Jalali 1200-1405, Hijri
      1343-1448 (1924-2027: birth dates of the 1988 case are Hijri 13xx; the converter's
      table starts at 1343), Gregorian 1800-2026.
    - ``two_digit_pivot``: per calendar, a two-digit year ``yy <= pivot`` is read in the
      next century: Jalali 1300+yy (pivot 5: "05" = 1405, "67" = 1367), Hijri 1300+yy
      (pivot 48), Gregorian 1900+yy (pivot 26: "26" = 2026, "27" = 1927).
    - ``calendar_preference``: which reading comes first when several remain.
    - ``day_first``: "03/04/1988" is read first as 3 April (the alternative, 4 March, is
      kept and the result flagged ambiguous either way).
    - ``hijri_margin_days``: Hijri days are widened by this many days each side, because
      Iran fixes lunar months by sighting the moon, which can differ from a tabular or
      Umm al-Qura calendar by a day or two.
    - ``circa_*``: how far "c." / "حدود" widens a date, per precision.
    """

    plausible: tuple[tuple[Calendar, int, int], ...] = field(default_factory=_default_plausible)
    stated: tuple[tuple[Calendar, int, int], ...] = field(default_factory=_default_stated)
    two_digit_pivot: tuple[tuple[Calendar, int], ...] = (
        (Calendar.JALALI, 5),
        (Calendar.HIJRI, 48),
        (Calendar.GREGORIAN, 26),
    )
    calendar_preference: tuple[Calendar, ...] = (
        Calendar.JALALI,
        Calendar.GREGORIAN,
        Calendar.HIJRI,
    )
    day_first: bool = True
    hijri_margin_days: int = 2
    circa_days: int = 15
    circa_months: int = 1
    circa_years: int = 2

    def plausible_years(self, calendar: Calendar) -> tuple[int, int]:
        """The (first, last) plausible bare year in ``calendar``."""
        for cal, lo, hi in self.plausible:
            if cal is calendar:
                return lo, hi
        return (1, 0)

    def stated_years(self, calendar: Calendar) -> tuple[int, int]:
        """The (first, last) year a date stated in ``calendar`` may have without a warning."""
        for cal, lo, hi in self.stated:
            if cal is calendar:
                return lo, hi
        return self.plausible_years(calendar)

    def expand_two_digit(self, yy: int, calendar: Calendar) -> int:
        """The four-digit year a two-digit ``yy`` stands for in ``calendar``."""
        pivot = dict(self.two_digit_pivot).get(calendar, -1)
        base = 1900 if calendar is Calendar.GREGORIAN else 1300
        return base + 100 + yy if yy <= pivot else base + yy


DEFAULT_SETTINGS = DateSettings()
