"""Existence and identifiability checks against the published Artificial_3 verdicts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inquest.estimate._design import all_pairs, canonical, dense_table, overlaps
from inquest.estimate._existence import check_model

AB, AC, BC = (0, 1), (0, 2), (1, 2)


@pytest.fixture
def artificial(reference_table):  # type: ignore[no-untyped-def]
    patterns, counts, _ = reference_table("artificial_3list")
    return dense_table(patterns, counts, 3)


@pytest.mark.parametrize(
    ("terms", "exists", "identifiable"),
    [
        ((), True, True),
        ((AC,), True, True),
        ((BC,), True, True),
        ((AC, BC), True, True),
        ((AB,), False, True),
        ((AB, AC), False, True),
        ((AB, BC), False, True),
        ((AB, AC, BC), True, False),  # positive LP value, rank-deficient design
    ],
)
def test_artificial_3_verdicts(artificial, terms, exists, identifiable) -> None:  # type: ignore[no-untyped-def]
    check = check_model(artificial, 3, canonical(terms))
    assert check.exists is exists
    assert check.identifiable is identifiable
    assert check.code == int(not exists) + 2 * int(not identifiable)


def test_all_two_way_model_on_artificial_3_has_positive_lp(artificial) -> None:  # type: ignore[no-untyped-def]
    check = check_model(artificial, 3, (AB, AC, BC))
    assert check.lp_value > 0
    assert check.rank_deficiency == 1
    assert check.empty_terms == (AC, BC)


def test_full_support_exists_without_lp(reference_table) -> None:  # type: ignore[no-untyped-def]
    patterns, counts, _ = reference_table("kosovo_4list")
    table = dense_table(patterns, counts, 4)
    check = check_model(table, 4, canonical([(0, 1), (0, 2), (2, 3)]))
    assert check.ok


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=6), min_size=15, max_size=15),
    st.sets(st.sampled_from(all_pairs(4)), max_size=6),
    st.data(),
)
def test_existence_is_inherited_by_submodels(counts, terms, data) -> None:  # type: ignore[no-untyped-def]
    """Removing an overlapping pair keeps an existing MLE (SparseMSE checkallmodels)."""
    table = np.concatenate([[0], counts]).astype(np.int64)
    model = canonical(terms)
    if not check_model(table, 4, model).exists:
        return
    ov = overlaps(table, 4)
    removable = [t for t in model if ov[t] > 0]
    if not removable:
        return
    drop = data.draw(st.sampled_from(removable))
    sub = tuple(t for t in model if t != drop)
    assert check_model(table, 4, sub).exists


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=50), min_size=7, max_size=7))
def test_full_tables_always_pass(counts) -> None:  # type: ignore[no-untyped-def]
    table = np.concatenate([[0], counts]).astype(np.int64)
    for terms in [(), (AB,), (AB, AC), (AB, AC, BC)]:
        check = check_model(table, 3, terms)
        assert check.exists
        # all three two-list terms on three lists: 7 parameters for 7 cells, still full rank
        assert check.identifiable
