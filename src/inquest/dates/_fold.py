"""Fold date text to the form the parser reads: ASCII digits, one spelling of each letter.

This is key-folding for the small closed vocabulary of dates (month names, qualifiers),
not a general name normaliser (that is ``inquest.text``).
"""

from __future__ import annotations

import re
import unicodedata

_TABLE = str.maketrans(
    {
        **{chr(0x06F0 + i): str(i) for i in range(10)},  # Persian digits
        **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic digits
        "\u064a": "\u06cc",  # Arabic yeh -> Persian yeh
        "\u0649": "\u06cc",  # alef maksura -> yeh
        "\u0643": "\u06a9",  # Arabic kaf -> keheh
        "\u0629": "\u0647",  # teh marbuta -> heh
        "\u0623": "\u0627",
        "\u0625": "\u0627",
        "\u0622": "\u0627",
        "\u0671": "\u0627",
        "\u0624": "\u0648",
        "\u06c0": "\u0647",
        "\u200c": None,  # ZWNJ: "ذی‌الحجه" and "ذی الحجه" and "ذیالحجه" meet
        "\u200d": None,
        "\u0640": None,  # tatweel
        "\u066b": ".",  # Arabic decimal separator, used in dates
        "\u066c": ",",
        "\u060c": ",",  # Arabic comma
        "\u2013": " – ",  # en dash: a range
        "\u2014": " – ",
        "\u2019": "",
        "'": "",
        "\u2018": "",
        "\u02bc": "",
        "\u02bf": "",
        "\u02be": "",
    }
)


def fold(text: str) -> str:
    """Casefold, drop accents and Arabic diacritics, unify letters and digits, squeeze spaces."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_TABLE))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    composed = unicodedata.normalize("NFC", bare).translate(_TABLE).casefold()
    return re.sub(r"\s+", " ", composed).strip()


def word_key(spelling: str) -> str:
    """The lookup key of a word: folded letters only ("Rabi' al-Awwal" -> "rabialawwal")."""
    return "".join(ch for ch in fold(spelling) if ch.isalpha())
