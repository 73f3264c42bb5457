"""The lists are read by inquest's own readers: the list-format reader and the date parser."""

from __future__ import annotations

from pathlib import Path

import pytest

from inquest.dates import parse_age, parse_date
from inquest.io import read_list
from inquest.simulate import World, simulate, write_world


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_lists_pass_the_standard_reader(small_world: World, tmp_path: Path, fmt: str) -> None:
    world = simulate(small_world.scenario.with_population(200), 3) if fmt != "csv" else small_world
    write_world(world, tmp_path, fmt=fmt)
    for name, table in world.lists.items():
        read = read_list(tmp_path / "lists" / f"{name}.{fmt}")
        assert read.num_rows == table.num_rows


def test_dates_parse_to_the_truth_but_for_year_errors(small_world: World) -> None:
    pop = small_world.population.to_pydict()
    truth = small_world.truth.to_pylist()
    for j, src in enumerate(small_world.scenario.sources):
        table = small_world.lists[src.name].to_pydict()
        person = [r["person_id"] - 1 for r in truth if r["list"] == src.name]
        for col in ("death_date", "birth_date"):
            if col not in table:
                continue
            inside = outside = 0
            for text, i in zip(table[col], person, strict=True):
                if text is None:
                    continue
                iv = parse_date(text)
                true = pop[col][i]
                if iv.earliest <= true <= iv.latest:
                    inside += 1
                else:
                    outside += 1
            rate = src.errors.year_off_by_one if col == "birth_date" else 0.0
            n = inside + outside
            assert outside / n <= rate + 4 * (max(rate, 0.01) / n) ** 0.5, (src.name, col)
            if col == "death_date":
                assert outside == 0, j


def test_ages_read_back_to_the_age_at_death(small_world: World) -> None:
    pop = small_world.population.to_pydict()
    truth = small_world.truth.to_pylist()
    for src in small_world.scenario.sources:
        table = small_world.lists[src.name].to_pydict()
        if "age" not in table:
            continue
        person = [r["person_id"] - 1 for r in truth if r["list"] == src.name]
        read = [
            (parse_age(a).minimum, pop["age_at_death"][i])
            for a, i in zip(table["age"], person, strict=True)
            if a is not None
        ]
        wrong = sum(a != b for a, b in read)
        assert read and wrong <= src.errors.year_off_by_one * len(read) * 1.5 + 5
        assert all(abs(a - b) <= 1 for a, b in read)
