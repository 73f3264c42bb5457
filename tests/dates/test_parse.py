"""Table-driven tests of parse_date on the issue's and the guidance's examples."""

from __future__ import annotations

import datetime as dt

import pytest

from inquest.dates import Calendar, DateSettings, Part, Precision, parse_date
from inquest.errors import InputError

D = dt.date

# text, hint, calendar, precision, earliest, latest, edtf
EXACT = [
    (
        "Mordad 1367",
        None,
        "jalali",
        "month",
        D(1988, 7, 23),
        D(1988, 8, 22),
        "1988-07-23/1988-08-22",
    ),
    ("Amordad 1367", None, "jalali", "month", D(1988, 7, 23), D(1988, 8, 22), None),
    ("مرداد ۱۳۶۷", None, "jalali", "month", D(1988, 7, 23), D(1988, 8, 22), None),
    ("امرداد ماه ۱۳۶۷", None, "jalali", "month", D(1988, 7, 23), D(1988, 8, 22), None),
    ("۶۷/۵/۱۲", None, "jalali", "day", D(1988, 8, 3), D(1988, 8, 3), "1988-08-03"),
    ("1367/5/12", None, "jalali", "day", D(1988, 8, 3), D(1988, 8, 3), "1988-08-03"),
    ("۱۳۶۷-۰۵-۱۲", None, "jalali", "day", D(1988, 8, 3), D(1988, 8, 3), None),
    ("١٣٦٧/٠٥/١٢", None, "jalali", "day", D(1988, 8, 3), D(1988, 8, 3), None),
    ("12 Mordad 1367", None, "jalali", "day", D(1988, 8, 3), D(1988, 8, 3), None),
    ("۱۲ مرداد ۱۳۶۷ ه.ش", None, "jalali", "day", D(1988, 8, 3), D(1988, 8, 3), None),
    ("12/5/1367", None, "jalali", "day", D(1988, 8, 3), D(1988, 8, 3), None),
    ("1 Farvardin 1368", None, "jalali", "day", D(1989, 3, 21), D(1989, 3, 21), None),
    ("Sharivar 1367", None, "jalali", "month", D(1988, 8, 23), D(1988, 9, 22), None),
    ("Esfand 1367", None, "jalali", "month", D(1989, 2, 20), D(1989, 3, 20), None),
    ("30 Esfand 1370", None, "jalali", "day", D(1992, 3, 20), D(1992, 3, 20), None),
    ("Aug 1988", None, "gregorian", "month", D(1988, 8, 1), D(1988, 8, 31), "1988-08"),
    ("août 1988", None, "gregorian", "month", D(1988, 8, 1), D(1988, 8, 31), None),
    ("ژوئیه ۱۹۸۸", None, "gregorian", "month", D(1988, 7, 1), D(1988, 7, 31), "1988-07"),
    ("Aug 3, 1988", None, "gregorian", "day", D(1988, 8, 3), D(1988, 8, 3), "1988-08-03"),
    ("3rd August 1988", None, "gregorian", "day", D(1988, 8, 3), D(1988, 8, 3), None),
    ("1988-08-03", None, "gregorian", "day", D(1988, 8, 3), D(1988, 8, 3), None),
    ("19880803", None, "gregorian", "day", D(1988, 8, 3), D(1988, 8, 3), None),
    ("1988", None, "gregorian", "year", D(1988, 1, 1), D(1988, 12, 31), "1988"),
    ("1367", None, "jalali", "year", D(1988, 3, 21), D(1989, 3, 20), "1988-03-21/1989-03-20"),
    ("1340s", None, "jalali", "decade", D(1961, 3, 21), D(1971, 3, 20), None),
    ("دهه ۴۰", None, "jalali", "decade", D(1961, 3, 21), D(1971, 3, 20), None),
    ("دهه چهل", None, "jalali", "decade", D(1961, 3, 21), D(1971, 3, 20), None),
    ("1960s", None, "gregorian", "decade", D(1960, 1, 1), D(1969, 12, 31), "196X"),
    ("summer 1988", None, "gregorian", "season", D(1988, 6, 1), D(1988, 8, 31), "1988-06/1988-08"),
    ("تابستان ۱۳۶۷", None, "jalali", "season", D(1988, 6, 22), D(1988, 9, 22), None),
    ("summer 1367", None, "jalali", "season", D(1988, 6, 22), D(1988, 9, 22), None),
    ("late 1367", None, "jalali", "year", D(1988, 11, 22), D(1989, 3, 20), None),
    ("اوایل شهریور ۶۷", None, "jalali", "month", D(1988, 8, 23), D(1988, 9, 1), None),
    ("اواخر مرداد ۱۳۶۷", None, "jalali", "month", D(1988, 8, 12), D(1988, 8, 22), None),
    ("early August 1988", None, "gregorian", "month", D(1988, 8, 1), D(1988, 8, 10), None),
    ("mid-1988", None, "gregorian", "year", D(1988, 5, 1), D(1988, 8, 31), None),
    ("1408", None, "hijri", "year", D(1987, 8, 23), D(1988, 8, 14), None),
    ("1367 AH", None, "hijri", "year", D(1947, 11, 12), D(1948, 11, 3), None),
    ("Dhu al-Hijjah 1408", None, "hijri", "month", D(1988, 7, 12), D(1988, 8, 14), None),
    ("ذی‌الحجه ۱۴۰۸", None, "hijri", "month", D(1988, 7, 12), D(1988, 8, 14), None),
    ("ذي الحجة 1408", None, "hijri", "month", D(1988, 7, 12), D(1988, 8, 14), None),
    ("67", "jalali", "jalali", "year", D(1988, 3, 21), D(1989, 3, 20), None),
    ("67", "gregorian", "gregorian", "year", D(1967, 1, 1), D(1967, 12, 31), None),
    ("Tir to Shahrivar 1367", None, "jalali", "range", D(1988, 6, 22), D(1988, 9, 22), None),
    ("12 to 15 Mordad 1367", None, "jalali", "range", D(1988, 8, 3), D(1988, 8, 6), None),
    ("1360-1367", None, "jalali", "range", D(1981, 3, 21), D(1989, 3, 20), None),
    ("1367-68", None, "jalali", "range", D(1988, 3, 21), D(1990, 3, 20), None),
    ("بین ۱۳۶۰ و ۱۳۶۷", None, "jalali", "range", D(1981, 3, 21), D(1989, 3, 20), None),
    ("از تیر تا شهریور ۱۳۶۷", None, "jalali", "range", D(1988, 6, 22), D(1988, 9, 22), None),
    ("اول مهر ۱۳۶۷", None, "jalali", "day", D(1988, 9, 23), D(1988, 9, 23), None),
    ("دهم مرداد ۶۷", None, "jalali", "day", D(1988, 8, 1), D(1988, 8, 1), None),
    ("اوایل مهر ۱۳۶۷", None, "jalali", "month", D(1988, 9, 23), D(1988, 10, 2), None),
]


