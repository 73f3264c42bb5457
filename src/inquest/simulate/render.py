"""Render one source's records: who it recorded, written in its style, with its errors.

Vectorised: names are drawn as (name, spelling-choice) codes, each distinct combination is
spelled once, and the per-record edits (typos, titles, partial dates) touch only the rows
they hit. Output columns come from the standard list format.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from persiantools.digits import en_to_fa

from inquest.io.schema import standard_schema
from inquest.simulate.datefmt import FULL, YEAR, YEAR_MONTH, calendar_parts, format_dates
from inquest.simulate.names import NameTable
from inquest.simulate.population import Covariates, Names
from inquest.simulate.romanise import Romaniser
from inquest.simulate.scenario import FatherInName, Place, Prison, Scenario, Source
from inquest.simulate.spelling import draw_persian_codes, persian_variant, typo

__all__ = ["LIST_COLUMNS", "RenderedList", "render_list"]

#: The standard list format's columns, in order (the one definition is inquest.io's schema).
LIST_COLUMNS: tuple[str, ...] = standard_schema().names
_DAYS_PER_YEAR = 365.2425
_SEX = {"persian": ("زن", "مرد"), "latin": ("F", "M")}
# The hereditary title سید as lists write it: the first spelling is the scheme's usual one.
_SAYYID = {
    "persian": ("سید",),
    "english": ("Seyed", "Seyyed", "Sayyed", "Sayed", "Sayyid"),
    "french": ("Seyed", "Sayed", "Seyyed"),
}


@dataclass(frozen=True)
class RenderedList:
    """A rendered list: its table, the true person index of each row, and duplicate flags."""

    table: pa.Table
    person: np.ndarray
    duplicate: np.ndarray


class _Coded:
    """A string column as codes into a list of distinct values (edits append new values)."""

    def __init__(self, codes: np.ndarray, values: list[str]) -> None:
        self.codes = codes.astype(np.int64)
        self.values = list(values)
        self.missing = np.zeros(codes.shape[0], dtype=bool)

    def get(self, rows: np.ndarray) -> list[str]:
        return [self.values[c] for c in self.codes[rows].tolist()]

    def put(self, rows: np.ndarray, texts: list[str]) -> None:
        start = len(self.values)
        self.values.extend(texts)
        self.codes[rows] = np.arange(start, start + len(texts))

    def arrow(self) -> pa.Array[Any]:
        dictionary = pa.array(self.values, type=pa.string())
        return pc.take(dictionary, pa.array(self.codes, type=pa.int64(), mask=self.missing))


def _chance(rng: np.random.Generator, n: int) -> np.ndarray:
    """n uniform draws in [0, 1) (typed, so comparisons give arrays)."""
    out: np.ndarray = rng.random(size=n)
    return out


def _spell(
    table: NameTable,
    idx: np.ndarray,
    source: Source,
    romaniser: Romaniser,
    rng: np.random.Generator,
) -> _Coded:
    """Spell the names ``idx`` of ``table`` in the source's script, with variants and typos."""
    rec = source.recording
    n = idx.shape[0]
    if rec.script == "persian":
        codes = draw_persian_codes(rng, n, rec.variation, rec.arabic_letters)
    else:
        masks = np.array([romaniser.applicable(c) for c in table.latin], dtype=np.int64)[idx]
        codes = romaniser.draw_codes(rng, masks, rec.scheme, rec.variation)
    key = (idx.astype(np.int64) << 40) | codes
    uniq, inv = np.unique(key, return_inverse=True)
    spelled = []
    for k in uniq.tolist():
        i, code = k >> 40, k & ((1 << 40) - 1)
        if rec.script == "persian":
            spelled.append(persian_variant(table.persian[i], code))
        else:
            spelled.append(romaniser.render(table.latin[i], rec.scheme, code))
    out = _Coded(inv.reshape(-1), spelled)
    hits = np.flatnonzero(_chance(rng, n) < source.errors.typo)
    ops = rng.integers(0, 4, hits.size).tolist()
    where = rng.random(hits.size).tolist()
    pick = rng.random(hits.size).tolist()
    texts = out.get(hits)
    out.put(hits, [typo(t, o, w, p) for t, o, w, p in zip(texts, ops, where, pick, strict=True)])
    return out


def _places(
    places: tuple[Place, ...] | tuple[Prison, ...],
    idx: np.ndarray,
    source: Source,
    rng: np.random.Generator,
) -> _Coded:
    """Place names in the source's script, varying between the known spellings."""
    persian = source.recording.script == "persian"
    spellings = [p.fa if persian else p.latin for p in places]
    out = _Coded(idx, [s[0] for s in spellings])
    vary = np.flatnonzero(_chance(rng, idx.shape[0]) < source.recording.variation)
    picks = rng.random(vary.size).tolist()
    alts = [spellings[i] for i in idx[vary].tolist()]
    out.put(vary, [a[min(int(u * len(a)), len(a) - 1)] for a, u in zip(alts, picks, strict=True)])
    return out


