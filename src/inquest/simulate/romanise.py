"""inquest.simulate's own Persian -> Latin romanisation, with the variants real lists show.

Deliberately independent of ``inquest.text``: a linker must not be validated against its own
tables. Names are stored in a canonical notation (``data/simulate/romanisation.yaml`` says
which); a :class:`Romaniser` cuts a canonical form into tokens once, and renders it in a
scheme (``english`` or ``french``) with one spelling choice per rule, so that a source can
spell *Mohammad* as *Muhammad*, *Mohamad* or *Mohammad* at its own variation rate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import yaml

from inquest.errors import ConfigError

__all__ = ["SCHEMES", "Romaniser", "capitalise", "load_romaniser"]

SCHEMES: tuple[str, ...] = ("english", "french")
_MAX_CHOICES = 4  # spellings per rule; choice codes are packed base-4
_MAX_RULES = 20  # 2 bits each: a code fits in 40 bits beside a name index
_RULES_FILE = "romanisation.yaml"


@dataclass(frozen=True)
class _Rule:
    name: str
    match: str
    spellings: dict[str, tuple[str, ...]]


def capitalise(text: str) -> str:
    """Capitalise the first letter of each word (words split on spaces and hyphens)."""
    out = []
    start = True
    for ch in text:
        if start and ch.isalpha():
            out.append(ch.upper())
            start = False
        else:
            out.append(ch)
            if ch in " -":
                start = True
    return "".join(out)


class Romaniser:
    """Renders canonical name forms in a scheme, with per-rule spelling choices.

    A *choice code* packs one spelling index per rule (base 4, rule order as in the data
    file); 0 everywhere is the scheme's default spelling.
    """

    def __init__(self, rules: list[_Rule]) -> None:
        self.rules = rules
        self.rule_names = tuple(r.name for r in rules)
        self._pattern = _pattern(rules)
        self._tokens: dict[str, tuple[tuple[int, str], ...]] = {}
        self._rendered: dict[tuple[str, str, int], str] = {}

    def tokens(self, canonical: str) -> tuple[tuple[int, str], ...]:
        """Cut a canonical form into (rule index or -1 for a literal, matched text) tokens."""
        found = self._tokens.get(canonical)
        if found is None:
            found = self._tokens[canonical] = _tokenise(self._pattern, canonical)
        return found

    def applicable(self, canonical: str) -> int:
        """Bit mask of the rules whose token occurs in ``canonical``."""
        mask = 0
        for rule, _ in self.tokens(canonical):
            if rule >= 0:
                mask |= 1 << rule
        return mask

    def n_spellings(self, scheme: str) -> np.ndarray:
        """Number of spellings of each rule in ``scheme``."""
        return np.array([len(r.spellings[scheme]) for r in self.rules], dtype=np.int64)

    def render(self, canonical: str, scheme: str, code: int = 0) -> str:
        """Spell ``canonical`` in ``scheme`` with the choices packed in ``code``; capitalised."""
        key = (canonical, scheme, code)
        done = self._rendered.get(key)
        if done is None:
            done = self._rendered[key] = self._render(canonical, scheme, code)
        return done

    def _render(self, canonical: str, scheme: str, code: int) -> str:
        parts = []
        for rule_i, text in self.tokens(canonical):
            if rule_i < 0:
                parts.append(text)
                continue
            choice = (code >> (2 * rule_i)) & (_MAX_CHOICES - 1)
            spelled = self.rules[rule_i].spellings[scheme][choice]
            if self.rules[rule_i].match == "CC":
                spelled = spelled.replace("C", text[0])
            parts.append(spelled)
        return capitalise("".join(parts))

    def draw_codes(
        self, rng: np.random.Generator, masks: np.ndarray, scheme: str, variation: float
    ) -> np.ndarray:
        """Draw one choice code per row: each applicable rule deviates with prob ``variation``.

        ``masks`` holds the applicable-rule bit mask of each row's name; a deviating rule takes
        one of its non-default spellings uniformly. Rules not in the mask stay 0, so equal
        names with equal spellings share a code.
        """
        n = masks.shape[0]
        counts = self.n_spellings(scheme)
        codes = np.zeros(n, dtype=np.int64)
        if variation <= 0.0 or n == 0:
            return codes
        for i, k in enumerate(counts):
            if k < 2:
                continue
            hit = (((masks >> i) & 1) == 1) & (rng.random(n) < variation)
            m = int(hit.sum())
            if m:
                codes[hit] |= rng.integers(1, int(k), size=m, dtype=np.int64) << (2 * i)
        return codes


def _pattern(rules: list[_Rule]) -> re.Pattern[str]:
    """One alternation, rules in priority order; the group name says which rule matched."""
    alts = []
    for i, rule in enumerate(rules):
        m = rule.match
        if m == "CC":
            body = "(?P<c>[bcdfghjklmnpqrstvwxyz])(?P=c)"
        elif m == "VsV":
            body = "(?<=[aeiou])s(?=[aeiou])"
        elif m.endswith(">"):
            body = re.escape(m[:-1]) + "(?=$|[-+ ])"
        else:
            body = re.escape(m)
        alts.append(f"(?P<r{i}>{body})")
    return re.compile("|".join([*alts, "(?P<lit>.)"]), re.DOTALL)


def _tokenise(pattern: re.Pattern[str], s: str) -> tuple[tuple[int, str], ...]:
    out = []
    for m in pattern.finditer(s):
        group = m.lastgroup or "lit"
        out.append((-1 if group == "lit" else int(group[1:]), m.group()))
    return tuple(out)


def _parse_rules(data: Any, path: str) -> list[_Rule]:
    if not isinstance(data, dict) or not isinstance(data.get("rules"), dict):
        raise ConfigError("expected a mapping 'rules'", path=path, key="rules")
    rules = []
    for name, body in data["rules"].items():
        key = f"rules.{name}"
        if not isinstance(body, dict) or not isinstance(body.get("match"), str):
            raise ConfigError("each rule needs a string 'match'", path=path, key=key)
        spellings: dict[str, tuple[str, ...]] = {}
        for scheme in SCHEMES:
            alts = body.get(scheme)
            if (
                not isinstance(alts, list)
                or not 1 <= len(alts) <= _MAX_CHOICES
                or not all(isinstance(a, str) for a in alts)
            ):
                raise ConfigError(
                    f"needs a list of 1 to {_MAX_CHOICES} spellings",
                    path=path,
                    key=f"{key}.{scheme}",
                )
            spellings[scheme] = tuple(alts)
        rules.append(_Rule(name=str(name), match=body["match"], spellings=spellings))
    if len(rules) > _MAX_RULES:
        raise ConfigError(
            f"at most {_MAX_RULES} rules fit in a choice code", path=path, key="rules"
        )
    return rules


@cache
def load_romaniser() -> Romaniser:
    """The packaged romanisation rules (validated; errors name the file and the rule)."""
    res = resources.files("inquest").joinpath("data", "simulate", _RULES_FILE)
    data = yaml.safe_load(res.read_text(encoding="utf-8"))
    return Romaniser(_parse_rules(data, f"inquest/data/simulate/{_RULES_FILE}"))
