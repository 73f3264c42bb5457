"""Which standard column each column of a list probably is: header sniffing and mapping
suggestions, each with a confidence and the reason for it.

A header is read in three ways, the surest first: the column's own name (``full_name``), a
known header of it (``data/lists/header_aliases.yaml``, ``aliases``: "Name of victim",
«نام پدر», "Nom du père"), or its words (``words``: "Date executed" holds *executed*, a word
of ``death_date``), compared in the name-key form of :func:`inquest.text.normalize` so that
case, accents, punctuation and Persian/Arabic letter variants do not matter. A column whose
header says nothing is guessed from its sample values: dates (``inquest.dates``), ages, sex
codes, prisons and cemeteries of the gazetteer, names, or record ids. Each standard column is
suggested for one column at most, the surest first. The command line and the workbench show
these suggestions; nothing here reads or writes a list.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

import yaml

from inquest.dates import parse_age, parse_date
from inquest.errors import ConfigError, InputError
from inquest.io.schema import ListSchema, header_aliases, header_key, standard_schema
from inquest.text import normalize, strip_bidi

__all__ = ["MIN_CONFIDENCE", "Basis", "Looks", "Suggestion", "header_words", "suggest_mapping"]

_ALIASES = Path(__file__).resolve().parent.parent / "data" / "lists" / "header_aliases.yaml"
#: A header longer than this is no column name anyone typed: it is not read for words.
MAX_HEADER_CHARS = 200
#: Share of a column's sample values that must look alike for a guess from values.
_SHARE = 0.8
_SPLIT = re.compile(r"[\W_]+")


class Basis(StrEnum):
    """What a suggestion rests on, surest first."""

    STANDARD = "standard"
    """The header is the column's own name."""
    ALIAS = "alias"
    """The header is a known header of the column."""
    WORDS = "words"
    """Words of the header are words of the column."""
    VALUES = "values"
    """The column's sample values look like the column's."""


class Looks(StrEnum):
    """What a column's sample values look like (for a suggestion from values)."""

    DATES = "dates"
    AGES = "ages"
    SEX = "sex"
    PRISONS = "prisons"
    CEMETERIES = "cemeteries"
    NAMES = "names"
    IDS = "ids"


@dataclass(frozen=True)
class Suggestion:
    """The standard column suggested for the header at ``position`` (None: none), how sure
    (0 to 1), on what basis, and the evidence: the header's words that matched, or how many
    of the sample values looked like ``looks``."""

    position: int
    header: str
    column: str | None
    confidence: float = 0.0
    basis: Basis | None = None
    words: tuple[str, ...] = ()
    looks: Looks | None = None
    matched: int = 0
    seen: int = 0

    @property
    def reason(self) -> str:
        """The evidence in a sentence (English; the workbench words it in its languages)."""
        if self.column is None or self.basis is None:
            return "no suggestion"
        if self.basis is Basis.STANDARD:
            return f"the header is the column name {self.column}"
        if self.basis is Basis.ALIAS:
            return f"a known header of {self.column}"
        if self.basis is Basis.WORDS:
            return f"the header's words {', '.join(self.words)} suggest {self.column}"
        return f"{self.matched} of {self.seen} sample values look like {self.looks}"


@dataclass(frozen=True)
class _Vocabulary:
    groups: Mapping[str, tuple[tuple[str, ...], ...]]
    weak: frozenset[str]
    ignore: frozenset[str]
    elsewhere: frozenset[str]
    places: frozenset[str]


def _word(text: str) -> str:
    return " ".join(header_words(text, ignore=frozenset()))


@cache
def _vocabulary() -> _Vocabulary:
    path = str(_ALIASES)
    doc = yaml.safe_load(_ALIASES.read_text(encoding="utf-8"))
    schema = standard_schema()
    words = doc.get("words") if isinstance(doc, dict) else None
    if not isinstance(words, dict):
        raise ConfigError("missing mapping", path=path, key="words")
    groups: dict[str, tuple[tuple[str, ...], ...]] = {}
    for column, entries in words.items():
        key = f"words.{column}"
        if column not in schema.names:
            raise ConfigError(f"{column!r} is not a standard column", path=path, key=key)
        if not isinstance(entries, list) or not all(
            isinstance(g, list) and g and all(isinstance(w, str) for w in g) for g in entries
        ):
            raise ConfigError("must be a list of lists of words", path=path, key=key)
        groups[column] = tuple(tuple(_word(w) for w in g) for g in entries)
    lists = {}
    for name in ("weak", "ignore", "elsewhere", "places"):
        value = doc.get(name, [])
        if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
            raise ConfigError("must be a list of words", path=path, key=name)
        lists[name] = frozenset(_word(w) for w in value)
    return _Vocabulary(groups, lists["weak"], lists["ignore"], lists["elsewhere"], lists["places"])


