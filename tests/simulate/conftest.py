"""Shared fixtures: small synthetic worlds (every person synthetic), built once per session."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from inquest.simulate import Scenario, World, load_scenario, scenario_from_dict, simulate


@pytest.fixture(scope="session")
def small() -> Scenario:
    return load_scenario("small")


@pytest.fixture(scope="session")
def small_world(small: Scenario) -> World:
    return simulate(small, 11)


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
