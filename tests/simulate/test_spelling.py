from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from inquest.simulate.names import ZWNJ, load_name_tables, persian_form
from inquest.simulate.spelling import (
    PERSIAN_ARABIC,
    PERSIAN_JOINT_CLOSED,
    PERSIAN_JOINT_SPACE,
    PERSIAN_YI,
    persian_variant,
    typo,
)

NAMES = load_name_tables()
PERSIAN = list(NAMES.given.persian) + list(NAMES.surnames.persian)
unit = st.floats(0, 1, exclude_max=True)


@settings(deadline=None)
@given(st.sampled_from(PERSIAN), st.integers(0, 3), unit, unit)
def test_typo_changes_persian_names(marked: str, op: int, where: float, pick: float) -> None:
    name = persian_form(marked)
    assert typo(name, op, where, pick) != name


@settings(deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz' -", min_size=1), st.integers(0, 3), unit, unit)
def test_typo_changes_any_text_by_one_edit(text: str, op: int, where: float, pick: float) -> None:
    out = typo(text, op, where, pick)
    assert out != text
    assert abs(len(out) - len(text)) <= 1


def test_persian_joints_and_letters() -> None:
    assert persian_form("محمد-رضا") == "محمدرضا"  # د does not join: closed up
    assert persian_form("علی-اکبر") == f"علی{ZWNJ}اکبر"
    assert persian_variant("علی-اکبر", PERSIAN_JOINT_SPACE) == "علی اکبر"
    assert persian_variant("علی-اکبر", PERSIAN_JOINT_CLOSED) == "علیاکبر"
    assert persian_variant("رضایی", PERSIAN_YI) == "رضائی"
    assert persian_variant("کریمی", PERSIAN_ARABIC) == "كريمي"
    assert persian_variant("کریمی", 0) == "کریمی"


def test_name_tables_are_skewed_and_valid() -> None:
    p = NAMES.male_probabilities
    top = NAMES.given.persian[int(p.argmax())]
    assert top == "محمد"
    assert p[:3].sum() > 0.15  # محمد, علی, حسین
    s = NAMES.surnames.probabilities()
    assert len(NAMES.surnames) > 500
    assert s[:10].sum() > 0.15
    assert len(set(NAMES.surnames.persian)) == len(NAMES.surnames)
