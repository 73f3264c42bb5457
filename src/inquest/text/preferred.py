"""The one name to show for someone several sources name: chosen by a rule, not by whichever
record came first.

``preferred_name(names, Script.ARABIC)``: each name is parsed (``parse_name``) and only the
name proper is kept: titles («شهید», Haj, Dr), particles (Seyed, Mirza, Khan) and a father's
name are dropped. The forms are counted by their key (``normalize(..., "key")``), so spellings
the key treats as one count together. The most frequent form written in the preferred script
wins; without one, the most frequent in the other of Persian (Arabic) and Latin script; then
any other script or a mix. Forms as frequent as each other are told apart by how like all the
names given they are (the sum of ``name_similarity`` to each, in every script): the most
representative spelling, not a stray one ("'Ali Zareï" beside "Ali Rezaei" and «علی رضایی»);
then the one with more words (a full name before a given name alone), then the shorter, then
alphabetically. Of the spellings sharing the winning key, the most frequent is shown, then
the shorter ("Ali Fathi" before "'Ali Fathi": fewer marks the key ignores), then the
alphabetically first. The choice does not depend on the order the names come in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from inquest.text.normalize import normalize
from inquest.text.parse import parse_name
from inquest.text.profiles import on_change
from inquest.text.scripts import Script, detect_script

__all__ = ["name_proper", "preferred_name", "script_order"]


@lru_cache(maxsize=65_536)
def name_proper(name: str) -> str:
    """``name`` in display form without titles, particles or father (``ParsedName.name``);
    empty if nothing of a name is left."""
    return parse_name(name).name if name.strip() else ""


def script_order(prefer: Script) -> tuple[Script, ...]:
    """The scripts in the order a name is looked for: ``prefer``, the other of Arabic and
    Latin, then names in another script or a mix of them."""
    main = (prefer, *(s for s in (Script.ARABIC, Script.LATIN) if s is not prefer))
    return (*main, *(s for s in (Script.OTHER, Script.MIXED) if s not in main))


def preferred_name(names: Iterable[str], prefer: Script) -> str:
    """The name to show among ``names`` (see the module); "" if none holds a name."""
    spellings: dict[Script, dict[str, Counter[str]]] = {}
    propers: list[str] = []
    for name in names:
        proper = name_proper(name)
        if not proper:
            continue
        propers.append(proper)
        script = detect_script(proper)
        key = normalize(proper, "key")
        spellings.setdefault(script, {}).setdefault(key, Counter())[proper] += 1
    for script in script_order(prefer):
        by_key = spellings.get(script)
        if not by_key:
            continue
        shown = {
            key: min(counted, key=lambda spelling: (-counted[spelling], len(spelling), spelling))
            for key, counted in by_key.items()
        }
        most = max(sum(c.values()) for c in by_key.values())
        tied = sorted(shown[k] for k, c in by_key.items() if sum(c.values()) == most)
        if len(tied) == 1:
            return tied[0]
        ordered = sorted(propers)
        return min(
            tied,
            key=lambda form: (
                -_likeness(form, ordered),
                -len(form.split()),
                len(form),
                form,
            ),
        )
    return ""


def _likeness(form: str, names: list[str]) -> float:
    """How like ``names`` ``form`` is: its summed similarity to each (rounded, so that the
    order of the sum cannot tip a tie)."""
    from inquest.text.similarity import name_similarity

    return round(sum(name_similarity(form, name) for name in names), 9)


on_change(name_proper.cache_clear)
