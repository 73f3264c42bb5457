"""Encode a name word as sound symbols and price their differences, for both scripts.

A word (in ``key`` form) is cut into graphemes (``data/names/graphemes.csv``, longest Latin
digraph first) and each grapheme becomes a symbol:

* consonants: one symbol per Arabic letter and one per Latin class; an Arabic letter and a
  Latin class match at no cost when they share a class (ص and s), two Arabic letters of one
  class (ص and س) at a small cost;
* Arabic long vowels and glides: ا (long a), medial و (v or long o/u), medial ی (y or long
  i/ey); word-initial ا and ع/ء/أ/ئ/ؤ are *carriers* of an unwritten vowel;
* Latin vowels: short a e i o u, long aa / ee ii ie / oo ou uu, diphthong ei ey ai ay;
  medial y and w are vowels, medial v a consonant;
* a word-final silent ه or Latin -h after a vowel is a *final h*, cheap to lose.

The costs follow Freeman et al. (2006, "Cross linguistic name matching in English and
Arabic"): letters of one sound class match, written long vowels must meet a Latin vowel
of their own colour, unwritten short vowels are free, and everything else costs a full
edit. The numbers are below in ``_costs``; they were set by hand and checked on the dev
half of the Wikidata pairs (``benchmarks/bench_names_quality.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from inquest.text.profiles import on_change, profiles
from inquest.text.tables import graphemes

__all__ = ["Alphabet", "alphabet", "encode"]

IntArray = npt.NDArray[np.int32]
FloatMatrix = npt.NDArray[np.float64]

# Symbol kinds
CONS_AR = "consonant-ar"  # one Arabic consonant letter (its class in ``cls``)
CONS_LA = "consonant-la"  # one Latin consonant class
VOW_AR = "vowel-ar"  # ا, medial و, medial ی
CARRIER = "carrier"  # initial ا, ع ء أ إ ئ ؤ
VOW_LA = "vowel-la"  # Latin vowels
FINAL_H = "final-h"  # silent word-final ه or Latin vowel + h
OTHER = "other"  # a character neither table knows (digit, other script)


@dataclass(frozen=True)
class Symbol:
    """One sound symbol: its kind, consonant class (if any) and vowel symbol (if any)."""

    kind: str
    cls: str = ""
    vowel: str = ""
    text: str = ""


# Latin vowel colours: which Arabic long vowel each Latin vowel can write.
_LATIN_FOR_A = {
    "a": 0.0,
    "A": 0.0,
    "e": 0.4,
    "o": 0.5,
    "E": 0.6,
    "i": 0.8,
    "u": 0.8,
    "I": 0.8,
    "U": 0.8,
}
_LATIN_FOR_W = {
    "o": 0.0,
    "u": 0.0,
    "U": 0.0,
    "w": 0.0,
    "E": 0.5,
    "a": 0.9,
    "A": 0.9,
    "e": 0.9,
    "i": 0.8,
    "I": 0.8,
    "y": 0.8,
}
_LATIN_FOR_Y = {
    "i": 0.0,
    "I": 0.0,
    "E": 0.0,
    "y": 0.0,
    "e": 0.2,
    "a": 0.9,
    "A": 0.9,
    "o": 0.9,
    "u": 0.8,
    "U": 0.8,
    "w": 0.8,
}
_LATIN_INDEL = {
    "a": 0.0,
    "e": 0.0,
    "o": 0.0,
    "i": 0.15,
    "u": 0.15,
    "y": 0.2,
    "w": 0.3,
    "A": 1.0,
    "I": 1.0,
    "U": 1.0,
    "E": 1.0,
}
_LATIN_FINAL_INDEL = {"e": 0.3, "y": 0.5}
INITIAL = "^"
FINAL = "$"
_LATIN_VOWEL_SUB = {
    frozenset("aA"): 0.1,
    frozenset("iI"): 0.1,
    frozenset("uU"): 0.1,
    frozenset("oU"): 0.1,
    frozenset("ou"): 0.3,
    frozenset("ae"): 0.3,
    frozenset("ei"): 0.3,
    frozenset("eE"): 0.3,
    frozenset("iE"): 0.3,
    frozenset("iy"): 0.0,
    frozenset("Iy"): 0.0,
    frozenset("uw"): 0.0,
    frozenset("Uw"): 0.0,
    frozenset("oe"): 0.4,
    frozenset("ao"): 0.4,
}
#: Latin "ch" against ش (French spelling), and against Latin "sh" (two schemes).
FRENCH_CH = 0.15
FRENCH_CH_LATIN = 0.3
_NEAR = {
    frozenset("QG"): 0.4,
    frozenset("QK"): 0.4,
    frozenset("GK"): 0.5,
    frozenset("HX"): 0.5,
    frozenset("ZJ"): 0.5,
    frozenset("S$"): 0.6,
    frozenset("C$"): 0.5,
    frozenset("CJ"): 0.6,
    frozenset("SZ"): 0.6,
    frozenset("TD"): 0.7,
    frozenset("BP"): 0.5,
    frozenset("FV"): 0.6,
    frozenset("BV"): 0.7,
    frozenset("YJ"): 0.7,
}


@dataclass(frozen=True)
class Alphabet:
    """The symbols, the grapheme lookup and the cost tables the edit distance uses."""

    symbols: tuple[Symbol, ...]
    index: dict[Symbol, int]
    arabic: dict[str, tuple[str, str, str]]  # abjad letter -> (kind, class, vowel)
    latin: dict[str, tuple[str, str, str]]  # alphabet grapheme -> (kind, class, vowel)
    sub: FloatMatrix
    indel: npt.NDArray[np.float64]

    def sym(self, s: Symbol) -> int:
        return self.index[s]


def _indel(s: Symbol) -> float:
    if s.kind in (CONS_AR, CONS_LA, OTHER):
        return 1.0
    if s.kind == FINAL_H:
        return 0.15
    if s.kind == CARRIER:
        # A word-initial carrier always stands for a vowel the Latin side must write.
        return 0.6 if s.text == INITIAL else 0.05
    if s.kind == VOW_AR:
        return 1.0
    if s.text == INITIAL:  # Persian cannot start a word with a bare vowel: needs a carrier
        return 0.8
    if s.text == FINAL:  # a word-final vowel is written in Persian (ا, ی, و, or ه for e)
        return _LATIN_FINAL_INDEL.get(s.vowel, 0.7)
    return _LATIN_INDEL.get(s.vowel, 0.3)


def _sub(x: Symbol, y: Symbol) -> float:
    if x == y:
        return 0.0
    kx, ky = x.kind, y.kind
    if kx == ky and kx in (VOW_LA, CARRIER) and x.vowel == y.vowel:
        return 0.0  # position marks do not matter when the two meet
    if ky in (CONS_AR, VOW_AR, CARRIER) and kx in (CONS_LA, VOW_LA):
        x, y, kx, ky = y, x, ky, kx
    if kx == OTHER or ky == OTHER:
        return 2.0
    if {kx, ky} == {FINAL_H, VOW_LA}:
        v = x.vowel if kx == VOW_LA else y.vowel
        return 0.1 if v in "ea" else 1.0  # silent final ه written -e or -a (Fateme, Fatima)
    cx = x.cls if kx in (CONS_AR, CONS_LA, FINAL_H) else ""
    cy = y.cls if ky in (CONS_AR, CONS_LA, FINAL_H) else ""
    if cx and cy:
        return _consonant_sub(x, y, cx, cy)
    return _vowel_sub(x, y)


def _consonant_sub(x: Symbol, y: Symbol, cx: str, cy: str) -> float:
    """Two consonants of classes ``cx`` and ``cy`` (Persian ``x`` first if either is)."""
    kx, ky = x.kind, y.kind
    if cx == cy:
        return 0.2 if kx == ky == CONS_AR else 0.0
    if {cx, cy} == {"C", "$"} and CONS_LA in (kx, ky):
        # Latin "ch" is ش in French spelling (Hachem, Chirazi), چ in English: against
        # ش it is a spelling, not a different letter; against Latin "sh", two schemes.
        if kx == ky:
            return FRENCH_CH_LATIN
        if (x if kx == CONS_LA else y).cls == "C":
            return FRENCH_CH
    return _NEAR.get(frozenset(cx + cy), 1.0)


def _vowel_sub(x: Symbol, y: Symbol) -> float:
    """A vowel or carrier against anything but two consonants (Persian ``x`` first)."""
    kx, ky = x.kind, y.kind
    if kx == CARRIER:
        if ky == VOW_LA:
            return 0.0
        return 0.3 if ky in (VOW_AR, CARRIER) else 1.5
    if ky == CARRIER:
        return 0.0 if kx == VOW_LA else (0.3 if kx == VOW_AR else 1.5)
    if kx == VOW_AR:
        return _persian_vowel_sub(x, y)
    if kx == VOW_LA and ky == VOW_LA:
        return _LATIN_VOWEL_SUB.get(frozenset(x.vowel + y.vowel), 0.5)
    return 1.5  # a vowel against a consonant: cheaper as two indels


def _persian_vowel_sub(x: Symbol, y: Symbol) -> float:
    """A Persian vowel letter (ا, و, ی) against ``y``."""
    if y.kind == VOW_LA:
        table = {"A": _LATIN_FOR_A, "W": _LATIN_FOR_W, "Y": _LATIN_FOR_Y}[x.vowel]
        return table.get(y.vowel, 0.8)
    if y.kind == CONS_LA:
        if (x.vowel == "W" and y.cls == "V") or (x.vowel == "Y" and y.cls == "Y"):
            return 0.0
        return 1.5
    if y.kind == VOW_AR:
        return 1.0
    return 1.5  # a vowel against a consonant: cheaper as two indels


@cache
def alphabet() -> Alphabet:
    """Build the symbol alphabet and cost tables from the grapheme table (once).

    A script profile's graphemes are read as Arabic's when its vowels are not written
    (``sounds="abjad"``), else as Latin's, so a third script meets both by sound.
    """
    arabic: dict[str, tuple[str, str, str]] = {}
    latin: dict[str, tuple[str, str, str]] = {}
    sounds = {name: p.sounds for name, p in profiles().items()}
    for g in graphemes():
        abjad = sounds.get(g.script) == "abjad"
        (arabic if abjad else latin)[g.grapheme] = (g.kind, g.cls, g.vowel)
    symbols: list[Symbol] = [Symbol(OTHER, text="?")]
    for letter, (kind, cls, _vowel) in arabic.items():
        if kind == "consonant":
            symbols.append(Symbol(CONS_AR, cls=cls, text=letter))
    ar_classes = {c for _, c, _ in arabic.values() if c}
    la_classes = {c for _, c, _ in latin.values() if c}
    for cls in sorted(ar_classes | la_classes | {"V", "Y"}):
        symbols.append(Symbol(CONS_LA, cls=cls))
    symbols.append(Symbol(FINAL_H, cls="H"))
    for v in ("A", "W", "Y"):
        symbols.append(Symbol(VOW_AR, vowel=v))
    symbols.append(Symbol(CARRIER))
    symbols.append(Symbol(CARRIER, text=INITIAL))
    for v in ("a", "e", "i", "o", "u", "A", "I", "U", "E", "y", "w"):
        for mark in ("", INITIAL, FINAL):
            symbols.append(Symbol(VOW_LA, vowel=v, text=mark))
    unique = list(dict.fromkeys(symbols))
    index = {s: i for i, s in enumerate(unique)}
    n = len(unique)
    sub = np.empty((n, n), dtype=np.float64)
    for i, x in enumerate(unique):
        for j, y in enumerate(unique):
            sub[i, j] = _sub(x, y)
    indel = np.array([_indel(s) for s in unique], dtype=np.float64)
    return Alphabet(tuple(unique), index, arabic, latin, sub, indel)


_AR_CONS_WITH_V = {"V": "W", "Y": "Y"}


def _latin_vowel(vowel: str, start: int, last: bool) -> Symbol:
    mark = INITIAL if start == 0 else (FINAL if last else "")
    return Symbol(VOW_LA, vowel=vowel, text=mark)


def _symbols(word: str, ab: Alphabet) -> list[Symbol]:
    out: list[Symbol] = []
    i = 0
    n = len(word)
    while i < n:
        ch = word[i]
        if ch in ab.arabic:
            kind, cls, vowel = ab.arabic[ch]
            if kind == "consonant":
                if cls == "H" and i == n - 1 and i > 0:
                    out.append(Symbol(FINAL_H, cls="H"))
                else:
                    out.append(Symbol(CONS_AR, cls=cls, text=ch))
            elif kind == "glide":
                out.append(Symbol(CONS_LA, cls=cls) if i == 0 else Symbol(VOW_AR, vowel=vowel))
            elif kind == "long_vowel":
                article = (
                    ch == "ا"
                    and word[i + 1 : i + 2] == "ل"
                    and (word[i - 1 : i] in ("د", "و") or word[i + 2 : i + 4] == "له")
                )
                carrier = i == 0 or article
                if i == 0:
                    out.append(Symbol(CARRIER, text=INITIAL))
                else:
                    out.append(Symbol(CARRIER) if carrier else Symbol(VOW_AR, vowel=vowel))
            else:
                out.append(Symbol(CARRIER, text=INITIAL if i == 0 else ""))
            i += 1
            continue
        for size in (3, 2, 1):
            g = word[i : i + size]
            if len(g) == size and g in ab.latin:
                kind, cls, vowel = ab.latin[g]
                if kind == "consonant":
                    final_h = cls == "H" and i + size == n and out and out[-1].kind == VOW_LA
                    out.append(Symbol(FINAL_H, cls="H") if final_h else Symbol(CONS_LA, cls=cls))
                elif kind == "glide":
                    if i == 0 or vowel.isupper():
                        out.append(Symbol(CONS_LA, cls=cls))
                    else:
                        out.append(_latin_vowel(vowel, i, i + size == n))
                else:
                    out.append(_latin_vowel(vowel, i, i + size == n))
                i += size
                break
        else:
            out.append(Symbol(OTHER, text="?"))
            i += 1
    # Collapse doubles (Mohammad, tashdid already gone; رضایی's یی).
    collapsed: list[Symbol] = []
    for s in out:
        if not collapsed or collapsed[-1] != s:
            collapsed.append(s)
    return collapsed


def encode(word: str) -> IntArray:
    """Symbol ids of one word in ``key`` form (see the module docstring)."""
    ab = alphabet()
    return np.array([ab.index[s] for s in _symbols(word, ab)], dtype=np.int32)


on_change(alphabet.cache_clear)
