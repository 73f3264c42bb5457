"""Which script a name is written in, and removal of bidi control characters.

Names copied from web pages and spreadsheets often carry invisible bidirectional controls
(embedding, override and isolate marks). They change nothing a reader sees but break every
comparison, so they are removed, and the caller is told how many were removed.
"""

from __future__ import annotations

import enum
import re

__all__ = [
    "BIDI_CONTROLS",
    "BIDI_EXPLICIT",
    "BIDI_EXPLICIT_CLASS",
    "BIDI_MARKS",
    "BIDI_MARKS_CLASS",
    "Script",
    "detect_script",
    "strip_bidi",
]

#: Explicit bidi embeddings/overrides LRE, RLE, PDF, LRO, RLO (U+202A-U+202E) and isolates
#: LRI, RLI, FSI, PDI (U+2066-U+2069): they reorder what a reader sees, so can disguise text.
BIDI_EXPLICIT = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)]
)
#: The implicit marks LRM, RLM and ALM (U+200E, U+200F, U+061C): invisible, common in
#: Persian text, harmless to a reader.
BIDI_MARKS = frozenset(["\u200e", "\u200f", "\u061c"])
#: Every bidi control character: the one set the engine and the workbench strip or refuse.
BIDI_CONTROLS = BIDI_EXPLICIT | BIDI_MARKS
#: Regular-expression character classes of the sets above (for ``re`` and Arrow's RE2).
BIDI_EXPLICIT_CLASS = "[" + "".join(sorted(BIDI_EXPLICIT)) + "]"
BIDI_MARKS_CLASS = "[" + "".join(sorted(BIDI_MARKS)) + "]"
_BIDI_RE = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")

# Letter ranges by script. Arabic script covers Persian, Arabic, Urdu, Kurdish (Sorani) ...
_ARABIC_RE = re.compile(
    "[\u0620-\u064a\u066e-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc]"
)
_LATIN_RE = re.compile("[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]")
_OTHER_LETTER_RE = re.compile(
    r"[^\W\d_A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
    "\u0620-\u064a\u066e-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc]"
)


class Script(enum.StrEnum):
    """The writing system of a name (of its letters; digits and punctuation do not count)."""

    ARABIC = "arabic"
    """Arabic script, which Persian uses."""
    LATIN = "latin"
    OTHER = "other"
    """Letters of one other script (Cyrillic, Hebrew, ...): compared as plain text."""
    MIXED = "mixed"
    """Letters of more than one script in one name."""
    NONE = "none"
    """No letters at all (empty, digits or punctuation only)."""


def strip_bidi(s: str) -> tuple[str, int]:
    """Return ``s`` without bidi control characters, and how many were removed."""
    out, n = _BIDI_RE.subn("", s)
    return out, n


def detect_script(s: str) -> Script:
    """The script of the letters in ``s``: one script, ``MIXED`` or ``NONE``."""
    found = 0
    if _ARABIC_RE.search(s):
        found |= 1
    if _LATIN_RE.search(s):
        found |= 2
    if _OTHER_LETTER_RE.search(s):
        found |= 4
    if found == 0:
        return Script.NONE
    if found == 1:
        return Script.ARABIC
    if found == 2:
        return Script.LATIN
    if found == 4:
        return Script.OTHER
    return Script.MIXED
