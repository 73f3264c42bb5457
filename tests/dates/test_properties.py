"""Property tests: parse_date never crashes, intervals are ordered, conversions agree."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from persiantools.jdatetime import JalaliDate

from inquest.dates import Calendar, Precision, parse_date
from inquest.dates._fold import fold
from inquest.errors import InputError
from inquest.text.scripts import BIDI_CONTROLS

MONTHS = ["Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
          "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand"]  # fmt: skip
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")

date_alphabet = st.sampled_from(
    [*"0123456789۰۱۲۳۴۵۶۷۸۹/-.,~? ", "Mordad", "مرداد", "ذی‌الحجه", "Aug", "c.",
     "حدود", "early", "late", "summer", "تابستان",
     "s", "AH", "ش", "to", "تا", "between", "and", "دهه", "\u202b", "\u2069"]
)  # fmt: skip


def _check(text: str) -> None:
    try:
        d = parse_date(text)
    except InputError:
        return
    assert d.earliest <= d.latest
    for alt in d.alternatives:
        assert alt.earliest <= alt.latest
    lo, hi = d.hull()
    assert lo <= d.earliest and d.latest <= hi
    assert d.edtf


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_arbitrary_text_gives_an_interval_or_an_input_error(text: str) -> None:
    _check(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(date_alphabet, max_size=8).map(" ".join))
def test_date_like_text_gives_an_interval_or_an_input_error(text: str) -> None:
    _check(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_fold_is_idempotent_and_strips_nothing_it_should_keep(text: str) -> None:
    once = fold(text)
    assert fold(once) == once


jalali_days = st.dates(dt.date(1925, 3, 21), dt.date(2025, 3, 20)).map(JalaliDate)


@settings(max_examples=200, deadline=None)
@given(jalali_days, st.sampled_from(["ymd", "persian", "dmy-name", "dmy"]))
def test_jalali_days_agree_with_persiantools(day: JalaliDate, style: str) -> None:
    y, m, d = day.year, day.month, day.day
    text = {
        "ymd": f"{y}/{m}/{d}",
        "persian": f"{y}-{m:02d}-{d:02d}".translate(PERSIAN_DIGITS),
        "dmy-name": f"{d} {MONTHS[m - 1]} {y}",
        "dmy": f"{d}/{m}/{y}",
    }[style]
    parsed = parse_date(text, "jalali")
    assert parsed.precision is Precision.DAY and parsed.calendar is Calendar.JALALI
    assert parsed.earliest == parsed.latest == day.to_gregorian()
    assert parsed.native == f"{y:04d}-{m:02d}-{d:02d}"


@settings(max_examples=100, deadline=None)
@given(st.integers(1300, 1403), st.integers(1, 12))
def test_jalali_month_is_its_first_to_last_day(year: int, month: int) -> None:
    parsed = parse_date(f"{MONTHS[month - 1]} {year}")
    assert parsed.earliest == JalaliDate(year, month, 1).to_gregorian()
    nxt = JalaliDate(year + (month == 12), month % 12 + 1, 1).to_gregorian()
    assert parsed.latest == nxt - dt.timedelta(days=1)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=sorted(BIDI_CONTROLS), min_size=1, max_size=4))
def test_bidi_controls_never_change_the_reading(controls: str) -> None:
    plain = parse_date("1367/5/12")
    noisy = parse_date(controls[0] + "1367/5/12" + controls[1:])
    assert (noisy.earliest, noisy.latest) == (plain.earliest, plain.latest)
    assert noisy.warnings


HIJRI_MONTHS = ["Muharram", "Safar", "Rabi al-Awwal", "Rabi al-Thani", "Jumada al-Ula",
                "Jumada al-Akhirah", "Rajab", "Shaban", "Ramadan", "Shawwal",
                "Dhu al-Qadah", "Dhu al-Hijjah"]  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(st.dates(dt.date(1930, 1, 1), dt.date(2070, 12, 31)))
def test_hijri_days_hold_the_converter_day_with_two_days_each_side(day: dt.date) -> None:
    from hijridate import Gregorian

    h = Gregorian(day.year, day.month, day.day).to_hijri()
    parsed = parse_date(f"{h.day} {HIJRI_MONTHS[h.month - 1]} {h.year}")
    assert parsed.calendar is Calendar.HIJRI
    assert parsed.earliest == day - dt.timedelta(days=2)
    assert parsed.latest == day + dt.timedelta(days=2)


@settings(max_examples=100, deadline=None)
@given(st.dates(dt.date(1850, 1, 1), dt.date(2026, 12, 31)))
def test_gregorian_iso_days_are_themselves(day: dt.date) -> None:
    parsed = parse_date(day.isoformat())
    assert parsed.earliest == parsed.latest == day
    assert parsed.edtf == day.isoformat()
