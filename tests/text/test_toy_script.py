"""A third script is one profile: a toy Cyrillic profile registered and used end to end.

Synthetic names only. The profile is registered by a fixture and removed again, so the
built-in scripts are checked both with and without it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pyarrow as pa
import pytest

from inquest.dates import Calendar, format_date, parse_date
from inquest.errors import ConfigError, InputError, InputErrors
from inquest.io import standard_schema
from inquest.linkage.prepare import prepare
from inquest.text import Script, detect_script, name_similarity, normalize, skeleton
from inquest.text import profiles as registry
from inquest.text.profiles import GraphemeRow, MonthName, ScriptProfile

# Russian writes Persian h and kh alike (х); the toy reads it as h.
_CONSONANTS = "б B п P т T с S ц S к K ж Z з Z д D р R ш $ щ $ ч C х H г G ф F л L м M н N"
_VOWELS = "а a е e э e и i ы i о o у u ю u я a"
_MONTHS = (  # each month's name, then its genitive ("11 августа")
    *("январь", "января", "февраль", "февраля", "март", "марта", "апрель", "апреля"),
    *("май", "мая", "июнь", "июня", "июль", "июля", "август", "августа"),
    *("сентябрь", "сентября", "октябрь", "октября", "ноябрь", "ноября", "декабрь", "декабря"),
)


def _graphemes() -> tuple[GraphemeRow, ...]:
    cons = _CONSONANTS.split()
    vows = _VOWELS.split()
    return (
        *(GraphemeRow(cons[i], cons[i + 1], "consonant") for i in range(0, len(cons), 2)),
        *(GraphemeRow(vows[i], "", "vowel", vows[i + 1]) for i in range(0, len(vows), 2)),
        GraphemeRow("в", "V", "glide", "V"),
        GraphemeRow("й", "Y", "glide", "i"),
    )


CYRILLIC = ScriptProfile(
    name="cyrillic",
    description="Cyrillic script (a toy profile for the tests)",
    letters="\u0400-\u04ff",
    sounds="alphabet",
    graphemes=_graphemes(),
    display={"\u0451": "\u0435"},  # ё shown as е, as Russian print mostly does
    key={"ь": None, "ъ": None},  # soft and hard signs are no sound of their own
    typed="\u0400-\u04ff",
    months=tuple(
        MonthName("gregorian", i // 2 + 1, "ru", spelling) for i, spelling in enumerate(_MONTHS)
    ),
)


@pytest.fixture
def cyrillic() -> Iterator[ScriptProfile]:
    registry.register(CYRILLIC)
    try:
        yield CYRILLIC
    finally:
        registry.unregister("cyrillic")


def test_without_the_profile_cyrillic_is_plain_text() -> None:
    assert "cyrillic" not in registry.profiles()
    assert skeleton("Мохаммад") == ""
    assert name_similarity("Мохаммад Ахмади", "Mohammad Ahmadi") < 0.5
    with pytest.raises(InputError):
        parse_date("11 августа 1988")


def test_normalise_and_detect(cyrillic: ScriptProfile) -> None:
    assert normalize("  Алёна   Петрова ") == "Алена Петрова"
    assert normalize("Игорь ИВАНОВ", "key") == "игор иванов"
    assert detect_script("Мохаммад") is Script.OTHER
    assert detect_script("Мохаммад Ahmadi") is Script.MIXED


def test_compare_names_across_three_scripts(cyrillic: ScriptProfile) -> None:
    assert skeleton("Мохаммад Ахмади") == skeleton("Mohammad Ahmadi") == skeleton("محمد احمدی")
    assert name_similarity("Мохаммад Ахмади", "Mohammad Ahmadi") > 0.85
    assert name_similarity("Мохаммад Ахмади", "محمد احمدی") > 0.85
    assert name_similarity("Мохаммад Ахмади", "Мохамад Ахмади") > 0.9  # typed: one letter
    assert name_similarity("Мохаммад Ахмади", "Реза Карими") < 0.5


def _records(rows: list[dict[str, str]]) -> pa.Table:
    cols: dict[str, list[str | None]] = {c: [] for c in ("list", *standard_schema().names)}
    for r in rows:
        for c in cols:
            cols[c].append(r.get(c))
    t = pa.table({c: pa.array(v, pa.string()) for c, v in cols.items()})
    return t.append_column("row", pa.array(range(1, len(rows) + 1), pa.int64()))


def test_prepare_records_for_linkage(cyrillic: ScriptProfile) -> None:
    t = prepare(
        _records(
            [
                {"list": "a", "record_id": "1", "full_name": "Ахмади Мохаммад"},
                {"list": "b", "record_id": "1", "given_name": "Mohammad", "family_name": "Ahmadi"},
                {"list": "c", "record_id": "1", "full_name": "محمد احمدی"},
            ]
        ),
        workers=1,
    )
    rows = t.to_pylist()
    assert rows[0]["skel_sorted"] == rows[1]["skel_sorted"] == rows[2]["skel_sorted"]


def test_parse_and_format_a_date_with_its_month_names(cyrillic: ScriptProfile) -> None:
    d = parse_date("11 августа 1988")
    assert d.calendar is Calendar.GREGORIAN
    assert d.earliest == d.latest == dt.date(1988, 8, 11)
    assert parse_date("май 1988").earliest == dt.date(1988, 5, 1)
    assert format_date(dt.date(1988, 8, 11), language="ru") == "11 август 1988"


def test_a_bad_profile_is_refused() -> None:
    with pytest.raises(ConfigError, match="ten digits"):
        registry.register(ScriptProfile("bad", "", "a-z", "alphabet", digits=("0123",)))
    with pytest.raises(ConfigError, match="already registered"):
        registry.register(registry.get("latin"))
    assert "bad" not in registry.profiles()


def test_a_bad_grapheme_of_a_profile_names_the_profile() -> None:
    toy = ScriptProfile(
        "toy", "", "\u0370-\u03ff", "alphabet", graphemes=(GraphemeRow("β", "", "consonant"),)
    )
    registry.register(toy)
    try:
        with pytest.raises(InputErrors) as err:
            skeleton("β")
        assert "script profile 'toy'" in str(err.value) and "class" in str(err.value)
    finally:
        registry.unregister("toy")
    assert skeleton("Mohammad") == "MHMD"
