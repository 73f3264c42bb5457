"""``inquest db serve`` starts Django's server on the address asked, serving static files."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import management
from typer.testing import CliRunner

from inquest.cli import app


def test_serve_runs_the_development_server(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(management, "call_command", lambda *a, **k: calls.append((a, k)))
    result = CliRunner().invoke(app, ["db", "serve", "--host", "0.0.0.0", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert calls == [
        (("runserver", "0.0.0.0:8123"), {"insecure_serving": True, "use_reloader": False})
    ]
    assert "http://0.0.0.0:8123/" in result.output
