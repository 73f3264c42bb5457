"""What ``inquest demo`` says: plain help, and with ``--no-serve`` no address as if serving
but the command that serves the loaded workbench later (the pipeline itself is faked here;
``test_demo.py`` runs it for real)."""

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from inquest.cli import app
from inquest.cli import demo as demo_module
from inquest.web.demo import DemoSummary

SUMMARY = DemoSummary(
    database="demo.sqlite3",
    sources={"A": 10},
    persons=8,
    linkage_run=1,
    places=500,
    estimate_runs=[1],
    username="demo-analyst",
    password="synthetic-password",
    totp_secret="SYNTHETIC",
    otpauth_uri="otpauth://totp/demo?secret=SYNTHETIC",
)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, int]]:
    """The pipeline faked; the ports the workbench would have been served on."""
    calls: list[tuple[Path, int]] = []
    monkeypatch.setattr(demo_module, "_run", lambda args: None)
    monkeypatch.setattr(demo_module, "_summary", lambda out: "summary")
    monkeypatch.setattr(demo_module, "_load_workbench", lambda out, seed: SUMMARY)
    monkeypatch.setattr(demo_module, "_serve", lambda out, port: calls.append((out, port)))
    return calls


def test_help_has_no_markup_left() -> None:
    result = CliRunner().invoke(app, ["demo", "--help"], terminal_width=100)
    assert result.exit_code == 0
    assert "``" not in result.output and "--no-serve" in result.output


@pytest.mark.parametrize("command", [["backup", "--help"], ["db", "--help"], ["--help"]])
def test_other_help_has_no_markup_left(command: list[str]) -> None:
    result = CliRunner().invoke(app, command, terminal_width=100)
    assert result.exit_code == 0 and "``" not in result.output


def test_no_serve_says_how_to_serve_later(tmp_path: Path, served: list[Any]) -> None:
    out = tmp_path / "demo out"
    result = CliRunner().invoke(app, ["demo", "--out", str(out), "--no-serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert served == []
    assert "127.0.0.1:8123" not in result.output and "address" not in result.output
    later = demo_module.serve_later_command(out, 8123)
    assert later in result.output  # on one line, quoted for the shell
    assert f"'{out.resolve()}'" in later and later.endswith("--serve-only --port 8123")
    assert "demo-analyst" in result.output  # the account, for signing in later


def test_serve_prints_the_address_and_serves(tmp_path: Path, served: list[Any]) -> None:
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--port", "8124"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8124/" in result.output and served == [(tmp_path, 8124)]


def test_serve_only_serves_what_an_earlier_run_loaded(tmp_path: Path, served: list[Any]) -> None:
    missing = CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--serve-only"])
    assert missing.exit_code == 1 and "--no-serve" in missing.output and served == []
    (tmp_path / "workbench").mkdir()
    (tmp_path / "workbench" / "inquest.sqlite3").write_bytes(b"")
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--serve-only"])
    assert result.exit_code == 0 and served == [(tmp_path, 8000)]
    assert "http://127.0.0.1:8000/" in result.output
