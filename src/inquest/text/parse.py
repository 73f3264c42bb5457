"""Split a personal name into its parts: titles, particles, given, family, father.

The rules, in order: bidi controls are removed (and reported); the display form is taken;
a father's name introduced by a marker of ``data/names/father_markers.csv`` (``فرزند``,
``ولد``, ``بن``, ``son of``, ``s/o``, ``fils de``, ``ibn`` ...) goes to ``father``;
``Family, Given`` (one comma) is read in that order; affixes written apart join their word
(``حسین زاده``, ``Hossein Zadeh``, ``Abdol Hossein``); leading titles and particles
(``data/names/titles.csv``: سید, Haj, Mirza, Shahid, Dr, آیت الله ...) go to their own
fields, and trailing particles (Khan, Beg) too; of what is left, the last word is the family
name and the rest the given name (one word alone is a given name unless the lexicon knows it
only as a family name).

Nothing is dropped silently: digits, mixed scripts and removed controls are reported in
``warnings``, and ``original`` is kept byte for byte.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from inquest.text.lexicon import lexicon
from inquest.text.normalize import normalize
from inquest.text.profiles import on_change
from inquest.text.scripts import Script, detect_script, strip_bidi
from inquest.text.tables import affixes, father_markers, titles

__all__ = ["ParsedName", "parse_name"]


@dataclass(frozen=True)
class ParsedName:
    """A parsed name. Parts are in display form; ``tokens`` are the name's units."""

    original: str
    display: str = ""
    given: str | None = None
    family: str | None = None
    father: str | None = None
    titles: tuple[str, ...] = ()
    particles: tuple[str, ...] = ()
    tokens: tuple[str, ...] = ()
    script: Script = Script.NONE
    gender: str = "u"
    warnings: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        """The name proper (given and family), without titles, particles or father."""
        return " ".join(self.tokens)

    def to_dict(self) -> dict[str, Any]:
        """A plain dict (tuples as lists, the script as its value) for JSON or Arrow."""
        return {
            "original": self.original,
            "display": self.display,
            "given": self.given,
            "family": self.family,
            "father": self.father,
            "titles": list(self.titles),
            "particles": list(self.particles),
            "tokens": list(self.tokens),
            "script": self.script.value,
            "gender": self.gender,
            "warnings": list(self.warnings),
        }


_DIGIT_RE = re.compile(r"\d")
_WORD_RE = re.compile(r"[^\W_]")
_NUMBER_TOKEN_RE = re.compile(r"^[\d\W]+$")


@cache
def _father_re() -> tuple[re.Pattern[str], frozenset[str]]:
    """One pattern for every father marker, longest first; and the markers that may open."""
    markers = sorted(father_markers(), key=lambda m: -len(m.form))
    forms = [normalize(m.form) for m in markers]
    alternation = "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in forms)
    pattern = re.compile(
        rf"(?:^|(?<=[\s,(]))({alternation})\s*[:\-]?\s+([^,()]+)\)?", re.IGNORECASE
    )
    opening = frozenset(f.casefold() for f, m in zip(forms, markers, strict=True) if m.opens)
    return pattern, opening


def _find_father(body: str) -> re.Match[str] | None:
    """The first father marker followed by a name (a marker that cannot open needs one before)."""
    pattern, opening = _father_re()
    for m in pattern.finditer(body):
        marker = " ".join(m.group(1).split()).casefold()
        if marker in opening or _WORD_RE.search(body[: m.start()]):
            return m
    return None


@cache
def _title_starts() -> frozenset[str]:
    """The first word of every title or particle (a quick test before the full lookup)."""
    return frozenset(k[0] for k in _title_index()[0] if k)


@cache
def _title_index() -> tuple[dict[tuple[str, ...], str], frozenset[str], int]:
    index: dict[tuple[str, ...], str] = {}
    for t in titles():
        words = tuple(normalize(t.form, "key").split())
        index[words] = t.field
        joined = ("".join(words),)
        index.setdefault(joined, t.field)
    trailing = frozenset(
        normalize(t.form, "key")
        for t in titles()
        if t.form in ("خان", "khan", "بیگ", "beg", "beyg", "beig")
    )
    return index, trailing, max(len(k) for k in index)


@lru_cache(maxsize=65_536)
def token_key(token: str) -> str:
    """The key form of one display-form word (cached: words repeat across names)."""
    return normalize(token, "key")


@cache
def _affix_positions() -> dict[str, str]:
    return {a.form: a.position for a in affixes()}


def _units(tokens: list[str]) -> list[str]:
    """Join affixes written apart to their word, keeping the display spelling."""
    pos = _affix_positions()
    out: list[str] = []
    pending: str | None = None
    for tok in tokens:
        where = pos.get(token_key(tok))
        if pending is not None:
            tok = f"{pending} {tok}"
            pending = None
        if where == "prefix":
            pending = tok
        elif where == "suffix" and out:
            out[-1] = f"{out[-1]} {tok}"
        else:
            out.append(tok)
    if pending is not None:
        if out:
            out[-1] = f"{out[-1]} {pending}"
        else:
            out.append(pending)
    return out


