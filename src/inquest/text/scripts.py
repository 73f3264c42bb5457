"""Which script a name is written in, and removal of bidi control characters.

A name's script is the registered script profile (``inquest.text.profiles``) whose letters
it has. Names copied from web pages and spreadsheets often carry invisible bidirectional controls
(embedding, override and isolate marks). They change nothing a reader sees but break every
comparison, so they are removed, and the caller is told how many were removed.
"""

from __future__ import annotations

import enum
import re
from functools import cache

from inquest.text.profiles import letters_pattern, on_change, profiles

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


@cache
def _patterns() -> tuple[tuple[tuple[re.Pattern[str], Script], ...], re.Pattern[str]]:
    """Each profile's letters with the ``Script`` it reports, and letters of no profile."""
    scripts = {"arabic": Script.ARABIC, "latin": Script.LATIN}
    found = tuple(
        (p.letters_re(), scripts.get(name, Script.OTHER)) for name, p in profiles().items()
    )
    return found, re.compile(letters_pattern(exclude=True))


on_change(_patterns.cache_clear)


def strip_bidi(s: str) -> tuple[str, int]:
    """Return ``s`` without bidi control characters, and how many were removed."""
    out, n = _BIDI_RE.subn("", s)
    return out, n


def detect_script(s: str) -> Script:
    """The script of the letters in ``s``: one script, ``MIXED`` or ``NONE``.

    The scripts are the registered profiles' (``inquest.text.profiles``): Arabic and Latin
    are reported as such, a letter of another profile or of none as ``OTHER``; letters of
    two profiles, or of a profile and of none, are ``MIXED``.
    """
    known, unknown = _patterns()
    hits = [script for pattern, script in known if pattern.search(s)]
    if unknown.search(s):
        hits.append(Script.OTHER)
    if not hits:
        return Script.NONE
    return hits[0] if len(hits) == 1 else Script.MIXED
