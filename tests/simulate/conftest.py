"""Shared fixtures: small synthetic worlds (every person synthetic), built once per session."""

from __future__ import annotations

import pytest

from inquest.simulate import Scenario, World, load_scenario, simulate


@pytest.fixture(scope="session")
def small() -> Scenario:
    return load_scenario("small")


@pytest.fixture(scope="session")
def small_world(small: Scenario) -> World:
    return simulate(small, 11)