def header_words(header: str, *, ignore: frozenset[str] | None = None) -> tuple[str, ...]:
    """The words of a header in name-key form, without words that say nothing ("of", "the")
    and with a possessive or plural "s" dropped where the word without it is known."""
    if ignore is None:
        ignore = _vocabulary().ignore
    text, _ = strip_bidi(header[:MAX_HEADER_CHARS])
    key = normalize(_SPLIT.sub(" ", text.replace("\u200c", " ")), "key")
    return tuple(w for w in _SPLIT.split(key) if w and w not in ignore)


def _from_words(words: Sequence[str]) -> tuple[str, float, tuple[str, ...]] | None:
    """The column the words suggest most strongly, its strength and the words that matched."""
    vocab = _vocabulary()
    have = set(words)
    have |= {w[:-1] for w in words if len(w) > 3 and w.endswith("s")}
    best: tuple[str, float, tuple[str, ...]] | None = None
    tied = False
    for column, groups in vocab.groups.items():
        for group in groups:
            if not set(group) <= have:
                continue
            strength = sum(0.5 if w in vocab.weak else 1.0 for w in group)
            if best is None or strength > best[1]:
                best, tied = (column, strength, group), False
            elif strength == best[1] and column != best[0]:
                tied = True
    if best is None:
        return None
    column, strength, group = best
    if column.endswith("_date") and have & vocab.places:
        return None  # "Place of execution" is a place, and no standard column
    # Two columns equally likely: the first listed is kept (the data file lists the
    # specific ones, the father's name, before the general), but less surely.
    return column, strength * (0.7 if tied else 1.0), group


def _confidence_from_words(strength: float) -> float:
    return round(min(0.85, 0.35 + 0.25 * strength), 2)


def _values(sample: Sequence[str | None]) -> list[str]:
    return [v for v in (s.strip() if s else "" for s in sample) if v]


def _share(values: Sequence[str], test: Callable[[str], bool]) -> int:
    n = 0
    for v in values:
        try:
            if test(v):
                n += 1
        except (InputError, ValueError, OverflowError):
            continue
    return n


def _is_age(v: str) -> bool:
    age = parse_age(v)
    return age.maximum <= 120 and not re.search(r"\d{3,}|[/\-.]\d", v)


def _date_year(v: str) -> float | None:
    try:
        interval = parse_date(v)
    except (InputError, ValueError, OverflowError):
        return None
    return (interval.earliest.toordinal() + interval.latest.toordinal()) / 2 / 365.25


def _sex(v: str) -> bool:
    from inquest.linkage.values import ValueKind, prepared_value

    return prepared_value(ValueKind.CODE, v) in {"m", "f"}


@cache
def _place_keys() -> Mapping[str, frozenset[str]]:
    """The name keys of the gazetteer's prisons and cemeteries, by kind (exact names only:
    fuzzy resolution of every sampled value would cost seconds)."""
    from inquest.places import PlaceKind, gazetteer

    g = gazetteer()
    keys: dict[str, set[str]] = {PlaceKind.PRISON.value: set(), PlaceKind.CEMETERY.value: set()}
    for place in g.places:
        if place.kind.value in keys:
            keys[place.kind.value].update(g.parse_query(n).core for n in place.names)
    return {kind: frozenset(k for k in found if k) for kind, found in keys.items()}


def _place(kind: str) -> Callable[[str], bool]:
    from inquest.places import PlaceKind, gazetteer

    known = _place_keys()[kind]
    said = PlaceKind(kind)

    def test(v: str) -> bool:
        query = gazetteer().parse_query(v)
        return query.core in known or said in query.kinds

    return test


_NAME = re.compile(r"^[^\W\d_]+(?:[\s\u200c'’.-]+[^\W\d_]+)*$")


def _is_name(v: str) -> bool:
    return len(v) <= 80 and _NAME.match(v) is not None


def _looks(sample: Sequence[str | None]) -> tuple[Looks, int, int, float] | None:
    """What most of the sample values look like, how many of how many, and (for dates)
    their mean year; None when they are too few or look like nothing in particular."""
    values = _values(sample)
    n = len(values)
    if n < 2:
        return None
    need = max(2, int(n * _SHARE + 0.999))
    distinct = len(set(values))
    if (
        distinct == n
        and n >= 3
        and all(re.fullmatch(r"[A-Za-z]{0,4}[-_]?\d{1,12}", v) for v in values)
    ):
        numbers = [int(re.sub(r"\D", "", v)) for v in values]
        if sorted(numbers) == list(range(min(numbers), min(numbers) + n)) or any(
            not v.isdigit() for v in values
        ):
            return Looks.IDS, n, n, 0.0
    checks: list[tuple[Looks, Callable[[str], bool]]] = [
        (Looks.SEX, _sex),
        (Looks.AGES, _is_age),
    ]
    for looks, test in checks:
        hits = _share(values, test)
        if hits >= need:
            return looks, hits, n, 0.0
    years = [y for y in map(_date_year, values) if y is not None]
    if len(years) >= need:
        return Looks.DATES, len(years), n, statistics.fmean(years)
    for looks, kind in ((Looks.PRISONS, "prison"), (Looks.CEMETERIES, "cemetery")):
        try:
            test = _place(kind)
        except ImportError:  # an installation without the gazetteer
            break
        hits = _share(values, test)
        if hits >= need:
            return looks, hits, n, 0.0
    hits = _share(values, _is_name)
    if hits >= need and statistics.fmean(len(v.split()) for v in values) >= 1.5:
        return Looks.NAMES, hits, n, 0.0
    return None


