"""How alike two personal names are, in [0, 1], within and across scripts.

Word against word
    Both words are encoded as sound symbols (:mod:`inquest.text.phonetic`) and compared by
    a class-aware edit distance: letters of one sound class match (ص/س and s), written long
    vowels (ا و ی) must meet a Latin vowel of their colour, unwritten short vowels are free.
    The score is ``1 - cost / mass`` where ``mass`` is what it would cost to write the
    longer word from nothing. Two Latin words are scored instead by the mean of
    Jaro-Winkler and the normalised OSA (Damerau) edit similarity: in Latin-only data typing
    errors dominate, and free short vowels would make Jon = Jan. With ``romanised=True``
    (both lists romanised from Persian) two Latin words use the sound rules too.
The lexicon overrides the rules
    When both words are in the variant lexicon (``data/names/lexicon.csv``) and share an
    entry (``یوسف`` and ``Joseph``), the score is 1. When both are known but as different
    names (``محمد`` and ``Mahmoud``, ``Hasan`` and ``Hossein``), the rule score is halved,
    unless one is a clean part of the other.
Compound parts
    When the shorter word matches the start or end of the longer one and both the part and
    the rest have about two consonants (``محمدرضا`` and ``Mohammad``), the pair scores
    0.75 times the part's match.
Other scripts
    Words with letters the grapheme table does not know (Cyrillic ...) are compared as plain
    text, like two Latin words.
Name against name
    Both names are parsed (:func:`inquest.text.parse_name`); titles, particles and the
    father's name are set aside. Words are paired one to one to maximise the total score
    (order does not matter), also trying, on the side with more words, two neighbouring
    words joined (``Mohammad Reza`` = ``محمدرضا``). The score is the mean over pairs,
    times 0.93 for each word left without a partner (a middle name on one side only), or
    0.85 when only one word could be paired at all (``Niloofar`` against ``نیلوفر بیضایی``).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
from rapidfuzz.distance import OSA, JaroWinkler

from inquest.text._kernels import edit_cost, prefix_cost
from inquest.text.lexicon import lexicon
from inquest.text.normalize import normalize
from inquest.text.parse import ParsedName, parse_name, token_key
from inquest.text.phonetic import OTHER, Symbol, alphabet, encode
from inquest.text.profiles import on_change, profiles

__all__ = ["NameComparison", "WordPair", "compare_names", "name_similarity", "word_similarity"]

UNMATCHED_FACTOR = 0.93
SINGLE_MATCH_FACTOR = 0.85  # per unpaired word when only one word could be paired
PART_FACTOR = 0.75  # one word is a part of the other's compound (محمدرضا vs Mohammad)
_MIN_PART_MASS = 1.8  # both the part and the rest need about two consonants
KNOWN_DIFFERENT_FACTOR = 0.5
_MAX_EXACT = 6  # names with more words are paired greedily


@dataclass(frozen=True)
class WordPair:
    """Two words paired by the name comparison, their score and why."""

    a: str
    b: str
    score: float
    reason: str


@dataclass(frozen=True)
class NameComparison:
    """The full explanation of a name comparison."""

    a: ParsedName
    b: ParsedName
    score: float
    pairs: tuple[WordPair, ...]
    unmatched: tuple[str, ...]


@dataclass(frozen=True)
class _Encoded:
    symbols: np.ndarray  # type: ignore[type-arg]
    reversed: np.ndarray  # type: ignore[type-arg]
    mass: float
    unknown: bool  # has letters the grapheme table does not know (another script)


@lru_cache(maxsize=200_000)
def _encoded(word: str) -> _Encoded:
    ab = alphabet()
    sym = encode(word)
    unknown = bool((sym == ab.index[Symbol(OTHER, text="?")]).any())
    return _Encoded(sym, sym[::-1].copy(), float(ab.indel[sym].sum()), unknown)


def _rule_score(x: str, y: str) -> float:
    ab = alphabet()
    ex, ey = _encoded(x), _encoded(y)
    mass = max(ex.mass, ey.mass, 1.0)
    cost = float(edit_cost(ex.symbols, ey.symbols, ab.sub, ab.indel))
    return max(0.0, 1.0 - cost / mass)


def _part_score(x: str, y: str) -> float:
    """How well the shorter word matches the start or end of the longer (a compound part).

    Counts only when both the part and the rest of the compound have about two consonants
    (so Hosseini vs حسین, a mere suffix ی, is not a part match). Scaled by ``PART_FACTOR``.
    """
    ex, ey = _encoded(x), _encoded(y)
    if ex.unknown or ey.unknown:
        return 0.0
    if ex.mass > ey.mass:
        ex, ey = ey, ex
    if ex.mass < _MIN_PART_MASS or ey.mass - ex.mass < _MIN_PART_MASS:
        return 0.0
    ab = alphabet()
    best = 0.0
    for a, b in ((ex.symbols, ey.symbols), (ex.reversed, ey.reversed)):
        cost, rest = prefix_cost(a, b, ab.sub, ab.indel)
        if rest >= _MIN_PART_MASS:
            best = max(best, 1.0 - cost / ex.mass)
    return PART_FACTOR * best


@cache
def _typed_patterns() -> tuple[re.Pattern[str], ...]:
    """Per profile with ``typed`` characters, a pattern of a word made only of them."""
    return tuple(re.compile(f"[{p.typed}]*") for p in profiles().values() if p.typed)


def _typed_pair(x: str, y: str) -> bool:
    """Both words typed in one script's ``typed`` characters (Latin: ASCII)."""
    return any(p.fullmatch(x) and p.fullmatch(y) for p in _typed_patterns())


