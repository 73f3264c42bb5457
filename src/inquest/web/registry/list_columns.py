"""Translated labels of the standard list format's columns (``inquest.io.schema``) and of the
engine's mapping suggestions (``inquest.io.sniff``), for the import's column step.

A column of the schema without a label, or a label for no column, is refused when first
used, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from inquest.io import standard_schema
from inquest.io.sniff import Basis, Looks, Suggestion
from inquest.web.site.choices import engine_choices
from inquest.web.site.display import Display, shown_number

_LABELS: Mapping[str, Promise] = {
    "record_id": pgettext_lazy("list column", "Record number in the list"),
    "full_name": pgettext_lazy("list column", "Full name"),
    "given_name": pgettext_lazy("list column", "Given name"),
    "family_name": pgettext_lazy("list column", "Family name"),
    "father_name": pgettext_lazy("list column", "Father's name"),
    "sex": pgettext_lazy("list column", "Sex"),
    "birth_date": pgettext_lazy("list column", "Date of birth"),
    "age": pgettext_lazy("list column", "Age"),
    "death_date": pgettext_lazy("list column", "Date of death or execution"),
    "birth_place": pgettext_lazy("list column", "Place of birth"),
    "residence": pgettext_lazy("list column", "Place of residence"),
    "prison": pgettext_lazy("list column", "Prison"),
    "burial_place": pgettext_lazy("list column", "Burial place"),
    "notes": pgettext_lazy("list column", "Notes"),
}

_LOOKS = dict(
    engine_choices(
        Looks,
        {
            Looks.DATES: pgettext_lazy("sample values", "dates"),
            Looks.AGES: pgettext_lazy("sample values", "ages"),
            Looks.SEX: pgettext_lazy("sample values", "sex codes"),
            Looks.PRISONS: pgettext_lazy("sample values", "prisons"),
            Looks.CEMETERIES: pgettext_lazy("sample values", "cemeteries"),
            Looks.NAMES: pgettext_lazy("sample values", "names"),
            Looks.IDS: pgettext_lazy("sample values", "record numbers"),
        },
    )
)


@cache
def column_labels() -> Mapping[str, Promise]:
    """Each standard column's label, in the schema's order."""
    names = standard_schema().names
    missing = [n for n in names if n not in _LABELS]
    stray = [n for n in _LABELS if n not in names]
    if missing or stray:
        raise ImproperlyConfigured(
            f"list columns without a label {missing}, labels for no column {stray}"
        )
    return {name: _LABELS[name] for name in names}


def suggestion_reason(suggestion: Suggestion, display: Display) -> str:
    """Why the engine suggested a column, in the user's language ("" without a suggestion)."""
    if suggestion.column is None or suggestion.basis is None:
        return ""
    if suggestion.basis is Basis.STANDARD:
        return _("the header is this column's own name")
    if suggestion.basis is Basis.ALIAS:
        return _("a usual header for this column")
    if suggestion.basis is Basis.WORDS:
        return _("the header's words: %(words)s") % {"words": ", ".join(suggestion.words)}
    looks = _LOOKS[suggestion.looks] if suggestion.looks is not None else ""
    return _("%(matched)s of %(seen)s sample values look like %(looks)s") % {
        "matched": shown_number(suggestion.matched, display),
        "seen": shown_number(suggestion.seen, display),
        "looks": looks,
    }
