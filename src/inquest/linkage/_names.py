"""Name features for linkage: key forms, sorted words and cross-script skeletons.

Titles and particles (``data/names/titles.csv``: سید, Haj, Dr ...) are dropped from the
compared forms, because one list writes them and another does not. A list with only a full
name is split by :func:`inquest.text.parse_name` ("Family, Given" by its comma); a two-part
name written family first without a comma ("قزوینی بهمن") is turned round when the lexicon
knows its first part only as a family name (and the last part not as one), or its last part
only as a given name (and the first part not as one). A list that writes such names family
first (90% of those the lexicon can tell, at least 20) has its other two-word names, rare or
garbled words the lexicon cannot tell, turned round too (a prison register, "رضانژاد سعود").
Given and family skeletons drop word breaks ("Gholam Hosein", "Gholam-Hosein", "غلامحسین").

Two Latin transliterations of one Persian name can differ in ways the skeleton keeps apart:
French "ch" for ش ("Chahram", "Shahram"). ``spell_sorted`` spells them alike, and
``spell_joined`` also drops word breaks ("Gholam Hossein", "Gholamhossein"), so the model can
call both the same name ("dj" and "j", "gh" and "q" already share a skeleton letter).

A skeleton keeps consonants only, so different names can share one (حسن Hassan and حسین
Hossein are both HSN; Mahmoud and Mohammad both MHMD). ``skel_lex`` is ``spell_sorted`` with
each word whose skeleton two names of the lexicon share tagged by the name the lexicon
knows it as (``HSN#حسن``), or ``#?`` when the lexicon does not know that spelling (an open
name): the model tells "same name" from "same consonants, known different names" by
it, as :func:`inquest.text.name_similarity` does; blocking keeps the plain skeletons.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from inquest.linkage._arrow import map_distinct, null_if_empty
from inquest.text import normalize, parse_name
from inquest.text.lexicon import lexicon
from inquest.text.parse import ParsedName
from inquest.text.profiles import on_change
from inquest.text.skeleton import skeleton_of_key
from inquest.text.tables import titles

NAME_COLUMNS: dict[str, pa.DataType] = {
    "name_key": pa.string(),
    "name_sorted": pa.string(),
    "name_skel": pa.string(),
    "skel_sorted": pa.string(),
    "skel_bag": pa.string(),
    "spell_sorted": pa.string(),
    "spell_joined": pa.string(),
    "skel_lex": pa.string(),
    "lone_skel": pa.string(),
    "given_key": pa.string(),
    "family_key": pa.string(),
    "given_skel": pa.string(),
    "family_skel": pa.string(),
    "given_init": pa.string(),
    "family_init": pa.string(),
    "given_coarse": pa.string(),
    "family_coarse": pa.string(),
    "given_p2": pa.string(),
    "given_s2": pa.string(),
    "family_p2": pa.string(),
    "family_s2": pa.string(),
    "given_del1": pa.string(),
    "family_del1": pa.string(),
    "family_del2": pa.string(),
    "family_dell": pa.string(),
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


@cache
def _lexicon_names() -> tuple[dict[str, str], frozenset[str]]:
    """Each lexicon spelling's name, and the skeletons that two or more names share.

    Entries that share a spelling are one name (مرتضی and مرتضا are both "Morteza"); a name
    is identified by its entries' first Persian form.
    """
    entries = lexicon().entries
    parent = list(range(len(entries)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[str, int] = {}
    for i, entry in enumerate(entries):
        for spelling in (entry.persian, *sorted(entry.spellings)):
            j = first_with.setdefault(spelling, i)
            parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(entries)):
        groups.setdefault(root(i), []).append(i)
    name_of = {r: min(entries[i].persian for i in members) for r, members in groups.items()}
    names: dict[str, str] = {}
    by_skeleton: dict[str, set[str]] = {}
    for spelling, i in first_with.items():
        name = name_of[root(i)]
        names[spelling] = name
        by_skeleton.setdefault(_word_skel(spelling), set()).add(name)
    shared = frozenset(k for k, v in by_skeleton.items() if len(v) > 1 and k)
    return names, shared


def _word_skel(word: str) -> str:
    return skeleton_of_key(word).replace(" ", "").translate(_SPELL)


@lru_cache(maxsize=1 << 16)
def _word_token(word: str) -> str:
    """One word's part of :func:`lexical_key` (names repeat their words: computed once)."""
    names, shared = _lexicon_names()
    skel = _word_skel(word)
    return f"{skel}#{names.get(word, '?')}" if skel in shared else skel


def lexical_key(key: str) -> str | None:
    """``spell_sorted`` with words of a shared skeleton tagged by their name (module notes)."""
    return " ".join(sorted(t for word in key.split() if (t := _word_token(word)))) or None


def _kinds(key: str) -> set[str]:
    return {e.kind for e in lexicon().entries_for(key)}