@pytest.mark.parametrize(("text", "hint", "cal", "precision", "lo", "hi", "code"), EXACT)
def test_exact_readings(
    text: str,
    hint: str | None,
    cal: str,
    precision: str,
    lo: dt.date,
    hi: dt.date,
    code: str | None,
) -> None:
    d = parse_date(text, hint)
    assert (d.calendar, d.precision, d.earliest, d.latest) == (
        Calendar(cal),
        Precision(precision),
        lo,
        hi,
    )
    assert not d.ambiguous
    if code is not None:
        assert d.edtf == code


def test_mordad_is_an_interval_never_a_gregorian_month() -> None:
    d = parse_date("Mordad 1367")
    assert d.edtf != "1988-07"
    assert d.native == "1367-05"
    assert d.days == 31


def test_hijri_days_are_widened_two_days_each_side() -> None:
    d = parse_date("12 Dhu al-Hijjah 1408")
    assert d.calendar is Calendar.HIJRI
    assert (d.earliest, d.latest) == (D(1988, 7, 23), D(1988, 7, 27))
    exact = parse_date("12 Dhu al-Hijjah 1408", settings=DateSettings(hijri_margin_days=0))
    assert exact.earliest == exact.latest == D(1988, 7, 25)


def test_circa_widens_and_marks_edtf() -> None:
    d = parse_date("c. 1960")
    assert d.approximate and d.edtf == "1960~"
    assert (d.earliest, d.latest) == (D(1958, 1, 1), D(1962, 12, 31))
    fa = parse_date("حدود ۱۳۴۰")
    assert fa.approximate and fa.calendar is Calendar.JALALI
    assert fa.earliest == D(1959, 3, 21) and fa.latest == D(1964, 3, 20)
    assert fa.edtf == "1961-03-21~/1962-03-20~"
    narrow = parse_date("circa 1960", settings=DateSettings(circa_years=0))
    assert (narrow.earliest, narrow.latest) == (D(1960, 1, 1), D(1960, 12, 31))