@lru_cache(maxsize=500_000)
def _word_pair(x: str, y: str, romanised: bool = False) -> tuple[float, str]:
    if x == y:
        return 1.0, "identical"
    if not x or not y:
        return 0.0, "empty"
    lex = lexicon()
    ex, ey = lex.entries_for(x), lex.entries_for(y)
    if ex and ey and set(ex) & set(ey):
        return 1.0, "lexicon: same name"
    typed_pair = not romanised and _typed_pair(x, y)
    if typed_pair or _encoded(x).unknown or _encoded(y).unknown:
        # Two Latin words: typing errors dominate, and free short vowels would let
        # Jon = Jan; character measures rank these better (FEBRL benchmark). Words in a
        # script the sound tables do not know are compared as plain text.
        rule = 0.5 * float(JaroWinkler.similarity(x, y)) + 0.5 * float(
            OSA.normalized_similarity(x, y)
        )
        reason = "Jaro-Winkler + OSA edit distance (plain text)"
    else:
        rule = _rule_score(x, y)
        reason = "sound rules"
    part = _part_score(x, y)
    if ex and ey:
        # Known as different names, unless one is a clean part of the other (علی, علیرضا).
        if part >= 0.9 * PART_FACTOR:
            return part, "part of a compound"
        return rule * KNOWN_DIFFERENT_FACTOR, "lexicon: different names"
    if part > rule:
        return part, "part of a compound"
    return rule, reason


def word_similarity(a: str, b: str, *, romanised: bool = False) -> float:
    """Similarity of two single name words (any script), in [0, 1]; symmetric.

    ``romanised=True`` scores two Latin words by the sound rules (for lists romanised from
    Persian) instead of Jaro-Winkler + OSA (for typing errors); see the module docstring.
    """
    x, y = normalize(a, "key").replace(" ", ""), normalize(b, "key").replace(" ", "")
    if y < x:
        x, y = y, x
    return _word_pair(x, y, romanised)[0]


def _pair(x: str, y: str, romanised: bool) -> tuple[float, str]:
    return _word_pair(x, y, romanised) if x <= y else _word_pair(y, x, romanised)


@lru_cache(maxsize=100_000)
def _parsed(s: str) -> ParsedName:
    return parse_name(s)


def _words(p: ParsedName) -> list[str]:
    return [k for k in (token_key(unit).replace(" ", "") for unit in p.tokens) if k]


@lru_cache(maxsize=100_000)
def _words_of(s: str) -> tuple[str, ...]:
    return tuple(_words(_parsed(s)))


def _variants(words: list[str]) -> list[list[str]]:
    """The words as given, then with each pair of neighbours joined."""
    out = [words]
    for i in range(len(words) - 1):
        out.append([*words[:i], words[i] + words[i + 1], *words[i + 2 :]])
    return out


