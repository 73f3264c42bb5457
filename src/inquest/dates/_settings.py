"""``DateSettings`` to and from plain data (a run's settings file, its manifest).

Missing keys keep their defaults; an unknown key or a bad value is a ``ConfigError`` naming
the file and the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inquest.dates._model import DEFAULT_SETTINGS, Calendar, DateSettings
from inquest.errors import ConfigError

_INTS = ("hijri_margin_days", "circa_days", "circa_months", "circa_years")


def settings_to_dict(settings: DateSettings) -> dict[str, Any]:
    """The settings as JSON/YAML-ready data."""
    return {
        "plausible": {c.value: [lo, hi] for c, lo, hi in settings.plausible},
        "stated": {c.value: [lo, hi] for c, lo, hi in settings.stated},
        "two_digit_pivot": {c.value: p for c, p in settings.two_digit_pivot},
        "calendar_preference": [c.value for c in settings.calendar_preference],
        "day_first": settings.day_first,
        **{name: getattr(settings, name) for name in _INTS},
    }


def _calendar(value: Any, path: str | None, key: str) -> Calendar:
    try:
        return Calendar(str(value))
    except ValueError:
        choices = ", ".join(c.value for c in Calendar)
        raise ConfigError(f"{value!r} is not a calendar ({choices})", path=path, key=key) from None


def _int(value: Any, path: str | None, key: str, *, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(f"must be a whole number >= {low}, not {value!r}", path=path, key=key)
    return value


def _year_ranges(
    ranges: Any, path: str | None, field: str
) -> tuple[tuple[Calendar, int, int], ...]:
    if not isinstance(ranges, Mapping):
        raise ConfigError("must map calendars to [first, last]", path=path, key=field)
    triples = []
    for name, pair in ranges.items():
        key = f"{field}.{name}"
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ConfigError("must be [first, last]", path=path, key=key)
        lo, hi = (_int(v, path, key, low=1) for v in pair)
        if lo > hi:
            raise ConfigError("first year is after last year", path=path, key=key)
        triples.append((_calendar(name, path, key), lo, hi))
    return tuple(triples)


def settings_from_dict(data: Mapping[str, Any], *, path: str | None = None) -> DateSettings:
    """``DateSettings`` from plain data (see ``settings_to_dict`` for the shape)."""
    known = set(settings_to_dict(DEFAULT_SETTINGS))
    for key in data:
        if key not in known:
            raise ConfigError(
                f"unknown setting (known: {', '.join(sorted(known))})", path=path, key=key
            )
    out: dict[str, Any] = {}
    for field in ("plausible", "stated"):
        if field in data:
            out[field] = _year_ranges(data[field], path, field)
    if "two_digit_pivot" in data:
        pivots = data["two_digit_pivot"]
        if not isinstance(pivots, Mapping):
            raise ConfigError("must map calendars to 0-99", path=path, key="two_digit_pivot")
        pairs = []
        for name, pivot in pivots.items():
            key = f"two_digit_pivot.{name}"
            value = _int(pivot, path, key, low=-1)
            if value > 99:
                raise ConfigError("must be at most 99", path=path, key=key)
            pairs.append((_calendar(name, path, key), value))
        out["two_digit_pivot"] = tuple(pairs)
    if "calendar_preference" in data:
        order = data["calendar_preference"]
        if not isinstance(order, list | tuple) or not order:
            raise ConfigError("must be a list of calendars", path=path, key="calendar_preference")
        out["calendar_preference"] = tuple(_calendar(c, path, "calendar_preference") for c in order)
    if "day_first" in data:
        if not isinstance(data["day_first"], bool):
            raise ConfigError("must be true or false", path=path, key="day_first")
        out["day_first"] = data["day_first"]
    for name in _INTS:
        if name in data:
            out[name] = _int(data[name], path, name)
    return DateSettings(**out)
