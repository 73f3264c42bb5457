"""Run the whole web suite again on PostgreSQL (127.0.0.1:5432, trust auth, user postgres).

The outer run uses SQLite; this test starts pytest on ``tests/web`` in a subprocess with
``INQUEST_TEST_DATABASE_URL`` set (leaving out the modules that use no database), and Django
creates and drops its own test database. On CI
(``CI`` set) an unreachable server is a failure; elsewhere the test is skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

POSTGRES_URL = os.environ.get(
    "INQUEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
NESTED = "INQUEST_TEST_DATABASE_URL" in os.environ
HERE = Path(__file__).resolve().parent
# Tests that touch no database, or that make their own SQLite file, gain nothing from a rerun.
KEEP = ["-k", "not (test_config or test_display or test_matrix or test_properties or test_cli_db)"]


def _reachable() -> str | None:
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip()


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.skipif(NESTED, reason="already running on the test database given")
def test_web_suite_on_postgresql() -> None:
    problem = _reachable()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_URL}: {problem}")
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}: {problem}")
    base = POSTGRES_URL.rsplit("/", 1)[0]
    env = {**os.environ, "INQUEST_TEST_DATABASE_URL": f"{base}/inquest"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(HERE), "-q", "-x", "-p", "no:cacheprovider", *KEEP],
        env=env,
        cwd=HERE.parents[1],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
