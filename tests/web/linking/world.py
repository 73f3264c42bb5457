"""A tiny simulated world imported into the test database (every person synthetic)."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.models import User

from inquest.simulate import load_scenario, simulate, write_world
from inquest.web.access.levels import Level
from inquest.web.registry.imports import import_list
from inquest.web.registry.models import Source


def import_world(user: User, folder: Path, *, population: int = 120, seed: int = 3) -> list[Source]:
    """Simulate ``population`` synthetic people, write their lists, import each as a source."""
    scenario = folder / "tiny.yaml"
    scenario.write_text(f"base: small\nname: tiny\npopulation: {population}\n", encoding="utf-8")
    world = simulate(load_scenario(scenario), seed)
    files = write_world(world, folder / "world")
    lists = sorted(p for p in files if p.parent.name == "lists")
    return [
        import_list(user, path, origin="synthetic test world", level=Level.INTERNAL).source
        for path in lists
    ]
