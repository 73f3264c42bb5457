"""``manage.py check --deploy`` is clean under production settings (and not without them)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest


def _check_deploy(tmp_path: Path, **overrides: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INQUEST_")}
    env.update(
        DJANGO_SETTINGS_MODULE="inquest.web.settings",
        INQUEST_DATA_DIR=str(tmp_path),
        INQUEST_DEBUG="0",
        INQUEST_HTTPS="1",
        INQUEST_SECRET_KEY=secrets.token_urlsafe(50),
        INQUEST_ALLOWED_HOSTS="inquest.example.org",
    )
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_check_deploy_is_clean_under_production_settings(tmp_path: Path) -> None:
    result = _check_deploy(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.slow
def test_check_deploy_warns_without_https(tmp_path: Path) -> None:
    result = _check_deploy(tmp_path, INQUEST_HTTPS="0")
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr + result.stdout, warning
