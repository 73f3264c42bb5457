"""Name features for linkage: key forms, sorted words and cross-script skeletons.

Titles and particles (``data/names/titles.csv``: سید, Haj, Dr ...) are dropped from the
compared forms, because one list writes them and another does not. A list with only a full
name is split by :func:`inquest.text.parse_name` ("Family, Given" by its comma); a two-part
name written family first without a comma ("قزوینی بهمن") is turned round when the lexicon
knows its first part only as a family name (and the last part not as one), or its last part
only as a given name (and the first part not as one).
Given and family skeletons drop word breaks ("Gholam Hosein", "Gholam-Hosein", "غلامحسین").
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from inquest.linkage._arrow import map_distinct, null_if_empty
from inquest.text import normalize, parse_name
from inquest.text.lexicon import lexicon
from inquest.text.skeleton import skeleton_of_key
from inquest.text.tables import titles

NAME_COLUMNS = {
    "name_key": pa.string(),
    "name_sorted": pa.string(),
    "name_skel": pa.string(),
    "skel_sorted": pa.string(),
    "skel_bag": pa.string(),
    "lone_skel": pa.string(),
    "given_key": pa.string(),
    "family_key": pa.string(),
    "given_skel": pa.string(),
    "family_skel": pa.string(),
    "given_init": pa.string(),
    "family_init": pa.string(),
    "given_p2": pa.string(),
    "given_s2": pa.string(),
    "family_p2": pa.string(),
    "family_s2": pa.string(),
    "father_key": pa.string(),
    "father_skel": pa.string(),
}


@cache
def _title_keys() -> frozenset[str]:
    return frozenset(normalize(t.form, "key") for t in titles())


def name_key(text: str) -> str | None:
    """Key form of a name without titles; None if nothing is left."""
    drop = _title_keys()
    words = [w for w in normalize(text, "key").split() if w not in drop]
    return " ".join(words) or None


def _skel(key: str) -> str | None:
    return skeleton_of_key(key) or None


def _part_skel(key: str) -> str | None:
    return skeleton_of_key(key).replace(" ", "") or None


def _kinds(key: str) -> set[str]:
    return {e.kind for e in lexicon().entries_for(key)}


def split_full_name(text: str) -> dict[str, str | None] | None:
    """Given and family key forms of a full name (see the module notes on order)."""
    parsed = parse_name(text)
    given = name_key(parsed.given) if parsed.given else None
    family = name_key(parsed.family) if parsed.family else None
    if given and family and "," not in text and " " not in given + family:
        first, last = _kinds(given), _kinds(family)
        if (first == {"family"} and "family" not in last) or (
            last == {"given"} and "given" not in first
        ):
            given, family = family, given
    if given is None and family is None:
        return None
    return {"given": given, "family": family}


_SPLIT = pa.struct([("given", pa.string()), ("family", pa.string())])


def _squeeze(text: str) -> str | None:
    return " ".join(text.split()) or None


def _sorted(key: str) -> str:
    return " ".join(sorted(key.split()))


# Coarse consonant classes for a bag-of-letters key: French "ch" and "dj"/"j" spellings of
# ش/ج/ژ, and q/gh/g, fall together.
_COARSE = str.maketrans({"C": "$", "J": "Z", "Q": "G"})


def _bag(skel: str) -> str | None:
    """The skeleton's consonant classes, coarsened and sorted, without word breaks.

    "KML MHMD RZ" and "KML MHMDRZ" (joined compound), or "HSN KCRZ" and "HSN K$RZ" (French
    and English spellings of کشاورز), give the same bag.
    """
    letters = sorted(skel.translate(_COARSE).replace(" ", ""))
    return "".join(letters) or None


def _init(skel: str) -> str:
    return skel[0]


# Two-letter ends of a skeleton: one typo in a word leaves one of them intact, so "same
# family name and same first (or last) two letters of the given name" finds the pair.
def _lone(skel: str) -> str | None:
    """The skeleton of a one-word name (a list gives only "Chitty" or "حسن"), else None."""
    return None if " " in skel else skel


def _p2(skel: str) -> str:
    return skel[:2]


def _s2(skel: str) -> str:
    return skel[-2:]


def name_features(batch: pa.RecordBatch | pa.Table) -> dict[str, Any]:
    """The :data:`NAME_COLUMNS` for one batch of standard-format records."""
    s = pa.string()
    given = map_distinct(batch.column("given_name"), name_key, s)
    family = map_distinct(batch.column("family_name"), name_key, s)
    full = map_distinct(batch.column("full_name"), name_key, s)
    joined = null_if_empty(
        pc.binary_join_element_wise(
            pc.fill_null(given, ""), pc.fill_null(family, ""), " ", null_handling="emit_null"
        )
    )
    joined = map_distinct(joined, _squeeze, s)
    full = pc.coalesce(full, joined)
    split = map_distinct(batch.column("full_name"), split_full_name, _SPLIT)
    given = pc.coalesce(given, pc.struct_field(split, "given"))
    family = pc.coalesce(family, pc.struct_field(split, "family"))
    name_skel = map_distinct(full, _skel, s)
    given_skel = map_distinct(given, _part_skel, s)
    family_skel = map_distinct(family, _part_skel, s)
    father = map_distinct(batch.column("father_name"), name_key, s)
    return {
        "name_key": full,
        "name_sorted": map_distinct(full, _sorted, s),
        "name_skel": name_skel,
        "skel_sorted": map_distinct(name_skel, _sorted, s),
        "skel_bag": map_distinct(name_skel, _bag, s),
        "lone_skel": map_distinct(name_skel, _lone, s),
        "given_key": given,
        "family_key": family,
        "given_skel": given_skel,
        "family_skel": family_skel,
        "given_init": map_distinct(given_skel, _init, s),
        "family_init": map_distinct(family_skel, _init, s),
        "given_p2": map_distinct(given_skel, _p2, s),
        "given_s2": map_distinct(given_skel, _s2, s),
        "family_p2": map_distinct(family_skel, _p2, s),
        "family_s2": map_distinct(family_skel, _s2, s),
        "father_key": father,
        "father_skel": map_distinct(father, _skel, s),
    }