def _dates(
    days: np.ndarray,
    source: Source,
    rng: np.random.Generator,
    *,
    off_by_one: np.ndarray | None = None,
) -> _Coded:
    rec = source.recording
    n = days.shape[0]
    y, m, d = calendar_parts(days, rec.calendar)
    if off_by_one is not None:
        y = y + off_by_one
        # Keep the day valid in the shifted year: 29 February, 30 Esfand, 30th of a Hijri month.
        last_day = {"gregorian": (2, 29), "jalali": (12, 30)}.get(rec.calendar)
        risky = (off_by_one != 0) & (
            (m == last_day[0]) & (d == last_day[1]) if last_day else (d == 30)
        )
        d = np.where(risky, d - 1, d)
    level = np.full(n, FULL, dtype=np.int64)
    partial = _chance(rng, n) < source.errors.partial_date
    level[partial] = np.where(rng.random(int(partial.sum())) < 0.5, YEAR_MONTH, YEAR)
    codes, values = format_dates(
        y,
        m,
        d,
        level,
        calendar=rec.calendar,
        script=rec.script,
        digits=rec.digits,
        date_format=rec.date_format,
        unpadded=_chance(rng, n) < rec.variation,
    )
    return _Coded(codes, values)


def _join(a: pa.Array[Any], b: pa.Array[Any], sep: str) -> pa.Array[Any]:
    joined: pa.Array[Any] = pc.binary_join_element_wise(a, b, sep)  # type: ignore[call-overload]
    return joined


