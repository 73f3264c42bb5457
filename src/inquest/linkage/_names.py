"""Name features for linkage: key forms, sorted words and cross-script skeletons.

Titles and particles (``data/names/titles.csv``: سید, Haj, Dr ...) are dropped from the
compared forms, because one list writes them and another does not.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from inquest.linkage._arrow import map_distinct, null_if_empty
from inquest.text import normalize
from inquest.text.skeleton import skeleton_of_key
from inquest.text.tables import titles

NAME_COLUMNS = {
    "name_key": pa.string(),
    "name_sorted": pa.string(),
    "name_skel": pa.string(),
    "skel_sorted": pa.string(),
    "skel_bag": pa.string(),
    "given_key": pa.string(),
    "family_key": pa.string(),
    "given_skel": pa.string(),
    "family_skel": pa.string(),
    "given_init": pa.string(),
    "family_init": pa.string(),
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


def _first(key: str) -> str:
    return key.split()[0]


def _last(key: str) -> str | None:
    words = key.split()
    return words[-1] if len(words) > 1 else None


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
    joined = map_distinct(joined, lambda v: " ".join(v.split()) or None, s)
    full = pc.coalesce(full, joined)
    # Lists with only a full name: its first word is the given name, its last the family name.
    given = pc.coalesce(given, map_distinct(full, _first, s))
    family = pc.coalesce(family, map_distinct(full, _last, s))
    name_skel = map_distinct(full, _skel, s)
    given_skel = map_distinct(given, _skel, s)
    family_skel = map_distinct(family, _skel, s)
    father = map_distinct(batch.column("father_name"), name_key, s)
    return {
        "name_key": full,
        "name_sorted": map_distinct(full, _sorted, s),
        "name_skel": name_skel,
        "skel_sorted": map_distinct(name_skel, _sorted, s),
        "skel_bag": map_distinct(name_skel, _bag, s),
        "given_key": given,
        "family_key": family,
        "given_skel": given_skel,
        "family_skel": family_skel,
        "given_init": map_distinct(given_skel, _init, s),
        "family_init": map_distinct(family_skel, _init, s),
        "father_key": father,
        "father_skel": map_distinct(father, _skel, s),
    }
