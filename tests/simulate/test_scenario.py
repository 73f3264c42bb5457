from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inquest.errors import ConfigError
from inquest.simulate import Scenario, load_scenario, scenario_from_dict, simulate


@pytest.mark.parametrize("name", ["small", "default", "large"])
def test_presets_load(name: str) -> None:
    s = load_scenario(name)
    assert s.population == {"small": 2000, "default": 20000, "large": 1_000_000}[name]
    assert 3 <= len(s.sources) <= 5
    assert {src.recording.script for src in s.sources} == {"persian", "latin"}
    # Mordad-Shahrivar 1367 is 23 July - 22 September 1988.
    assert (s.period_start.isoformat(), s.period_end.isoformat()) == ("1988-07-23", "1988-09-22")


def test_base_preset_is_merged(tmp_path: Path) -> None:
    f = tmp_path / "w.yaml"
    f.write_text("base: small\npopulation: 50\npeople: {male_share: 0.5}\n", encoding="utf-8")
    s = load_scenario(f)
    assert s.population == 50
    assert s.people.male_share == 0.5
    assert s.people.age_mean == load_scenario("small").people.age_mean
    assert "base" not in s.raw


def _broken(small: Scenario, edit: Any) -> dict[str, Any]:
    raw = copy.deepcopy(dict(small.raw))
    edit(raw)
    return raw


@pytest.mark.parametrize(
    ("edit", "key", "words"),
    [
        (
            lambda r: r["sources"][2]["capture"].update(rate=1.5),
            "sources[2].capture.rate",
            "between 0 and 1",
        ),
        (lambda r: r["sources"][0]["capture"].pop("rate"), "sources[0].capture.rate", "required"),
        (
            lambda r: r["sources"][1]["errors"].update(typoo=0.1),
            "sources[1].errors.typoo",
            "unknown key",
        ),
        (lambda r: r.update(population=0), "population", "between 1 and"),
        (
            lambda r: r["sources"][0]["recording"].update(script="cyrillic"),
            "sources[0].recording.script",
            "one of persian, latin",
        ),
        (
            lambda r: r["places"]["prisons"][0].update(latin=3),
            "places.prisons[0].latin",
            "a string or a list of",
        ),
        (
            lambda r: r["places"]["prisons"][0].update(city="atlantis"),
            "places.prisons[0].city",
            "unknown city",
        ),
        (
            lambda r: r["sources"][1]["capture"]["prison"].update(nowhere=1.0),
            "sources[1].capture.prison.nowhere",
            "unknown prison",
        ),
        (
            lambda r: r["sources"][0]["capture"].update(depends_on={"ngo": 1.0}),
            "sources[0].capture.depends_on.ngo",
            "listed before",
        ),
        (
            lambda r: r["sources"][1].update(name="families"),
            "sources[1].name",
            "duplicate source name",
        ),
        (
            lambda r: r["period"].update(start="1367-13-01"),
            "period.start",
            "not a valid jalali date",
        ),
        (
            lambda r: r["sources"][3]["errors"]["missing"].update(prison=0.2),
            "sources[3].errors.missing.prison",
            "does not record",
        ),
    ],
)
def test_errors_name_key_and_problem(small: Scenario, edit: Any, key: str, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        scenario_from_dict(_broken(small, edit), path="w.yaml")
    assert info.value.key == key
    assert words in info.value.reason
    assert "w.yaml" in str(info.value) and key in str(info.value)


def test_unknown_file_or_preset() -> None:
    with pytest.raises(ConfigError, match="no such scenario file or preset"):
        load_scenario("no-such-world.yaml")


def test_bad_yaml(tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text("population: [1,\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_scenario(f)


def test_with_population(small: Scenario) -> None:
    assert small.with_population(10).population == 10
    assert small.with_population(10).sources == small.sources


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _leaves(v, (*path, k))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _leaves(v, (*path, i))]
    return [path]


SMALL_RAW = dict(load_scenario("small").raw)
LEAVES = _leaves(SMALL_RAW)
junk = st.one_of(
    st.none(),
    st.text(max_size=4),
    st.integers(-3, 3),
    st.floats(-2, 2, allow_nan=False),
    st.lists(st.integers(0, 2), max_size=2),
    st.dictionaries(st.sampled_from(["x", "evin"]), st.integers(), max_size=1),
)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(LEAVES), junk)
def test_any_corrupted_value_loads_or_names_its_key(path: tuple[Any, ...], value: Any) -> None:
    raw = copy.deepcopy(SMALL_RAW)
    node = raw
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    try:
        scenario_from_dict(raw)
    except ConfigError as e:
        assert e.key, str(e)
        assert e.reason


def test_own_name_tables(tmp_path: Path) -> None:
    (tmp_path / "male.csv").write_text(
        "persian,latin,weight\nEmir,emir,3\nSenad,senad,1\n", encoding="utf-8"
    )
    (tmp_path / "surnames.csv").write_text(
        "persian,latin,weight\nHodžić,hodzhich,2\nBegić,begich,1\n", encoding="utf-8"
    )
    f = tmp_path / "w.yaml"
    f.write_text(
        "base: small\npopulation: 300\npeople: {male_share: 1.0}\n"
        "names: {constructed_surnames: 0, tables: {given_names_male: male.csv, "
        "surnames: surnames.csv}}\n",
        encoding="utf-8",
    )
    world = simulate(load_scenario(f), 1)
    pop = world.population.to_pydict()
    assert set(pop["given_name"]) == {"Emir", "Senad"}
    assert set(pop["family_name"]) == {"Hodžić", "Begić"}
    assert set(pop["family_name_latin"]) == {"Hodjich", "Begich"}  # English scheme: zh -> j


def test_bad_name_table_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "male.csv").write_text("persian,latin,weight\nEmir,emir,-1\n", encoding="utf-8")
    f = tmp_path / "w.yaml"
    f.write_text("base: small\nnames: {tables: {given_names_male: male.csv}}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        simulate(load_scenario(f), 1)
    assert info.value.key == "line 2.weight"
    assert str(info.value.path).endswith("male.csv")
    f.write_text("base: small\nnames: {tables: {given_names_male: none.csv}}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="no such file") as info:
        load_scenario(f)
    assert info.value.key == "names.tables.given_names_male"
