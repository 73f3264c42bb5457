"""The lean IRLS Poisson fit agrees with statsmodels."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from inquest.estimate._design import design_matrix
from inquest.estimate._poisson import fit_poisson


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning")
@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=400), min_size=15, max_size=15))
def test_matches_statsmodels_on_four_lists(counts: list[int]) -> None:
    X = np.asarray(design_matrix(4, [(0, 1), (2, 3)]))[1:]
    y = np.asarray(counts, dtype=np.float64)
    ours = fit_poisson(X, y)
    ref = sm.GLM(y, X, family=sm.families.Poisson()).fit()
    np.testing.assert_allclose(ours.beta, ref.params, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(ours.cov, ref.cov_params(), rtol=1e-4, atol=1e-8)
    np.testing.assert_allclose(ours.loglik, ref.llf, rtol=1e-9)
    np.testing.assert_allclose(ours.deviance, ref.deviance, rtol=1e-7, atol=1e-8)


def test_fitted_total_equals_observed_total() -> None:
    X = np.asarray(design_matrix(3, []))[1:]
    y = np.array([5.0, 7.0, 0.0, 11.0, 2.0, 0.0, 1.0])
    fit = fit_poisson(X, y)
    assert abs(fit.mu.sum() - y.sum()) < 1e-8
