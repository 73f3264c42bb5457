"""``inquest lists``: the registered formats, and column suggestions written as a mapping file
that ``read_list`` accepts (synthetic people only)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from inquest.cli import app
from inquest.io import load_mapping, read_list


def test_formats_lists_the_built_in_ones() -> None:
    result = CliRunner().invoke(app, ["lists", "formats"], terminal_width=200)
    assert result.exit_code == 0
    assert all(s in result.output for s in (".csv", ".xlsx", ".parquet"))


def test_columns_suggests_and_writes_a_usable_mapping(tmp_path: Path) -> None:
    path = tmp_path / "synthetic.csv"
    path.write_text(
        "No,Victim's full name,Date they were executed,Internal code\n"
        "1,Ali Sample,1988-08-01,x\n2,Maryam Test,۱۳۶۷/۰۵/۱۰,y\n",
        encoding="utf-8",
    )
    out = tmp_path / "mapping.yaml"
    result = CliRunner().invoke(
        app, ["lists", "columns", str(path), "--mapping-out", str(out)], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    assert "death_date" in result.output and "Ali Sample" in result.output
    assert out.stat().st_mode & 0o777 == 0o600
    mapping = load_mapping(out)
    assert mapping.columns == {
        "No": "record_id",
        "Victim's full name": "full_name",
        "Date they were executed": "death_date",
    }
    assert mapping.ignore == frozenset({"Internal code"})
    table = read_list(path, mapping=mapping)
    assert table.column("death_date").to_pylist() == ["1988-08-01", "۱۳۶۷/۰۵/۱۰"]


def test_columns_names_the_problem_of_an_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = CliRunner().invoke(app, ["lists", "columns", str(path)], terminal_width=200)
    assert result.exit_code == 1 and "empty" in result.output