def _pick_records(
    persons: np.ndarray, duplicate: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Records in list order: each person once, some twice; (person index, is duplicate)."""
    dup = _chance(rng, persons.shape[0]) < duplicate
    who = np.concatenate([persons, persons[dup]])
    is_dup = np.concatenate([np.zeros(persons.shape[0], bool), np.ones(int(dup.sum()), bool)])
    order = rng.permutation(who.shape[0])
    return who[order], is_dup[order]


def _name_columns(
    who: np.ndarray,
    names: Names,
    given: NameTable,
    surnames: NameTable,
    source: Source,
    romaniser: Romaniser,
    rng: np.random.Generator,
    father: _Coded | None = None,
    male: np.ndarray | None = None,
) -> dict[str, pa.Array[Any]]:
    """given_name and family_name, or full_name, with titles kept, dropped or added.

    With ``father`` (the records' fathers' names, spelled) and ``male``, a full name may end
    with a marker and the father's name; those records' ``father`` is then marked missing,
    since the list wrote the father once, inside the name.
    """
    rec, err = source.recording, source.errors
    n = who.shape[0]
    first = _spell(given, names.given[who], source, romaniser, rng)
    last = _spell(surnames, names.family[who], source, romaniser, rng)
    kept = np.flatnonzero(names.sayyid[who] & (_chance(rng, n) >= err.title_dropped))
    if kept.size:
        forms = _SAYYID["persian" if rec.script == "persian" else rec.scheme]
        vary = _chance(rng, kept.size) < rec.variation
        pick = np.where(vary, rng.integers(0, len(forms), kept.size), 0).tolist()
        first.put(kept, [f"{forms[k]} {x}" for k, x in zip(pick, first.get(kept), strict=True)])
    titled = np.flatnonzero(_chance(rng, n) < err.title)
    if titled.size:
        titles = rng.integers(0, len(rec.titles), titled.size).tolist()
        texts = first.get(titled)
        first.put(titled, [f"{rec.titles[t]} {x}" for t, x in zip(titles, texts, strict=True)])
    swapped = pa.array(_chance(rng, n) < err.swapped_names)
    first_a, last_a = first.arrow(), last.arrow()
    if rec.name_layout == "split":
        return {
            "given_name": pc.if_else(swapped, last_a, first_a),
            "family_name": pc.if_else(swapped, first_a, last_a),
        }
    if rec.name_order == "family_first":
        swapped = pc.invert(swapped)
    sep = " " if rec.script == "persian" else ", "
    given_first = _join(first_a, last_a, " ")
    if err.family_first > 0:  # family first without the comma that would mark the order
        given_first = pc.if_else(
            pa.array(_chance(rng, n) < err.family_first), _join(last_a, first_a, " "), given_first
        )
    full = pc.if_else(swapped, _join(last_a, first_a, sep), given_first)
    if father is not None and male is not None:
        full = _join(full, _father_suffix(father, male, rec.father_in_name, rng), "")
    return {"full_name": full}


def _father_suffix(
    father: _Coded, male: np.ndarray, spec: FatherInName, rng: np.random.Generator
) -> pa.Array[Any]:
    """What follows each full name: a marker and the father's name at ``spec.rate``, else ""."""
    n = male.shape[0]
    hits = np.flatnonzero(_chance(rng, n) < spec.rate)
    which = rng.integers(0, len(spec.markers), hits.size).tolist()
    sexes = male[hits].tolist()
    texts = [
        f" {spec.markers[k][0 if m else 1]} {name}"
        for k, m, name in zip(which, sexes, father.get(hits), strict=True)
    ]
    suffix = _Coded(np.zeros(n, dtype=np.int64), [""])
    suffix.put(hits, texts)
    father.missing[hits] = True
    return suffix.arrow()


def _birth_columns(
    birth: np.ndarray, death: np.ndarray, source: Source, rng: np.random.Generator
) -> dict[str, _Coded]:
    """birth_date and/or age: a birth year off by one, or the age at death instead."""
    rec, err = source.recording, source.errors
    n = birth.shape[0]
    out: dict[str, _Coded] = {}
    shift = np.zeros(n, dtype=np.int64)
    wrong = np.flatnonzero(_chance(rng, n) < err.year_off_by_one)
    shift[wrong] = rng.choice(np.array([-1, 1]), wrong.size)
    age_only = _chance(rng, n) < err.age_instead_of_birth
    if "birth_date" in rec.fields:
        out["birth_date"] = _dates(birth, source, rng, off_by_one=shift)
        out["birth_date"].missing |= age_only
    else:
        age_only[:] = True
    if "age" in rec.fields or (err.age_instead_of_birth > 0 and "birth_date" in rec.fields):
        years = np.floor((death - birth) / _DAYS_PER_YEAR).astype(np.int64) - shift
        digits = [str(a) for a in range(131)]
        if rec.digits == "persian":
            digits = [en_to_fa(a) for a in digits]
        codes = np.clip(years, 0, 130)
        if rec.script == "persian":  # "۲۵" or "۲۵ ساله" (25 years old)
            digits += [f"{a} ساله" for a in digits]
            codes = codes + 131 * (_chance(rng, n) < 0.5)
        out["age"] = _Coded(codes, digits)
        out["age"].missing |= ~age_only
    return out


def render_list(
    scenario: Scenario,
    j: int,
    persons: np.ndarray,
    cov: Covariates,
    names: Names,
    given: NameTable,
    surnames: NameTable,
    romaniser: Romaniser,
    rng: np.random.Generator,
) -> RenderedList:
    """Render source ``j``'s records of ``persons`` (true person indices it captured)."""
    source = scenario.sources[j]
    rec, err = source.recording, source.errors
    who, is_dup = _pick_records(persons, err.duplicate, rng)
    n = who.shape[0]
    numbers = pc.cast(pa.array(np.arange(1, n + 1, dtype=np.int64)), pa.string())
    prefix = pa.array([rec.record_id_prefix] * n, type=pa.string()) if n else numbers
    cols: dict[str, pa.Array[Any]] = {"record_id": _join(prefix, numbers, "")}
    coded: dict[str, _Coded] = {}
    fields = set(rec.fields)
    if rec.father_in_name.rate > 0 and rec.name_layout == "full":
        father = _spell(given, names.father[who], source, romaniser, rng)
        male = cov.male[who]
        cols.update(
            _name_columns(who, names, given, surnames, source, romaniser, rng, father, male)
        )
        if "father_name" in fields:
            coded["father_name"] = father
    else:
        cols.update(_name_columns(who, names, given, surnames, source, romaniser, rng))
        if "father_name" in fields:
            coded["father_name"] = _spell(given, names.father[who], source, romaniser, rng)
    if "sex" in fields:
        coded["sex"] = _Coded(cov.male[who].astype(np.int64), list(_SEX[rec.script]))
    coded.update(_birth_columns(cov.birth_day[who], cov.death_day[who], source, rng))
    if "death_date" in fields:
        coded["death_date"] = _dates(cov.death_day[who], source, rng)
    for col, places, idx in (
        ("birth_place", scenario.cities, cov.birth_place),
        ("residence", scenario.cities, cov.residence),
        ("prison", scenario.prisons, cov.prison),
        ("burial_place", scenario.burial_places, cov.burial),
    ):
        if col in fields:
            coded[col] = _places(places, idx[who].astype(np.int64), source, rng)
    for col, rate in err.missing.items():
        if col in coded:
            coded[col].missing |= _chance(rng, n) < rate
    cols.update({c: v.arrow() for c, v in coded.items()})
    table = pa.table({c: cols[c] for c in LIST_COLUMNS if c in cols})
    return RenderedList(table=table, person=who, duplicate=is_dup)
