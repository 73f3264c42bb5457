"""Arabic script as Persian writes it: the built-in right-to-left profile.

Its graphemes are the ``arabic`` rows of ``data/names/graphemes.csv``; its month names the
``fa`` and ``ar`` rows of ``data/dates/months.csv``.
"""

from __future__ import annotations

from inquest.text.profiles import ScriptProfile, register

ZWNJ = "\u200c"

# Fathatan to sukun, the Arabic-Indic digits' neighbours excluded, superscript alef, and the
# Quranic marks (small high ligatures ... ) but the small waw and yeh, which are letters.
_HARAKAT = (
    [chr(c) for c in range(0x064B, 0x0660)]
    + ["\u0670"]
    + [chr(c) for c in range(0x06D6, 0x06EE) if c not in (0x06E5, 0x06E6)]
)

ARABIC = register(
    ScriptProfile(
        name="arabic",
        description="Arabic script (Persian, Arabic, Urdu, Kurdish Sorani ...)",
        letters=(
            "\u0620-\u064a\u066e-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06ff\u0750-\u077f"
            "\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc"
        ),
        characters="\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff",
        sounds="abjad",
        display={
            "ي": "ی",
            "ى": "ی",
            "ك": "ک",
            "ـ": None,  # tatweel
            **{c: None for c in _HARAKAT},
        },
        key={
            "ة": "ه",
            "ۀ": "ه",
            "ە": "ه",
            "ھ": "ه",
            "ٱ": "ا",
            "ء": None,
            ZWNJ: None,
            **{c: " " for c in "«»،؛؟"},
        },
        composed={"أ": "ا", "إ": "ا", "آ": "ا", "ؤ": "و", "ئ": "ی"},
        plain=(
            "\u0621-\u063a\u0641-\u064a\u0660-\u0669\u067e\u0686\u0698\u06a9\u06af\u06c0"
            "\u06cc\u06f0-\u06f9\u200c"
        ),
        digits=("۰۱۲۳۴۵۶۷۸۹", "٠١٢٣٤٥٦٧٨٩"),
        month_languages=("fa", "ar"),
        solar_hijri=True,
        rtl=True,
    )
)
