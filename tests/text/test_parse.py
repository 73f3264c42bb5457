# Names in these tests are common name parts combined at random: synthetic, no real person.
import pytest
from hypothesis import given
from hypothesis import strategies as st

from inquest.text import Script, parse_name
from inquest.text.tables import FatherMarker, father_markers


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


# Every father marker of the data file, in a name of its script. Synthetic name parts.
_MARKER_NAMES = {
    "arabic": ("نسرین", "یگانه", "غلامعلی"),
    "latin": ("Nasrin", "Yegane", "Gholamali"),
}


@pytest.mark.parametrize("marker", father_markers(), ids=lambda m: m.form)
def test_every_father_marker_parses(marker: FatherMarker) -> None:
    given_, family, father = _MARKER_NAMES[marker.script]
    p = parse_name(f"{given_} {family} {marker.form} {father}")
    assert (p.given, p.family, p.father) == (given_, family, father)
    p = parse_name(f"{given_} {family} ({marker.form}: {father})")
    assert (p.given, p.family, p.father) == (given_, family, father)


@pytest.mark.parametrize("marker", [m for m in father_markers() if m.opens], ids=str)
def test_an_opening_marker_may_begin_the_text(marker: FatherMarker) -> None:
    father = _MARKER_NAMES[marker.script][2]
    p = parse_name(f"{marker.form} {father}")
    assert (p.given, p.family, p.father) == (None, None, father)


@pytest.mark.parametrize("raw", ["Bin Rezaei", "ولد رضایی", "Ibn Yegane"])
def test_a_marker_that_cannot_open_is_a_name_at_the_start(raw: str) -> None:
    p = parse_name(raw)
    assert p.father is None
    assert p.name == raw


def test_valad_in_a_persian_record() -> None:
    p = parse_name("نسرین یگانه ولد غلام‌علی")
    assert (p.given, p.family, p.father) == ("نسرین", "یگانه", "غلام‌علی")


def test_a_marker_inside_a_word_is_not_a_marker() -> None:
    p = parse_name("Hossein Valadi Binesh")
    assert (p.given, p.family, p.father) == ("Hossein Valadi", "Binesh", None)


def test_a_title_after_the_comma_stays_out_of_the_family_name() -> None:
    p = parse_name("Mirzazade, Seyed Taher")
    assert (p.given, p.family, p.particles) == ("Taher", "Mirzazade", ("Seyed",))
    p = parse_name("Rezaei, Haj Seyed Mohammad Reza")
    assert (p.given, p.family, p.titles) == ("Mohammad Reza", "Rezaei", ("Haj",))
