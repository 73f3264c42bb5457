"""LCMCR against the Kosovo reference, a simulated truth, and its own promises (seeds,
validation, cap, warnings)."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inquest.errors import InputError
from inquest.estimate.lcmcr import LcmcrEstimate, _tabulate, default_k, estimate_lcmcr

FAST = {"burnin": 2_000, "samples": 1_000, "thinning": 5, "chains": 2, "progress": False}
# Kosovo mixes slowly (ESS of N about 1-3% of the kept draws, as with the R package): the
# reference test needs 4 chains of 20,000 sweeps to pin the median to a few percent.
KOSOVO = {"burnin": 5_000, "samples": 1_500, "thinning": 10, "chains": 4, "progress": False}


def _simulate_independent(
    rng: np.random.Generator, n: int, probs: list[float]
) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic capture histories: n people, each list records each person independently."""
    caught = rng.random((n, len(probs))) < np.array(probs)
    caught = caught[caught.any(axis=1)]
    patterns, counts = np.unique(caught.astype(np.uint8), axis=0, return_counts=True)
    return patterns, counts.astype(np.int64)


@pytest.fixture(scope="module")
def kosovo(reference_table: Callable[..., tuple[np.ndarray, np.ndarray, list[str]]]) -> tuple:
    return reference_table("kosovo_4list")


@pytest.fixture(scope="module")
def kosovo_runs(kosovo: tuple) -> list[LcmcrEstimate]:
    patterns, counts, lists = kosovo
    return [estimate_lcmcr(patterns, counts, lists=lists, K=10, seed=s, **KOSOVO) for s in (1, 2)]


def test_kosovo_median_is_near_the_memory_book(kosovo_runs: list[LcmcrEstimate]) -> None:
    """The Kosovo Memory Book's near-census is about 10,400; LCMCR on the 4-list table gives
    a posterior median within 9,800-10,800 (README of ../shared/mse-reference)."""
    for run in kosovo_runs:
        res = run.result
        assert 9_800 <= res.estimate <= 10_800
        assert res.n_observed == 4_400
        assert res.lower < 10_000 < res.upper
        assert 7_500 < res.lower < res.estimate < res.upper < 17_000


def test_kosovo_is_stable_across_seeds(kosovo_runs: list[LcmcrEstimate]) -> None:
    a, b = (run.result.estimate for run in kosovo_runs)
    assert abs(a - b) / min(a, b) < 0.05


def test_result_carries_draws_traces_and_diagnostics(kosovo_runs: list[LcmcrEstimate]) -> None:
    run = kosovo_runs[0]
    assert run.draws.shape == (6_000,)
    assert run.posterior_n is run.draws
    assert set(run.traces) == {"N", "alpha", "occupied_classes", "prob_unobserved"}
    assert all(t.shape == (4, 1_500) for t in run.traces.values())
    assert np.array_equal(run.traces["N"].ravel().astype(np.int64), run.draws)
    assert (run.draws >= 4_400).all()
    res = run.result
    assert res.method == "lcmcr"
    assert res.lists == ("EXH", "ABA", "OSCE", "HRW")
    assert res.estimate == np.median(run.draws)
    diag = res.diagnostics
    for key in ("rhat", "ess_bulk", "ess_tail", "sweeps_per_second_total", "cpu_seconds"):
        assert np.isfinite(diag[key])
    assert 2 <= diag["occupied_classes_mean"] <= 10
    assert diag["cap_rejections"] == 0
    assert res.settings["K"] == 10
    assert res.seed == 1
    assert res.input_hash is not None and res.input_hash.startswith("sha256:")
    json.dumps(res.to_dict(), allow_nan=False)


def test_same_seed_same_draws_whatever_the_threads(kosovo: tuple) -> None:
    patterns, counts, _ = kosovo
    settings_ = {**FAST, "burnin": 200, "samples": 100}
    one = estimate_lcmcr(patterns, counts, K=10, seed=7, workers=1, **settings_)
    two = estimate_lcmcr(patterns, counts, K=10, seed=7, workers=2, **settings_)
    other = estimate_lcmcr(patterns, counts, K=10, seed=8, workers=2, **settings_)
    assert np.array_equal(one.draws, two.draws)
    assert np.array_equal(one.traces["alpha"], two.traces["alpha"])
    assert not np.array_equal(one.draws, other.draws)


