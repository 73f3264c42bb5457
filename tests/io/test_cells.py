"""The neutraliser of formula injection: what it marks, that it is reversible, and that
LibreOffice runs nothing it wrote."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from inquest.io.cells import formula_like, neutralise, restore, write_csv

FORMULAS = [
    "=1+1",
    '=HYPERLINK("http://attacker.example/","click")',
    "+1+1",
    "-1+1",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    " =1+1",
    "\u00a0 \n=1+1",
    "\u200b=1+1",
    "\ufeff=1+1",
    "\u200f@SUM(1)",
    "\uff1d1+1",  # full-width equals
    "\ufe661+1",  # small equals
    "\uff0b1",
    "\uff0d1",
    "\u22121",
    "\uff20SUM(1)",
    "'=1+1",
]
PLAIN = ["", "علی نمونه", "Ali", "1+1", "a=b", "x;=1+1", "x,=1+1", "x\n=1+1", "'quoted", "'"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_text_gets_a_leading_quote(text: str) -> None:
    assert formula_like(text)
    assert neutralise(text) == "'" + text
    assert restore(neutralise(text)) == text


@pytest.mark.parametrize("value", [*PLAIN, 42, -3.5, None])
def test_other_values_are_left_alone(value: object) -> None:
    assert neutralise(value) == value


@given(st.text(max_size=12))
def test_restore_undoes_neutralise(text: str) -> None:
    safe = neutralise(text)
    assert restore(safe) == text
    assert safe == text or safe.startswith("'")
    assert not safe.startswith(tuple("=+-@\t\r\n"))


def test_csv_quotes_every_field() -> None:
    buffer = io.StringIO(newline="")
    assert write_csv(buffer, ["name", "n"], [["x;=1+1", 3], ["=1+1", None]]) == 2
    assert buffer.getvalue() == '"name","n"\r\n"x;=1+1","3"\r\n"\'=1+1",""\r\n'


SOFFICE = shutil.which("soffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_evaluates_nothing_written(tmp_path: Path) -> None:
    """LibreOffice opens the CSV with formulas evaluated and ``,``, ``;`` and tab as
    separators, and no cell is a formula or a computed value.

    Runs only where ``soffice`` is installed (``apt-get install libreoffice-calc-nogui``);
    CI does not install it, to stay fast. The unneutralised file is converted too, to show
    that the same LibreOffice would run the formulas.
    """
    hostile = [*FORMULAS, *PLAIN]
    for name, rows in {
        "safe.csv": [[i, t] for i, t in enumerate(hostile)],
        "raw.csv": [[i, t] for i, t in enumerate(hostile)],
    }.items():
        with (tmp_path / name).open("w", encoding="utf-8", newline="") as fh:
            if name == "safe.csv":
                write_csv(fh, ["i", "text"], rows)
            else:
                csv.writer(fh).writerows([["i", "text"], *rows])
    # CSV filter options: separators , ; tab; quote "; UTF-8; from line 1; English; quoted
    # fields not forced to text; detect special numbers; ...; token 13: evaluate formulas.
    options = "CSV:44/59/9,34,76,1,,1033,false,true,false,false,false,-1,true"
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            f"--infilter={options}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path / "out"),
            str(tmp_path / "safe.csv"),
            str(tmp_path / "raw.csv"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )

    def cells(name: str) -> list[tuple[object, str]]:
        sheet = load_workbook(tmp_path / "out" / name).active
        assert sheet is not None
        return [(c.value, c.data_type) for row in sheet.iter_rows(min_row=2) for c in row[1:]]

    raw = cells("raw.xlsx")
    assert any(kind == "f" for _, kind in raw)  # the check can see a formula run
    safe = cells("safe.xlsx")
    assert all(kind != "f" for _, kind in safe)
    texts = [v for v, kind in safe if v is not None]
    assert texts == [str(neutralise(t)).replace("\r", "\n") for t in hostile if t]
