"""estimate_dga against the published Madigan & York figures and dga's Kosovo result.

The tables are small copies of ../shared/mse-reference (aggregated counts, no personal data):
the Madigan & York vectors as printed in dga's documentation (R column-major, list 1 fastest).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inquest.errors import ConfigError, EstimationError, InputError
from inquest.estimate.dga import (
    DgaEstimate,
    MadiganYorkPrior,
    dga_graphs,
    estimate_dga,
    posterior_quantile,
    posterior_weights,
)

MY3 = [0, 60, 49, 4, 247, 112, 142, 12]
MY5 = [0, 27, 37, 19, 4, 4, 1, 1, 97, 22, 37, 25, 2, 1, 3, 5]
MY5 += [83, 36, 34, 18, 3, 5, 0, 2, 30, 5, 23, 8, 0, 3, 0, 2]
KOSOVO_LISTS = ("EXH", "ABA", "OSCE", "HRW")
KOSOVO = {  # (EXH, ABA, OSCE, HRW): count
    (1, 1, 1, 1): 27, (1, 1, 1, 0): 181, (1, 1, 0, 1): 18, (1, 1, 0, 0): 177,
    (1, 0, 1, 1): 42, (1, 0, 1, 0): 228, (1, 0, 0, 1): 106, (1, 0, 0, 0): 1131,
    (0, 1, 1, 1): 32, (0, 1, 1, 0): 217, (0, 1, 0, 1): 31, (0, 1, 0, 0): 845,
    (0, 0, 1, 1): 123, (0, 0, 1, 0): 936, (0, 0, 0, 1): 306,
}  # fmt: skip


def _from_dga_vector(Y: list[int]) -> tuple[np.ndarray, np.ndarray]:
    p = int(np.log2(len(Y)))
    index = np.arange(1, len(Y))
    patterns = ((index[:, None] >> np.arange(p)) & 1).astype(np.uint8)
    return patterns, np.asarray(Y[1:], dtype=np.int64)


def _kosovo() -> tuple[np.ndarray, np.ndarray]:
    return np.array(list(KOSOVO), dtype=np.uint8), np.array(list(KOSOVO.values()))


@pytest.fixture(scope="module")
def my3() -> DgaEstimate:
    patterns, counts = _from_dga_vector(MY3)
    return estimate_dga(
        patterns,
        counts,
        delta=1.0,
        prior_n=MadiganYorkPrior(a=13.14, b=55.17),
        n_missing_min=1,
        n_missing_max=300,
        seed=3,
    )


def test_madigan_york_three_lists_top_model(my3: DgaEstimate) -> None:
    top = my3.result.models[0]
    assert top["graph"] == "[L1,L2][L3]"
    assert round(top["weight"], 2) == 0.37
    assert round(top["bayes_estimate"]) == 731
    assert top["mode"] == 729


def test_madigan_york_three_lists_model_average(my3: DgaEstimate) -> None:
    d = my3.result.diagnostics
    assert round(d["bayes_estimate"]) == 731
    assert d["posterior_mode"] == 728
    assert d["top_graph_probability"] == my3.result.models[0]["weight"]
    assert my3.graph_weights.sum() == pytest.approx(1.0)
    assert my3.probabilities.sum() == pytest.approx(1.0)
    assert my3.result.n_observed == 626
    # the R grid 1..300 cuts off about 0.1% of this posterior, and we say so
    assert d["mass_beyond_grid"] == pytest.approx(1e-3, rel=0.2)


def test_madigan_york_five_lists() -> None:
    patterns, counts = _from_dga_vector(MY5)
    est = estimate_dga(patterns, counts, delta=0.5, n_missing_min=1, n_missing_max=300, seed=5)
    r = est.result
    assert len(est.graphs) == 822
    assert round(r.diagnostics["posterior_mean"], 1) == 617.8
    assert (r.estimate, r.lower, r.upper) == (616, 588, 655)
    assert r.diagnostics["posterior_mode"] == 614
    assert round(r.models[0]["weight"], 3) == 0.217
    assert r.warnings == ()


def test_kosovo_matches_dga_with_default_grid() -> None:
    patterns, counts = _kosovo()
    est = estimate_dga(patterns, counts, lists=KOSOVO_LISTS, seed=1)
    r = est.result
    assert r.settings["delta"] == 2.0**-4  # dga's suggested default 2^-J
    assert r.settings["prior_n"] == {"name": "inverse"}
    assert len(est.graphs) == 61
    assert (r.estimate, r.lower, r.upper) == (12_595, 9_827, 16_544)
    assert r.models[0]["graph"] == "[EXH,ABA,OSCE][EXH,OSCE,HRW]"
    assert round(r.models[0]["weight"], 3) == 0.986
    assert r.diagnostics["mass_beyond_grid"] < 1e-5
    assert r.undocumented == 12_595 - 4_400
    # delta = 1 collapses onto the saturated graph (README, computed: median 4,616)
    (other,) = r.diagnostics["delta_sensitivity"]
    assert other["delta"] == 1.0 and other["estimate"] == 4_616
    assert other["top_graph"] == "[EXH,ABA,OSCE,HRW]"
    (warning,) = r.warnings
    assert "depends strongly on the prior weight delta" in warning and "4,616" in warning


def test_result_fields_and_draws(my3: DgaEstimate) -> None:
    r = my3.result
    assert r.method == "dga" and r.point == "median" and r.interval == "credible"
    assert r.lists == ("L1", "L2", "L3")
    assert r.seed == 3 and r.inquest_version
    assert r.estimate == posterior_quantile(my3.n_values, my3.probabilities, 0.5)
    assert [m["weight"] for m in r.models] == sorted(my3.graph_weights, reverse=True)
    assert my3.top_posteriors.shape == (8, 300)
    np.testing.assert_allclose(my3.top_posteriors.sum(axis=1), 1.0)
    assert my3.draws.shape == (10_000,)
    assert abs(my3.draws.mean() - r.diagnostics["posterior_mean"]) < 2.0
    assert my3.draws.min() >= 627 and my3.draws.max() <= 926
    again = my3.sample(5, np.random.default_rng(0))
    np.testing.assert_array_equal(again, my3.sample(5, np.random.default_rng(0)))
    assert my3.posterior_n is my3.draws
    d = r.to_dict()
    assert d["undocumented"] == r.estimate - 626 and len(d["assumptions"]) >= 4


def test_same_seed_same_draws_and_repeated_patterns_are_summed() -> None:
    patterns, counts = _from_dga_vector(MY3)
    a = estimate_dga(patterns, counts, seed=11)
    split = np.concatenate([counts, counts[:2]])
    halved = split.copy()
    halved[:2] -= halved[-2:] // 2
    halved[-2:] = counts[:2] // 2
    b = estimate_dga(np.vstack([patterns, patterns[:2]]), halved, seed=11)
    np.testing.assert_array_equal(a.draws, b.draws)
    assert a.result.estimate == b.result.estimate


def test_quantile_follows_dga_convention() -> None:
    N = np.array([10, 11, 12, 13])
    w = np.array([0.25, 0.25, 0.25, 0.25])
    assert posterior_quantile(N, w, 0.5) == 12  # first N whose cumulative mass exceeds 0.5
    assert posterior_quantile(N, w, 0.25) == 11
    assert posterior_quantile(N, w, 0.2) == 10


def test_a_short_grid_is_reported() -> None:
    patterns, counts = _kosovo()
    r = estimate_dga(patterns, counts, n_missing_max=6_000, seed=1).result
    assert r.diagnostics["mass_beyond_grid"] > 0.1
    assert any("cut off by the grid" in w for w in r.warnings)


def test_a_grid_starting_above_the_posterior_is_reported() -> None:
    patterns, counts = _from_dga_vector(MY3)
    r = estimate_dga(patterns, counts, n_missing_min=80, n_missing_max=400, seed=1).result
    assert any("smallest N" in w for w in r.warnings)


def test_lists_without_overlap_are_warned_about() -> None:
    patterns = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]], dtype=np.uint8)
    r = estimate_dga(patterns, [30, 20, 25, 4], lists=["A", "B", "C"], seed=1).result
    joined = " ".join(r.warnings)
    assert "A and C share no one" in joined and "B and C share no one" in joined
    assert "A and B" not in joined


@pytest.mark.parametrize(
    ("patterns", "counts", "match", "field", "row"),
    [
        ([[1, 0], [0, 1]], [1, 2], "3 to 6 lists", "patterns", None),
        ([[1, 0, 2], [0, 1, 0]], [1, 2], "0 or 1", "patterns", 1),
        ([[1, 0, 0], [0, 1, 0]], [1, -2], "negative", "counts", 2),
        ([[1, 0, 0], [0, 1, 0]], [1, 2.5], "whole numbers", "counts", 2),
        ([[1, 0, 0], [0, 0, 0]], [1, 2], "no list", "patterns", 2),
        ([[1, 0, 0], [0, 1, 0]], [1, 2, 3], "one value per pattern", "counts", None),
    ],
)
def test_bad_input_names_the_field_and_row(
    patterns: list[list[int]], counts: list[float], match: str, field: str, row: int | None
) -> None:
    with pytest.raises(InputError, match=match) as err:
        estimate_dga(np.array(patterns), np.array(counts))
    assert err.value.field == field and err.value.row == row


def test_bad_settings_and_empty_tables() -> None:
    patterns, counts = _from_dga_vector(MY3)
    with pytest.raises(ConfigError, match="delta"):
        estimate_dga(patterns, counts, delta=0.0)
    with pytest.raises(ConfigError, match="level"):
        estimate_dga(patterns, counts, level=1.0)
    with pytest.raises(ConfigError, match="n_missing"):
        estimate_dga(patterns, counts, n_missing_min=10, n_missing_max=5)
    with pytest.raises(ConfigError, match="sensitivity"):
        estimate_dga(patterns, counts, sensitivity=(0.5, -1.0))
    with pytest.raises(ConfigError, match="n_draws"):
        estimate_dga(patterns, counts, n_draws=-1)
    with pytest.raises(InputError, match="distinct"):
        estimate_dga(patterns, counts, lists=["A", "A", "B"])
    with pytest.raises(EstimationError, match="nothing to estimate"):
        estimate_dga(patterns, np.zeros_like(counts))


def test_kosovo_with_delta_one_collapses_onto_the_saturated_graph() -> None:
    patterns, counts = _kosovo()
    r = estimate_dga(patterns, counts, lists=KOSOVO_LISTS, delta=1.0, sensitivity=(), seed=1).result
    assert r.estimate == 4_616  # README (computed): strong prior sensitivity
    assert r.models[0]["graph"] == "[EXH,ABA,OSCE,HRW]"
    assert r.diagnostics["delta_sensitivity"] == []
    assert r.diagnostics["saturated_graph_probability"] == r.models[0]["weight"]
    (warning,) = r.warnings
    assert "saturated graph" in warning and "98%" in warning


def test_a_long_default_grid_steps_evenly(monkeypatch: pytest.MonkeyPatch) -> None:
    import inquest.estimate.dga._grid as dga

    monkeypatch.setattr(dga, "_CELL_BUDGET", 61 * 4_000)
    monkeypatch.setattr(dga, "_MIN_GRID_POINTS", 4_000)
    patterns, counts = _kosovo()
    est = estimate_dga(patterns, counts, seed=1)
    r = est.result
    grid = r.diagnostics["grid"]
    assert grid["step"] == 6 and grid["size"] <= 4_000
    assert abs(r.estimate - 12_595) <= 6
    assert abs(r.lower - 9_827) <= 6 and abs(r.upper - 16_544) <= 6
    # each grid value stands for 6 integers: the tail share matches the unit grid's (1.2e-6)
    assert 0.6e-6 < r.diagnostics["mass_beyond_grid"] < 2.4e-6
    assert grid["unit_steps_up_to"] == 4_400 + 59  # every integer near N = n_obs
    assert np.all(np.diff(est.n_values) >= 1) and est.widths.sum() == grid["n_max"] - 4_399
    assert est.probabilities.sum() == pytest.approx(1.0)
    assert abs(np.median(est.draws) - 12_595) < 100
    assert not np.isin(est.draws, est.n_values).all()  # draws fill the cells


def test_an_improper_posterior_is_reported() -> None:
    # a flat prior on N with delta = 2^-3: the saturated graph's posterior tail is not
    # summable, so no grid holds the posterior
    patterns, counts = _from_dga_vector(MY3)
    r = estimate_dga(patterns, counts, prior_n="uniform", sensitivity=(), seed=1).result
    assert r.diagnostics["mass_beyond_grid"] > 0.999
    assert any("improper" in w for w in r.warnings)
    assert r.settings["prior_n"] == {"name": "uniform"} and r.settings["grid"] == "default"


@settings(max_examples=20, deadline=None)
@given(
    st.lists(st.integers(0, 60), min_size=7, max_size=7).filter(lambda c: sum(c) > 0),
    st.sampled_from([2.0**-3, 0.5, 1.0]),
    st.sampled_from(["inverse", "rissanen"]),
)
def test_any_table_gives_an_ordered_summary(cells: list[int], delta: float, prior: str) -> None:
    patterns, counts = _from_dga_vector([0, *cells])
    est = estimate_dga(
        patterns, counts, delta=delta, prior_n=prior, n_missing_max=400, sensitivity=(), seed=0
    )
    r = est.result
    assert r.n_observed == sum(cells)
    assert r.n_observed <= r.lower <= r.estimate <= r.upper <= r.n_observed + 400
    assert est.probabilities.sum() == pytest.approx(1.0)
    assert est.graph_weights.sum() == pytest.approx(1.0)
    assert all(m["lower"] <= m["estimate"] <= m["upper"] for m in r.models)
    assert np.all((est.draws >= r.n_observed) & (est.draws <= r.n_observed + 400))


def test_graph_prior_weighs_and_excludes_graphs() -> None:
    patterns, counts = _from_dga_vector(MY3)
    kwargs = {"delta": 1.0, "n_missing_min": 1, "n_missing_max": 300, "sensitivity": ()}
    uniform = estimate_dga(patterns, counts, seed=1, **kwargs)
    labels = dga_graphs(["L1", "L2", "L3"])
    assert labels == uniform.graphs
    # a constant log prior changes nothing; R's log.prior.model.weights adds to each row
    same = estimate_dga(patterns, counts, seed=1, log_graph_prior=[2.5] * 8, **kwargs)
    np.testing.assert_allclose(same.graph_weights, uniform.graph_weights, rtol=1e-10)
    assert same.result.settings["prior_graphs"] == "custom"
    # a prior weight w multiplies the posterior weight of its graph by e^w (then renormalised)
    tilt = np.zeros(8)
    tilt[labels.index("[L1,L2][L3]")] = np.log(3.0)
    tilted = estimate_dga(patterns, counts, seed=1, log_graph_prior=tilt, **kwargs)
    expected = uniform.graph_weights * np.exp(tilt)
    np.testing.assert_allclose(tilted.graph_weights, expected / expected.sum(), rtol=1e-10)

    # leave out every graph but independence and one edge
    def only_sparse(cliques: tuple[tuple[str, ...], ...]) -> float:
        return 0.0 if sum(len(c) > 1 for c in cliques) <= 1 and len(cliques) >= 2 else -np.inf

    sparse = estimate_dga(patterns, counts, seed=1, log_graph_prior=only_sparse, **kwargs)
    kept = {m["graph"] for m in sparse.result.models}
    assert kept == {"[L1][L2][L3]", "[L1,L2][L3]", "[L1,L3][L2]", "[L1][L2,L3]"}
    with pytest.raises(ConfigError, match="one value per graph"):
        estimate_dga(patterns, counts, log_graph_prior=[0.0] * 7, **kwargs)
    with pytest.raises(ConfigError, match="not all -inf"):
        estimate_dga(patterns, counts, log_graph_prior=[-np.inf] * 8, **kwargs)


def test_posterior_weights_is_bma_cr_and_passes_dgas_own_test(my3: DgaEstimate) -> None:
    # dga's tests/testthat "3 lists example against Madigan and York", on the joint matrix
    patterns, counts = _from_dga_vector(MY3)
    Nmissing = np.arange(1, 301)
    N = Nmissing + 626
    weights = posterior_weights(
        patterns, counts, Nmissing, delta=1.0, prior_n=MadiganYorkPrior(13.14, 55.17)
    )
    assert weights.shape == (8, 300) and weights.sum() == pytest.approx(1.0)
    top_model = weights[np.argmax(weights.sum(axis=1))]
    assert round(top_model.sum(), 2) == 0.37
    assert round(np.mean(top_model / N) / np.mean(top_model / N**2)) == 731
    assert N[np.argmax(top_model)] == 729
    avg = weights.sum(axis=0)
    assert round(np.mean(avg / N) / np.mean(avg / N**2)) == 731
    assert N[np.argmax(avg)] == 728
    # the same posterior as estimate_dga's summaries
    np.testing.assert_allclose(weights.sum(axis=1), my3.graph_weights, rtol=1e-10)
    np.testing.assert_allclose(avg, my3.probabilities, rtol=1e-10)
    with pytest.raises(ConfigError, match="whole numbers"):
        posterior_weights(patterns, counts, [0.5, 2.0], delta=1.0)