def test_posterior_covers_the_truth_under_homogeneous_independent_capture() -> None:
    """Five synthetic worlds (N = 2,000; four independent lists): the 95% interval must
    cover the true N in at least four, and the median must be within 10% in all."""
    covered = 0
    for seed in range(5):
        rng = np.random.default_rng(100 + seed)
        patterns, counts = _simulate_independent(rng, 2_000, [0.25, 0.3, 0.2, 0.35])
        res = estimate_lcmcr(patterns, counts, seed=seed, **FAST).result
        covered += res.lower <= 2_000 <= res.upper
        assert res.estimate == pytest.approx(2_000, rel=0.10)
    assert covered >= 4


def test_a_binding_cap_is_reported(kosovo: tuple) -> None:
    patterns, counts, _ = kosovo
    res = estimate_lcmcr(
        patterns, counts, K=10, seed=3, max_unobserved=3_000, **{**FAST, "samples": 300}
    ).result
    assert res.upper <= 4_400 + 3_000
    assert res.diagnostics["cap_rejections"] > 0
    assert 0 < res.diagnostics["cap_rejection_rate"] < 1
    assert any("cap" in w for w in res.warnings)
    assert res.settings["max_unobserved"] == 3_000


def test_a_small_truncation_is_flagged(kosovo: tuple) -> None:
    patterns, counts, _ = kosovo
    res = estimate_lcmcr(patterns, counts, K=2, seed=4, **{**FAST, "samples": 200}).result
    assert res.diagnostics["all_classes_occupied_fraction"] > 0.5
    assert any("larger K" in w for w in res.warnings)


def test_default_truncation() -> None:
    assert [default_k(j) for j in (2, 3, 4, 5, 8)] == [3, 7, 15, 15, 15]


@pytest.mark.parametrize(
    ("patterns", "counts", "field", "row"),
    [
        ([[1, 0], [0, 0]], [3, 2], "patterns", 2),
        ([[1, 2], [0, 1]], [3, 2], "patterns", 1),
        ([[1, 0], [0, 1]], [3, -2], "counts", 2),
        ([[1, 0], [0, 1]], [3.5, 2], "counts", 1),
        ([[1, 0], [0, 1]], [3], "counts", None),
        ([1, 0, 1], [3], "patterns", None),
        ([[1, 0], [0, 1]], [0, 0], "counts", None),
    ],
)
def test_bad_input_names_the_row_and_field(
    patterns: list, counts: list, field: str, row: int | None
) -> None:
    with pytest.raises(InputError) as err:
        estimate_lcmcr(np.array(patterns), np.array(counts), progress=False)
    assert err.value.field == field
    assert err.value.row == row


@pytest.mark.parametrize(
    ("option", "field"),
    [({"K": 1}, "K"), ({"thinning": 0}, "thinning"), ({"lists": ["a"]}, "lists")],
)
def test_bad_settings_are_refused(option: dict, field: str) -> None:
    with pytest.raises(InputError) as err:
        estimate_lcmcr(np.array([[1, 0], [0, 1]]), np.array([3, 2]), progress=False, **option)
    assert err.value.field == field


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(st.integers(0, 1), min_size=3, max_size=3), st.integers(0, 50)),
        min_size=1,
        max_size=20,
    ).filter(lambda rows: any(sum(p) > 0 and c > 0 for p, c in rows))
)
def test_tabulation_merges_repeats_and_drops_zeros(rows: list) -> None:
    """Any listing of the same people (repeated patterns, zero counts) gives one table."""
    rows = [(p, c) for p, c in rows if sum(p) > 0 or c == 0]
    patterns = np.array([p for p, _ in rows])
    counts = np.array([c for _, c in rows])
    x, freq = _tabulate(patterns, counts)
    assert freq.sum() == counts.sum()
    assert (freq > 0).all()
    assert len({tuple(r) for r in x}) == len(x)
    for r, f in zip(x, freq, strict=True):
        mask = (patterns == r).all(axis=1)
        assert counts[mask].sum() == f
