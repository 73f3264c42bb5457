"""Resolve a written place name to gazetteer entries, ranked.

Names are compared with ``inquest.text``: every name of every place is normalised
(``normalize(form="key")``) and reduced to its cross-script consonant skeleton once, when
the index is built. A query is split into its name, its kind words ("prison", "زندان",
"استان") and its qualifiers ("Gohardasht (Karaj)", "Evin, Tehran"); candidates come from
the exact key, the exact skeleton and the nearest skeletons (rapidfuzz), and each is
scored with ``name_similarity``. A kind word favours places of that kind; a qualifier that
names the place's city or province favours it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from inquest.errors import InputError
from inquest.places._model import Place, PlaceKind, PlaceMatch
from inquest.text import Script, detect_script, name_similarity, normalize, skeleton, strip_bidi

_QUALIFIER = re.compile(r"\(([^)]*)\)|\[([^\]]*)\]")
#: Order among equal scores: the specific sites first, then cities, then provinces.
_KIND_ORDER = {PlaceKind.PRISON: 0, PlaceKind.CEMETERY: 0, PlaceKind.CITY: 1, PlaceKind.PROVINCE: 2}
KIND_BONUS = 0.05
KIND_PENALTY = 0.85
QUALIFIER_BONUS = 0.05
VARIANT_FACTOR = 0.95
IMPLIED_KIND_FACTOR = 0.95
FUZZY_CANDIDATES = 30
FUZZY_CUTOFF = 60.0
SCORED_CANDIDATES = 40
MAX_NAME_LENGTH = 200
MAX_WORD_PROBES = 6


@dataclass(frozen=True)
class _Entry:
    place: int
    name: str
    key: str
    skeleton: str
    primary: bool
    #: The name carried kind words ("Ahvaz mass grave"), stripped from ``key``.
    implied: bool = False


@dataclass(frozen=True)
class Query:
    """A place name taken apart: its name words, kind words, qualifiers and warnings."""

    text: str
    core: str
    kinds: frozenset[PlaceKind]
    qualifiers: tuple[str, ...]
    warnings: tuple[str, ...]


def _squash(key: str) -> str:
    return skeleton(key).replace(" ", "")


class Gazetteer:
    """An index over places, built once; ``resolve`` ranks the places a name may mean."""

    def __init__(self, places: list[Place], kind_words: dict[str, PlaceKind]) -> None:
        self.places = places
        self.by_id = {p.id: p for p in places}
        self._kind_words = {normalize(w, "key"): k for w, k in kind_words.items()}
        self._entries: list[_Entry] = []
        self._by_key: dict[str, list[int]] = {}
        self._by_skeleton: dict[str, list[int]] = {}
        for index, place in enumerate(places):
            for name in place.names:
                full = normalize(name, "key")
                key = self._strip_kind_words(full)[0]
                if not key:
                    continue
                primary = name in (place.persian, place.latin)
                entry = _Entry(index, name, key, _squash(key), primary, key != full)
                self._by_key.setdefault(key, []).append(len(self._entries))
                self._by_skeleton.setdefault(entry.skeleton, []).append(len(self._entries))
                self._entries.append(entry)
        self._skeletons = list(self._by_skeleton)

    def _strip_kind_words(self, key: str) -> tuple[str, set[PlaceKind]]:
        words = key.split()
        kinds = {self._kind_words[w] for w in words if w in self._kind_words}
        kept = [w for w in words if w not in self._kind_words]
        return (" ".join(kept) if kept else key), kinds

    def parse_query(self, text: str) -> Query:
        """Split ``text`` into name, kind words and qualifiers; say what was dropped."""
        if not isinstance(text, str):
            raise InputError(f"a place name must be text, not {type(text).__name__}")
        if len(text) > MAX_NAME_LENGTH:
            raise InputError(
                f"{text[:40]!r}... is {len(text)} characters: too long to be a place name "
                f"(at most {MAX_NAME_LENGTH})"
            )
        warnings = []
        clean, removed = strip_bidi(text)
        if removed:
            warnings.append(f"removed {removed} bidi control character(s)")
        qualifiers = [a or b for a, b in _QUALIFIER.findall(clean)]
        main = _QUALIFIER.sub(" ", clean)
        if "," in main or "،" in main:
            main, *rest = re.split(r"[,،]", main)
            qualifiers.extend(rest)
        key = normalize(main, "key")
        digits = [w for w in key.split() if any(ch.isdigit() for ch in w)]
        if digits:
            warnings.append(f"ignored {' '.join(digits)!r}: digits are not part of a place name")
            key = " ".join(w for w in key.split() if w not in digits)
        if detect_script(main) is Script.MIXED:
            warnings.append("the name mixes scripts")
        core, kinds = self._strip_kind_words(key)
        if core in self._kind_words:  # only a kind word ("prison"): no name to look up
            core = ""
        quals = tuple(q.strip() for q in qualifiers if q.strip())
        return Query(text, core, frozenset(kinds), quals, tuple(warnings))

    def _near(self, probe: str) -> tuple[set[int], float]:
        """Entries whose skeleton is near ``probe``, and the best skeleton score."""
        found: set[int] = set(self._by_skeleton.get(probe, ()))
        top = 100.0 if found else 0.0
        for skel, score, _i in process.extract(
            probe, self._skeletons, scorer=fuzz.ratio, limit=FUZZY_CANDIDATES,
            score_cutoff=FUZZY_CUTOFF,
        ):  # fmt: skip
            found.update(self._by_skeleton[skel])
            top = max(top, score)
        return found, top

    def _candidates(self, core: str) -> list[int]:
        """Entries worth scoring: exact key, same or near skeleton; single words of a
        longer name only when the whole name finds nothing close."""
        found: set[int] = set(self._by_key.get(core, ()))
        probe = _squash(core)
        near, top = self._near(probe) if probe else (set(), 0.0)
        found |= near
        words = list(dict.fromkeys(w for w in core.split() if len(w) > 2))[:MAX_WORD_PROBES]
        if len(words) > 1 and top < 90 and not found & set(self._by_key.get(core, ())):
            for word in words:
                found |= self._near(_squash(word))[0]
        if len(found) <= SCORED_CANDIDATES:
            return list(found)
        keys = [self._entries[i].key for i in found]
        order = list(found)
        best = process.extract(core, keys, scorer=fuzz.WRatio, limit=SCORED_CANDIDATES)
        return [order[i] for _k, _s, i in best]

    def _qualifier_areas(self, qualifiers: tuple[str, ...]) -> set[str]:
        areas: set[str] = set()
        for qualifier in qualifiers:
            for match in self.resolve(qualifier, limit=3, min_score=0.85, _qualify=False):
                place = match.place
                areas.update(a for a in (place.province_1988, place.province_today) if a)
                if place.kind is PlaceKind.CITY:
                    areas.add(normalize(place.latin, "key"))
        return areas

    def resolve(
        self,
        name: str,
        kinds: set[PlaceKind] | frozenset[PlaceKind] | None = None,
        limit: int = 10,
        min_score: float = 0.7,
        *,
        _qualify: bool = True,
    ) -> list[PlaceMatch]:
        """Places ``name`` may mean, best first (at most ``limit``, score >= ``min_score``)."""
        query = self.parse_query(name)
        if not query.core:
            return []
        areas = self._qualifier_areas(query.qualifiers) if _qualify else set()
        best: dict[int, tuple[float, str]] = {}
        for entry_id in self._candidates(query.core):
            entry = self._entries[entry_id]
            place = self.places[entry.place]
            if kinds is not None and place.kind not in kinds:
                continue
            score = 1.0 if entry.key == query.core else name_similarity(query.core, entry.key)
            if not entry.primary:
                score *= VARIANT_FACTOR
            if entry.implied and not query.kinds:
                # "Ahvaz" matches "Ahvaz mass grave" only once "mass grave" is dropped: the
                # query did not name that kind, so the city of the same name goes first.
                score *= IMPLIED_KIND_FACTOR
            if query.kinds:
                score = (
                    min(1.0, score + KIND_BONUS)
                    if place.kind in query.kinds
                    else (score * KIND_PENALTY)
                )
            if areas and (
                {place.province_1988, place.province_today} & areas
                or normalize(place.city, "key") in areas
            ):
                score = min(1.0, score + QUALIFIER_BONUS)
            if score > best.get(entry.place, (-1.0, ""))[0]:
                best[entry.place] = (score, entry.name)
        ranked = sorted(
            ((s, n, self.places[i]) for i, (s, n) in best.items() if s >= min_score),
            key=lambda t: (-round(t[0], 6), _KIND_ORDER[t[2].kind], -(t[2].population or 0)),
        )
        return [
            PlaceMatch(
                place=p, score=round(s, 4), matched_name=n, query=name, warnings=query.warnings
            )
            for s, n, p in ranked[:limit]
        ]

    def resolve_one(
        self,
        name: str,
        kinds: set[PlaceKind] | frozenset[PlaceKind] | None = None,
        min_score: float = 0.9,
        margin: float = 0.05,
    ) -> PlaceMatch | None:
        """The one place ``name`` means, or None when no place or several places fit.

        The best match must score at least ``min_score`` and beat every other place by
        ``margin``, except that a city beats the province it is the capital of when both
        carry the name ("Tehran", "Kermanshah"): a list's place of birth names the city.
        """
        matches = self.resolve(name, kinds=kinds, limit=5, min_score=min_score - margin)
        if not matches or matches[0].score < min_score:
            return None
        best = matches[0]
        rivals = [m for m in matches[1:] if m.score > best.score - margin]
        if not rivals:
            return best
        city = next((m for m in matches if m.kind is PlaceKind.CITY), None)
        if city is not None and city.score >= best.score:
            capitals = {
                m.id
                for m in matches
                if m.kind is PlaceKind.PROVINCE
                and normalize(m.place.city, "key") == normalize(city.place.latin, "key")
            }
            if all(m.id in capitals for m in (best, *rivals) if m.id != city.id):
                return city
        return None
