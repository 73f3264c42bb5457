# Names in these tests are common name parts combined at random: synthetic, no real person.
from hypothesis import given
from hypothesis import strategies as st

from inquest.text import Script, detect_script, preferred_name
from inquest.text.preferred import script_order

PERSIAN = ["علی", "محمد", "حسین", "اکبری", "رضایی", "مریم", "احمدی"]
LATIN = ["Ali", "Mohammad", "Hossein", "Akbari", "Rezaei", "Maryam", "Ahmadi"]
TITLES = ["شهید", "حاج", "Haj", "Dr", "Shahid", "سید", "Seyed"]


def test_most_frequent_form_in_the_preferred_script_wins() -> None:
    names = [
        "شهید ابراهیم اکبری",
        "ابراهیم اکبری",
        "Ebrahim Akbari",
        "Akbari, Ebrahim",
        "E. Akbary",
    ]
    assert preferred_name(names, Script.ARABIC) == "ابراهیم اکبری"
    assert preferred_name(names, Script.LATIN) == "Ebrahim Akbari"


def test_falls_back_to_the_other_script_then_any() -> None:
    assert preferred_name(["Ali Rezaei"], Script.ARABIC) == "Ali Rezaei"
    assert preferred_name(["علی رضایی"], Script.LATIN) == "علی رضایی"
    assert preferred_name(["Борис Петров", "Ali Rezaei"], Script.ARABIC) == "Ali Rezaei"
    assert preferred_name(["Борис Петров"], Script.LATIN) == "Борис Петров"
    assert preferred_name(["", "  ", "123"], Script.LATIN) == ""
    assert script_order(Script.ARABIC)[:2] == (Script.ARABIC, Script.LATIN)


def test_a_tie_goes_to_the_form_most_like_all_the_names() -> None:
    # one record each: the stray spelling no longer wins by sorting first
    names = ["'Ali Zarei", "Ali Rezaei", "علی رضایی", "علي رضائي"]
    assert preferred_name(names, Script.LATIN) == "Ali Rezaei"
    assert preferred_name(["ملکی شهید علی", "ملکی علی", "Ali Maleki"], Script.ARABIC) == "ملکی علی"
    # two names alike either way: the fuller, then the shorter spelling
    assert preferred_name(["Ali", "Ali Maleki"], Script.LATIN) == "Ali Maleki"
    assert preferred_name(["'Ali Fathi", "Fathi, Ali"], Script.LATIN) == "Ali Fathi"


def test_titles_and_particles_are_dropped_and_spellings_counted_by_key() -> None:
    assert preferred_name(["شهید علی رضایی"], Script.ARABIC) == "علی رضایی"
    assert preferred_name(["Haj Seyed Ali Rezaei", "Dr Ali Rezaei"], Script.LATIN) == "Ali Rezaei"
    # «علي» (Arabic yeh) and «علی» share a key: counted together, the commoner spelling shown
    names = ["علي رضایی", "علی رضایی", "علی رضایی", "مریم احمدی", "مریم احمدی"]
    assert preferred_name(names, Script.ARABIC) == "علی رضایی"


_name = st.builds(
    lambda title, given, family: " ".join(p for p in (title, given, family) if p),
    st.sampled_from(["", *TITLES]),
    st.sampled_from(PERSIAN + LATIN),
    st.sampled_from(PERSIAN + LATIN),
)


@given(st.lists(_name, min_size=1, max_size=8), st.randoms(), st.sampled_from(list(Script)))
def test_choice_is_order_free_titled_never_and_in_the_preferred_script_if_any(
    names: list[str], random: object, prefer: Script
) -> None:
    chosen = preferred_name(names, prefer)
    shuffled = list(names)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert preferred_name(shuffled, prefer) == chosen
    assert chosen
    words = set(chosen.split())
    assert not words & {"شهید", "حاج", "Haj", "Dr", "Shahid"}
    if prefer in (Script.ARABIC, Script.LATIN) and any(
        detect_script(n.split()[-1]) is prefer and detect_script(n) is prefer for n in names
    ):
        assert detect_script(chosen) is prefer
