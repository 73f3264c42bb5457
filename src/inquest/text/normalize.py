"""Normalise names in every registered script (Arabic as Persian writes it, Latin, ...).

The letter forms, marks and digits each script unifies come from its profile
(``inquest.text.profiles``); what follows describes the built-in ones.

Two forms:

``display``
    What a person should read: bidi controls removed, NFC, Arabic ي/ى/ك as Persian ی/ک,
    tatweel and harakat removed, ZWNJ tidied (kept inside words, removed at word edges and
    when repeated), Persian and Arabic-Indic digits as ASCII, spaces collapsed. Latin case
    and accents are kept.
``key``
    What to compare: the display form, then NFKD without combining marks (accents,
    hamza and madda signs), case folded; ة/ۀ→ه, أ/إ/آ/ٱ→ا, ؤ→و, ئ→ی, ء dropped;
    apostrophes dropped; ZWNJ and hyphens inside a compound removed, and affixes written
    apart (``حسین زاده``, ``Hossein Zadeh``, ``Abdol Hossein``) joined to their word;
    other punctuation becomes a space.

Both are idempotent and never raise on a ``str``. The original string is never changed:
callers keep it (see :class:`inquest.text.parse.ParsedName`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Literal

from inquest.text.profiles import on_change, profiles
from inquest.text.scripts import BIDI_CONTROLS
from inquest.text.tables import affixes

__all__ = ["Form", "normalize"]

Form = Literal["display", "key"]

ZWNJ = "\u200c"


@dataclass(frozen=True)
class _Tables:
    """The translate tables of the registered profiles (rebuilt when they change)."""

    display: dict[int, str | None]
    key: dict[int, str | None]
    plain: dict[int, str | None]
    needs_nfkd: re.Pattern[str]


@cache
def _tables() -> _Tables:
    found = profiles().values()
    display: dict[int, str | None] = {
        0x200B: None,  # zero width space
        0x200D: None,  # zero width joiner
        0xFEFF: None,  # byte order mark / zero width no-break space
        0x00AD: None,  # soft hyphen
        **{ord(c): None for c in BIDI_CONTROLS},
    }
    key: dict[int, str | None] = {
        **{ord(c): None for c in "'’‘ʼʻʿʾ`´′\""},
        **{ord(c): " " for c in ".,;:()[]{}/\\|!?*#&+=<>~^@%$"},
    }
    composed: dict[int, str | None] = {}
    plain = ""
    for p in found:
        display |= {ord(c): v for c, v in p.display.items()}
        display |= {ord(c): str(i) for digits in p.digits for i, c in enumerate(digits)}
        key |= {ord(c): v for c, v in p.display.items() if v is not None}
        key |= {ord(c): v for c, v in p.key.items()}
        composed |= {ord(c): v for c, v in p.composed.items()}
        plain += p.plain
    # Text of ASCII and of the profiles' plain letters needs no decomposition: a table does it.
    needs_nfkd = re.compile(f"[^\u0000-\u007f{plain}]")
    return _Tables(display, key, key | composed, needs_nfkd)


on_change(_tables.cache_clear)

_SPACE_RE = re.compile(r"\s+")
# A ZWNJ touching a space or the string edge, or repeated, is noise.
_ZWNJ_EDGE_RE = re.compile(r"(?:^|(?<=\s))\u200c+|\u200c+(?=\s|$)")
_ZWNJ_RUN_RE = re.compile(r"\u200c{2,}")

_KEY_TABLE: dict[int, str | None] = {
    ord("ي"): "ی",
    ord("ى"): "ی",
    ord("ك"): "ک",
    ord("ة"): "ه",
    ord("ۀ"): "ه",
    ord("ە"): "ه",
    ord("ھ"): "ه",
    ord("ٱ"): "ا",
    ord("ء"): None,
    ord(ZWNJ): None,
    **{ord(c): None for c in "'’‘ʼʻʿʾ`´′\""},
    **{ord(c): " " for c in ".,;:()[]{}/\\|!?*#&+=<>~^@%$«»،؛؟"},
}
_HYPHEN_RE = re.compile(r"\s*[-‐‑‒–—―_]+\s*")


def _display(s: str) -> str:
    s = unicodedata.normalize("NFC", s).translate(_tables().display)
    if not s.isascii():
        s = unicodedata.normalize("NFC", s)
    if ZWNJ in s:
        s = _ZWNJ_RUN_RE.sub(ZWNJ, _ZWNJ_EDGE_RE.sub("", s))
    s = _SPACE_RE.sub(" ", s).strip()
    if ZWNJ in s:  # collapsing spaces may have put a ZWNJ at an edge
        s = _ZWNJ_EDGE_RE.sub("", s)
    return s


@cache
def _affix_sets() -> tuple[frozenset[str], frozenset[str]]:
    prefixes = frozenset(a.form for a in affixes() if a.position == "prefix")
    suffixes = frozenset(a.form for a in affixes() if a.position == "suffix")
    return prefixes, suffixes


def join_affixes(tokens: list[str]) -> list[str]:
    """Join affix tokens written apart to their word (key-form tokens in, tokens out).

    A suffix (``زاده``, ``pour``) joins the token before it, a prefix (``عبد``, ``abdol``)
    the token after it. A name made of affixes only is left alone.
    """
    if len(tokens) < 2:
        return tokens
    prefixes, suffixes = _affix_sets()
    out: list[str] = []
    pending = ""
    for tok in tokens:
        if pending:
            tok = pending + tok
            pending = ""
        if tok in prefixes:
            pending = tok
        elif tok in suffixes and out:
            out[-1] += tok
        else:
            out.append(tok)
    if pending:
        if out:
            out[-1] += pending
        else:
            out.append(pending)
    return out


@cache
def _combining() -> dict[int, None]:
    """A translate table deleting every combining mark of the Basic Multilingual Plane."""
    return {c: None for c in range(0x10000) if unicodedata.combining(chr(c))}


def _strip_marks(s: str) -> str:
    if s.isascii():
        return s
    return unicodedata.normalize("NFKD", s).translate(_combining())


def _key(display: str) -> str:
    tables = _tables()
    if tables.needs_nfkd.search(display) is None:
        s = display.casefold().translate(tables.plain)
    else:
        s = _strip_marks(_strip_marks(display).casefold())
        if not s.isascii():
            s = unicodedata.normalize("NFC", s)
        s = s.translate(tables.key)
    s = _HYPHEN_RE.sub("", s)
    tokens = s.split()
    return " ".join(join_affixes(tokens))


def normalize(s: str, form: Form = "display") -> str:
    """Normalise a name to its ``display`` or ``key`` form (see the module docstring).

    Raises ``TypeError`` for anything but a ``str`` (a missing value is the caller's to
    handle: the array functions in :mod:`inquest.text.batch` keep nulls as nulls).
    """
    if not isinstance(s, str):
        raise TypeError(f"expected a str, got {type(s).__name__}")
    if form == "display":
        return _display(s)
    if form == "key":
        return _key(_display(s))
    raise ValueError(f"form must be 'display' or 'key', not {form!r}")
