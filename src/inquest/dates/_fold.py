"""Fold date text to the form the parser reads: ASCII digits, one spelling of each letter.

This is key-folding for the small closed vocabulary of dates (month names, qualifiers),
not a general name normaliser (that is ``inquest.text``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from inquest.text.profiles import on_change, profiles

# Date punctuation: what separates a range or a decimal, and apostrophes inside a name.
_PUNCTUATION: dict[int, str | None] = {
    0x066B: ".",  # Arabic decimal separator, used in dates
    0x066C: ",",
    0x060C: ",",  # Arabic comma
    0x2013: " – ",  # en dash: a range
    0x2014: " – ",
    **{ord(c): "" for c in "\u2019'\u2018\u02bc\u02bf\u02be"},
}


@cache
def _table() -> dict[int, str | None]:
    """Every script profile's digits as ASCII and its letter forms unified, then punctuation.

    The letter forms are the profiles' name normalisation (``inquest.text.profiles``) but for
    what a name form turns into a space: in a date a comma or a bracket is read, not dropped.
    """
    table: dict[int, str | None] = {0x200C: None, 0x200D: None}  # "ذی‌الحجه" = "ذی الحجه"
    for p in profiles().values():
        table |= {ord(c): str(i) for digits in p.digits for i, c in enumerate(digits)}
        table |= {ord(c): v for c, v in p.display.items()}
        table |= {ord(c): v for c, v in p.key.items() if v != " "}
        table |= {ord(c): v for c, v in p.composed.items()}
    return table | _PUNCTUATION


on_change(_table.cache_clear)


def fold(text: str) -> str:
    """Casefold, drop accents and Arabic diacritics, unify letters and digits, squeeze spaces."""
    table = _table()
    decomposed = unicodedata.normalize("NFKD", text.translate(table))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    composed = unicodedata.normalize("NFC", bare).translate(table).casefold()
    return re.sub(r"\s+", " ", composed).strip()


def word_key(spelling: str) -> str:
    """The lookup key of a word: folded letters only ("Rabi' al-Awwal" -> "rabialawwal")."""
    return "".join(ch for ch in fold(spelling) if ch.isalpha())