_PROPER = pa.struct([("name", pa.string()), ("father", pa.string())])


def name_proper(text: str) -> dict[str, str | None]:
    """Key forms of a full name's name proper (no titles, particles or father) and of the
    father's name written inside it («… ولد غلامعلی», "… fils de Ali")."""
    return _proper_of(parse_name(text))


def _proper_of(parsed: ParsedName) -> dict[str, str | None]:
    return {
        "name": name_key(parsed.name) if parsed.tokens else None,
        "father": name_key(parsed.father) if parsed.father else None,
    }


def split_full_name(text: str) -> dict[str, str | None] | None:
    """Given and family key forms of a full name (see the module notes on order).

    ``order`` tells how a two-word name without a comma was read: ``family`` (turned round:
    the lexicon says the first word is the family name), ``given`` (kept: it says the first
    is the given name), ``unknown`` (kept for want of evidence), or None (a comma, or more
    words: the order is not in question).
    """
    return _split_of(parse_name(text), text)


def _split_of(parsed: ParsedName, text: str) -> dict[str, str | None] | None:
    given = name_key(parsed.given) if parsed.given else None
    family = name_key(parsed.family) if parsed.family else None
    order = None
    if given and family and "," not in text and " " not in given + family:
        first, last = _kinds(given), _kinds(family)
        if (first == {"family"} and "family" not in last) or (
            last == {"given"} and "given" not in first
        ):
            given, family, order = family, given, "family"
        elif (first == {"given"} and "given" not in last) or (
            last == {"family"} and "family" not in first
        ):
            order = "given"
        else:
            order = "unknown"
    if given is None and family is None:
        return None
    return {"given": given, "family": family, "order": order}


_SPLIT = pa.struct([("given", pa.string()), ("family", pa.string()), ("order", pa.string())])
_PARTS = pa.struct([*_PROPER, *_SPLIT])


def _full_name_parts(text: str) -> dict[str, str | None]:
    """:func:`name_proper` and :func:`split_full_name` of a full name from one parse (the
    parse is most of the cost of both)."""
    parsed = parse_name(text)
    return {**_proper_of(parsed), **(_split_of(parsed, text) or {})}


#: A list whose two-word names are, where the lexicon can tell, written family name first at
#: least this often (and at least ``_ORDER_MIN_EVIDENCE`` times) is read family first
#: throughout: its names the lexicon cannot tell (a rare or garbled word) are turned round too.
_ORDER_SHARE = 0.9
_ORDER_MIN_EVIDENCE = 20


#: How often each list writes its two-word names in each order (``given``, ``family``,
#: ``unknown``): ``{list: {order: count}}``.
OrderEvidence = dict[str, dict[str, int]]


def _order(batch: pa.RecordBatch | pa.Table) -> Any:
    """Per record, the order its full name is written in, where the lexicon can tell."""
    split = map_distinct(batch.column("full_name"), split_full_name, _SPLIT)
    return pc.struct_field(split, "order")


def _lists(batch: pa.RecordBatch | pa.Table) -> Any:
    lists = batch.column("list")
    return lists.combine_chunks() if isinstance(lists, pa.ChunkedArray) else lists


def order_evidence(batch: pa.RecordBatch | pa.Table, order: Any = None) -> OrderEvidence:
    """How often each list of the batch writes its names in each order (sums over batches)."""
    order = _order(batch) if order is None else order
    table = pa.table({"list": _lists(batch), "order": order})
    counts = table.group_by(["list", "order"]).aggregate([([], "count_all")]).to_pylist()
    evidence: OrderEvidence = {}
    for row in counts:
        if row["order"] is not None:
            evidence.setdefault(row["list"], {})[row["order"]] = row["count_all"]
    return evidence


def family_first_lists(evidence: OrderEvidence) -> frozenset[str]:
    """The lists that write names family first (see ``_ORDER_SHARE``)."""
    return frozenset(
        name
        for name, seen in evidence.items()
        if (decided := seen.get("family", 0) + seen.get("given", 0)) >= _ORDER_MIN_EVIDENCE
        and seen.get("family", 0) >= _ORDER_SHARE * decided
    )


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


# One sound that transliterations spell apart: French "ch" for ش ("sh"). Narrower than the
# coarse classes, which also put ج with ز and ق with گ (right for blocking, too loose for
# calling two names the same: Jafari and Zafari).
_SPELL = str.maketrans({"C": "$"})


def _spell_sorted(skel: str) -> str:
    """The skeleton's words with French "ch" as "sh", sorted."""
    return _sorted(skel.translate(_SPELL))


def _spell_joined(skel: str) -> str | None:
    """The skeleton with French "ch" as "sh", word breaks dropped, in order."""
    return skel.translate(_SPELL).replace(" ", "") or None


