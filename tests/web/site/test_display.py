"""Dates in Jalali or Gregorian, digits Latin or Persian, as the user chose."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jdatetime
from hypothesis import given, settings
from hypothesis import strategies as st

from inquest.web.site.display import (
    Calendar,
    Digits,
    Display,
    default_display,
    display_from,
    format_date,
    format_interval,
)

JALALI_FA = Display(Calendar.JALALI, Digits.PERSIAN)
GREGORIAN_EN = Display(Calendar.GREGORIAN, Digits.LATIN)
ASCII_DIGITS = set("0123456789")


def test_known_dates() -> None:
    day = dt.date(1988, 8, 1)
    assert format_date(day, JALALI_FA, "fa") == "۱۰ مرداد ۱۳۶۷"
    assert format_date(day, Display(Calendar.JALALI, Digits.LATIN), "en") == "10 Mordad 1367"
    assert format_date(day, GREGORIAN_EN, "en") == "1 August 1988"
    assert format_date(day, Display(Calendar.GREGORIAN, Digits.PERSIAN), "en") == "۱ August ۱۹۸۸"


def test_intervals() -> None:
    start, end = dt.date(1988, 7, 23), dt.date(1988, 8, 22)
    assert format_interval(start, end, GREGORIAN_EN, "en") == "23 July 1988 – 22 August 1988"
    assert format_interval(start, start, GREGORIAN_EN, "en") == "23 July 1988"
    assert format_interval(None, end, GREGORIAN_EN, "en") == "… – 22 August 1988"
    assert format_interval(None, None, GREGORIAN_EN, "en") == ""


def test_defaults_follow_the_language_and_bad_sessions_fall_back() -> None:
    assert default_display("fa") == JALALI_FA
    assert default_display("en") == GREGORIAN_EN
    assert display_from({"calendar": "jalali"}, "en") == Display(Calendar.JALALI, Digits.LATIN)
    assert display_from({"calendar": "mayan"}, "en") == GREGORIAN_EN
    assert display_from("garbage", "fa") == JALALI_FA


@settings(deadline=None)
@given(st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_jalali_display_is_the_jalali_date(day: dt.date) -> None:
    text = format_date(day, Display(Calendar.JALALI, Digits.LATIN), "en")
    d, month, y = text.split(" ")
    jalali = jdatetime.date(int(y), jdatetime.date.j_months_en.index(month) + 1, int(d))
    assert jalali.togregorian() == day
    persian = format_date(day, JALALI_FA, "fa")
    assert not ASCII_DIGITS & set(persian)


def test_a_calendar_not_offered_falls_back() -> None:
    assert display_from({"calendar": "hijri", "digits": "latin"}, "en") == GREGORIAN_EN


def test_moments_on_run_pages_follow_the_chosen_calendar_and_digits(
    client: Any, personas: Any
) -> None:
    from django.utils import timezone

    from inquest.web.runs import services as runs

    from ..factories import make_source

    boss = personas.investigator
    source = make_source(boss, "T")
    run = runs.start_linkage_run(boss, sources=[source], parameters={}, input_sha256="ab" * 32)
    run.__class__.objects.filter(pk=run.pk).update(
        started_at=dt.datetime(1988, 8, 1, 9, 30, tzinfo=dt.UTC)
    )
    client.force_login(boss)
    client.post("/i18n/setlang/", {"language": "fa", "next": "/"})
    client.post("/display/", {"calendar": "jalali", "digits": "persian", "next": "/"})
    local = timezone.localtime(dt.datetime(1988, 8, 1, 9, 30, tzinfo=dt.UTC))
    shown = f"{format_date(local.date(), JALALI_FA, 'fa')} " + local.strftime("%H:%M").translate(
        str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    )
    for url in ("/runs/", f"/runs/linkage/{run.uid}/"):
        page = client.get(url).content.decode()
        assert shown in page, url
        assert "1988-08-01" not in page, url
