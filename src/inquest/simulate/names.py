"""Name frequency tables for synthetic people: name components, never people.

The packaged tables (``data/simulate/*.csv``: Persian form, canonical Latin form, weight) give
the skew of Iranian names of the generation born 1930-1970: very common given names such as
محمد, علی, حسین and common surnames such as محمدی, حسینی, احمدی, so that distinct synthetic
people share names. The weights are rank-based approximations, not measured counts. The long
tail of surnames is built from stems and suffixes (-ی, -زاده, -پور, -نژاد, -یان, ...).

In the Persian forms ``-`` marks the joint of a compound given name and ``+`` the joint of a
surname suffix; :func:`persian_form` spells them the standard way.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

from inquest.errors import ConfigError

__all__ = ["TABLES", "NameTable", "NameTables", "load_name_tables", "persian_form"]

ZWNJ = "\u200c"
# Letters that never join the next one: after them a compound is written closed up.
_NON_JOINING = frozenset("اآأدذرزژو")
_CANONICAL = re.compile(r"^[a-z'+\- ]+$")


@dataclass(frozen=True)
class NameTable:
    """One table of name components: Persian form (with joint marks), canonical Latin, weight."""

    persian: tuple[str, ...]
    latin: tuple[str, ...]
    weight: np.ndarray

    def __len__(self) -> int:
        return len(self.persian)

    def probabilities(self) -> np.ndarray:
        """Weights normalised to sum to one."""
        return np.asarray(self.weight / self.weight.sum(), dtype=np.float64)


@dataclass(frozen=True)
class NameTables:
    """Given names (male rows first, then female), fathers' names and surnames."""

    given: NameTable
    n_male: int
    surnames: NameTable

    @property
    def male_probabilities(self) -> np.ndarray:
        """Probabilities over the male rows of ``given``."""
        w = self.given.weight[: self.n_male]
        return np.asarray(w / w.sum(), dtype=np.float64)

    @property
    def female_probabilities(self) -> np.ndarray:
        """Probabilities over the female rows of ``given`` (indices offset by ``n_male``)."""
        w = self.given.weight[self.n_male :]
        return np.asarray(w / w.sum(), dtype=np.float64)


def persian_form(marked: str, *, joint: str | None = None) -> str:
    """Spell a marked Persian form: each ``-``/``+`` joint becomes ``joint``.

    With ``joint=None`` the standard spelling: closed up after a non-joining letter (محمدرضا),
    a zero-width non-joiner otherwise (علی‌اکبر).
    """
    out = []
    for ch in marked:
        if ch in "-+":
            if joint is not None:
                out.append(joint)
            elif out and out[-1][-1:] not in _NON_JOINING:
                out.append(ZWNJ)
        else:
            out.append(ch)
    return "".join(out)


TABLES: tuple[str, ...] = (
    "given_names_male",
    "given_names_female",
    "surnames",
    "surname_stems",
    "surname_suffixes",
)


def _native(text: str) -> bool:
    """A name in its own script: letters (any script), joint marks, spaces, ZWNJ, apostrophe."""
    return bool(text.strip()) and all(ch.isalpha() or ch in "+- '\u200c" for ch in text)


def _read_table(
    name: str, extra: tuple[str, ...] = (), file: str | None = None
) -> list[dict[str, str]]:
    if file is None:
        path = f"inquest/data/simulate/{name}.csv"
        res = resources.files("inquest").joinpath("data", "simulate", f"{name}.csv")
        text = res.read_text("utf-8")
    else:
        path = file
        try:
            text = Path(file).read_text(encoding="utf-8")
        except OSError as e:
            raise ConfigError(f"cannot read the name table: {e}", path=path) from e
    rows = list(csv.DictReader(io.StringIO(text)))
    want = ["persian", "latin", "weight", *extra]
    if not rows or list(rows[0].keys()) != want:
        raise ConfigError(f"expected the columns {', '.join(want)}", path=path, key="header")
    seen: set[str] = set()
    for i, row in enumerate(rows, start=2):
        key = f"line {i}"
        if not _native(row["persian"] or ""):
            raise ConfigError(
                "persian must be a name in its own script (letters, -, +, spaces)",
                path=path,
                key=f"{key}.persian",
            )
        if not _CANONICAL.match(row["latin"]):
            raise ConfigError(
                "latin must be canonical notation (a-z, ', -, +)", path=path, key=f"{key}.latin"
            )
        try:
            w = float(row["weight"])
        except ValueError:
            w = -1.0
        if not w > 0:
            raise ConfigError("weight must be a positive number", path=path, key=f"{key}.weight")
        if row["persian"] in seen:
            raise ConfigError("duplicate name", path=path, key=f"{key}.persian")
        seen.add(row["persian"])
    return rows


def _table(rows: list[dict[str, str]]) -> NameTable:
    return NameTable(
        persian=tuple(r["persian"] for r in rows),
        latin=tuple(r["latin"] for r in rows),
        weight=np.array([float(r["weight"]) for r in rows]),
    )


def _attach(stem_fa: str, stem_lat: str, suf_fa: str, suf_lat: str, joins: str) -> tuple[str, str]:
    if joins == "boundary":
        return f"{stem_fa}+{suf_fa}", f"{stem_lat}+{suf_lat}"
    if stem_fa[-1] in "او":  # a vowel letter: رضا + ی -> رضایی, Rezaa'ii
        return f"{stem_fa}ی{suf_fa}", f"{stem_lat}'{suf_lat}"
    return stem_fa + suf_fa, stem_lat + suf_lat


