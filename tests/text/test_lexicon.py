from pathlib import Path

import pytest

from inquest.errors import InputErrors
from inquest.text.lexicon import lexicon, load_lexicon

HEADER = "persian,latin,variants,gender,kind,note\n"


def test_packaged_lexicon_loads() -> None:
    lex = lexicon()
    assert 300 <= len(lex) <= 700
    (entry,) = lex.entries_for("محمد")
    assert "muhammad" in entry.spellings
    assert lex.entries_for("MOHAMMAD".lower()) == (entry,)
    # آرش is stored in key form, so the hamza-less spelling finds it
    assert lex.entries_for("ارش")


def test_bad_rows_named(tmp_path: Path) -> None:
    path = tmp_path / "lex.csv"
    path.write_text(
        HEADER + "علی,Ali,Aly,m,given,\nحسن,,Hasan,x,given,\nعلی,Aly,,m,given,\n", encoding="utf-8"
    )
    with pytest.raises(InputErrors) as info:
        load_lexicon(path)
    text = str(info.value)
    assert "row 2" in text and "'latin'" in text and "'gender'" in text
    assert "row 3" in text and "repeats" in text


def test_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "lex.csv"
    path.write_text("persian,latin\nعلی,Ali\n", encoding="utf-8")
    with pytest.raises(InputErrors, match="missing column"):
        load_lexicon(path)


def test_graphemes_table_errors_name_row(tmp_path: Path) -> None:
    from inquest.text.tables import _check_grapheme, read_table

    path = tmp_path / "g.csv"
    path.write_text(
        "script,grapheme,class,kind,vowel,note\n"
        "latin,b,B,consonant,,\n"
        "greek,x,X,consonant,,\n"
        "latin,a,A,vowel,a,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputErrors) as info:
        read_table(path, ("script", "grapheme", "class", "kind", "vowel"), _check_grapheme)
    text = str(info.value)
    assert "row 2, field 'script'" in text
    assert "row 3, field 'class'" in text
