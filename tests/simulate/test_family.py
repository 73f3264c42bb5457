"""The family of simulated worlds: name concentration, fathers in names, mixed name order."""

from __future__ import annotations

import collections
import copy
import hashlib
import io
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from inquest.errors import ConfigError
from inquest.simulate import (
    PRESETS,
    Scenario,
    World,
    load_scenario,
    presets,
    scenario_from_dict,
    simulate,
)
from inquest.simulate.names import load_name_tables

# sha256 of the lists, truth and population CSVs of `small` with seed 1, computed with the code
# before names.concentration, father_in_name and errors.family_first existed: a world that
# does not use them must stay byte-identical.
SMALL_SEED_1 = "107afd4143e88fab8b2c803d8369de2c44b796821ab6e576a351dee00b40b89d"


def _world_hash(world: World) -> str:
    h = hashlib.sha256()
    tables = [*world.lists.items(), ("truth", world.truth), ("population", world.population)]
    for name, table in tables:
        out = io.BytesIO()
        pacsv.write_csv(table, out)
        h.update(name.encode())
        h.update(out.getvalue())
    return h.hexdigest()


def test_worlds_without_the_new_options_are_unchanged(small: Scenario) -> None:
    assert small.name_concentration == 1.0
    assert _world_hash(simulate(small, 1)) == SMALL_SEED_1


def _unique_full_name_share(world: World) -> float:
    pop = world.population.to_pydict()
    names = list(zip(pop["given_name"], pop["family_name"], strict=True))
    counts = collections.Counter(names)
    return sum(counts[k] == 1 for k in names) / len(names)


def test_diverse_names_are_mostly_unique_and_default_ones_are_not() -> None:
    diverse = load_scenario("diverse")
    concentrated = load_scenario("concentrated").with_population(diverse.population)
    assert _unique_full_name_share(simulate(diverse, 1)) > 0.9
    assert _unique_full_name_share(simulate(concentrated, 1)) < 0.75


def test_concentration_zero_makes_names_equally_common() -> None:
    tables = load_name_tables(0.4, (), 0.0)
    for p in (tables.male_probabilities, tables.female_probabilities, tables.surnames.weight):
        assert np.allclose(p, p[0])
    skewed = load_name_tables(0.4, (), 1.0).male_probabilities
    assert skewed.max() > 10 * skewed.min()


def test_lower_concentration_adds_compounds_of_the_tables_own_first_elements() -> None:
    listed = load_name_tables(0.4, (), 1.0)
    wider = load_name_tables(0.4, (), 0.5)
    old = set(listed.given.persian[: listed.n_male])
    new = [x for x in wider.given.persian[: wider.n_male] if x not in old]
    assert len(new) > 100 and len(set(new)) == len(new)
    assert {x.split("-")[0] for x in new} == {"محمد", "علی", "غلام"}
    assert wider.given.persian[wider.n_male :] == listed.given.persian[listed.n_male :]


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_loads_and_simulates(name: str) -> None:
    world = simulate(load_scenario(name).with_population(300), 1)
    assert world.truth.num_rows == sum(t.num_rows for t in world.lists.values()) > 0


def test_linkage_family_spans_list_counts_and_sizes() -> None:
    family = presets(family="linkage")
    assert len(family) >= 6
    assert {p.lists for p in family} == {3, 4, 5, 6}
    assert all(3000 <= p.population <= 8000 and p.description for p in family)
    assert {p.name for p in presets()} == set(PRESETS)
    assert [p.name for p in presets(family="linkage_large")] == ["diverse_large"]


def test_a_world_based_on_a_family_member_is_not_a_member(tmp_path: Any) -> None:
    f = tmp_path / "w.yaml"
    f.write_text("base: diverse\npopulation: 100\n", encoding="utf-8")
    assert load_scenario(f).family == ""
    assert load_scenario(f).name_concentration == 0.0


def _rate(hits: int, n: int, p: float) -> None:
    sd = np.sqrt(max(p * (1 - p), 1e-4) / n)
    assert abs(hits / n - p) < 4 * sd + 1e-9, (hits / n, p)


def _one_list(base: Scenario, recording: dict[str, Any], errors: dict[str, Any]) -> Scenario:
    raw = copy.deepcopy(dict(base.raw))
    raw["population"] = 3000
    rec = {"variation": 0.0, "name_layout": "full", **recording}
    raw["sources"] = [
        {"name": "probe", "capture": {"rate": 0.9}, "recording": rec, "errors": errors}
    ]
    return scenario_from_dict(raw)