def _best_pairing(
    wa: list[str], wb: list[str], romanised: bool
) -> tuple[float, list[tuple[int, int]], dict[tuple[int, int], tuple[float, str]]]:
    scores = {(i, j): _pair(x, y, romanised) for i, x in enumerate(wa) for j, y in enumerate(wb)}
    short, long_ = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    flip = len(wa) > len(wb)

    def score_of(i: int, j: int) -> float:
        return scores[(j, i) if flip else (i, j)][0]

    best_total, best_pairs = -1.0, []
    if len(long_) <= _MAX_EXACT:
        for perm in itertools.permutations(range(len(long_)), len(short)):
            total = sum(score_of(i, j) for i, j in enumerate(perm))
            if total > best_total:
                best_total, best_pairs = total, list(enumerate(perm))
    else:  # greedy: best remaining pair first
        cand = sorted(
            ((score_of(i, j), i, j) for i in range(len(short)) for j in range(len(long_))),
            reverse=True,
        )
        used_i: set[int] = set()
        used_j: set[int] = set()
        best_total = 0.0
        for s, i, j in cand:
            if i not in used_i and j not in used_j:
                used_i.add(i)
                used_j.add(j)
                best_pairs.append((i, j))
                best_total += s
    pairs = [(j, i) if flip else (i, j) for i, j in best_pairs]
    return best_total, pairs, scores


def _compare_words(
    wa: list[str], wb: list[str], romanised: bool
) -> tuple[float, list[WordPair], list[str]]:
    best: tuple[float, list[WordPair], list[str]] = (0.0, [], [*wa, *wb])
    # A compound split on one side only adds a word there: join neighbours on the longer side.
    options = [(wa, wb)]
    if len(wa) > len(wb):
        options += [(va, wb) for va in _variants(wa)[1:]]
    elif len(wb) > len(wa):
        options += [(wa, vb) for vb in _variants(wb)[1:]]
    for va, vb in options:
        total, pairs, scores = _best_pairing(va, vb, romanised)
        k = len(pairs)
        if k == 0:
            continue
        unmatched_n = abs(len(va) - len(vb))
        factor = SINGLE_MATCH_FACTOR if k == 1 else UNMATCHED_FACTOR
        score = total / k * factor**unmatched_n
        if score > best[0]:
            matched_a = {i for i, _ in pairs}
            matched_b = {j for _, j in pairs}
            unmatched = [w for i, w in enumerate(va) if i not in matched_a] + [
                w for j, w in enumerate(vb) if j not in matched_b
            ]
            word_pairs = [
                WordPair(va[i], vb[j], scores[(i, j)][0], scores[(i, j)][1]) for i, j in pairs
            ]
            best = (score, word_pairs, unmatched)
    return best


def compare_names(a: str, b: str, *, romanised: bool = False) -> NameComparison:
    """Compare two full names and explain the score (pairs of words and their reasons)."""
    if not isinstance(a, str) or not isinstance(b, str):
        raise TypeError(f"expected two str, got {type(a).__name__} and {type(b).__name__}")
    pa, pb = _parsed(a), _parsed(b)
    wa, wb = list(_words_of(a)), list(_words_of(b))
    if not wa or not wb:
        same = bool(wa) is False and bool(wb) is False and a == b and a.strip() != ""
        return NameComparison(pa, pb, 1.0 if same else 0.0, (), tuple(wa + wb))
    if wa == wb:
        ident = tuple(WordPair(w, w, 1.0, "identical") for w in wa)
        return NameComparison(pa, pb, 1.0, ident, ())
    # Joined neighbours are tried on either side, and word pairs are scored in a fixed
    # order, so the result does not depend on which name comes first.
    score, pairs, unmatched = _compare_words(wa, wb, romanised)
    return NameComparison(pa, pb, min(1.0, max(0.0, score)), tuple(pairs), tuple(unmatched))


def name_similarity(a: str, b: str, *, romanised: bool = False) -> float:
    """Similarity of two personal names in [0, 1] (see the module docstring); symmetric.

    Set ``romanised=True`` when both lists were romanised from Persian (or another
    Arabic-script language): two Latin words are then scored by the sound rules, which rank
    transliteration variants better; the default ranks typing errors better.
    """
    return compare_names(a, b, romanised=romanised).score


for _cached in (_encoded, _word_pair, _typed_patterns, _parsed, _words_of):
    on_change(_cached.cache_clear)
