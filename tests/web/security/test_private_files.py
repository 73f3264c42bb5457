"""The workbench's private files: made private, and no start while another account could
read them (the data folder, the SQLite database and its side files, the secret key, key
files), with an error that names each path and the ``chmod`` that closes it."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from typer.testing import CliRunner

from inquest.cli import app
from inquest.web.ops import config


def _sqlite(path: Path) -> dict[str, str]:
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}


@pytest.mark.usefixtures("loose_umask")
def test_a_new_data_folder_and_database_are_private(tmp_path: Path) -> None:
    data = config.data_dir({"INQUEST_DATA_DIR": str(tmp_path / "new" / "inquest")})
    assert (data.stat().st_mode & 0o777, data.parent.stat().st_mode & 0o777) == (0o700, 0o700)
    db = _sqlite(data / "inquest.sqlite3")
    config.create_sqlite_file(db)
    assert (data / "inquest.sqlite3").stat().st_mode & 0o777 == 0o600
    config.check_private({}, data, db)  # nothing open: no error


@pytest.mark.usefixtures("loose_umask")
def test_an_existing_open_data_folder_is_refused_not_closed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    assert config.data_dir({"INQUEST_DATA_DIR": str(data)}) == data
    assert data.stat().st_mode & 0o777 == 0o755
    with pytest.raises(ImproperlyConfigured) as refused:
        config.check_private({}, data, _sqlite(data / "inquest.sqlite3"))
    message = str(refused.value)
    assert f"{data} is open to its group and others (mode 755)" in message
    assert f"fix: chmod 700 {shlex.quote(str(data))}" in message


@pytest.mark.parametrize(
    ("name", "mode", "who"),
    [
        ("inquest.sqlite3", 0o644, "its group and others"),
        ("inquest.sqlite3-wal", 0o640, "its group"),
        ("inquest.sqlite3-journal", 0o604, "others"),
        ("secret_key", 0o660, "its group"),
        ("audit_key", 0o640, "its group"),
        ("audit-head.json", 0o644, "its group and others"),
    ],
)
def test_an_open_database_side_file_or_secret_key_is_refused(
    tmp_path: Path, name: str, mode: int, who: str
) -> None:
    os.chmod(tmp_path, 0o700)
    db = _sqlite(tmp_path / "inquest.sqlite3")
    (tmp_path / "inquest.sqlite3").touch(mode=0o600)
    path = tmp_path / name
    path.touch()
    os.chmod(path, mode)
    with pytest.raises(ImproperlyConfigured) as refused:
        config.check_private({}, tmp_path, db)
    assert f"{path} is open to {who} (mode {mode:o}); fix: chmod 600 {path}" in str(refused.value)


@pytest.mark.parametrize("variable", config.KEY_FILE_VARIABLES)
def test_an_open_key_file_named_by_a_variable_is_refused(tmp_path: Path, variable: str) -> None:
    os.chmod(tmp_path, 0o700)
    key = tmp_path / "elsewhere" / "my key"
    key.parent.mkdir()
    key.write_text("k" * 44, encoding="ascii")
    os.chmod(key, 0o644)
    with pytest.raises(ImproperlyConfigured, match=r"chmod 600 '.*my key'"):
        config.check_private({variable: str(key)}, tmp_path, {"ENGINE": "postgresql"})
    os.chmod(key, 0o400)
    config.check_private({variable: str(key)}, tmp_path, {"ENGINE": "postgresql"})


def _start(command: list[str], data: Path) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("INQUEST_") and k != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        INQUEST_DATA_DIR=str(data),
        INQUEST_DATABASE_URL=f"sqlite:///{data / 'inquest.sqlite3'}",
        DJANGO_SETTINGS_MODULE="inquest.web.settings",
        COLUMNS="300",
    )
    return subprocess.run(
        [sys.executable, *command], env=env, capture_output=True, text=True, timeout=120
    )


def test_inquest_db_refuses_to_start_on_an_open_data_folder(tmp_path: Path) -> None:
    data = tmp_path / "data folder"
    data.mkdir()
    os.chmod(data, 0o755)
    done = _start(["-m", "inquest", "db", "status"], data)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"fix: chmod 700 '{data}'" in done.stderr
    assert "will not start" in done.stderr
    os.chmod(data, 0o700)
    assert _start(["-m", "inquest", "db", "status"], data).returncode == 1  # pending migrations


def test_the_wsgi_application_refuses_an_open_database(tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o700)
    db = tmp_path / "inquest.sqlite3"
    db.touch()
    os.chmod(db, 0o644)
    done = _start(["-c", "import inquest.web.wsgi"], tmp_path)
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert f"{db} is open to its group and others (mode 644); fix: chmod 600 {db}" in done.stderr


def test_settings_and_every_command_tighten_the_umask(tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o700)
    done = _start(
        ["-c", "import os; os.umask(0o022); import django; django.setup(); print(os.umask(0))"],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == 0o077
    before = os.umask(0o022)
    try:
        assert CliRunner().invoke(app, ["dates", "parse", "1367"]).exit_code == 0
        assert os.umask(0o022) == 0o077
    finally:
        os.umask(before)


def test_a_database_named_by_a_file_uri_is_checked_too(tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o700)
    database = tmp_path / "inquest.sqlite3"
    database.touch(mode=0o644)
    os.chmod(database, 0o644)
    db = {"ENGINE": "django.db.backends.sqlite3", "NAME": f"file:{database}?mode=rw"}
    assert config.sqlite_file(db) == database
    with pytest.raises(ImproperlyConfigured, match="chmod 600"):
        config.check_private({}, tmp_path, db)
    in_memory = {"ENGINE": "django.db.backends.sqlite3", "NAME": "file:x?mode=memory"}
    assert config.sqlite_file(in_memory) is None
