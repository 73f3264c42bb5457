"""Stated values in the form linkage compares them: equal in any script, calendar or unit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inquest.linkage.values import ValueKind, prepared_value, value_label


@pytest.mark.parametrize(
    ("kind", "a", "b", "place_kind", "expected"),
    [
        (ValueKind.NUMBER, "34", "۳۴ ساله", None, "34"),
        (ValueKind.DATE, "11 August 1988", "۱۳۶۷/۰۵/۲۰", None, "1988-08-11"),
        (ValueKind.CODE, "M", "مرد", None, "m"),
        (ValueKind.PLACE, "Vakilabad", "زندان وکیل‌آباد", "prison", "gz:prison:vakilabad"),
    ],
)
def test_equal_values_in_two_scripts_are_equal(
    kind: ValueKind, a: str, b: str, place_kind: str | None, expected: str
) -> None:
    assert prepared_value(kind, a, place_kind) == prepared_value(kind, b, place_kind) == expected


def test_ranges_and_months_are_intervals() -> None:
    assert prepared_value(ValueKind.DATE, "Mordad 1367") == "1988-07-23/1988-08-22"
    assert prepared_value(ValueKind.NUMBER, "20-25") == "20/25"


def test_different_values_stay_different() -> None:
    assert prepared_value(ValueKind.NUMBER, "34") != prepared_value(ValueKind.NUMBER, "35")
    assert prepared_value(ValueKind.CODE, "M") != prepared_value(ValueKind.CODE, "F")
    assert prepared_value(ValueKind.PLACE, "Evin", "prison") != prepared_value(
        ValueKind.PLACE, "Vakilabad", "prison"
    )


def test_unreadable_text_keeps_its_display_form() -> None:
    assert prepared_value(ValueKind.DATE, "when the war ended") == "when the war ended"
    assert prepared_value(ValueKind.NUMBER, "young") == "young"
    assert prepared_value(ValueKind.CODE, "x") == "x"
    assert prepared_value(ValueKind.NAME, "\u202bعلي\u202c") == "علی"


def test_places_outside_the_gazetteer_match_across_scripts() -> None:
    latin = prepared_value(ValueKind.PLACE, "Rasht cemetery", "cemetery")
    persian = prepared_value(ValueKind.PLACE, "گورستان رشت", "cemetery")
    assert latin == persian
    assert latin.startswith("txt:")
    assert value_label(latin) is None


def test_labels() -> None:
    assert value_label("gz:prison:vakilabad") == "Vakilabad Prison (زندان وکیل‌آباد)"
    assert value_label("gz:nowhere") == "gz:nowhere"
    assert value_label("1988-08-11") == "1988-08-11"


@given(st.integers(min_value=0, max_value=120))
def test_ages_in_persian_digits_equal_latin(age: int) -> None:
    persian = str(age).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert prepared_value(ValueKind.NUMBER, f"{persian} ساله") == str(age)
    assert prepared_value(ValueKind.NUMBER, str(age)) == str(age)
