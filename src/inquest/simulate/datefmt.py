"""Dates as a source writes them: Jalali, Gregorian or Hijri; Persian or Latin digits; partial.

Work is done per distinct day and per distinct (year, month, day, precision), never per
record, so a million records cost a few thousand conversions.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np
from hijridate import Gregorian
from persiantools.digits import en_to_fa
from persiantools.jdatetime import JalaliDate

__all__ = ["FULL", "YEAR", "YEAR_MONTH", "calendar_parts", "format_dates"]

FULL, YEAR_MONTH, YEAR = 0, 1, 2
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()

_MONTHS = {
    ("jalali", "persian"): "فروردین اردیبهشت خرداد تیر مرداد شهریور مهر آبان آذر دی بهمن اسفند",
    ("jalali", "latin"): "Farvardin Ordibehesht Khordad Tir Mordad Shahrivar Mehr Aban Azar Dey "
    "Bahman Esfand",
    (
        "gregorian",
        "persian",
    ): "ژانویه فوریه مارس آوریل مه ژوئن ژوئیه اوت سپتامبر اکتبر نوامبر دسامبر",
    ("gregorian", "latin"): "January February March April May June July August September "
    "October November December",
    ("hijri", "persian"): "محرم صفر ربیع‌الاول ربیع‌الثانی جمادی‌الاول جمادی‌الثانی رجب شعبان "
    "رمضان شوال ذی‌القعده ذی‌الحجه",
    ("hijri", "latin"): "Muharram Safar Rabi'_al-Awwal Rabi'_al-Thani Jumada_al-Ula "
    "Jumada_al-Akhira Rajab Sha'ban Ramadan Shawwal Dhu_al-Qa'dah Dhu_al-Hijjah",
}


_HIJRI_ERA = {"persian": "ق", "latin": "AH"}


def _tabular_hijri(d: dt.date) -> tuple[int, int, int]:
    """Arithmetic (tabular) Islamic date, for days outside hijridate's Umm al-Qura range."""
    jd = d.toordinal() + 1721425  # Julian day number at noon
    l_ = jd - 1948440 + 10632
    n = (l_ - 1) // 10631
    l_ = l_ - 10631 * n + 354
    j = ((10985 - l_) // 5316) * ((50 * l_) // 17719) + (l_ // 5670) * ((43 * l_) // 15238)
    l_ = l_ - ((30 - j) // 15) * ((17719 * j) // 50) - (j // 16) * ((15238 * j) // 43) + 29
    month = (24 * l_) // 709
    day = l_ - (709 * month) // 24
    year = 30 * n + j - 30
    return year, month, day


@cache
def _parts(day: int, calendar: str) -> tuple[int, int, int]:
    g = dt.date.fromordinal(_EPOCH_ORDINAL + day)
    if calendar == "gregorian":
        return g.year, g.month, g.day
    if calendar == "jalali":
        j = JalaliDate(g)  # type: ignore[no-untyped-call]
        return j.year, j.month, j.day
    try:
        h = Gregorian(g.year, g.month, g.day).to_hijri()
        return h.year, h.month, h.day
    except (OverflowError, ValueError):
        return _tabular_hijri(g)


def calendar_parts(days: np.ndarray, calendar: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day arrays of ``days`` (days since 1970-01-01) in ``calendar``."""
    uniq, inv = np.unique(days, return_inverse=True)
    parts = np.array([_parts(int(d), calendar) for d in uniq], dtype=np.int64).reshape(-1, 3)
    return parts[inv, 0], parts[inv, 1], parts[inv, 2]


def _one(
    y: int, m: int, d: int, level: int, calendar: str, script: str, style: str, pad: bool
) -> str:
    text = _bare(y, m, d, level, calendar, script, style, pad)
    if calendar == "hijri":  # lunar Hijri dates say so, else 1408/12/21 reads as Jalali
        return f"{text} {_HIJRI_ERA[script]}"
    return text


def _bare(
    y: int, m: int, d: int, level: int, calendar: str, script: str, style: str, pad: bool
) -> str:
    sep = "-" if calendar == "gregorian" and style == "ymd" else "/"
    mm, dd = (f"{m:02d}", f"{d:02d}") if pad else (str(m), str(d))
    if style == "text":
        month = _MONTHS[(calendar, script)].split()[m - 1].replace("_", " ")
        parts = [str(y)] if level == YEAR else [month, str(y)]
        if level == FULL:
            parts.insert(0, str(d))
        return " ".join(parts)
    if level == YEAR:
        return str(y)
    if style == "dmy":
        return f"{mm}/{y}" if level == YEAR_MONTH else f"{dd}/{mm}/{y}"
    return f"{y}{sep}{mm}" if level == YEAR_MONTH else f"{y}{sep}{mm}{sep}{dd}"


def format_dates(
    y: np.ndarray,
    m: np.ndarray,
    d: np.ndarray,
    level: np.ndarray,
    *,
    calendar: str,
    script: str,
    digits: str,
    date_format: str,
    unpadded: np.ndarray | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Date strings from calendar parts and a precision level per row, as (codes, values).

    Rows flagged ``unpadded`` write month and day without a leading zero (1367/5/9).
    """
    bare = np.zeros(y.shape[0], dtype=np.int64) if unpadded is None else unpadded.astype(np.int64)
    key = (((y.astype(np.int64) * 13 + m) * 32 + d) * 3 + level) * 2 + bare
    _uniq, first, inv = np.unique(key, return_index=True, return_inverse=True)
    texts = []
    for i in first.tolist():
        t = _one(
            int(y[i]),
            int(m[i]),
            int(d[i]),
            int(level[i]),
            calendar,
            script,
            date_format,
            not bare[i],
        )
        texts.append(en_to_fa(t) if digits == "persian" else t)
    return inv.reshape(-1), texts
