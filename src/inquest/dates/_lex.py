"""Turn date text into items: numbers, vocabulary words and separators.

Words are looked up in the date vocabulary (``_vocab``); names of several words
("Rabi al-Awwal", "ذی الحجه") are joined greedily, longest first. A word the vocabulary
does not know is an ``InputError`` naming it: the parser never skips what it cannot read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from inquest.dates._fold import word_key
from inquest.dates._vocab import Word, lookup
from inquest.errors import InputError
from inquest.text.profiles import profiles

_TOKEN = re.compile(r"\d+|[^\W\d_]+|\S")
_IGNORED = frozenset('()[]{}"«»!*#')


@dataclass(frozen=True)
class Item:
    """One lexical item: a number (``value``, ``digits``), a word, or a separator."""

    kind: str  # "num", "word", "sep"
    text: str
    value: int = 0
    digits: int = 0
    word: Word | None = None


def has_persian_script(text: str) -> bool:
    """True when ``text`` has characters of a script whose two-digit years are Solar Hijri
    (``ScriptProfile.solar_hijri``: Arabic script as Persian writes it)."""
    return any(
        p.characters_re().search(text) is not None for p in profiles().values() if p.solar_hijri
    )


def _raw_tokens(folded: str) -> list[Item]:
    out: list[Item] = []
    for match in _TOKEN.finditer(folded):
        tok = match.group()
        if tok.isdigit():
            ascii_digits = tok.isascii()
            if not ascii_digits:  # other scripts' digits that fold did not map
                raise InputError(f"digits {tok!r} are not the digits of a known script")
            if len(tok) > 8:
                raise InputError(f"number {tok[:12]!r} has too many digits for a date")
            out.append(Item("num", tok, int(tok), len(tok)))
        elif tok[0].isalpha():
            out.append(Item("word", tok))
        elif tok not in _IGNORED:
            out.append(Item("sep", tok))
    return out


def _join(tokens: list[Item], start: int, n: int) -> tuple[str, int] | None:
    """Key of ``n`` words from ``start`` (hyphens between them allowed) and the end index."""
    parts: list[str] = []
    i = start
    while i < len(tokens) and len(parts) < n:
        tok = tokens[i]
        if tok.kind == "word":
            parts.append(word_key(tok.text))
        elif not (tok.kind == "sep" and tok.text == "-" and parts):
            return None
        i += 1
    return ("".join(parts), i) if len(parts) == n else None


def lex(folded: str, original: str) -> list[Item]:
    """Items of folded date text; unknown words raise ``InputError``."""
    tokens = _raw_tokens(folded)
    out: list[Item] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind != "word":
            out.append(tok)
            i += 1
            continue
        for n in (3, 2, 1):
            joined = _join(tokens, i, n)
            if joined is None:
                continue
            key, end = joined
            word = lookup(key)
            if word is not None and (n == 1 or word.kind == "month"):
                if word.kind == "number":  # an ordinal day word: "اول مهر" is 1 Mehr
                    out.append(Item("num", key, int(word.value), 2))
                else:
                    out.append(Item("word", key, word=word))
                i = end
                break
        else:
            raise InputError(f"unrecognised word {tok.text!r} in date {original!r}")
    return out