def _tilted(table: NameTable, concentration: float) -> NameTable:
    """The table with weights raised to ``concentration`` (1: as is; 0: all equally common)."""
    if concentration == 1.0:
        return table
    return NameTable(table.persian, table.latin, np.power(table.weight, concentration))


def _compounds(rows: list[dict[str, str]], openness: float) -> list[dict[str, str]]:
    """More compound given names, as the tables' own compounds are built (محمد-رضا, غلام-حسین).

    A first element that starts at least two listed compounds (محمد, علی, غلام) joins every
    simple name at least as common as the median simple one, unless listed already. Each new
    compound weighs ``openness`` times the rarest listed name: 0 adds nothing; after the
    concentration tilt at 0 they are as common as any other name.
    """
    firsts: dict[str, tuple[str, int]] = {}
    for r in rows:
        if "-" in r["persian"]:
            fa, lat = r["persian"].split("-", 1)[0], r["latin"].split("-", 1)[0]
            firsts[fa] = (lat, firsts.get(fa, (lat, 0))[1] + 1)
    simple = [r for r in rows if "-" not in r["persian"]]
    if not simple or openness <= 0:
        return []
    median = float(np.median([float(r["weight"]) for r in simple]))
    weight = str(openness * min(float(r["weight"]) for r in rows))
    listed = {r["persian"] for r in rows}
    out = []
    for first, (first_latin, count) in sorted(firsts.items()):
        if count < 2:
            continue
        for r in simple:
            fa = f"{first}-{r['persian']}"
            if r["persian"] != first and float(r["weight"]) >= median and fa not in listed:
                out.append(
                    {"persian": fa, "latin": f"{first_latin}-{r['latin']}", "weight": weight}
                )
    return out


@cache
def load_name_tables(
    constructed_share: float = 0.4,
    files: tuple[tuple[str, str], ...] = (),
    concentration: float = 1.0,
) -> NameTables:
    """Load and validate the name tables; ``constructed_share`` of surnames is the tail.

    ``files`` replaces packaged tables by name (see :data:`TABLES`) with CSV files of the same
    columns. Constructed surnames (stem + suffix) that equal a listed common surname add to
    its weight. ``concentration`` tilts every weight w to w ** concentration: 1 keeps the
    tables' skew, 0 makes every given name equally common and every surname too; below 1
    the men's names also gain compounds (see :func:`_compounds`).
    """
    given_files = dict(files)
    for name in given_files:
        if name not in TABLES:
            raise ConfigError(f"unknown name table (known: {', '.join(TABLES)})", key=name)
    male = _read_table("given_names_male", file=given_files.get("given_names_male"))
    female = _read_table("given_names_female", file=given_files.get("given_names_female"))
    common = _read_table("surnames", file=given_files.get("surnames"))
    stems = _read_table("surname_stems", file=given_files.get("surname_stems"))
    suffixes = _read_table("surname_suffixes", ("joins",), file=given_files.get("surname_suffixes"))
    for i, s in enumerate(suffixes, start=2):
        if s["joins"] not in ("attached", "boundary"):
            raise ConfigError(
                "joins must be 'attached' or 'boundary'",
                path=given_files.get(
                    "surname_suffixes", "inquest/data/simulate/surname_suffixes.csv"
                ),
                key=f"line {i}.joins",
            )
    # Simple (non-compound) given names also serve as surname stems.
    stem_rows = stems + [
        {"persian": r["persian"], "latin": r["latin"], "weight": str(float(r["weight"]) / 10)}
        for r in male
        if "-" not in r["persian"] and r["persian"][-1] not in "یه"
    ]
    common_w = {r["persian"]: float(r["weight"]) for r in common}
    latin_of = {r["persian"]: r["latin"] for r in common}
    total_common = sum(common_w.values())
    built: dict[str, float] = {}
    for st in stem_rows:
        for sf in suffixes:
            fa, lat = _attach(st["persian"], st["latin"], sf["persian"], sf["latin"], sf["joins"])
            w = np.sqrt(float(st["weight"])) * float(sf["weight"])
            built[fa] = built.get(fa, 0.0) + w
            latin_of.setdefault(fa, lat)
    total_built = sum(built.values())
    weights = {k: v * (1.0 - constructed_share) / total_common for k, v in common_w.items()}
    for k, v in built.items():
        weights[k] = weights.get(k, 0.0) + v * constructed_share / total_built
    names = sorted(weights, key=lambda k: (-weights[k], k))
    surnames = NameTable(
        persian=tuple(names),
        latin=tuple(latin_of[k] for k in names),
        weight=np.array([weights[k] for k in names]),
    )
    surnames = _tilted(surnames, concentration)
    if concentration < 1.0:
        male = male + _compounds(male, 1.0 - concentration)
    m, f = _tilted(_table(male), concentration), _tilted(_table(female), concentration)
    given = NameTable(
        persian=m.persian + f.persian,
        latin=m.latin + f.latin,
        weight=np.concatenate([m.weight, f.weight]),
    )
    return NameTables(given=given, n_male=len(m), surnames=surnames)