#: The column values of each look suggest, and how surely when all the sample looks so.
_FROM_VALUES = {
    Looks.IDS: ("record_id", 0.55),
    Looks.SEX: ("sex", 0.7),
    Looks.AGES: ("age", 0.6),
    Looks.PRISONS: ("prison", 0.65),
    Looks.CEMETERIES: ("burial_place", 0.65),
    Looks.NAMES: ("full_name", 0.55),
    Looks.DATES: ("death_date", 0.55),
}
#: Suggestions less sure than this are not made (a lone general word: "Date", "Place").
MIN_CONFIDENCE = 0.5


def _candidates(
    position: int, header: str, sample: Sequence[str | None], schema: ListSchema
) -> list[Suggestion]:
    """Every column the header or its values suggest, surest first."""
    h = header.strip()
    out: list[Suggestion] = []
    words = header_words(h)
    if h in schema.names:
        out.append(Suggestion(position, header, h, 1.0, Basis.STANDARD))
    alias = header_aliases().get(header_key(h)) if h else None
    if alias is not None:
        out.append(Suggestion(position, header, alias, 0.95, Basis.ALIAS))
    if set(words) & _vocabulary().elsewhere and not out:
        return out  # a column the standard format does not have: "Date of arrest"
    found = _from_words(words) if words else None
    if found is not None:
        column, strength, group = found
        out.append(
            Suggestion(
                position, header, column, _confidence_from_words(strength), Basis.WORDS, group
            )
        )
    looks = _looks(sample) if sample else None
    if looks is not None:
        kind, hits, n, _ = looks
        column, confidence = _FROM_VALUES[kind]
        if kind is Looks.DATES and found is not None and found[0] in ("birth_date", "death_date"):
            column = found[0]
        # Values that agree with the header make the header's suggestion surer.
        for i, s in enumerate(out):
            if s.column == column and s.basis is Basis.WORDS:
                out[i] = Suggestion(
                    s.position,
                    s.header,
                    s.column,
                    round(min(0.9, s.confidence + 0.1), 2),
                    s.basis,
                    s.words,
                    kind,
                    hits,
                    n,
                )
        out.append(
            Suggestion(
                position,
                header,
                column,
                round(confidence - 0.1 * (1 - hits / n), 2),
                Basis.VALUES,
                looks=kind,
                matched=hits,
                seen=n,
            )
        )
    return sorted(out, key=lambda s: -s.confidence)


def _birth_or_death(cands: list[list[Suggestion]], samples: Sequence[Sequence[str | None]]) -> None:
    """Of two columns whose values alone say they are dates of death, the one at least ten
    years earlier is the birth date (when no header claims the birth date)."""
    if any(s.column == "birth_date" for c in cands for s in c):
        return
    guessed = {
        i: s
        for i, c in enumerate(cands)
        for s in c
        if s.basis is Basis.VALUES and s.looks is Looks.DATES and s.column == "death_date"
    }
    if len(guessed) != 2:
        return
    years = {}
    for i in guessed:
        found = _looks(samples[i])
        years[i] = found[3] if found is not None else 0.0
    first, second = sorted(guessed, key=lambda i: years[i])
    if years[second] - years[first] >= 10:
        s = guessed[first]
        cands[first] = [
            Suggestion(
                s.position,
                s.header,
                "birth_date",
                s.confidence,
                s.basis,
                looks=s.looks,
                matched=s.matched,
                seen=s.seen,
            )
            if c is s
            else c
            for c in cands[first]
        ]


def suggest_mapping(
    headers: Sequence[str],
    samples: Sequence[Sequence[str | None]] | None = None,
    *,
    schema: ListSchema | None = None,
) -> tuple[Suggestion, ...]:
    """A suggestion for each header, in header order (``column`` None: leave it out).

    ``samples`` holds each column's first values, in header order (``ListSample.values``);
    without them only the headers are read. Each standard column goes to one header at
    most: the surest suggestion first, so a header that loses its best column may take its
    next best.
    """
    schema = schema or standard_schema()
    samples = samples or [()] * len(headers)
    cands = [
        _candidates(i, h, samples[i] if i < len(samples) else (), schema)
        for i, h in enumerate(headers)
    ]
    _birth_or_death(cands, samples)
    queue = sorted((s for c in cands for s in c), key=lambda s: (-s.confidence, s.position))
    chosen: dict[int, Suggestion] = {}
    taken: set[str] = set()
    for s in queue:
        if (
            s.position in chosen
            or s.column in taken
            or s.column is None
            or s.confidence < MIN_CONFIDENCE
        ):
            continue
        chosen[s.position] = s
        taken.add(s.column)
    return tuple(chosen.get(i, Suggestion(i, h, None)) for i, h in enumerate(headers))
