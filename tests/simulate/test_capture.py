from __future__ import annotations

import copy
import time

import numpy as np

from inquest.simulate import Scenario, World, scenario_from_dict, simulate_captures


def _binomial_ok(realised: float, p: float, n: int, z: float = 4.0) -> bool:
    return abs(realised - p) <= z * np.sqrt(p * (1 - p) / n)


def test_realised_capture_rates_match_targets(small: Scenario) -> None:
    big = small.with_population(20000)
    sample = simulate_captures(big, 5)
    for j, src in enumerate(big.sources):
        assert _binomial_ok(sample.captures[:, j].mean(), src.capture.rate, big.population)
        # the intercept is solved so that the mean probability is the target rate
        assert abs(sample.probabilities[:, j].mean() - src.capture.rate) < 1e-6


def test_capture_is_heterogeneous_in_visibility(small: Scenario) -> None:
    sample = simulate_captures(small.with_population(20000), 6)
    vis = sample.covariates.visibility
    ngo = sample.lists.index("ngo")  # visibility coefficient 1.2
    high, low = vis > 1, vis < -1
    assert sample.captures[high, ngo].mean() > sample.captures[low, ngo].mean() + 0.3


def _with_dependence(small: Scenario, log_odds: float) -> Scenario:
    raw = copy.deepcopy(dict(small.raw))
    raw["population"] = 20000
    for s in raw["sources"]:
        s["capture"] = {"rate": s["capture"]["rate"]}  # no heterogeneity
    raw["sources"][1]["capture"]["depends_on"] = {"families": log_odds}
    return scenario_from_dict(raw)


def _odds_ratio(caps: np.ndarray, a: int, b: int) -> float:
    x, y = caps[:, a], caps[:, b]
    n11, n10 = (x & y).sum(), (x & ~y).sum()
    n01, n00 = (~x & y).sum(), (~x & ~y).sum()
    return float(n11 * n00 / (n10 * n01))


def test_list_dependence_has_the_sign_asked_for(small: Scenario) -> None:
    pos = simulate_captures(_with_dependence(small, 1.5), 1).captures
    neg = simulate_captures(_with_dependence(small, -1.5), 1).captures
    ind = simulate_captures(_with_dependence(small, 0.0), 1).captures
    assert _odds_ratio(pos, 0, 1) > 3.0
    assert _odds_ratio(neg, 0, 1) < 1 / 3.0
    assert 0.8 < _odds_ratio(ind, 0, 1) < 1.25


def test_fast_path_matches_full_simulation(small: Scenario, small_world: World) -> None:
    sample = simulate_captures(small, small_world.seed)
    assert np.array_equal(sample.captures, small_world.captures.captures)
    assert sample.observed().shape[0] == small_world.observed


def test_history_counts_add_up(small: Scenario) -> None:
    sample = simulate_captures(small, 3)
    counts = sample.history_counts()
    assert sum(counts.values()) == sample.observed().shape[0]
    assert all(len(h) == len(small.sources) and any(h) for h in counts)


def test_hundred_worlds_in_seconds(small: Scenario) -> None:
    start = time.perf_counter()
    sizes = [simulate_captures(small, seed).observed().shape[0] for seed in range(100)]
    assert time.perf_counter() - start < 20
    assert len(set(sizes)) > 10  # different seeds, different worlds
