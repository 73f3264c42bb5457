"""Existence and identifiability checks against the published Artificial_3 verdicts."""

from __future__ import annotations

import pytest

from inquest.estimate._design import canonical, dense_table
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
