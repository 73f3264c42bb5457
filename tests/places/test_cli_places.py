"""``inquest places resolve``."""

from __future__ import annotations

from typer.testing import CliRunner

from inquest.cli import app

runner = CliRunner()


def test_resolve_prints_the_ranked_places() -> None:
    result = runner.invoke(app, ["places", "resolve", "زندان اوین", "--limit", "2"])
    assert result.exit_code == 0
    assert "prison:evin" in result.output


def test_kind_filter_and_no_match() -> None:
    result = runner.invoke(app, ["places", "resolve", "Tehran", "-k", "province"])
    assert result.exit_code == 0 and "province:tehr" in result.output
    missing = runner.invoke(app, ["places", "resolve", "Qwxyzzvb"])
    assert missing.exit_code == 1 and "no place matches" in missing.output


def test_show() -> None:
    result = runner.invoke(app, ["places", "show", "cemetery:khavaran"])
    assert result.exit_code == 0 and "35.55694" in result.output and "Wikipedia" in result.output
    missing = runner.invoke(app, ["places", "show", "city:0"])
    assert missing.exit_code == 1
