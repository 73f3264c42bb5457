"""Load the small data tables under ``inquest/data/names/`` and validate them.

Every table is a UTF-8 CSV with a header. A bad row raises :class:`~inquest.errors.InputErrors`
naming the file, the row and the field, and nothing is loaded.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from inquest.errors import InputErrors, InputProblem
from inquest.text.profiles import on_change, profiles

__all__ = [
    "Affix",
    "FatherMarker",
    "Grapheme",
    "Title",
    "affixes",
    "father_markers",
    "graphemes",
    "read_rows",
    "read_table",
    "titles",
]


def _scripts() -> tuple[str, ...]:
    """The names of the registered script profiles (a row's ``script`` must be one)."""
    return tuple(profiles())


def _data_path(name: str) -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "names" / name


def read_rows(
    path: Path,
    columns: Sequence[str],
    check: Callable[[dict[str, str]], list[tuple[str, str]]],
) -> tuple[list[dict[str, str]], list[InputProblem]]:
    """Read a CSV table and check its header and every row; return rows and problems.

    ``check`` returns ``(field, reason)`` pairs for a row; rows are numbered from 1 after
    the header. A missing column is a problem on row 0 and no rows are returned.
    """
    problems: list[InputProblem] = []
    rows: list[dict[str, str]] = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        missing = [c for c in columns if c not in header]
        if missing:
            return [], [InputProblem(f"missing column(s) {missing}", path=str(path), row=0)]
        for i, raw in enumerate(reader, start=1):
            row = {c: (raw.get(c) or "").strip() for c in columns}
            for field, reason in check(row):
                problems.append(InputProblem(reason, path=str(path), row=i, field=field))
            rows.append(row)
    return rows, problems


def read_table(
    path: Path,
    columns: Sequence[str],
    check: Callable[[dict[str, str]], list[tuple[str, str]]],
) -> list[dict[str, str]]:
    """:func:`read_rows`, raising every problem at once (and loading nothing) if any."""
    rows, problems = read_rows(path, columns, check)
    if problems:
        raise InputErrors(problems)
    return rows


@dataclass(frozen=True)
class Affix:
    """A bound name part written apart or joined (``زاده``, ``pour``, ``abdol``)."""

    form: str
    script: str
    position: str  # "prefix" or "suffix"


@dataclass(frozen=True)
class Title:
    """A title or particle that is not part of the name proper (``سید``, ``Haj``, ``Dr``)."""

    form: str
    script: str
    field: str  # "title" or "particle"


@dataclass(frozen=True)
class FatherMarker:
    """Words that introduce a father's name (``فرزند``, ``ولد``, ``son of``, ``fils de``).

    ``opens``: the marker may begin the text (``فرزند حسن``); otherwise a name must come
    before it, because the word is also a name part elsewhere (``bin``, ``پسر``).
    """

    form: str
    script: str
    opens: bool


def _check_affix(row: dict[str, str]) -> list[tuple[str, str]]:
    out = []
    if not row["form"] or " " in row["form"]:
        out.append(("form", "must be one word, not empty"))
    if row["script"] not in _scripts():
        out.append(("script", f"must be one of {_scripts()}, not {row['script']!r}"))
    if row["position"] not in ("prefix", "suffix"):
        out.append(("position", f"must be prefix or suffix, not {row['position']!r}"))
    return out


def _check_title(row: dict[str, str]) -> list[tuple[str, str]]:
    out = []
    if not row["form"]:
        out.append(("form", "empty"))
    if row["script"] not in _scripts():
        out.append(("script", f"must be one of {_scripts()}, not {row['script']!r}"))
    if row["field"] not in ("title", "particle"):
        out.append(("field", f"must be title or particle, not {row['field']!r}"))
    return out


def _check_father_marker(row: dict[str, str]) -> list[tuple[str, str]]:
    out = []
    if not row["form"] or row["form"] != " ".join(row["form"].split()):
        out.append(("form", "must be words with single spaces, not empty"))
    if row["script"] not in _scripts():
        out.append(("script", f"must be one of {_scripts()}, not {row['script']!r}"))
    if row["opens"] not in ("yes", "no"):
        out.append(("opens", f"must be yes or no, not {row['opens']!r}"))
    return out


@cache
def father_markers() -> tuple[FatherMarker, ...]:
    """The father markers table (``data/names/father_markers.csv``)."""
    rows = read_table(
        _data_path("father_markers.csv"), ("form", "script", "opens"), _check_father_marker
    )
    return tuple(FatherMarker(r["form"], r["script"], r["opens"] == "yes") for r in rows)


@cache
def affixes() -> tuple[Affix, ...]:
    """The affix table (``data/names/affixes.csv``)."""
    rows = read_table(_data_path("affixes.csv"), ("form", "script", "position"), _check_affix)
    return tuple(Affix(r["form"], r["script"], r["position"]) for r in rows)


@cache
def titles() -> tuple[Title, ...]:
    """The titles and particles table (``data/names/titles.csv``)."""
    rows = read_table(_data_path("titles.csv"), ("form", "script", "field"), _check_title)
    return tuple(Title(r["form"], r["script"], r["field"]) for r in rows)


KINDS = ("consonant", "glide", "vowel", "long_vowel", "carrier")


@dataclass(frozen=True)
class Grapheme:
    """One letter or digraph and its sound class (``data/names/graphemes.csv``).

    ``cls`` is the consonant class shared by both scripts (empty for vowels and carriers);
    ``vowel`` the vowel symbol a glide, long vowel or carrier stands for.
    """

    script: str
    grapheme: str
    cls: str
    kind: str
    vowel: str


def _check_grapheme(row: dict[str, str]) -> list[tuple[str, str]]:
    out = []
    if row["script"] not in _scripts():
        out.append(("script", f"must be one of {_scripts()}, not {row['script']!r}"))
    if not row["grapheme"] or len(row["grapheme"]) > 3:
        out.append(("grapheme", "must be 1 to 3 characters"))
    if row["kind"] not in KINDS:
        out.append(("kind", f"must be one of {KINDS}, not {row['kind']!r}"))
    if row["kind"] in ("consonant", "glide") and len(row["class"]) != 1:
        out.append(("class", "a consonant or glide needs a one-character class"))
    if row["kind"] not in ("consonant", "glide") and row["class"]:
        out.append(("class", "only consonants and glides have a class"))
    if row["kind"] != "consonant" and len(row["vowel"]) != 1:
        out.append(("vowel", "a vowel, glide or carrier needs a one-character vowel symbol"))
    return out


@cache
def graphemes() -> tuple[Grapheme, ...]:
    """The grapheme table (``data/names/graphemes.csv``) and every script profile's own
    graphemes (``ScriptProfile.graphemes``, checked as rows after the file's); graphemes
    are unique per script."""
    path = _data_path("graphemes.csv")
    rows, problems = read_rows(
        path, ("script", "grapheme", "class", "kind", "vowel"), _check_grapheme
    )
    located = [(str(path), i, r) for i, r in enumerate(rows, start=1)]
    for name, profile in profiles().items():
        where = f"script profile {name!r}"
        for i, g in enumerate(profile.graphemes, start=1):
            row = {"script": name, "grapheme": g.grapheme, "class": g.cls}
            row |= {"kind": g.kind, "vowel": g.vowel}
            problems += [
                InputProblem(r, path=where, row=i, field=f) for f, r in _check_grapheme(row)
            ]
            located.append((where, i, row))
    seen: dict[tuple[str, str], tuple[str, int]] = {}
    for where, i, r in located:
        k = (r["script"], r["grapheme"])
        if k in seen:
            first = f"row {seen[k][1]}" + ("" if seen[k][0] == where else f" of {seen[k][0]}")
            problems.append(InputProblem(f"duplicate of {first}", where, i, "grapheme"))
        seen.setdefault(k, (where, i))
    if problems:
        raise InputErrors(problems)
    return tuple(
        Grapheme(r["script"], r["grapheme"], r["class"], r["kind"], r["vowel"])
        for _, _, r in located
    )


for _table in (father_markers, affixes, titles, graphemes):
    on_change(_table.cache_clear)
