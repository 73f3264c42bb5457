"""``inquest dates`` commands."""

from __future__ import annotations

from typer.testing import CliRunner

from inquest.cli import app

runner = CliRunner()


def test_parse_prints_the_interval() -> None:
    result = runner.invoke(app, ["dates", "parse", "Mordad 1367"])
    assert result.exit_code == 0
    assert "1988-07-23" in result.output and "1988-08-22" in result.output


def test_parse_with_calendar_hint() -> None:
    result = runner.invoke(app, ["dates", "parse", "67", "--calendar", "gregorian"])
    assert result.exit_code == 0 and "1967-01-01" in result.output


def test_parse_bad_input_exits_nonzero_with_reason() -> None:
    result = runner.invoke(app, ["dates", "parse", "1367/13/40"])
    assert result.exit_code == 1 and "month 13" in result.output


def test_age() -> None:
    result = runner.invoke(app, ["dates", "age", "۲۰ تا ۲۵ ساله"])
    assert result.exit_code == 0 and "20-25 years" in result.output


def test_parse_json() -> None:
    import json

    result = runner.invoke(app, ["dates", "parse", "مرداد ۱۳۶۷", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["earliest"] == "1988-07-23" and data["calendar"] == "jalali"
