from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from inquest.cli import app


def test_simulate_preset(tmp_path: Path) -> None:
    args = ["simulate", "--preset", "small", "--population", "300", "--seed", "4", "--out"]
    result = CliRunner().invoke(app, [*args, str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "True population" in result.output and "300" in result.output
    assert (tmp_path / "truth.csv").is_file()
    assert (tmp_path / "lists" / "families.csv").is_file()


def test_simulate_file_with_error_names_key(tmp_path: Path) -> None:
    f = tmp_path / "w.yaml"
    f.write_text("base: small\npeople: {male_share: 2}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["simulate", str(f), "--seed", "1", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "people.male_share" in result.output


def test_simulate_needs_one_scenario(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["simulate", "--seed", "1", "--out", str(tmp_path)])
    assert result.exit_code != 0


def test_list_presets_needs_no_seed_or_folder() -> None:
    result = CliRunner().invoke(app, ["simulate", "--list-presets"], terminal_width=250)
    assert result.exit_code == 0, result.output
    for name in ("default", "diverse", "six_lists"):
        assert name in result.output
    assert "linkage" in result.output
