"""resolve(): ranked places across Persian and Latin script."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inquest.errors import InputError
from inquest.places import PlaceKind, gazetteer, resolve, resolve_one


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("زندان اوین", "prison:evin"),
        ("Evin prison", "prison:evin"),
        ("Evin", "prison:evin"),
        ("اوین", "prison:evin"),
        ("Gohardasht (Karaj)", "prison:gohardasht"),
        ("رجایی‌شهر", "prison:gohardasht"),
        ("رجایی شهر", "prison:gohardasht"),
        ("Rajaee Shahr prison, Karaj", "prison:gohardasht"),
        ("Ghezel Hesar", "prison:qezel_hesar"),
        ("قزلحصار", "prison:qezel_hesar"),
        ("Vakil Abad prison", "prison:vakilabad"),
        ("Golzar-e Khavaran", "cemetery:khavaran"),
        ("گورستان خاوران", "cemetery:khavaran"),
        ("Mashhad", "city:124665"),
        ("مشهد", "city:124665"),
        ("Meshed", "city:124665"),
        ("Karaj", "city:128747"),
        ("کرج", "city:128747"),
        ("Bakhtaran", "city:128226"),
        ("Esfahan", "city:418863"),
        ("Alborz province", "province:alborz"),
        ("استان خراسان", "province:khorasan"),
    ],
)
def test_best_match(query: str, expected: str) -> None:
    matches = resolve(query)
    assert matches and matches[0].id == expected


def test_ranked_and_bounded() -> None:
    matches = resolve("Kerman", limit=5)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert matches[0].id == "city:128234" and len(matches) <= 5
    assert all(0.7 <= m.score <= 1 for m in matches)


def test_kind_filter() -> None:
    matches = resolve("Tehran", kinds={PlaceKind.PROVINCE})
    assert [m.id for m in matches][:1] == ["province:tehran"]
    assert all(m.kind is PlaceKind.PROVINCE for m in matches)


def test_kind_word_prefers_that_kind() -> None:
    matches = resolve("Tabriz prison")
    assert matches[0].id == "prison:tabriz_central"
    city = next(m for m in matches if m.id == "city:113646")
    assert city.score < matches[0].score


def test_nothing_to_look_up() -> None:
    assert resolve("") == []
    assert resolve("   ") == []
    assert resolve("prison") == []
    assert resolve("\u202a\u202c") == []
    assert resolve("Qwxyzzvb") == []


def test_bad_input_is_said() -> None:
    bidi = resolve("\u202bاوین\u202c")
    assert bidi[0].id == "prison:evin" and any("bidi" in w for w in bidi[0].warnings)
    ward = resolve("Evin 209")
    assert ward[0].id == "prison:evin" and any("209" in w for w in ward[0].warnings)
    mixed = resolve("Evin زندان")
    assert mixed[0].id == "prison:evin" and any("mixes scripts" in w for w in mixed[0].warnings)
    with pytest.raises(InputError):
        resolve(None)  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=20))
def test_arbitrary_text_never_crashes(text: str) -> None:
    matches = resolve(text, limit=3)
    assert len(matches) <= 3
    assert all(0.0 <= m.score <= 1.0 for m in matches)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Tehran", "city:112931"),  # the city, not its province
        ("Kermanshah", "city:128226"),
        ("Meshed", "city:124665"),
        ("زندان اوین", "prison:evin"),
        ("Eslamabad", None),  # two towns of that name
        ("Qwxyzzvb", None),
        ("", None),
    ],
)
def test_resolve_one(query: str, expected: str | None) -> None:
    match = resolve_one(query)
    assert (match.id if match else None) == expected


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=25))
def test_query_core_is_stable(text: str) -> None:
    g = gazetteer()
    core = g.parse_query(text).core
    assert g.parse_query(core).core == core


def test_too_long_is_an_input_error() -> None:
    with pytest.raises(InputError, match="too long"):
        resolve("Evin " * 100)


def _preset_prisons() -> list[tuple[str, str]]:
    """Every spelling of every prison in the packaged simulation presets, with its preset id."""
    from importlib import resources

    import yaml

    folder = resources.files("inquest") / "data" / "simulate" / "presets"
    found = []
    for preset in sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml")):
        doc = yaml.safe_load((folder / preset).read_text(encoding="utf-8"))
        for prison in doc.get("places", {}).get("prisons", []):
            for field in ("fa", "latin"):
                names = prison[field] if isinstance(prison[field], list) else [prison[field]]
                found.extend((name, prison["id"]) for name in names)
    return sorted(set(found))


def test_every_preset_prison_is_a_prison_of_the_gazetteer() -> None:
    # The simulator writes these into prison columns: each must resolve to one prison site,
    # the same one in both scripts.
    by_preset: dict[str, set[str]] = {}
    for name, preset_id in _preset_prisons():
        match = resolve_one(name, kinds={PlaceKind.PRISON})
        assert match is not None, name
        by_preset.setdefault(preset_id, set()).add(match.id)
    assert all(len(ids) == 1 for ids in by_preset.values()), by_preset
    assert len({i for ids in by_preset.values() for i in ids}) == len(by_preset)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Ahvaz", "city:144448"),  # not "Ahvaz mass grave"
        ("Tabriz", "city:113646"),  # not "Tabriz prison"
        ("Karun prison", "prison:karun"),  # not Kazerun
        ("زندان لاکان", "prison:lakan"),
        ("زندان دستگرد", "prison:dastgerd"),
    ],
)
def test_a_kind_the_query_did_not_name_yields_to_the_name_itself(query: str, expected: str) -> None:
    match = resolve_one(query)
    assert match is not None and match.id == expected