def _joined(world: World) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    person = world.truth.column("person_id").to_numpy() - 1
    return world.lists["probe"].to_pydict(), world.population.take(pa.array(person)).to_pydict()


def _given(truth: dict[str, list[Any]], i: int, sayyid: str = "سید") -> str:
    title = truth["title"][i]
    return f"{sayyid} {truth['given_name'][i]}" if title else truth["given_name"][i]


def test_father_in_persian_names_at_its_rate_with_the_markers_by_sex(small: Scenario) -> None:
    markers = ["ولد", {"male": "پسر", "female": "دختر"}]
    s = _one_list(
        small,
        {
            "script": "persian",
            "fields": ["father_name"],
            "father_in_name": {"rate": 0.4, "markers": markers},
        },
        {},
    )
    rec, truth = _joined(simulate(s, 2))
    n = len(rec["record_id"])
    used: collections.Counter[str] = collections.Counter()
    for i, full in enumerate(rec["full_name"]):
        plain = f"{_given(truth, i)} {truth['family_name'][i]}"
        if full == plain:
            assert rec["father_name"][i] == truth["father_name"][i]
            continue
        marker = full[len(plain) + 1 :].rsplit(" ", 1)[0]
        assert full == f"{plain} {marker} {truth['father_name'][i]}"
        assert rec["father_name"][i] is None  # written once: inside the name
        sex = truth["sex"][i]
        assert marker in ("ولد", "پسر" if sex == "male" else "دختر"), (marker, sex)
        used[marker] += 1
    _rate(sum(used.values()), n, 0.4)
    _rate(used["ولد"], sum(used.values()), 0.5)


def test_father_in_latin_names_follows_the_list_spelling(small: Scenario) -> None:
    markers = [{"male": "son of", "female": "daughter of"}]
    s = _one_list(
        small,
        {"script": "latin", "fields": [], "father_in_name": {"rate": 0.5, "markers": markers}},
        {"title_dropped": 1.0},
    )
    rec, truth = _joined(simulate(s, 3))
    n = len(rec["record_id"])
    sons = [
        i
        for i, full in enumerate(rec["full_name"])
        if full.endswith(f" son of {truth['father_name_latin'][i]}")
    ]
    daughters = [i for i, full in enumerate(rec["full_name"]) if " daughter of " in full]
    assert all(truth["sex"][i] == "male" for i in sons)
    assert all(truth["sex"][i] == "female" for i in daughters)
    _rate(len(sons) + len(daughters), n, 0.5)


def test_family_first_per_record_without_a_comma(small: Scenario) -> None:
    s = _one_list(small, {"script": "persian", "fields": []}, {"family_first": 0.3})
    rec, truth = _joined(simulate(s, 4))
    n = len(rec["record_id"])
    flipped = 0
    for i, full in enumerate(rec["full_name"]):
        given, family = _given(truth, i), truth["family_name"][i]
        assert full in (f"{given} {family}", f"{family} {given}")
        flipped += full == f"{family} {given}"
    _rate(flipped, n, 0.3)
    latin = _one_list(small, {"script": "latin", "fields": []}, {"family_first": 0.3})
    assert not any("," in x for x in simulate(latin, 4).lists["probe"]["full_name"].to_pylist())


@pytest.mark.parametrize(
    ("recording", "errors", "key"),
    [
        (
            {"name_layout": "split", "father_in_name": {"rate": 0.2, "markers": ["ولد"]}},
            {},
            "sources[0].recording.father_in_name",
        ),
        ({"name_layout": "split"}, {"family_first": 0.2}, "sources[0].errors.family_first"),
        ({"name_order": "family_first"}, {"family_first": 0.2}, "sources[0].errors.family_first"),
        (
            {"father_in_name": {"rate": 0.2, "markers": []}},
            {},
            "sources[0].recording.father_in_name.markers",
        ),
        (
            {"father_in_name": {"rate": 0.2, "markers": [{"male": "son of"}]}},
            {},
            "sources[0].recording.father_in_name.markers[0]",
        ),
    ],
)
def test_bad_new_options_name_their_key(
    small: Scenario, recording: dict[str, Any], errors: dict[str, Any], key: str
) -> None:
    with pytest.raises(ConfigError) as e:
        _one_list(small, {"script": "persian", **recording}, errors)
    assert key in str(e.value)


def test_concentration_outside_zero_one_is_refused(small: Scenario) -> None:
    raw = copy.deepcopy(dict(small.raw))
    raw["names"] = {"concentration": 1.5}
    with pytest.raises(ConfigError, match=r"names\.concentration"):
        scenario_from_dict(raw)
