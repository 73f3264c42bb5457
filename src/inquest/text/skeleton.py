"""A consonant-skeleton key shared by every script (Arabic as Persian writes it, Latin, ...).

Each letter or Latin digraph maps to a consonant class (``data/names/graphemes.csv``):
ث/س/ص and s → S, ذ/ز/ض/ظ/ژ and z/zh → Z, غ/ق and gh/q → Q, ش and sh → ``$`` ...
Vowels, ا/ع/ء and apostrophes are dropped; و/ی and w/y count only at the start of a word;
a word-final H is dropped (silent ه, Latin -eh/-ah); doubled classes collapse. So محمد,
Mohammad, Muhammad and Mohamed all give ``MHMD``, and غلامرضا, Gholamreza and Qolamreza
give ``QLMRZ``.

A script profile (``inquest.text.profiles``) brings its own graphemes and classes.

The key is for blocking: it is deliberately coarse (محمد and محمود share it, as do حسن
and حسین). :func:`inquest.text.similarity.name_similarity` tells such names apart.
"""

from __future__ import annotations

import re
from functools import cache

from inquest.text.normalize import normalize
from inquest.text.profiles import on_change
from inquest.text.tables import graphemes

__all__ = ["skeleton", "skeleton_of_key"]


@cache
def _compiled() -> tuple[re.Pattern[str], dict[str, str], re.Pattern[str], dict[int, str]]:
    multi = {g.grapheme: g.cls for g in graphemes() if len(g.grapheme) > 1 and g.cls}
    # Word-initial glides are consonants: replace them (and multi-letter graphemes)
    # by their class before the one-letter table, which drops glides elsewhere.
    initial = {g.grapheme: g.cls for g in graphemes() if g.kind == "glide"}
    alternatives = sorted(multi, key=len, reverse=True)
    pattern = "|".join(re.escape(a) for a in alternatives)
    init_pattern = "|".join(re.escape(a) for a in sorted(initial, key=len, reverse=True))
    pre = re.compile(rf"\b(?:{init_pattern})|{pattern}")
    mapping = {**multi}
    table: dict[int, str] = {}
    for g in graphemes():
        if len(g.grapheme) == 1:
            table[ord(g.grapheme)] = g.cls if g.kind == "consonant" else ""
    return pre, {**initial, **mapping}, re.compile(r"[^A-Z$ ]"), table


_DOUBLE_RE = re.compile(r"([A-Z$])\1+")
_FINAL_H_RE = re.compile(r"H(?= |$)")
_SPACES_RE = re.compile(r" {2,}")


def skeleton_of_key(key: str) -> str:
    """The skeleton of a string already in ``key`` form (see :func:`skeleton`)."""
    pre, mapping, junk, table = _compiled()
    s = pre.sub(lambda m: mapping[m.group(0)], key)
    # Upper-case class letters from ``pre`` survive the table (it maps lower-case Latin
    # and Arabic letters only); everything else that is not a class letter goes.
    s = junk.sub("", s.translate(table))
    s = _FINAL_H_RE.sub("", _DOUBLE_RE.sub(r"\1", s))
    return _SPACES_RE.sub(" ", s).strip()


def skeleton(s: str) -> str:
    """The consonant-skeleton key of a name, one group per word (``"MHMD RZ"``)."""
    return skeleton_of_key(normalize(s, "key"))


on_change(_compiled.cache_clear)
