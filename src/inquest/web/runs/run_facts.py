"""A run's parameters and results as labelled tables, not JSON.

Runs keep what the engine reported as JSON (``LinkageRun.parameters``, ``results``; the same
for estimate runs). This module lays it out for a reader: each key the workbench knows gets a
translated label, numbers are written in the user's digits, fractions named as levels become
percentages, a list of like objects becomes a table with a column per key, and a key it does
not know is shown as the identifier it is. Where files lay on the server is left out: a
path is shown as its file name, and the folders of a run are not shown at all.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import npgettext, pgettext_lazy

from inquest.provenance import TABLE_INPUT
from inquest.web.runs import queries as runs
from inquest.web.site.display import Display, format_date, shown_digits, shown_number, shown_percent
from inquest.web.site.terms import (
    assumption_label,
    interval_label,
    key_label,
    method_label,
    point_label,
    selection_label,
)

__all__ = ["LABELS", "facts_table", "shown_value"]

#: Labels of the keys of run parameters and results (linkage and estimate runs).
LABELS: Mapping[str, Promise | str] = {
    # linkage: parameters
    "sources": pgettext_lazy("run", "Sources"),
    "engine": pgettext_lazy("run", "Database engine"),
    "review_low": pgettext_lazy("run", "Pairs reviewed from match probability"),
    "review_high": pgettext_lazy("run", "Pairs reviewed up to match probability"),
    "link_threshold": pgettext_lazy("run", "Linked from match probability"),
    # linkage: results
    "persons": pgettext_lazy("run", "Persons"),
    "persons_created": pgettext_lazy("run", "Persons made"),
    "persons_kept": pgettext_lazy("run", "Persons kept from the previous run"),
    "persons_merged": pgettext_lazy("run", "Persons merged"),
    "records_moved": pgettext_lazy("run", "Records moved to another person"),
    "records": pgettext_lazy("run", "Records"),
    "pairs_kept": pgettext_lazy("run", "Pairs kept"),
    "components_split": pgettext_lazy("run", "Groups split by the clustering"),
    "decisions_applied": pgettext_lazy("run", "Review decisions applied"),
    "decisions_orphaned": pgettext_lazy("run", "Review decisions that no longer apply"),
    "warnings": pgettext_lazy("run", "Warnings"),
    "timings": pgettext_lazy("run", "Time taken"),
    "prepare": pgettext_lazy("run", "Preparing the records"),
    "register": pgettext_lazy("run", "Loading the tables"),
    "train": pgettext_lazy("run", "Training the model"),
    "candidates_beside_train": pgettext_lazy("run", "Finding candidate pairs"),
    "predict": pgettext_lazy("run", "Scoring the pairs"),
    "cluster": pgettext_lazy("run", "Grouping records into persons"),
    "wall_s": pgettext_lazy("run", "Elapsed (seconds)"),
    "cpu_s": pgettext_lazy("run", "Processor time (seconds)"),
    # estimate: parameters and provenance
    "estimate_json_sha256": pgettext_lazy("run", "estimate.json (SHA-256)"),
    "inputs": pgettext_lazy("run", "Input files"),
    "path": pgettext_lazy("run", "File"),
    "sha256": "SHA-256",
    "settings": pgettext_lazy("run", "Settings"),
    "methods": pgettext_lazy("run", "Methods run together"),
    "strata": pgettext_lazy("run", "Strata"),
    "level": pgettext_lazy("run", "Interval level"),
    "options": pgettext_lazy("run", "Options of each method"),
    "created_utc": pgettext_lazy("run", "Made"),
    # estimate: results
    "result": pgettext_lazy("run", "Result"),
    "input": pgettext_lazy("run", "Input"),
    "method": pgettext_lazy("run", "Method"),
    "n_observed": pgettext_lazy("run", "Documented"),
    "estimate": pgettext_lazy("run", "Estimated total"),
    "lower": pgettext_lazy("run", "Interval from"),
    "upper": pgettext_lazy("run", "Interval to"),
    "point": pgettext_lazy("run", "Point estimate"),
    "interval": pgettext_lazy("run", "Interval"),
    "assumptions": pgettext_lazy("run", "Assumptions"),
    "diagnostics": pgettext_lazy("run", "Diagnostics"),
    "models": pgettext_lazy("run", "Models"),
    "seed": pgettext_lazy("run", "Seed"),
    "input_hash": pgettext_lazy("run", "Input (SHA-256)"),
    "inquest_version": pgettext_lazy("run", "Code version"),
    "lists": pgettext_lazy("run", "Lists"),
    "stratum": pgettext_lazy("run", "Stratum"),
    "undocumented": pgettext_lazy("run", "Not documented"),
    "undocumented_lower": pgettext_lazy("run", "Not documented, interval from"),
    "undocumented_upper": pgettext_lazy("run", "Not documented, interval to"),
    "list_sizes": pgettext_lazy("run", "List sizes"),
    "strata_column": pgettext_lazy("run", "Strata column"),
    "patterns": pgettext_lazy("run", "Capture patterns"),
    "pattern": pgettext_lazy("run", "Lists (1: on the list)"),
    "count": pgettext_lazy("run", "Persons"),
}

#: Keys never shown: where a run's files lay on the server.
HIDDEN = frozenset({"directory", "folder", "out_dir", "data_dir"})
#: Keys whose value is a fraction shown as a percentage.
PERCENTS = frozenset({"level"})
#: Keys whose number names something (its digits shown, not grouped).
NAMING = frozenset({"seed"})
#: Keys whose value is a moment (ISO 8601, UTC).
MOMENTS = frozenset({"created_utc"})
#: Keys whose objects are keyed by the engine's own identifiers (a method's options, its
#: diagnostics): given the methods' labels (``terms.key_label``), not those of like-named
#: keys elsewhere; a key without one is shown as the identifier it is.
IDENTIFIED = frozenset({"options", "diagnostics"})
#: Keys whose text values are engine terms with a translated label.
TERMS = {
    "method": method_label,
    "methods": method_label,
    "interval": interval_label,
    "point": point_label,
    "assumptions": assumption_label,
    "selection": selection_label,
}
#: Lists of more rows than this fold under their label.
FOLD_AFTER = 8
#: An object of objects becomes one table when its objects have at most this many keys.
TABLE_COLUMNS = 6

_HEX_DIGEST = re.compile(r"[0-9a-f]{32,128}")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]*")


def _label(key: str, labelled: bool = True) -> SafeString:
    label = LABELS.get(key) if labelled else None
    label = key_label(key) if label is None else label
    if label is None:  # a key the workbench does not know: the identifier itself
        return format_html('<code dir="ltr">{}</code>', key)
    return format_html("{}", label)


def _moment(text: str, display: Display) -> SafeString:
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return _text(text)
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    clock = shown_digits(local.strftime("%H:%M"), display)
    return format_html("{} {}", format_date(local.date(), display), clock)


def _text(text: str) -> SafeString:
    """Text from the engine: a digest or an identifier left to right; a path as its file
    name; words (English, from the engine) in an isolated left-to-right run."""
    if text == TABLE_INPUT:
        return format_html("{}", pgettext_lazy("run", "a table in memory"))
    shown = runs.without_server_paths(text)
    if _HEX_DIGEST.fullmatch(shown):
        return format_html('<code dir="ltr">{}</code>', shown)
    if _IDENTIFIER.fullmatch(shown):
        return format_html('<bdi dir="ltr">{}</bdi>', shown)
    return format_html('<bdi dir="ltr" lang="en">{}</bdi>', shown)


def shown_value(
    value: Any, display: Display, key: str = "", *, labelled: bool = True
) -> SafeString:
    """One value for a reader: numbers in the user's digits, lists joined or tabled,
    objects as nested tables (their keys labelled if ``labelled``), text isolated."""
    if value is None or value == "" or value == [] or value == {}:
        return SafeString("—")
    if isinstance(value, bool):
        return format_html(
            "{}", pgettext_lazy("run", "yes") if value else pgettext_lazy("run", "no")
        )
    if isinstance(value, int | float):
        return format_html("{}", _number(value, display, key))
    if isinstance(value, str) and key in TERMS:
        return TERMS[key](value)
    if isinstance(value, str):
        return _moment(value, display) if key in MOMENTS else _text(value)
    labelled = labelled and key not in IDENTIFIED
    if isinstance(value, Mapping):
        return facts_table(value, display, labelled=labelled)
    if isinstance(value, Sequence):
        return _sequence(list(value), display, key, labelled)
    return _text(str(value))


def _number(value: float, display: Display, key: str) -> str:
    if key in NAMING:
        return shown_digits(str(value), display)
    if key in PERCENTS and isinstance(value, float) and 0 < value < 1:
        return shown_percent(value, display, places=1 if value > 0.99 else 0)
    if isinstance(value, float) and math.isfinite(value):
        value = round(value, 3)
        if value.is_integer():
            value = int(value)
    return shown_number(value, display)


def _sequence(items: list[Any], display: Display, key: str, labelled: bool) -> SafeString:
    if all(isinstance(item, Mapping) for item in items):
        shown = _records_table(items, display, labelled=labelled)
    elif key == "warnings" or any(
        isinstance(i, Mapping | list | tuple) or (isinstance(i, str) and " " in i) for i in items
    ):
        shown = format_html(
            '<ul class="facts">{}</ul>',
            format_html_join(
                "",
                "<li>{}</li>",
                ((shown_value(i, display, key, labelled=labelled),) for i in items),
            ),
        )
    else:
        comma = "، " if (translation.get_language() or "").startswith("fa") else ", "
        return format_html_join(comma, "{}", ((shown_value(i, display, key),) for i in items))
    return _folded(shown, len(items), display)


def _folded(shown: SafeString, n: int, display: Display) -> SafeString:
    """``shown`` folded under a count when it has more than ``FOLD_AFTER`` rows."""
    if n <= FOLD_AFTER:
        return shown
    count = npgettext("run", "%(n)s entry", "%(n)s entries", n) % {"n": shown_number(n, display)}
    return format_html("<details><summary>{}</summary>{}</details>", count, shown)


def _records_table(
    items: Sequence[Mapping[str, Any]],
    display: Display,
    names: Sequence[SafeString] | None = None,
    labelled: bool = True,
) -> SafeString:
    """Objects as one table: a column per key, a row per object (headed by its name in
    ``names``, if given)."""
    columns = list(dict.fromkeys(k for item in items for k in item if k not in HIDDEN))
    head = format_html_join(
        "", '<th scope="col">{}</th>', ((_label(k, labelled),) for k in columns)
    )
    cells = [
        format_html_join(
            "",
            "<td>{}</td>",
            ((shown_value(item.get(k), display, k, labelled=labelled),) for k in columns),
        )
        for item in items
    ]
    if names is not None:
        head = format_html("<td></td>{}", head)
        rows = format_html_join(
            "", '<tr><th scope="row">{}</th>{}</tr>', zip(names, cells, strict=True)
        )
    else:
        rows = format_html_join("", "<tr>{}</tr>", ((c,) for c in cells))
    return format_html(
        '<table class="list facts"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>', head, rows
    )


def _is_small_object(value: Any) -> bool:
    return isinstance(value, Mapping) and not any(
        isinstance(v, Mapping | list | tuple) for v in value.values()
    )


def facts_table(
    values: Mapping[str, Any], display: Display, *, labelled: bool = True
) -> SafeString:
    """``values`` as a table of labelled rows (keys of server folders left out); keys the
    workbench has no label for, or all keys if not ``labelled``, shown as identifiers.
    An object of small objects with few keys between them (a run's timings) is one table
    with a row per object."""
    rows = [(k, v) for k, v in values.items() if k not in HIDDEN]
    if not rows:
        return SafeString("—")
    if len(rows) > 1 and all(_is_small_object(v) for _, v in rows):
        keys = {k for _, v in rows for k in v}
        if len(keys) <= TABLE_COLUMNS:
            names = [_label(k, labelled) for k, _ in rows]
            return _records_table([v for _, v in rows], display, names, labelled)
    return format_html(
        '<table class="facts"><tbody>{}</tbody></table>',
        format_html_join(
            "",
            '<tr><th scope="row">{}</th><td>{}</td></tr>',
            ((_label(k, labelled), shown_value(v, display, k, labelled=labelled)) for k, v in rows),
        ),
    )
