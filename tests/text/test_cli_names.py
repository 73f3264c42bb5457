from pathlib import Path

from typer.testing import CliRunner

from inquest.cli import app


def test_compare() -> None:
    result = CliRunner().invoke(app, ["names", "compare", "سید محمد حسینی", "Mohammad Hosseini"])
    assert result.exit_code == 0, result.output
    assert "similarity 1.000" in result.output
    assert "MHMD HSN" in result.output


def test_compare_different() -> None:
    result = CliRunner().invoke(app, ["names", "compare", "محمد", "Mahmoud"])
    assert result.exit_code == 0
    assert "different names" in result.output


def test_normalize_csv(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("id,name\n1,سید علي رضايي\n2,\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        app, ["names", "normalize", str(src), "--column", "name", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "name_skeleton" in text and "L RZ" in text and "empty name" in text


def test_normalize_csv_missing_column(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("id,name\n1,Ali\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["names", "normalize", str(src), "-c", "nom", "-o", str(tmp_path / "o.csv")]
    )
    assert result.exit_code != 0
    assert "nom" in str(result.exception)


def test_normalize_csv_writes_formula_safe_cells(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text('id,name\n=1+1,"=HYPERLINK(""http://x.example/"")"\n', encoding="utf-8")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(app, ["names", "normalize", str(src), "-c", "name", "-o", str(out)])
    assert result.exit_code == 0, result.output
    row = out.read_text(encoding="utf-8").splitlines()[1]
    assert row.startswith('"\'=1+1","\'=HYPERLINK(')