def test_day_month_order_is_flagged() -> None:
    d = parse_date("03/04/1988")
    assert d.ambiguous
    assert d.earliest == D(1988, 4, 3)
    assert [a.earliest for a in d.alternatives] == [D(1988, 3, 4)]
    assert d.edtf == "[1988-04-03,1988-03-04]"
    us = parse_date("03/04/1988", settings=DateSettings(day_first=False))
    assert us.earliest == D(1988, 3, 4) and us.ambiguous
    assert not parse_date("13/04/1988").ambiguous


def test_fourteen_hundreds_are_ambiguous_while_both_are_plausible() -> None:
    d = parse_date("1402")
    assert d.ambiguous and d.calendar is Calendar.JALALI
    assert d.alternatives[0].calendar is Calendar.HIJRI
    assert d.hull() == (D(1981, 10, 26), D(2024, 3, 19))
    assert not parse_date("1402", "hijri").ambiguous
    assert not parse_date("1402 ش").ambiguous


def test_two_digit_year_without_context_is_ambiguous() -> None:
    d = parse_date("67")
    assert d.ambiguous
    assert {a.calendar for a in (d, *d.alternatives)} == {Calendar.JALALI, Calendar.GREGORIAN}
    assert not parse_date("۶۷").ambiguous  # Persian digits: Jalali context


def test_two_digit_pivot_is_configurable() -> None:
    s = DateSettings(two_digit_pivot=((Calendar.GREGORIAN, 70),))
    assert parse_date("67", "gregorian", settings=s).earliest == D(2067, 1, 1)
    assert parse_date("Aug 88").earliest == D(1988, 8, 1)


def test_gregorian_winter_has_two_readings() -> None:
    d = parse_date("winter 1988")
    assert d.ambiguous
    assert (d.earliest, d.latest) == (D(1988, 12, 1), D(1989, 2, 28))
    assert (d.alternatives[0].earliest, d.alternatives[0].latest) == (
        D(1987, 12, 1),
        D(1988, 2, 29),
    )
    assert not parse_date("زمستان ۱۳۶۷").ambiguous


def test_part_is_recorded() -> None:
    assert parse_date("early Shahrivar 1367").part is Part.EARLY
    assert parse_date("late 1340s").earliest == D(1968, 3, 21)


def test_bidi_controls_are_stripped_and_said() -> None:
    d = parse_date("\u202b۱۳۶۷/۰۵/۱۲\u202c\u2066")
    assert d.earliest == D(1988, 8, 3)
    assert any("bidi" in w for w in d.warnings)
    assert d.text == "\u202b۱۳۶۷/۰۵/۱۲\u202c\u2066"


