"""A real workbench server for the browser tests: a fresh database, migrated and seeded by
``scenario.py``, served by ``inquest db serve`` on a free port of 127.0.0.1; ``InBackground``
brings one up in a thread.

SQLite uses a file in a throw-away data folder; PostgreSQL a database of this process's own
(``inquest_e2e_<pid>``), dropped when the server stops.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

_BRING_UP_S = 900

HERE = Path(__file__).resolve().parent
INQUEST = Path(sys.executable).with_name("inquest")
POSTGRES_URL = os.environ.get(
    "INQUEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
# Settings the surrounding test run may have set for itself (tests/web/conftest.py does).
_OURS = (
    "DJANGO_SETTINGS_MODULE",
    "INQUEST_DATA_DIR",
    "INQUEST_DATABASE_URL",
    "INQUEST_DEBUG",
    "INQUEST_HTTPS",
    "INQUEST_SECRET_KEY",
    "INQUEST_ALLOWED_HOSTS",
    "INQUEST_TEST_DATABASE_URL",
    "INQUEST_FIELD_KEY",
    "INQUEST_FIELD_KEY_FILE",
)
# The field key that seals the authenticator secrets, the same for the seeding and the server.
_FIELD_KEY = base64.b64encode(secrets.token_bytes(32)).decode("ascii")


@dataclass(frozen=True)
class Workbench:
    """A running server: its base URL, database vendor, data folder and the seeded facts."""

    url: str
    vendor: str
    data_dir: Path
    facts: dict[str, Any]

    def at(self, path: str) -> str:
        """The absolute URL of ``path`` (``/persons/``) on this server."""
        return self.url + path


def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used (None when it can)."""
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip() or type(exc).__name__


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _env(data_dir: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _OURS}
    env.update(
        INQUEST_DATA_DIR=str(data_dir),
        INQUEST_DATABASE_URL=database_url,
        INQUEST_FIELD_KEY=_FIELD_KEY,
    )
    return env


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the workbench server exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/login/", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the workbench server did not answer in 60 s:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def _database(vendor: str, data_dir: Path) -> Iterator[str]:
    """A database URL for a fresh database of ``vendor``, removed afterwards."""
    if vendor == "sqlite":
        yield f"sqlite:///{data_dir / 'inquest.sqlite3'}"
        return
    name = f"inquest_e2e_{os.getpid()}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def running_workbench(vendor: str, *, review: bool = False) -> Iterator[Workbench]:
    """Migrate and seed a fresh ``vendor`` database, serve it, stop and clean up afterwards.

    ``review``: link a simulated world as well, so the review queue has pairs (slower).
    """
    data_dir = Path(tempfile.mkdtemp(prefix=f"inquest-e2e-{vendor}-"))
    try:
        with _database(vendor, data_dir) as database_url:
            env = _env(data_dir, database_url)
            seeded = subprocess.run(
                [sys.executable, str(HERE / "scenario.py"), *(["--review"] if review else [])],
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            if seeded.returncode != 0:
                raise RuntimeError(f"seeding the scenario failed:\n{seeded.stderr[-3000:]}")
            facts = json.loads(seeded.stdout.strip().splitlines()[-1])
            port = _free_port()
            log = data_dir / "server.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [str(INQUEST), "db", "serve", "--host", "127.0.0.1", "--port", str(port)],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            url = f"http://127.0.0.1:{port}"
            try:
                _wait_until_up(url, process, log)
                yield Workbench(url=url, vendor=vendor, data_dir=data_dir, facts=facts)
            finally:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


class InBackground:
    """``running_workbench`` in a thread, so servers are seeded while others start.

    ``get()`` waits for the server (re-raising a failure to start it); ``stop()`` stops it.
    """

    def __init__(self, vendor: str, *, review: bool = False) -> None:
        self._vendor, self._review = vendor, review
        self._ready = threading.Event()
        self._done = threading.Event()
        self._server: Workbench | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"workbench-{vendor}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            with running_workbench(self._vendor, review=self._review) as server:
                self._server = server
                self._ready.set()
                self._done.wait()
        except BaseException as exc:  # handed to the test that asks for the server
            self._error = exc
        finally:
            self._ready.set()

    def get(self) -> Workbench:
        """The running server, once it is up."""
        if not self._ready.wait(_BRING_UP_S):
            raise RuntimeError(f"the {self._vendor} workbench did not come up")
        if self._server is None:
            raise RuntimeError(f"the {self._vendor} workbench did not start") from self._error
        return self._server

    def stop(self) -> None:
        """Stop the server and remove its database and data folder."""
        self._done.set()
        self._thread.join(timeout=60)