def _init(skel: str) -> str:
    return skel[0]


def _coarse(skel: str) -> str:
    """A part's skeleton in the coarse classes of :func:`_bag` (French "ch" = "sh" ...)."""
    return skel.translate(_COARSE)


# Blocking keys on a part's coarse skeleton. Two-letter ends: one typo in a word leaves one of
# them intact, so "same family name and same first (or last) two letters of the given name"
# finds the pair. One consonant dropped (the first, the second, the last): two skeletons one
# typo apart share such a key ("BK" and "NK" both give "K"; "THR" is "THRN" without its last),
# so "same given name and family names one consonant apart" is a join on equal keys.
def _lone(skel: str) -> str | None:
    """The skeleton of a one-word name (a list gives only "Chitty" or "حسن"), else None."""
    return None if " " in skel else skel


def _p2(skel: str) -> str:
    return skel[:2]


def _s2(skel: str) -> str:
    return skel[-2:]


def _del1(skel: str) -> str | None:
    return skel[1:] or None


def _del2(skel: str) -> str | None:
    return (skel[:1] + skel[2:]) if len(skel) > 1 else None


def _dell(skel: str) -> str | None:
    return skel[:-1] or None


def name_features(
    batch: pa.RecordBatch | pa.Table, family_first: frozenset[str] | None = None
) -> dict[str, Any]:
    """The :data:`NAME_COLUMNS` for one batch of standard-format records.

    ``family_first``: the lists that write names family first, decided over all their
    records (:func:`family_first_lists`); by default decided from this batch alone.
    """
    s = pa.string()
    given = map_distinct(batch.column("given_name"), name_key, s)
    family = map_distinct(batch.column("family_name"), name_key, s)
    # one parse of each full name gives the name proper and the given/family split
    proper = map_distinct(batch.column("full_name"), _full_name_parts, _PARTS)
    full = pc.struct_field(proper, "name")
    joined = null_if_empty(
        pc.binary_join_element_wise(
            pc.fill_null(given, ""), pc.fill_null(family, ""), " ", null_handling="emit_null"
        )
    )
    joined = map_distinct(joined, _squeeze, s)
    full = pc.coalesce(full, joined)
    split_given, split_family = pc.struct_field(proper, "given"), pc.struct_field(proper, "family")
    order = pc.struct_field(proper, "order")
    lists = _lists(batch)
    if family_first is None:
        family_first = family_first_lists(order_evidence(batch, order))
    turn = pc.and_(
        pc.fill_null(pc.equal(order, pa.scalar("unknown")), False),
        pc.is_in(lists, value_set=pa.array(sorted(family_first), lists.type)),
    )
    split_given, split_family = (
        pc.if_else(turn, split_family, split_given),
        pc.if_else(turn, split_given, split_family),
    )
    given = pc.coalesce(given, split_given)
    family = pc.coalesce(family, split_family)
    name_skel = map_distinct(full, _skel, s)
    given_skel = map_distinct(given, _part_skel, s)
    family_skel = map_distinct(family, _part_skel, s)
    father = pc.coalesce(
        map_distinct(batch.column("father_name"), name_key, s), pc.struct_field(proper, "father")
    )
    given_coarse = map_distinct(given_skel, _coarse, s)
    family_coarse = map_distinct(family_skel, _coarse, s)
    return {
        "name_key": full,
        "name_sorted": map_distinct(full, _sorted, s),
        "name_skel": name_skel,
        "skel_sorted": map_distinct(name_skel, _sorted, s),
        "skel_bag": map_distinct(name_skel, _bag, s),
        "spell_sorted": map_distinct(name_skel, _spell_sorted, s),
        "spell_joined": map_distinct(name_skel, _spell_joined, s),
        "skel_lex": map_distinct(full, lexical_key, s),
        "lone_skel": map_distinct(name_skel, _lone, s),
        "given_key": given,
        "family_key": family,
        "given_skel": given_skel,
        "family_skel": family_skel,
        "given_init": map_distinct(given_skel, _init, s),
        "family_init": map_distinct(family_skel, _init, s),
        "given_coarse": given_coarse,
        "family_coarse": family_coarse,
        "given_p2": map_distinct(given_coarse, _p2, s),
        "given_s2": map_distinct(given_coarse, _s2, s),
        "family_p2": map_distinct(family_coarse, _p2, s),
        "family_s2": map_distinct(family_coarse, _s2, s),
        "given_del1": map_distinct(given_coarse, _del1, s),
        "family_del1": map_distinct(family_coarse, _del1, s),
        "family_del2": map_distinct(family_coarse, _del2, s),
        "family_dell": map_distinct(family_coarse, _dell, s),
        "father_key": father,
        "father_skel": map_distinct(father, _skel, s),
    }


for _cached in (_title_keys, _lexicon_names, _word_token):
    on_change(_cached.cache_clear)