def test_hint_contradicted_by_the_text_is_said() -> None:
    d = parse_date("Mordad 1367", "gregorian")
    assert d.calendar is Calendar.JALALI
    assert any("hint" in w for w in d.warnings)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1367/13/40", "month 13"),
        ("1367/7/31", "day 31"),
        ("30 Esfand 1367", "day 30"),
        ("", "empty"),
        ("   ", "empty"),
        ("\u202a\u202c", "empty"),
        ("Mordad", "no year"),
        ("12 Mordad", "no year"),
        ("۲۵ ساله", "age"),
        ("age 25", "age"),
        ("Evin 1367", "unrecognised word"),
        ("Mordad Shahrivar 1367", "more than one month"),
        ("summer Mordad 1367", "both a month and a season"),
        ("Mordad 1367 AH", "month name is jalali"),
        ("1 2 3 4", "too many numbers"),
        ("05/06", "cannot tell"),
        ("1999999999", "too many digits"),
        ("spring 1408 AH", "no fixed seasons"),
        ("1345s", "decade starts"),
        ("1367 to 1360", "ends before"),
        ("1342 AH", "outside 1343-1500"),
        ("1367", "not-a-calendar"),
    ],
)
def test_bad_input_is_a_clear_error(text: str, reason: str) -> None:
    hint = "roman" if reason == "not-a-calendar" else None
    with pytest.raises(InputError) as info:
        parse_date(text, hint)
    expected = "unknown calendar" if reason == "not-a-calendar" else reason
    assert expected in str(info.value)


def test_non_text_is_an_input_error() -> None:
    with pytest.raises(InputError):
        parse_date(1367)  # type: ignore[arg-type]


def test_bracketed_second_date_agrees_or_decides() -> None:
    agrees = parse_date("Mordad 1367 (August 1988)")
    assert (agrees.earliest, agrees.latest) == (D(1988, 7, 23), D(1988, 8, 22))
    assert not agrees.ambiguous and any("agrees" in w for w in agrees.warnings)
    decided = parse_date("03/04/1988 (4 March 1988)")
    assert decided.earliest == D(1988, 3, 4) and not decided.ambiguous
    assert decided.edtf == "1988-03-04" and not decided.alternatives
    first = parse_date("1402 (2023)")
    assert first.calendar is Calendar.JALALI and not first.ambiguous
    assert first.edtf == "2023-03-21/2024-03-19"


def test_bracketed_date_that_disagrees_is_kept_as_a_reading() -> None:
    d = parse_date("1367 (1950)")
    assert d.ambiguous and d.alternatives[-1].earliest == D(1950, 1, 1)
    assert any("shares no day" in w for w in d.warnings)


def test_brackets_that_are_not_a_date_are_read_with_the_text() -> None:
    assert parse_date("1367 (approx)").approximate
    assert parse_date("(1367)").earliest == D(1988, 3, 21)


def test_implausible_year_in_an_explicit_calendar_is_said() -> None:
    d = parse_date("Mordad 1988")
    assert d.earliest.year == 2609
    assert any("plausible" in w for w in d.warnings)


@pytest.mark.parametrize("text", ["unknown", "نامعلوم", "نامشخص"])
def test_unknown_is_said(text: str) -> None:
    with pytest.raises(InputError, match="not known"):
        parse_date(text)


def test_to_dict_is_json_ready() -> None:
    import json

    d = parse_date("03/04/1988").to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["earliest"] == "1988-04-03" and d["alternatives"][0]["earliest"] == "1988-03-04"


@pytest.mark.parametrize("text", ["9999", "c. 9999-12-31", "c. 0001-01-01", "Esfand 3177"])
def test_edges_of_the_calendars_do_not_crash(text: str) -> None:
    d = parse_date(text)
    assert d.earliest <= d.latest and d.warnings


def test_too_long_is_an_input_error() -> None:
    with pytest.raises(InputError, match="too long"):
        parse_date("1367/5/12 " * 100)


def test_a_stated_hijri_birth_date_of_the_1950s_is_not_implausible() -> None:
    # Bare years are read as Hijri only from 1400, but a Hijri month name states the calendar:
    # "15 Rajab 1380" is a birth date of early 1961 and needs no warning.
    d = parse_date("15 Rajab 1380")
    assert d.calendar is Calendar.HIJRI and d.earliest.year in (1960, 1961)
    assert not [w for w in d.warnings if "plausible" in w]
    # a stated year outside the stated range still warns
    far = parse_date("15 Rajab 1460")
    assert [w for w in far.warnings if "plausible range 1343-1448" in w]
