from __future__ import annotations

import copy
import csv
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from persiantools.digits import fa_to_en
from persiantools.jdatetime import JalaliDate

from inquest.simulate import (
    LIST_COLUMNS,
    Scenario,
    World,
    scenario_from_dict,
    simulate,
    write_world,
)

PERSIAN_DIGITS = re.compile("[۰-۹]")
FULL_JALALI_FA = re.compile(r"^[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2}$")


def one_source(base: Scenario, source: dict[str, Any], population: int = 3000) -> Scenario:
    """The base world's people with a single source (for measuring one kind of error)."""
    raw = copy.deepcopy(dict(base.raw))
    raw["population"] = population
    raw["sources"] = [source]
    return scenario_from_dict(raw)


PERSIAN_FIELDS = [
    "father_name",
    "sex",
    "birth_date",
    "death_date",
    "birth_place",
    "residence",
    "prison",
    "burial_place",
]


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_same_seed_same_files_other_seed_other_files(small: Scenario, tmp_path: Path) -> None:
    s = small.with_population(400)
    write_world(simulate(s, 5), tmp_path / "a")
    write_world(simulate(s, 5), tmp_path / "b")
    write_world(simulate(s, 6), tmp_path / "c")
    a, b, c = _files(tmp_path / "a"), _files(tmp_path / "b"), _files(tmp_path / "c")
    assert a == b
    assert a.keys() == c.keys() and a != c


def test_written_files(small_world: World, tmp_path: Path) -> None:
    written = write_world(small_world, tmp_path)
    names = {p.relative_to(tmp_path).as_posix() for p in written}
    lists = {f"lists/{s.name}.csv" for s in small_world.scenario.sources}
    assert names == lists | {"truth.csv", "population.csv", "scenario.json"}
    for name in lists:
        with (tmp_path / name).open(encoding="utf-8", newline="") as f:
            header = next(csv.reader(f))
        assert header[0] == "record_id"
        assert set(header) <= set(LIST_COLUMNS)
    with (tmp_path / "truth.csv").open(encoding="utf-8", newline="") as f:
        assert next(csv.reader(f)) == ["list", "record_id", "person_id"]
    meta = json.loads((tmp_path / "scenario.json").read_text(encoding="utf-8"))
    assert meta["seed"] == small_world.seed
    assert meta["true_population_size"] == 2000
    assert meta["scenario"]["population"] == 2000
    assert meta["observed_union"] == small_world.observed


def test_parquet_output(small: Scenario, tmp_path: Path) -> None:
    written = write_world(simulate(small.with_population(100), 1), tmp_path, fmt="parquet")
    assert (tmp_path / "truth.parquet") in written


def test_truth_is_consistent_with_lists(small_world: World) -> None:
    truth = small_world.truth.to_pylist()
    n = small_world.scenario.population
    assert {r["list"] for r in truth} == set(small_world.lists)
    assert len(truth) == sum(t.num_rows for t in small_world.lists.values())
    assert all(1 <= r["person_id"] <= n for r in truth)
    for j, (name, table) in enumerate(small_world.lists.items()):
        ids = table.column("record_id").to_pylist()
        assert len(set(ids)) == len(ids)  # record ids unique within a list
        rows = [r for r in truth if r["list"] == name]
        assert [r["record_id"] for r in rows] == ids
        people = {r["person_id"] for r in rows}
        # the distinct people behind a list are exactly the captured ones
        captured = set((np.flatnonzero(small_world.captures.captures[:, j]) + 1).tolist())
        assert people == captured
        # duplicates: extra records of people already on the list
        assert len(rows) - len(people) == int(small_world.duplicates[name].sum())


def test_population_is_synthetic_and_complete(small_world: World) -> None:
    pop = small_world.population
    assert pop.num_rows == 2000
    assert pop.column("person_id").to_pylist() == list(range(1, 2001))
    # common names are shared, as in real lists
    given = pop.column("given_name").to_pylist()
    assert given.count("محمد") > 0.1 * sum(s == "male" for s in pop.column("sex").to_pylist())
    deaths = pop.column("death_date").to_pylist()
    assert min(deaths).isoformat() >= "1988-07-23" and max(deaths).isoformat() <= "1988-09-22"


def test_persian_list_has_persian_digit_jalali_dates(small_world: World) -> None:
    fam = small_world.lists["families"]
    deaths = [d for d in fam.column("death_date").to_pylist() if d]
    assert all(PERSIAN_DIGITS.search(d) for d in deaths)
    full = [d for d in deaths if FULL_JALALI_FA.match(d)]
    assert full and all(fa_to_en(d).startswith("1367/0") for d in full)
    names = " ".join(x for x in fam.column("family_name").to_pylist() if x)
    assert re.search("[\u0600-\u06ff]", names)
    ngo = small_world.lists["ngo"]
    assert all(
        n.isascii() or any(c in n for c in "âéïë") for n in ngo.column("full_name").to_pylist()
    )


def _rate(hits: int, n: int, p: float) -> None:
    sd = np.sqrt(max(p * (1 - p), 1e-4) / n)
    assert abs(hits / n - p) < 4 * sd + 1e-9, (hits / n, p)


