"""The date vocabulary: month names and date words, loaded from ``inquest/data/dates/``.

``months.csv`` (calendar, month, language, spelling), with each script profile's own month
names (``inquest.text.profiles``; a month's language must be a profile's), and
``words.csv`` (kind, value, language, spelling) are validated when first used; a bad row
is reported with its file, row and field, and a spelling that folds to the same key as
another with a different meaning is an error, because the parser could not tell them apart.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib import resources

from inquest.dates._fold import word_key
from inquest.dates._model import Calendar, Part
from inquest.errors import InputErrors, InputProblem
from inquest.text.profiles import on_change, profiles

WORD_KINDS = frozenset(
    {
        "circa",
        "part",
        "season",
        "calendar",
        "decade",
        "decade_number",
        "filler",
        "age",
        "ordinal",
        "range",
        "between",
        "and",
        "decade_suffix",
        "unknown",
        "number",
    }
)
SEASONS = ("spring", "summer", "autumn", "winter")


@dataclass(frozen=True)
class Word:
    """One meaning of a folded word: ``kind`` ("month", "season", ...) and its value."""

    kind: str
    value: str = ""
    calendar: Calendar | None = None
    month: int = 0


def _read(name: str) -> tuple[str, list[dict[str, str]]]:
    path = resources.files("inquest").joinpath("data", "dates", name)
    lines = path.read_text(encoding="utf-8").splitlines()
    return str(path), list(csv.DictReader(lines))


def _month_rows() -> list[tuple[str, int, dict[str, str]]]:
    """``months.csv``'s rows, then each script profile's own month names, with where each is
    from (file or profile, and row number)."""
    path, rows = _read("months.csv")
    out = [(path, row_no, row) for row_no, row in enumerate(rows, start=1)]
    for name, profile in profiles().items():
        for row_no, m in enumerate(profile.months, start=1):
            row = {"calendar": m.calendar, "month": str(m.month), "language": m.language}
            out.append((f"script profile {name!r}", row_no, row | {"spelling": m.spelling}))
    return out


def _month_words(problems: list[InputProblem]) -> list[tuple[str, Word, str, int]]:
    languages = {lang for p in profiles().values() for lang in p.month_languages}
    languages |= {m.language for p in profiles().values() for m in p.months}
    out = []
    for path, row_no, row in _month_rows():
        if row.get("language") not in languages:
            problems.append(InputProblem("language of no script profile", path, row_no, "language"))
            continue
        try:
            calendar = Calendar(row.get("calendar") or "")
        except ValueError:
            problems.append(InputProblem("unknown calendar", path, row_no, "calendar"))
            continue
        month_text = row.get("month") or ""
        if not month_text.isdigit() or not 1 <= int(month_text) <= 12:
            problems.append(InputProblem("month must be 1..12", path, row_no, "month"))
            continue
        key = word_key(row.get("spelling") or "")
        if not key:
            problems.append(InputProblem("empty spelling", path, row_no, "spelling"))
            continue
        word = Word("month", calendar=calendar, month=int(month_text))
        out.append((key, word, path, row_no))
    return out


def _other_words(problems: list[InputProblem]) -> list[tuple[str, Word, str, int]]:
    path, rows = _read("words.csv")
    out = []
    for row_no, row in enumerate(rows, start=1):
        kind, value = row.get("kind") or "", row.get("value") or ""
        if kind not in WORD_KINDS:
            problems.append(InputProblem(f"unknown kind {kind!r}", path, row_no, "kind"))
            continue
        calendar = None
        valid = True
        if kind == "calendar":
            valid = value in {c.value for c in Calendar}
            calendar = Calendar(value) if valid else None
        elif kind == "part":
            valid = value in {p.value for p in Part}
        elif kind == "season":
            valid = value in SEASONS
        elif kind == "number":
            valid = value.isdigit() and 1 <= int(value) <= 31
        elif kind == "decade_number":
            valid = value.isdigit() and int(value) % 10 == 0 and 0 < int(value) < 100
        if not valid:
            problems.append(InputProblem(f"bad value {value!r} for {kind}", path, row_no, "value"))
            continue
        key = word_key(row.get("spelling") or "")
        if not key:
            problems.append(InputProblem("empty spelling", path, row_no, "spelling"))
            continue
        out.append((key, Word(kind, value, calendar), path, row_no))
    return out


@functools.cache
def vocabulary() -> dict[str, Word]:
    """Every folded spelling and its one meaning; raises ``InputErrors`` on bad data."""
    problems: list[InputProblem] = []
    entries = _month_words(problems) + _other_words(problems)
    table: dict[str, Word] = {}
    for key, word, path, row_no in entries:
        known = table.setdefault(key, word)
        if known != word:
            problems.append(
                InputProblem(
                    f"spelling folds to {key!r}, already meaning {known}", path, row_no, "spelling"
                )
            )
    if problems:
        raise InputErrors(problems)
    return table


def lookup(key: str) -> Word | None:
    """The meaning of a folded, letters-only word, or None."""
    return vocabulary().get(key)


@functools.cache
def month_names(calendar: Calendar, language: str) -> tuple[str, ...]:
    """The twelve months of ``calendar`` as written in ``language`` (a language of
    ``months.csv``: the first spelling of each month is the one shown); raises
    ``InputErrors`` if a month has no spelling in that language."""
    vocabulary()  # the table is valid before any name is shown
    path = _read("months.csv")[0]
    names: dict[int, str] = {}
    for _where, _row_no, row in _month_rows():
        if row["calendar"] == calendar.value and row["language"] == language:
            names.setdefault(int(row["month"]), row["spelling"].strip())
    missing = [m for m in range(1, 13) if m not in names]
    if missing:
        raise InputErrors(
            InputProblem(
                f"{calendar} month {m} has no {language!r} spelling", path, field="spelling"
            )
            for m in missing
        )
    return tuple(names[m] for m in range(1, 13))


for _cached in (vocabulary, month_names):
    on_change(_cached.cache_clear)
