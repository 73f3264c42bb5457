"""Mapping suggestions from headers and sample values (inquest.io.sniff); synthetic values."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from inquest.io import standard_schema
from inquest.io.sniff import MIN_CONFIDENCE, Basis, Looks, header_words, suggest_mapping
from inquest.text.scripts import BIDI_CONTROLS


def _columns(headers: list[str], samples: list[list[str | None]] | None = None) -> list[str | None]:
    return [s.column for s in suggest_mapping(headers, samples)]


def test_the_headers_of_issue_20_all_get_a_suggestion() -> None:
    # Only "ID" got one before.
    headers = ["ID", "Father", "Notes", "Name of victim", "Executed on"]
    assert _columns(headers) == ["record_id", "father_name", "notes", "full_name", "death_date"]


def test_english_persian_and_french_variants() -> None:
    cases = {
        "father_name": ["Father's name", "نام پدر", "پدر", "Nom du père", "FATHER NAME"],
        "full_name": ["Victim", "Full name", "نام و نام خانوادگی", "Nom complet"],
        "death_date": ["Date of execution", "تاريخ اعدام", "Date d'exécution", "executed on"],
        "notes": ["توضیحات", "Remarks", "Remarques"],
        "birth_place": ["Place of birth", "Lieu de naissance", "محل تولد"],
    }
    for column, headers in cases.items():
        for header in headers:
            assert _columns([header]) == [column], header


def test_header_words_decide_when_no_alias_matches() -> None:
    (executed,) = suggest_mapping(["Date they were executed"])
    assert executed.column == "death_date" and executed.basis is Basis.WORDS
    assert "executed" in executed.words and MIN_CONFIDENCE <= executed.confidence < 0.95
    (father,) = suggest_mapping(["First name of the father"])
    assert father.column == "father_name"  # "father" with "name" outweighs "first"
    (place,) = suggest_mapping(["Place of burial (cemetery)"])
    assert place.column == "burial_place"


def test_words_are_compared_folded() -> None:
    assert header_words("Father’s  NAME") == ("father", "name")  # "s" says nothing
    assert header_words("Nom du PÈRE") == ("nom", "pere")
    # Arabic yeh is Persian's; a bidi mark is dropped; a ZWNJ parts words.
    assert header_words("تاريخ \u200fاعدام") == ("تاریخ", "اعدام")
    assert header_words("\u202bتاریخ\u200cاعدام\u202c") == ("تاریخ", "اعدام")
    assert header_words("date_of_death") == ("date", "death")


def test_an_exact_standard_name_wins_and_each_column_is_given_once() -> None:
    suggestions = suggest_mapping(["given_name", "نام", "full_name", "Name"])
    assert [s.column for s in suggestions] == ["given_name", None, "full_name", None]
    assert suggestions[0].basis is Basis.STANDARD and suggestions[0].confidence == 1.0


def test_values_decide_when_the_headers_say_nothing() -> None:
    headers = ["c1", "c2", "c3", "c4", "c5", "c6", "c7"]
    samples: list[list[str | None]] = [
        ["1", "2", "3", "4"],
        ["علی رضایی", "مریم نمونه", "Reza Sample", "حسن آزمون"],
        ["مرد", "M", "f", "زن"],
        ["۳۴", "25", "۴۰ ساله", "19"],
        ["۱۳۶۷/۰۵/۱۰", "Mordad 1367", "1988-08-01", "۱۳۶۷/۰۶/۰۲"],
        ["Evin", "زندان اوین", "Vakilabad", "Gohardasht"],
        ["x", "y", None, "z"],
    ]
    suggestions = suggest_mapping(headers, samples)
    assert [s.column for s in suggestions] == [
        "record_id",
        "full_name",
        "sex",
        "age",
        "death_date",
        "prison",
        None,
    ]
    assert all(s.basis is Basis.VALUES for s in suggestions[:6])
    assert suggestions[4].looks is Looks.DATES and suggestions[4].matched == 4
    assert suggestions[4].seen == 4 and "4 of 4" in suggestions[4].reason


def test_of_two_date_columns_the_earlier_is_the_birth_date() -> None:
    samples: list[list[str | None]] = [
        ["1988-08-01", "Mordad 1367", "۱۳۶۷/۰۵/۱۲"],
        ["1960", "1955-03-02", "۱۳۴۰"],
    ]
    assert _columns(["d1", "d2"], samples) == ["death_date", "birth_date"]


def test_values_agreeing_with_the_header_make_it_surer() -> None:
    (alone,) = suggest_mapping(["Date"])
    assert alone.column is None  # one general word is not enough
    (dated,) = suggest_mapping(["Date"], [["1988-08-01", "1367/05/10", "Mordad 1367"]])
    assert dated.column == "death_date"


_BIDI = st.sampled_from(sorted(BIDI_CONTROLS))
_TEXT = st.text(
    st.one_of(st.characters(), _BIDI, st.sampled_from("نامپدر_- '’\u200c")), max_size=80
)


@settings(max_examples=300, deadline=None)
@given(
    headers=st.lists(_TEXT, max_size=8),
    samples=st.lists(st.lists(st.one_of(st.none(), _TEXT), max_size=5), max_size=8),
)
def test_the_sniffer_never_crashes(headers: list[str], samples: list[list[str | None]]) -> None:
    suggestions = suggest_mapping(headers, samples)
    assert [s.header for s in suggestions] == headers
    chosen = [s.column for s in suggestions if s.column is not None]
    assert len(chosen) == len(set(chosen)) and set(chosen) <= set(standard_schema().names)
    assert all(0.0 <= s.confidence <= 1.0 and s.reason for s in suggestions)


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_header_words_are_plain_words(header: str) -> None:
    words = header_words(header)
    assert all(w and not set(w) & BIDI_CONTROLS and " " not in w for w in words)


def test_columns_the_standard_format_lacks_get_no_suggestion() -> None:
    dates: list[str | None] = ["1988-07-01", "1367/04/10", "Tir 1367"]
    names: list[str | None] = ["Fatemeh Sample", "زهرا نمونه", "Maryam Test"]
    headers = ["Date of arrest", "Mother's name", "Place of execution", "تاریخ بازداشت"]
    assert _columns(headers, [dates, names, ["Evin", "Tehran", "Karaj"], dates]) == [None] * 4


def test_persian_headers_written_with_a_zwnj() -> None:
    assert _columns(["نام و نام‌خانوادگی", "نام‌خانوادگی", "نام‌پدر"]) == [
        "full_name",
        "family_name",
        "father_name",
    ]
