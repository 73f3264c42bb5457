"""The packaged date vocabulary loads, and bad data is reported by file, row and field."""

from __future__ import annotations

import pytest

from inquest.dates import _vocab
from inquest.dates._model import Calendar
from inquest.errors import InputErrors


def test_every_month_of_every_calendar_is_named() -> None:
    table = _vocab.vocabulary()
    for cal in Calendar:
        months = {w.month for w in table.values() if w.kind == "month" and w.calendar is cal}
        assert months == set(range(1, 13))


def test_spellings_from_the_issue() -> None:
    for spelling in ["mordad", "amordad", "amordaad", "sharivar", "dei", "isfand", "farvardeen"]:
        word = _vocab.lookup(spelling)
        assert word is not None and word.calendar is Calendar.JALALI


def test_bad_rows_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = {
        "months.csv": [
            {"calendar": "jalali", "month": "13", "language": "la", "spelling": "Mordad"},
            {"calendar": "mayan", "month": "1", "language": "la", "spelling": "Pop"},
            {"calendar": "jalali", "month": "5", "language": "la", "spelling": "Mordad"},
        ],
        "words.csv": [
            {"kind": "month", "value": "", "language": "en", "spelling": "x"},
            {"kind": "season", "value": "monsoon", "language": "en", "spelling": "monsoon"},
            {"kind": "part", "value": "early", "language": "en", "spelling": "Mordad"},
        ],
    }
    monkeypatch.setattr(_vocab, "_read", lambda name: (f"data/dates/{name}", rows[name]))
    _vocab.vocabulary.cache_clear()
    try:
        with pytest.raises(InputErrors) as info:
            _vocab.vocabulary()
    finally:
        _vocab.vocabulary.cache_clear()
    found = {(p.path, p.row, p.field) for p in info.value}
    assert found == {
        ("data/dates/months.csv", 1, "month"),
        ("data/dates/months.csv", 2, "calendar"),
        ("data/dates/words.csv", 1, "kind"),
        ("data/dates/words.csv", 2, "value"),
        ("data/dates/words.csv", 3, "spelling"),
    }
