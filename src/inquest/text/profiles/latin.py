"""Latin script: the built-in left-to-right profile (transliterations, English, French).

Its graphemes are the ``latin`` rows of ``data/names/graphemes.csv``; its month names the
``la`` (transliterated Jalali and Hijri months), ``en`` and ``fr`` rows of
``data/dates/months.csv``. Two words of plain ASCII are compared as typed text.
"""

from __future__ import annotations

from inquest.text.profiles import ScriptProfile, register

LATIN = register(
    ScriptProfile(
        name="latin",
        description="Latin script (transliterations, English, French ...)",
        letters="A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff",
        sounds="alphabet",
        typed="\u0000-\u007f",
        month_languages=("la", "en", "fr"),
    )
)
