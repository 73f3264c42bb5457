# Names in these tests are common name parts combined at random: synthetic, no real person.
import pytest
from hypothesis import given
from hypothesis import strategies as st

from inquest.text import Script, parse_name


@pytest.mark.parametrize(
    ("raw", "given_", "family", "father", "titles", "particles"),
    [
        ("سید محمد رضا حسینی فرزند علی", "محمد رضا", "حسینی", "علی", (), ("سید",)),
        ("Seyyed Hossein Hosseini", "Hossein", "Hosseini", None, (), ("Seyyed",)),
        (
            "Haj Mirza Ali Akbar Hossein Zadeh",
            "Ali Akbar",
            "Hossein Zadeh",
            None,
            ("Haj",),
            ("Mirza",),
        ),
        ("Hosseini, Ali", "Ali", "Hosseini", None, (), ()),
        ("علی حسین زاده", "علی", "حسین زاده", None, (), ()),
        ("علی حسین‌زاده", "علی", "حسین‌زاده", None, (), ()),
        ("Dr. Gholam-Reza Rezaei (son of Hasan)", "Gholam-Reza", "Rezaei", "Hasan", ("Dr.",), ()),
        ("Maryam Ahmadi daughter of Karim", "Maryam", "Ahmadi", "Karim", (), ()),
        ("شهید آیت الله سید علی موسوی", "علی", "موسوی", None, ("شهید", "آیت الله"), ("سید",)),
        ("Abdol Hossein Sadeghi", "Abdol Hossein", "Sadeghi", None, (), ()),
        ("Rezaei", None, "Rezaei", None, (), ()),
        ("Sadegh Khan", "Sadegh", None, None, (), ("Khan",)),
        ("Seyyed", "Seyyed", None, None, (), ()),  # a title alone is kept as the name
    ],
)
def test_parse(
    raw: str,
    given_: str | None,
    family: str | None,
    father: str | None,
    titles: tuple[str, ...],
    particles: tuple[str, ...],
) -> None:
    p = parse_name(raw)
    assert (p.given, p.family, p.father, p.titles, p.particles) == (
        given_,
        family,
        father,
        titles,
        particles,
    )
    assert p.original == raw


def test_gender_from_lexicon() -> None:
    assert parse_name("فاطمه محمدی").gender == "f"
    assert parse_name("Hossein Rezaei").gender == "m"
    assert parse_name("Seyyedeh X").gender == "f"
    assert parse_name("Xyz Abc").gender == "u"


def test_bidi_is_reported() -> None:
    p = parse_name("\u202bفاطمه\u202c محمدی")
    assert p.given == "فاطمه"
    assert any("bidi" in w for w in p.warnings)
    assert p.original.startswith("\u202b")


@pytest.mark.parametrize(
    ("raw", "warning", "script"),
    [
        ("", "empty", Script.NONE),
        ("   ", "empty", Script.NONE),
        ("12 Ali Rezaei", "number", Script.LATIN),
        ("Ali2 Rezaei", "digits", Script.LATIN),
        ("Ali محمدی", "mixed", Script.MIXED),
        ("--", "no letters", Script.NONE),
    ],
)
def test_bad_input_is_reported(raw: str, warning: str, script: Script) -> None:
    p = parse_name(raw)
    assert any(warning in w for w in p.warnings), p.warnings
    assert p.script is script


def test_to_dict_round_trip_fields() -> None:
    d = parse_name("Seyyed Ali Rezaei").to_dict()
    assert d["script"] == "latin"
    assert d["particles"] == ["Seyyed"]
    assert d["tokens"] == ["Ali", "Rezaei"]


@given(st.text(max_size=40))
def test_never_raises(s: str) -> None:
    p = parse_name(s)
    assert p.original == s
    assert all(t for t in p.tokens)
