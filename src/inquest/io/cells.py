"""Text cells safe to open in a spreadsheet program: the one neutraliser of formula injection.

A name in a planted list such as ``=HYPERLINK("http://…", "click")`` would run on an analyst's
machine if a spreadsheet program read it as a formula. Following OWASP's guidance on CSV
injection, a text cell is *formula-like* when it starts with ``=``, ``+``, ``-`` or ``@``
(Excel runs all four; LibreOffice ``=``), with a tab, carriage return or line feed, or with
one of those four after leading white space or invisible format characters (zero-width
spaces, direction marks, BOM), or after a compatibility form such as the full-width ``＝``.
A formula-like cell gets a leading ``'``, which spreadsheet programs show as text. CSV fields
are all quoted, so a ``;`` or ``,`` inside a value cannot split it into a cell of its own
whatever separator the program guesses.

The leading ``'`` is reversible: :func:`restore` undoes :func:`neutralise` exactly (a value
that already starts with ``'`` before formula-like text gets a second one), so files written
here can be read back, e.g. review decisions.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

__all__ = ["formula_like", "neutralise", "restore", "write_csv"]

#: Characters that start a formula in some spreadsheet program (after NFKC: ＝ is =).
FORMULA_STARTS = frozenset("=+-@\u2212")
#: A cell starting with one of these is treated as formula-like whatever follows (OWASP).
CONTROL_STARTS = frozenset("\t\r\n")


def formula_like(text: str) -> bool:
    """Whether a spreadsheet program might run ``text`` as a formula (see the module doc)."""
    if text.startswith("'"):
        return formula_like(text[1:])
    if text[:1] in CONTROL_STARTS:
        return True
    for ch in text:
        if ch.isspace() or unicodedata.category(ch) == "Cf":
            continue
        return unicodedata.normalize("NFKC", ch)[:1] in FORMULA_STARTS
    return False


def neutralise(value: Any) -> Any:
    """``value`` safe for a spreadsheet cell: formula-like text gets a leading ``'``.

    Anything that is not text (numbers, dates, None) is returned as it is.
    """
    if isinstance(value, str) and formula_like(value):
        return "'" + value
    return value


def restore(text: str) -> str:
    """The text :func:`neutralise` was given, from what it returned."""
    if text.startswith("'") and formula_like(text[1:]):
        return text[1:]
    return text


def write_csv(handle: TextIO, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a CSV with every field quoted and every text cell neutralised; the row count.

    ``handle`` is a text file opened with ``newline=""``. None is written as an empty field;
    other values as ``str`` gives them.
    """
    writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([_field(h) for h in header])
    n = 0
    for row in rows:
        writer.writerow([_field(v) for v in row])
        n += 1
    return n


def _field(value: Any) -> str:
    if value is None:
        return ""
    return str(neutralise(value)) if isinstance(value, str) else str(value)
