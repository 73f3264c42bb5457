"""Script profiles: what inquest knows of one writing system, as data, in one registry.

A :class:`ScriptProfile` says which characters are the script's letters, which letter forms
the display and key forms of a name unify, its digits, how the sound tables read its words
(with their graphemes: the consonant classes of the skeleton and the similarity), the month
names the date parser reads in it, and whether it is written right to left. The text layer
(``normalize``, ``detect_script``, ``skeleton``, ``name_similarity``), the date layer
(folding, month names, which calendar a bare year is read in) and, through them, linkage's
prepared features and the workbench's search read every registered profile, so a new script
is one profile and one ``register`` call (``docs/contributing.md``).

Arabic (Persian) and Latin script are built in (``inquest.text.profiles.arabic`` and
``.latin``); their graphemes and month names stay in ``data/names/graphemes.csv`` and
``data/dates/months.csv``, rows of a script named by the profile. Registering or removing a
profile clears every cache that depends on the profiles (modules hand their cache-clearers
to :func:`on_change`), so a profile registered after names were compared takes effect.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from inquest.errors import ConfigError

__all__ = [
    "BUILTIN",
    "GraphemeRow",
    "MonthName",
    "ScriptProfile",
    "get",
    "letters_pattern",
    "on_change",
    "profiles",
    "register",
    "unregister",
]

#: Modules that register the built-in profiles when first imported (in this order).
BUILTIN = ("inquest.text.profiles.arabic", "inquest.text.profiles.latin")

Sounds = Literal["abjad", "alphabet"]


@dataclass(frozen=True)
class GraphemeRow:
    """One letter or digraph and its sound class, as a row of ``data/names/graphemes.csv``.

    ``kind`` is consonant, glide, vowel, long_vowel or carrier; ``cls`` the consonant class
    shared by every script (one character, consonants and glides only); ``vowel`` the vowel
    symbol a glide, vowel, long vowel or carrier stands for.
    """

    grapheme: str
    cls: str
    kind: str
    vowel: str = ""


@dataclass(frozen=True)
class MonthName:
    """One spelling of a month, as a row of ``data/dates/months.csv``."""

    calendar: str  # "gregorian", "jalali" or "hijri"
    month: int
    language: str
    spelling: str


@dataclass(frozen=True)
class ScriptProfile:
    """One writing system (see the module docstring); every mapping is from one character.

    ``letters``: a regular-expression character class body (``"\\u0400-\\u04ff"``) of the
    script's letters: a name's script is the profile whose letters it has.
    ``characters``: the wider class of everything written in the script (its punctuation and
    digits too); by default ``letters``.
    ``sounds``: ``"alphabet"`` when vowels are written (graphemes of up to three letters,
    read longest first, as Latin); ``"abjad"`` when short vowels are not (one letter at a
    time, as Arabic script).
    ``graphemes``: the profile's letters and digraphs with their consonant classes, beyond
    any rows of ``data/names/graphemes.csv`` whose script is the profile's name.
    ``display``: letter forms the display form unifies or drops (``ي`` → ``ی``, tatweel →
    None); ``key``: what the key form does besides (``ة`` → ``ه``, ``«`` → a space).
    ``composed``: letters with a mark that the key form's plain path maps to their base
    (``أ`` → ``ا``), and ``plain``: the class of letters that need no Unicode decomposition
    on that path; both only make the key form faster and must agree with decomposition.
    ``digits``: strings of the ten digits 0-9 in the script (each read as ASCII digits).
    ``typed``: a class of characters such that two words made only of them are compared as
    typed text (typing errors dominate) rather than by sound; empty for never.
    ``month_languages``: languages of ``data/dates/months.csv`` written in this script;
    ``months``: further month names (for a profile from outside inquest).
    ``solar_hijri``: a two-digit year in text of this script is a Solar Hijri year.
    ``rtl``: written right to left.
    """

    name: str
    description: str
    letters: str
    sounds: Sounds
    characters: str = ""
    graphemes: tuple[GraphemeRow, ...] = ()
    display: Mapping[str, str | None] = field(default_factory=dict)
    key: Mapping[str, str | None] = field(default_factory=dict)
    composed: Mapping[str, str] = field(default_factory=dict)
    plain: str = ""
    digits: tuple[str, ...] = ()
    typed: str = ""
    month_languages: tuple[str, ...] = ()
    months: tuple[MonthName, ...] = ()
    solar_hijri: bool = False
    rtl: bool = False

    def letters_re(self) -> re.Pattern[str]:
        """A pattern matching one letter of the script."""
        return _compiled(self.letters)

    def characters_re(self) -> re.Pattern[str]:
        """A pattern matching one character written in the script."""
        return _compiled(self.characters or self.letters)


@cache
def _compiled(body: str) -> re.Pattern[str]:
    return re.compile(f"[{body}]")


_REGISTRY: dict[str, ScriptProfile] = {}
_LOADED = False
_LISTENERS: list[Callable[[], None]] = []


def on_change(clear: Callable[[], None]) -> Callable[[], None]:
    """Have ``clear`` called whenever a profile is registered or removed (a cache-clearer)."""
    _LISTENERS.append(clear)
    return clear


def _changed() -> None:
    for clear in _LISTENERS:
        clear()


def _check(profile: ScriptProfile) -> None:
    key = f"script profile {profile.name!r}"
    if not profile.name.isidentifier():
        raise ConfigError("must be a Python identifier", key=key)
    try:
        _compiled(profile.letters)
        _compiled(profile.characters or profile.letters)
    except re.error as exc:
        raise ConfigError(f"letters is not a character class: {exc}", key=key) from exc
    for digits in profile.digits:
        if len(digits) != 10:
            raise ConfigError(f"digits {digits!r} are not the ten digits 0-9", key=key)
    for table in (profile.display, profile.key, profile.composed):
        if any(len(ch) != 1 for ch in table):
            raise ConfigError("letter tables map one character each", key=key)


def register(profile: ScriptProfile, *, replace: bool = False) -> ScriptProfile:
    """Add ``profile``; a name already taken is a ``ConfigError`` unless ``replace``."""
    _check(profile)
    profiles()  # the built-in profiles come first
    if not replace and profile.name in _REGISTRY:
        raise ConfigError("already registered", key=f"script profile {profile.name!r}")
    _REGISTRY[profile.name] = profile
    _changed()
    return profile


def unregister(name: str) -> None:
    """Remove the profile ``name`` (a test's toy script); unknown names are ignored."""
    if _REGISTRY.pop(name, None) is not None:
        _changed()


def profiles() -> dict[str, ScriptProfile]:
    """Every registered profile by name, the built-in ones first (loaded on first use)."""
    global _LOADED
    if not _LOADED:
        _LOADED = True
        for module in BUILTIN:
            importlib.import_module(module)
    return _REGISTRY


def get(name: str) -> ScriptProfile:
    """The profile ``name``; an unknown name is a ``ConfigError`` listing the known ones."""
    found = profiles().get(name)
    if found is None:
        known = ", ".join(profiles())
        raise ConfigError(f"unknown script (known: {known})", key=f"script profile {name!r}")
    return found


def letters_pattern(*, exclude: bool = False) -> str:
    """A character class of every registered profile's letters (``exclude``: of none)."""
    body = "".join(p.letters for p in profiles().values())
    return f"[^\\W\\d_{body}]" if exclude else f"[{body}]"
