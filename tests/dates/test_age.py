"""Ages and the birth intervals they imply."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inquest.dates import AgeRange, birth_interval_from_age, parse_age, parse_date
from inquest.errors import InputError


@pytest.mark.parametrize(
    ("text", "low", "high", "approx"),
    [
        ("25", 25, 25, False),
        ("age 25", 25, 25, False),
        ("aged 25", 25, 25, False),
        ("25 years old", 25, 25, False),
        ("۲۵ ساله", 25, 25, False),
        ("۲۵ سال", 25, 25, False),
        ("حدود ۲۵ سال", 25, 25, True),
        ("c. 30", 30, 30, True),
        ("20-25", 20, 25, False),
        ("between 20 and 25", 20, 25, False),
        ("۲۰ تا ۲۵ ساله", 20, 25, False),
    ],
)
def test_ages(text: str, low: int, high: int, approx: bool) -> None:
    age = parse_age(text)
    assert (age.minimum, age.maximum, age.approximate) == (low, high, approx)


@pytest.mark.parametrize("text", ["", "aged 200", "25-20", "Mordad 25", "1 2 3", "old"])
def test_bad_ages(text: str) -> None:
    with pytest.raises(InputError):
        parse_age(text)


def test_birth_interval_of_an_age_at_a_month() -> None:
    born = birth_interval_from_age(parse_age("25"), parse_date("Mordad 1367"))
    # 25 on 1988-07-23 at the earliest: born after 1962-07-23; 25 on 1988-08-22 at latest.
    assert (born.earliest, born.latest) == (dt.date(1962, 7, 24), dt.date(1963, 8, 22))


def test_approximate_age_widens() -> None:
    at = parse_date("1988-08-03")
    exact = birth_interval_from_age(parse_age("25"), at)
    rough = birth_interval_from_age(parse_age("حدود ۲۵"), at)
    assert rough.earliest < exact.earliest and rough.latest > exact.latest
    assert rough.approximate


@given(st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)), st.integers(0, 100))
def test_a_person_born_in_the_interval_has_that_age(day: dt.date, years: int) -> None:
    at = parse_date(day.isoformat())
    born = birth_interval_from_age(AgeRange(str(years), years, years), at)
    for b in (born.earliest, born.latest):
        age = day.year - b.year - ((day.month, day.day) < (b.month, b.day))
        assert age == years