def _persian(errors: dict[str, Any], **recording: Any) -> dict[str, Any]:
    rec = {
        "script": "persian",
        "calendar": "jalali",
        "digits": "persian",
        "variation": 0.0,
        "fields": PERSIAN_FIELDS,
        "titles": ["شهید"],
    }
    rec.update(recording)
    return {"name": "probe", "capture": {"rate": 0.9}, "recording": rec, "errors": errors}


def _joined(world: World) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    table = world.lists["probe"]
    person = world.truth.column("person_id").to_numpy() - 1
    truth = world.population.take(pa.array(person)).to_pydict()
    return table.to_pydict(), truth


def test_typo_rate(small: Scenario) -> None:
    world = simulate(one_source(small, _persian({"typo": 0.1})), 2)
    rec, truth = _joined(world)
    n = len(rec["record_id"])
    _rate(
        sum(a != b for a, b in zip(rec["family_name"], truth["family_name"], strict=True)), n, 0.1
    )
    _rate(
        sum(a != b for a, b in zip(rec["father_name"], truth["father_name"], strict=True)), n, 0.1
    )


def _titled(truth: dict[str, list[Any]]) -> list[str]:
    return [
        f"{t} {g}" if t else g for t, g in zip(truth["title"], truth["given_name"], strict=True)
    ]


def test_no_noise_means_exact_truth(small: Scenario) -> None:
    world = simulate(one_source(small, _persian({})), 2)
    rec, truth = _joined(world)
    assert rec["given_name"] == _titled(truth)  # the title سید is part of how people are known
    assert rec["family_name"] == truth["family_name"]
    years = [JalaliDate(d).year for d in truth["birth_date"]]
    assert [int(fa_to_en(b)[:4]) for b in rec["birth_date"]] == years


def test_latin_without_variation_is_the_default_romanisation(small: Scenario) -> None:
    src = {
        "name": "probe",
        "capture": {"rate": 0.9},
        "recording": {"script": "latin", "variation": 0.0, "name_layout": "split", "fields": []},
    }
    world = simulate(one_source(small, src), 3)
    rec, truth = _joined(world)
    rows = list(zip(rec["given_name"], truth["given_name_latin"], truth["title"], strict=True))
    assert all(g == t for g, t, title in rows if not title)
    assert all(g == f"Seyed {t}" for g, t, title in rows if title)
    src["recording"]["variation"] = 0.5
    rec2, truth2 = _joined(simulate(one_source(small, src), 3))
    pairs = zip(rec2["given_name"], truth2["given_name_latin"], truth2["title"], strict=True)
    differ = sum(g != t for g, t, title in pairs if not title)
    assert differ > 0.2 * len(rec2["given_name"])


def test_title_missing_partial_age_and_year_rates(small: Scenario) -> None:
    errors = {
        "title": 0.2,
        "title_dropped": 0.4,
        "missing": {"father_name": 0.3},
        "partial_date": 0.4,
        "age_instead_of_birth": 0.25,
        "year_off_by_one": 0.1,
        "duplicate": 0.05,
    }
    world = simulate(one_source(small, _persian(errors)), 4)
    rec, truth = _joined(world)
    n = len(rec["record_id"])
    _rate(sum(g.startswith("شهید ") for g in rec["given_name"]), n, 0.2)
    own = [g for g, t in zip(rec["given_name"], truth["title"], strict=True) if t]
    assert len(own) > 50  # about 6% of the people carry the title سید
    _rate(sum("سید " not in g for g in own), len(own), 0.4)
    others = [g for g, t in zip(rec["given_name"], truth["title"], strict=True) if not t]
    assert not any("سید " in g for g in others)
    _rate(sum(f is None for f in rec["father_name"]), n, 0.3)
    _rate(sum(not FULL_JALALI_FA.match(d) for d in rec["death_date"]), n, 0.4)
    _rate(
        sum(
            b is None and a is not None for b, a in zip(rec["birth_date"], rec["age"], strict=True)
        ),
        n,
        0.25,
    )
    shown = [(b, t) for b, t in zip(rec["birth_date"], truth["birth_date"], strict=True) if b]
    wrong = sum(int(fa_to_en(b)[:4]) != JalaliDate(t).year for b, t in shown)
    _rate(wrong, len(shown), 0.1)
    people = len(set(world.truth.column("person_id").to_pylist()))
    _rate(n - people, people, 0.05)


def test_family_first_full_names(small: Scenario) -> None:
    world = simulate(
        one_source(small, _persian({}, name_layout="full", name_order="family_first")), 5
    )
    rec, truth = _joined(world)
    assert rec["full_name"] == [
        f"{f} {g}" for f, g in zip(truth["family_name"], _titled(truth), strict=True)
    ]


@pytest.mark.parametrize(
    ("calendar", "digits"), [("gregorian", "latin"), ("hijri", "persian"), ("hijri", "latin")]
)
def test_other_calendars(small: Scenario, calendar: str, digits: str) -> None:
    world = simulate(
        one_source(small, _persian({}, calendar=calendar, digits=digits), population=300), 6
    )
    deaths = [fa_to_en(d) for d in world.lists["probe"].column("death_date").to_pylist()]
    prefix = {"gregorian": "1988", "hijri": "140"}[calendar]
    assert all(d.startswith(prefix) for d in deaths), deaths[:3]
