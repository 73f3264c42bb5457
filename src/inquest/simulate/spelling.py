"""Spelling noise: Persian-script variants, and typos in Persian or Latin script.

Persian-script lists differ in how they write the joint of a compound name (closed up,
zero-width non-joiner, or a space), in ئی for یی (رضائی / رضایی), and in Arabic letter forms
(ي for ی, ك for ک) typed on Arabic keyboards. Typos are one edit each: a dropped letter,
two letters swapped, a letter doubled, or a letter replaced by one easily confused with it
(same shape, other dots, in Persian; a keyboard neighbour in Latin).
"""

from __future__ import annotations

import numpy as np

from inquest.simulate.names import persian_form

__all__ = [
    "PERSIAN_ARABIC",
    "PERSIAN_JOINT_CLOSED",
    "PERSIAN_JOINT_SPACE",
    "PERSIAN_YI",
    "draw_persian_codes",
    "persian_variant",
    "typo",
]

PERSIAN_JOINT_SPACE = 1
PERSIAN_JOINT_CLOSED = 2
PERSIAN_YI = 4
PERSIAN_ARABIC = 8

_ARABIC = str.maketrans({"ی": "ي", "ک": "ك"})
_PERSIAN_CONFUSABLE = [
    "بپتث",
    "جچحخ",
    "دذ",
    "رزژ",
    "سش",
    "صض",
    "طظ",
    "عغ",
    "فق",
    "کگ",
]
_LATIN_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]


def _confusable_map() -> dict[str, str]:
    out: dict[str, str] = {}
    for group in _PERSIAN_CONFUSABLE:
        for ch in group:
            out[ch] = group.replace(ch, "")
    for row in _LATIN_ROWS:
        for i, ch in enumerate(row):
            out[ch] = row[max(i - 1, 0) : i] + row[i + 1 : i + 2]
    return out


_CONFUSABLE = _confusable_map()


def persian_variant(marked: str, code: int) -> str:
    """Spell a marked Persian form with the variant bits in ``code`` (0 = standard)."""
    if code & PERSIAN_JOINT_SPACE:
        text = persian_form(marked, joint=" ")
    elif code & PERSIAN_JOINT_CLOSED:
        text = persian_form(marked, joint="")
    else:
        text = persian_form(marked)
    if code & PERSIAN_YI:
        text = text.replace("ایی", "ائی").replace("ویی", "وئی")
    if code & PERSIAN_ARABIC:
        text = text.translate(_ARABIC)
    return text


def draw_persian_codes(
    rng: np.random.Generator, n: int, variation: float, arabic_letters: float
) -> np.ndarray:
    """Per-row variant bits: joint style and ئی at ``variation``, Arabic letters at their rate."""
    codes = np.zeros(n, dtype=np.int64)
    joint = rng.random(n)
    codes[joint < variation / 2] |= PERSIAN_JOINT_SPACE
    codes[(joint >= variation / 2) & (joint < variation)] |= PERSIAN_JOINT_CLOSED
    codes[rng.random(n) < variation] |= PERSIAN_YI
    codes[rng.random(n) < arabic_letters] |= PERSIAN_ARABIC
    return codes


def typo(text: str, op: int, where: float, pick: float) -> str:
    """Apply one edit to ``text``: op 0 drop, 1 swap, 2 double, 3 confuse; always changes it.

    ``where`` and ``pick`` in [0, 1) choose the position and the replacement letter. An edit
    that would leave the text unchanged falls through to the next kind of edit.
    """
    if not text:
        return text
    i = min(int(where * len(text)), len(text) - 1)
    while i > 0 and not text[i].isalpha():
        i -= 1
    for k in range(4):
        kind = (op + k) % 4
        if kind == 0 and len(text) > 1:
            out = text[:i] + text[i + 1 :]
        elif kind == 1 and i + 1 < len(text) and text[i + 1] != text[i]:
            out = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        elif kind == 2:
            out = text[:i] + text[i] + text[i:]
        elif kind == 3:
            lower = text[i].lower()
            alts = _CONFUSABLE.get(lower, "")
            if not alts:
                continue
            new = alts[min(int(pick * len(alts)), len(alts) - 1)]
            out = text[:i] + (new.upper() if text[i].isupper() else new) + text[i + 1 :]
        else:
            continue
        if out != text:
            return out
    return text + text[-1]
