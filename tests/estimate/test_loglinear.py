"""Log-linear MSE against published and README anchors (../shared/mse-reference/README.md)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inquest.errors import EstimationError, InputError
from inquest.estimate.loglinear import estimate_loglinear, fit_loglinear


def test_uk_5_list_stepwise_matches_sparsemse(reference_table) -> None:  # type: ignore[no-untyped-def]
    patterns, counts, lists = reference_table("uk_2013_5list")
    res = estimate_loglinear(patterns, counts, lists=lists, n_boot=0)
    assert round(res.estimate) == 11313
    lo, hi = res.diagnostics["intervals"]["wald-log"]
    assert (round(lo), round(hi)) == (9884, 13027)
    assert sorted(res.diagnostics["terms"]) == sorted(
        ["LA:NG", "NG:GP", "PFNCA:GP", "LA:PFNCA", "GO:GP", "NG:GO"]
    )
    # Silverman (2014) published "between 10,000 and 13,000"
    assert 10_000 <= res.estimate <= 13_000
    assert res.diagnostics["steps"][0]["added"] == "LA:NG"


def test_uk_6_list_stepwise(reference_table) -> None:  # type: ignore[no-untyped-def]
    patterns, counts, lists = reference_table("uk_2013_6list")
    res = estimate_loglinear(patterns, counts, lists=lists, n_boot=0)
    assert round(res.estimate) == 11418
    lo, hi = res.diagnostics["intervals"]["wald-log"]
    assert (round(lo), round(hi)) == (9977, 13146)


@pytest.mark.parametrize(
    ("name", "independence", "stepwise"),
    [
        ("uk_2013_5list", 13444.1, 11313.0),
        ("uk_2013_6list", 12214.0, 11418.0),
        ("kosovo_4list", 7394.6, 14342.0),
        ("western_us_5list", 2007.1, 2483.0),
        ("netherlands_6list", 52823.5, None),
        ("rcapture_hiv_rome_4list", 11124.6, None),
        ("new_orleans_5list", 1034.2, None),
    ],
)
def test_readme_computed_anchors(reference_table, name, independence, stepwise) -> None:  # type: ignore[no-untyped-def]
    patterns, counts, lists = reference_table(name)
    ind = estimate_loglinear(patterns, counts, lists=lists, selection="independence", n_boot=0)
    assert ind.estimate == pytest.approx(independence, abs=0.06)
    if stepwise is not None:
        sw = estimate_loglinear(patterns, counts, lists=lists, n_boot=0)
        assert sw.estimate == pytest.approx(stepwise, abs=0.6)


@pytest.mark.parametrize(
    ("name", "interval"),
    [("kosovo_4list", (12541, 16540)), ("western_us_5list", (1657, 3830))],
)
def test_readme_stepwise_intervals(reference_table, name, interval) -> None:  # type: ignore[no-untyped-def]
    patterns, counts, lists = reference_table(name)
    res = estimate_loglinear(patterns, counts, lists=lists, n_boot=0)
    lo, hi = res.diagnostics["intervals"]["wald-log"]
    assert (round(lo), round(hi)) == interval


def test_kosovo_all_two_way_model(reference_table) -> None:  # type: ignore[no-untyped-def]
    patterns, counts, lists = reference_table("kosovo_4list")
    pairs = [(i, j) for i in range(4) for j in range(i + 1, 4)]
    res = estimate_loglinear(
        patterns, counts, lists=lists, selection="fixed", terms=pairs, n_boot=0
    )
    assert res.estimate == pytest.approx(14402.5, abs=0.06)
    se_n0 = res.diagnostics["intercept_se"] * (res.estimate - res.n_observed)
    assert se_n0 == pytest.approx(1046, abs=1)


def test_hiv_fixed_model_matches_rcapture(reference_table) -> None:  # type: ignore[no-untyped-def]
    patterns, counts, lists = reference_table("rcapture_hiv_rome_4list")
    res = estimate_loglinear(
        patterns, counts, lists=lists, selection="fixed", terms=[(0, 1)], n_boot=0
    )
    assert res.estimate == pytest.approx(12318.5, abs=0.06)
    assert res.diagnostics["intercept_se"] * (res.estimate - res.n_observed) == pytest.approx(
        1184, rel=0.01
    )


def test_profile_interval_brackets_the_estimate(reference_table) -> None:  # type: ignore[no-untyped-def]
    patterns, counts, lists = reference_table("kosovo_4list")
    res = estimate_loglinear(patterns, counts, lists=lists, interval="profile", n_boot=0)
    assert res.interval == "profile"
    assert res.lower < res.estimate < res.upper
    assert res.diagnostics["profile_mle"] == pytest.approx(res.estimate, rel=0.01)
    wl, wu = res.diagnostics["intervals"]["wald-log"]
    assert res.lower == pytest.approx(wl, rel=0.02)
    assert res.upper == pytest.approx(wu, rel=0.02)


def test_bootstrap_is_seeded_and_repeats_selection(reference_table) -> None:  # type: ignore[no-untyped-def]
    patterns, counts, lists = reference_table("western_us_5list")
    a = fit_loglinear(patterns, counts, lists=lists, n_boot=60, seed=7)
    b = fit_loglinear(patterns, counts, lists=lists, n_boot=60, seed=7)
    c = fit_loglinear(patterns, counts, lists=lists, n_boot=60, seed=8)
    np.testing.assert_array_equal(a.replicates, b.replicates)
    assert not np.array_equal(a.replicates, c.replicates)
    assert a.result.interval == "bootstrap"
    assert np.isfinite(a.replicates).all()
    # selection is repeated: resamples do not all land on the one chosen model's value
    assert np.unique(np.round(a.replicates)).size > 30


def test_bic_search_is_exhaustive_for_five_lists(reference_table) -> None:  # type: ignore[no-untyped-def]
    patterns, counts, lists = reference_table("uk_2013_5list")
    res = estimate_loglinear(patterns, counts, lists=lists, selection="bic", n_boot=0)
    chosen = [m for m in res.models if m["chosen"]]
    assert len(chosen) == 1
    assert chosen[0]["bic"] == min(m["bic"] for m in res.models)
    assert sum(m["weight_bic"] for m in res.models) <= 1.0 + 1e-9
    assert res.diagnostics["models_rejected_by_checks"] >= 0
    assert 5_000 < res.estimate < 30_000


def test_artificial_3_stepwise_never_adds_a_failing_term(reference_table) -> None:  # type: ignore[no-untyped-def]
    patterns, counts, lists = reference_table("artificial_3list")
    res = estimate_loglinear(patterns, counts, lists=lists, n_boot=0)
    assert "A:B" not in res.diagnostics["terms"]
    with pytest.raises(EstimationError, match="does not exist"):
        estimate_loglinear(patterns, counts, selection="fixed", terms=[(0, 1)], n_boot=0)
    with pytest.raises(EstimationError, match="not identifiable"):
        estimate_loglinear(
            patterns, counts, selection="fixed", terms=[(0, 1), (0, 2), (1, 2)], n_boot=0
        )


def test_bad_input_is_refused() -> None:
    with pytest.raises(InputError, match="at least 3 lists"):
        estimate_loglinear(np.array([[1, 0], [0, 1]]), np.array([3, 4]), n_boot=0)
    with pytest.raises(InputError, match="0/1"):
        estimate_loglinear(np.array([[2, 0, 1]]), np.array([3]), n_boot=0)
    with pytest.raises(InputError, match="non-negative"):
        estimate_loglinear(np.array([[1, 0, 1]]), np.array([-3]), n_boot=0)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=300), min_size=7, max_size=7).filter(
        lambda c: sum(c) > 0 and all(c[i] > 0 for i in (0, 1, 3))
    ),
    st.randoms(use_true_random=False),
)
def test_order_of_rows_does_not_matter(counts: list[int], rnd) -> None:  # type: ignore[no-untyped-def]
    codes = list(range(1, 8))
    patterns = np.array([[(c >> i) & 1 for i in range(3)] for c in codes], dtype=np.uint8)
    cnt = np.array(counts, dtype=np.int64)
    order = list(range(7))
    rnd.shuffle(order)
    try:
        a = estimate_loglinear(patterns, cnt, n_boot=0)
    except EstimationError:
        return
    b = estimate_loglinear(patterns[order], cnt[order], n_boot=0)
    assert a.estimate == pytest.approx(b.estimate, rel=1e-9)
    assert a.estimate >= a.n_observed == sum(counts)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=4), min_size=15, max_size=15))
def test_sparse_tables_give_a_result_or_a_clear_refusal(counts: list[int]) -> None:
    """Sparse 4-list tables: either an estimate with intervals, or EstimationError."""
    patterns = np.array([[(c >> i) & 1 for i in range(4)] for c in range(1, 16)], np.uint8)
    cnt = np.array(counts, dtype=np.int64)
    if cnt.sum() == 0:
        return
    try:
        fit = fit_loglinear(patterns, cnt, n_boot=20, seed=1)
    except EstimationError:
        return
    res = fit.result
    assert np.isfinite(res.estimate) and res.estimate >= res.n_observed
    assert np.isfinite(res.lower) and np.isfinite(res.upper) and res.lower <= res.upper


def test_bootstrap_far_past_the_profile_interval_is_explained(reference_table) -> None:  # type: ignore[no-untyped-def]
    # UK 2013: the stepwise model's profile interval is about 9,900-13,100, but resamples
    # select other models and the percentile bootstrap reaches past 25,000.
    patterns, counts, lists = reference_table("uk_2013_5list")
    fit = fit_loglinear(patterns, counts, lists=lists, n_boot=200, seed=3)
    res = fit.result
    lo, hi = res.diagnostics["intervals"]["profile"]
    assert lo < res.estimate < hi < res.upper
    assert res.upper > 2 * hi - res.estimate
    [spread] = [w for w in res.warnings if "reaches far past" in w]
    assert f"{hi:,.0f}" in spread and "model uncertainty" in spread
    share = float((fit.replicates > hi).mean())
    assert f"{share:.0%} of them estimate more" in spread
    # a narrower headline (the profile interval itself) carries no such warning
    profile = fit_loglinear(patterns, counts, lists=lists, n_boot=0, interval="profile")
    assert not [w for w in profile.result.warnings if "reaches far past" in w]


def test_coverage_warnings_quote_the_study_of_that_selection() -> None:
    from inquest.estimate.loglinear import STUDY_COVERAGE, coverage_warning

    # stepwise with the percentile bootstrap covered well: no warning
    assert coverage_warning("stepwise", "bootstrap", 0.95) is None
    # BIC with the profile interval quotes BIC's own figures, not stepwise's
    bic = coverage_warning("bic", "profile", 0.95)
    cover, sparse = STUDY_COVERAGE[("bic", "profile")]
    assert bic is not None and f"{cover:.0%} of simulated worlds" in bic and "bic" in bic
    assert f"{sparse:.0%} with sparse lists" in bic
    assert f"{STUDY_COVERAGE[('stepwise', 'profile')][0]:.0%} of" not in bic
    # pairs never studied say so
    unknown = coverage_warning("bic", "bootstrap", 0.95)
    assert unknown is not None and "not part of inquest's coverage study" in unknown
    aic = coverage_warning("aic", "wald-log", 0.95)
    assert aic is not None and "did not cover aic" in aic
