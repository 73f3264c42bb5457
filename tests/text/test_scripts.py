import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inquest.text import Script, detect_script, strip_bidi
from inquest.text.scripts import (
    BIDI_CONTROLS,
    BIDI_EXPLICIT,
    BIDI_EXPLICIT_CLASS,
    BIDI_MARKS,
    BIDI_MARKS_CLASS,
)


@pytest.mark.parametrize(
    ("s", "script"),
    [
        ("محمد رضایی", Script.ARABIC),
        ("Mohammad Rezaei", Script.LATIN),
        ("Hélène", Script.LATIN),
        ("Ali محمدی", Script.MIXED),
        ("Иван", Script.OTHER),
        ("", Script.NONE),
        ("123 -", Script.NONE),
        ("۱۳۶۷", Script.NONE),  # digits are not letters
        ("علی 12", Script.ARABIC),
    ],
)
def test_detect_script(s: str, script: Script) -> None:
    assert detect_script(s) is script


def test_strip_bidi_counts() -> None:
    s = "\u202aAli\u202c \u2066رضا\u2069\u200f"
    out, n = strip_bidi(s)
    assert out == "Ali رضا"
    assert n == 5


@given(st.text())
def test_strip_bidi_idempotent(s: str) -> None:
    once, _ = strip_bidi(s)
    assert strip_bidi(once) == (once, 0)


def test_one_set_of_bidi_controls() -> None:
    """The classes the list reader and the workbench use are the sets, nothing more."""
    assert BIDI_CONTROLS == BIDI_EXPLICIT | BIDI_MARKS
    assert not BIDI_EXPLICIT & BIDI_MARKS
    for chars, pattern in ((BIDI_EXPLICIT, BIDI_EXPLICIT_CLASS), (BIDI_MARKS, BIDI_MARKS_CLASS)):
        every = {chr(c) for c in range(0x2100)} | BIDI_CONTROLS
        assert {c for c in every if re.fullmatch(pattern, c)} == chars
