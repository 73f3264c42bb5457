"""Synthetic worlds where the truth is known, and the lists that record them.

Every person ``inquest.simulate`` produces is synthetic: drawn from name-component frequency
tables, never a real person. A scenario describes the population and the sources (capture
model, recording style, error rates); :func:`simulate` draws a world deterministically from a
seed, :func:`write_world` writes its lists in the standard list format with the truth, and
:func:`simulate_captures` gives the capture matrix alone, fast, for coverage studies.
:func:`presets` lists the packaged worlds (``family="linkage"``: the ones a linkage benchmark
runs over).
"""

from inquest.simulate.capture import CaptureSample, simulate_captures
from inquest.simulate.render import LIST_COLUMNS
from inquest.simulate.scenario import (
    PRESETS,
    PresetInfo,
    Scenario,
    load_scenario,
    presets,
    scenario_from_dict,
)
from inquest.simulate.world import ListSummary, World, simulate, write_world

__all__ = [
    "LIST_COLUMNS",
    "PRESETS",
    "CaptureSample",
    "ListSummary",
    "PresetInfo",
    "Scenario",
    "World",
    "load_scenario",
    "presets",
    "scenario_from_dict",
    "simulate",
    "simulate_captures",
    "write_world",
]