def _strip_titles(units: list[str]) -> tuple[list[str], list[str], list[str]]:
    index, trailing, longest = _title_index()
    found_titles: list[str] = []
    found_particles: list[str] = []
    starts = _title_starts()
    i = 0
    while i < len(units) - 1:  # always leave at least one unit
        first = token_key(units[i]).split()
        if not first or first[0] not in starts:
            break
        for n in range(min(longest, len(units) - 1 - i), 0, -1):
            words = tuple(w for u in units[i : i + n] for w in token_key(u).split())
            kind = index.get(words)
            if kind is not None:
                (found_titles if kind == "title" else found_particles).append(
                    " ".join(units[i : i + n])
                )
                i += n
                break
        else:
            break
    rest = units[i:]
    while len(rest) > 1 and token_key(rest[-1]) in trailing:
        found_particles.append(rest.pop())
    return rest, found_titles, found_particles


def _comma_order(body: str) -> tuple[str, str | None]:
    """ "Family, Given" turned to "Given Family", and the given part (None without a comma)."""
    if body.count(",") == 1:
        fam, giv = (p.strip() for p in body.split(","))
        if fam and giv:
            return f"{giv} {fam}", giv
    return body, None


def _name_tokens(body: str, warnings: list[str]) -> list[str]:
    """The words of a name, without bare punctuation or numbers (noted in ``warnings``)."""
    tokens = [t for t in body.split() if _WORD_RE.search(t)]
    if _DIGIT_RE.search(body):
        numbers = [t for t in tokens if _NUMBER_TOKEN_RE.match(t)]
        if numbers:
            warnings.append(f"dropped number(s) from name: {' '.join(numbers)}")
            tokens = [t for t in tokens if not _NUMBER_TOKEN_RE.match(t)]
        if any(_DIGIT_RE.search(t) for t in tokens):
            warnings.append("digits inside a name word")
    return tokens


def _given_and_family(units: list[str], given_first: str | None) -> tuple[str | None, str | None]:
    """The given and family parts of a name's units; ``given_first``: the given part of a
    "Family, Given" name. One unit the lexicon knows only as a family name is the family."""
    if given_first is not None and len(units) >= 2:
        # the given part's units once its own titles are gone ("Family, Seyed Given")
        n_given = len(_strip_titles(_units(given_first.split()))[0])
        return " ".join(units[:n_given]) or None, " ".join(units[n_given:]) or None
    if len(units) == 1:
        entries = lexicon().entries_for(token_key(units[0]).replace(" ", ""))
        if entries and all(e.kind == "family" for e in entries):
            return None, units[0]
        return units[0], None
    if units:
        return " ".join(units[:-1]), units[-1]
    return None, None


def parse_name(s: str) -> ParsedName:
    """Parse a personal name; never raises on a ``str`` (problems go to ``warnings``)."""
    if not isinstance(s, str):
        raise TypeError(f"expected a str, got {type(s).__name__}")
    warnings: list[str] = []
    stripped, n_bidi = strip_bidi(s)
    if n_bidi:
        warnings.append(f"removed {n_bidi} bidi control character(s)")
    display = normalize(stripped)
    if not display:
        warnings.append("empty name")
        return ParsedName(original=s, warnings=tuple(warnings))
    script = detect_script(display)
    if script is Script.MIXED:
        warnings.append("mixed scripts in one name")
    elif script is Script.NONE:
        warnings.append("no letters in name")
    father: str | None = None
    body = display
    m = _find_father(body)
    if m:
        father = m.group(2).strip() or None
        body = (body[: m.start()] + " " + body[m.end() :]).strip(" ,(")
    body, given_first = _comma_order(body)
    tokens = _name_tokens(body.replace(",", " "), warnings)
    units, found_titles, found_particles = _strip_titles(_units(tokens))
    given, family = _given_and_family(units, given_first)
    return ParsedName(
        original=s,
        display=display,
        given=given,
        family=family,
        father=father,
        titles=tuple(found_titles),
        particles=tuple(found_particles),
        tokens=tuple(units),
        script=script,
        gender=_gender(given, found_particles),
        warnings=tuple(warnings),
    )


def _gender(given: str | None, particles: list[str]) -> str:
    for p in particles:
        if token_key(p) in ("سیده", "seyyedeh", "seyedeh", "sayyedeh"):
            return "f"
    if not given:
        return "u"
    first = token_key(given.split()[0])
    genders = {e.gender for e in lexicon().entries_for(first) if e.kind in ("given", "both")}
    return genders.pop() if len(genders) == 1 else "u"


for _cached in (_father_re, _title_starts, _title_index, token_key, _affix_positions):
    on_change(_cached.cache_clear)
