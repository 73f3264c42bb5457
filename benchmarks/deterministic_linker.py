"""A simple deterministic linker: the baseline any linkage method should beat.

It uses no truth, no training and no probabilities:

1. **Name key.** Each record's name proper is split from its full name by
   :func:`inquest.text.parse_name` (titles, particles and a father after a marker such as
   «ولد» or "son of" dropped), or taken from its given and family name columns; it is put in
   inquest's key form (:func:`inquest.linkage._names.name_key`: normalised, titles dropped),
   turned into inquest's cross-script skeleton (:func:`inquest.text.skeleton.skeleton_of_key`).
   The key is the given name's and the family name's skeletons, each without word breaks (as
   inquest's own ``given_skel`` and ``family_skel``), sorted. So «محمدعلی رضایی», "Rezaei,
   Mohammad-Ali" and "Mohammad Ali Rezaei" meet when their skeletons agree, in either order;
   spelling variants the skeleton keeps apart (French "ch" for ش, typos) do not meet. A name
   parsed into one part only keeps its skeleton's words, sorted.
2. **Other fields** come from inquest's own preparation (:func:`inquest.linkage.prepare`):
   the birth interval (a stated date, else an age before the death date) read as the years it
   allows (one for a date, two for an age), the death interval, sex, and the gazetteer ids of
   the four places. The father's key is the skeleton of his name (its own column, else the
   one written inside the full name), word breaks removed.
3. **Merging.** Records with equal name keys are candidates. Within a name key, pairs of
   records from different lists are merged in order of their shared evidence, the number of
   agreeing fields among: father, birth years (overlapping), exact birth day, death date (same
   interval), sex and each place (ties in record order). A merge is refused when the two
   clusters would hold two records of one list, or would disagree on a field both carry: two
   fathers, two sexes, or birth years more than one year apart (the latest first year of the
   members minus the earliest last year above 1).

Pairs with no shared evidence but no conflict are merged too (equal names are the evidence).
Nothing here is tuned to a simulated world.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

import numpy as np
import pyarrow as pa

from inquest.linkage._names import name_key
from inquest.linkage.prepare import prepare
from inquest.text import parse_name
from inquest.text.skeleton import skeleton_of_key

PLACES = ("birth_place_id", "residence_id", "prison_id", "burial_id")
_EPOCH = date(1970, 1, 1).toordinal()


@cache
def _skeleton(text: str) -> str | None:
    key = name_key(text)
    return skeleton_of_key(key) if key else None


def _part(text: str | None) -> str | None:
    """A name part's skeleton without word breaks ("Ali-Reza", "Ali Reza" and «علیرضا»)."""
    skel = _skeleton(text) if text else None
    return skel.replace(" ", "") or None if skel else None


def _key(given: str | None, family: str | None) -> str | None:
    if given and family:
        return " ".join(sorted(p for p in (_part(given), _part(family)) if p)) or None
    # one part only ("Mirzazade, Seyed Taher" parses as a given name "Taher Mirzazade"):
    # its words, sorted
    skel = _skeleton(given or family or "")
    return " ".join(sorted(skel.split())) if skel else None


@cache
def _parsed(full: str) -> tuple[str | None, str | None]:
    """A full name's name key, and its father's key (if written in it after a marker)."""
    parsed = parse_name(full)
    return _key(parsed.given, parsed.family), _part(parsed.father)


def name_and_father(row: dict[str, Any]) -> tuple[str | None, str | None]:
    """A record's name key and father key (see the module notes)."""
    name, father = None, None
    if row["full_name"]:
        name, father = _parsed(row["full_name"])
    if name is None:
        name = _key(row["given_name"], row["family_name"])
    if row["father_name"]:
        father = _part(row["father_name"]) or father
    return name, father


def _year(day: int) -> int:
    return date.fromordinal(_EPOCH + day).year


def _years(row: dict[str, Any]) -> tuple[int, int] | None:
    """The first and last year the record's birth interval allows (an age spans two)."""
    if row["birth_lo"] is None or row["birth_hi"] is None:
        return None
    return _year(row["birth_lo"]), _year(row["birth_hi"])


def _overlap(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    return a is not None and b is not None and a[0] <= b[1] and b[0] <= a[1]


def _evidence(a: dict[str, Any], b: dict[str, Any]) -> int:
    """How many non-name fields the two records both carry and agree on."""
    score = 0
    score += _overlap(a["years"], b["years"])
    for f in ("father", "sex", *PLACES):
        score += a[f] is not None and a[f] == b[f]
    if a["birth_lo"] is not None and a["birth_lo"] == a["birth_hi"]:
        score += a["birth_lo"] == b["birth_lo"] == b["birth_hi"]
    if a["death_lo"] is not None:
        score += (a["death_lo"], a["death_hi"]) == (b["death_lo"], b["death_hi"])
    return score


class _Cluster:
    """What a growing cluster holds: its lists, fathers, sexes and birth-year range."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.lists = {row["list"]}
        self.fathers = {row["father"]} - {None}
        self.sexes = {row["sex"]} - {None}
        #: the latest first year and the earliest last year of the members' birth years
        self.years = row["years"]

    def can_join(self, other: _Cluster) -> bool:
        years = self._years_with(other)
        return (
            not self.lists & other.lists
            and len(self.fathers | other.fathers) <= 1
            and len(self.sexes | other.sexes) <= 1
            and (years is None or years[0] - years[1] <= 1)
        )

    def absorb(self, other: _Cluster) -> None:
        self.lists |= other.lists
        self.fathers |= other.fathers
        self.sexes |= other.sexes
        self.years = self._years_with(other)

    def _years_with(self, other: _Cluster) -> tuple[int, int] | None:
        if self.years is None or other.years is None:
            return self.years or other.years
        return max(self.years[0], other.years[0]), min(self.years[1], other.years[1])


def features(records: pa.Table) -> list[dict[str, Any]]:
    """Per record (in order): list, name key, father key, birth year and the compared fields."""
    prepared = prepare(records).select(
        ["list", "birth_lo", "birth_hi", "death_lo", "death_hi", "sex", *PLACES]
    )
    raw = records.select(["full_name", "given_name", "family_name", "father_name"]).to_pylist()
    rows = prepared.to_pylist()
    for row, names in zip(rows, raw, strict=True):
        row["name"], row["father"] = name_and_father(names)
        row["years"] = _years(row)
    return rows


def link(records: pa.Table) -> np.ndarray[Any, Any]:
    """Cluster labels per record of ``records`` (a table from :func:`inquest.io.read_lists`)."""
    rows = features(records)
    parent = list(range(len(rows)))
    clusters = {i: _Cluster(r) for i, r in enumerate(rows)}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    groups: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        if row["name"]:
            groups.setdefault(row["name"], []).append(i)
    for members in groups.values():
        pairs = [
            (-_evidence(rows[i], rows[j]), i, j)
            for n, i in enumerate(members)
            for j in members[n + 1 :]
            if rows[i]["list"] != rows[j]["list"]
        ]
        for _, i, j in sorted(pairs):
            a, b = root(i), root(j)
            if a != b and clusters[a].can_join(clusters[b]):
                parent[b] = a
                clusters[a].absorb(clusters.pop(b))
    return np.array([root(i) for i in range(len(rows))])
