"""The curated variant lexicon of name parts (``data/names/lexicon.csv``).

One row per Persian form: ``persian`` (the Persian spelling), ``latin`` (a canonical Latin
spelling), ``variants`` (other Latin spellings, ``|``-separated), ``gender`` (m/f/u),
``kind`` (given/family/both/affix/title) and a free ``note``. Forms are looked up in
``key`` form (:func:`inquest.text.normalize`), so ``آرش`` and ``ارش``, ``Mohammad`` and
``MOHAMMAD`` are one entry. Where the lexicon knows both sides of a comparison it overrides
the spelling rules (see :mod:`inquest.text.similarity`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from inquest.errors import InputErrors, InputProblem
from inquest.text.normalize import normalize
from inquest.text.profiles import on_change
from inquest.text.tables import read_rows

__all__ = ["Lexicon", "LexiconEntry", "lexicon", "load_lexicon"]

GENDERS = ("m", "f", "u")
KINDS = ("given", "family", "both", "affix", "title")
_COLUMNS = ("persian", "latin", "variants", "gender", "kind", "note")


@dataclass(frozen=True)
class LexiconEntry:
    """One name part and its Latin spellings (all in key form)."""

    persian: str
    latin: str
    variants: frozenset[str]
    gender: str
    kind: str
    note: str

    @property
    def spellings(self) -> frozenset[str]:
        """The canonical Latin spelling and every variant, in key form."""
        return self.variants | {self.latin}


@dataclass(frozen=True)
class Lexicon:
    """Entries indexed by Persian key and by Latin key (a Latin spelling may be shared)."""

    entries: tuple[LexiconEntry, ...]
    by_persian: dict[str, LexiconEntry]
    by_latin: dict[str, tuple[LexiconEntry, ...]]

    def __len__(self) -> int:
        return len(self.entries)

    def entries_for(self, key: str) -> tuple[LexiconEntry, ...]:
        """Every entry a key-form token belongs to (Persian or Latin); empty if unknown."""
        hit = self.by_persian.get(key)
        if hit is not None:
            return (hit,)
        return self.by_latin.get(key, ())


def _check(row: dict[str, str]) -> list[tuple[str, str]]:
    out = []
    if not row["persian"]:
        out.append(("persian", "empty"))
    if not row["latin"]:
        out.append(("latin", "empty"))
    if row["gender"] not in GENDERS:
        out.append(("gender", f"must be one of {GENDERS}, not {row['gender']!r}"))
    if row["kind"] not in KINDS:
        out.append(("kind", f"must be one of {KINDS}, not {row['kind']!r}"))
    for v in row["variants"].split("|") if row["variants"] else []:
        if not v.strip():
            out.append(("variants", "empty variant (doubled or trailing '|')"))
    return out


def load_lexicon(path: Path) -> Lexicon:
    """Load and validate a lexicon CSV; a repeated Persian form is an error naming both rows."""
    rows, problems = read_rows(path, _COLUMNS, _check)
    entries: list[LexiconEntry] = []
    by_persian: dict[str, LexiconEntry] = {}
    first_row: dict[str, int] = {}
    by_latin: dict[str, list[LexiconEntry]] = {}
    for i, r in enumerate(rows, start=1):
        persian = normalize(r["persian"], "key")
        latin = normalize(r["latin"], "key")
        variants = frozenset(normalize(v, "key") for v in r["variants"].split("|") if v.strip()) - {
            latin
        }
        if persian in by_persian:
            problems.append(
                InputProblem(
                    f"repeats the Persian form of row {first_row[persian]}",
                    path=str(path),
                    row=i,
                    field="persian",
                )
            )
            continue
        entry = LexiconEntry(persian, latin, variants, r["gender"], r["kind"], r["note"])
        entries.append(entry)
        by_persian[persian] = entry
        first_row[persian] = i
        for s in entry.spellings:
            by_latin.setdefault(s, []).append(entry)
    if problems:
        raise InputErrors(problems)
    return Lexicon(tuple(entries), by_persian, {k: tuple(v) for k, v in by_latin.items()})


@cache
def lexicon() -> Lexicon:
    """The packaged lexicon (loaded once)."""
    return load_lexicon(Path(__file__).resolve().parent.parent / "data" / "names" / "lexicon.csv")


on_change(lexicon.cache_clear)
