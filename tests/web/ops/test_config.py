"""Settings from the environment: defaults, parsing, and loud errors naming the variable."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given, settings
from hypothesis import strategies as st

from inquest.web.ops import config

YES_NO = {"1", "0", "true", "false", "yes", "no", "on", "off", ""}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("TRUE", True), (" yes ", True), ("0", False), ("off", False)],
)
def test_env_bool(raw: str, expected: bool) -> None:
    assert config.env_bool({"X": raw}, "X", default=not expected) is expected


def test_env_bool_default() -> None:
    assert config.env_bool({}, "INQUEST_DEBUG", default=False) is False


@settings(deadline=None)
@given(st.text(max_size=12).filter(lambda s: s.strip().lower() not in YES_NO))
def test_env_bool_refuses_anything_else_naming_the_variable(raw: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="INQUEST_DEBUG"):
        config.env_bool({"INQUEST_DEBUG": raw}, "INQUEST_DEBUG", default=False)


@settings(deadline=None)
@given(st.lists(st.text(alphabet="abc.-1", min_size=1, max_size=8), max_size=5))
def test_env_list_round_trips(items: list[str]) -> None:
    assert config.env_list({"H": ",".join(items)}, "H", default=[]) == items


def test_database_defaults_to_sqlite_in_data_dir(tmp_path: Path) -> None:
    db = config.database({}, tmp_path)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(tmp_path / "inquest.sqlite3")
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_database_postgresql_url(tmp_path: Path) -> None:
    url = "postgresql://postgres@127.0.0.1:5432/inquest"
    db = config.database({"INQUEST_DATABASE_URL": url}, tmp_path)
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["HOST"], db["PORT"]) == (
        "inquest",
        "postgres",
        "127.0.0.1",
        5432,
    )
    assert db["OPTIONS"]["server_side_binding"] is True  # prepared after five runs


@pytest.mark.parametrize(
    "url", ["mysql://u@h/db", "postgresql://postgres@127.0.0.1:5432/", "nonsense"]
)
def test_bad_database_url_names_the_variable(tmp_path: Path, url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="INQUEST_DATABASE_URL"):
        config.database({"INQUEST_DATABASE_URL": url}, tmp_path)


def test_secret_key_file_is_made_once_and_private(tmp_path: Path) -> None:
    key = config.secret_key({}, tmp_path)
    path = tmp_path / config.SECRET_KEY_FILE
    assert len(key) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert config.secret_key({}, tmp_path) == key


def test_secret_key_from_environment(tmp_path: Path) -> None:
    assert config.secret_key({"INQUEST_SECRET_KEY": "k" * 40}, tmp_path) == "k" * 40
    assert not (tmp_path / config.SECRET_KEY_FILE).exists()
    with pytest.raises(ImproperlyConfigured, match="INQUEST_SECRET_KEY"):
        config.secret_key({"INQUEST_SECRET_KEY": "short"}, tmp_path)


def test_data_dir(tmp_path: Path) -> None:
    assert config.data_dir({"INQUEST_DATA_DIR": str(tmp_path / "d")}) == tmp_path / "d"
    assert config.data_dir({"XDG_DATA_HOME": str(tmp_path)}) == tmp_path / "inquest"
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match="INQUEST_DATA_DIR"):
        config.data_dir({"INQUEST_DATA_DIR": str(blocker / "sub")})


def test_time_zone() -> None:
    assert config.time_zone({}) == "UTC"
    assert config.time_zone({"INQUEST_TIME_ZONE": "Asia/Tehran"}) == "Asia/Tehran"
    with pytest.raises(ImproperlyConfigured, match="INQUEST_TIME_ZONE"):
        config.time_zone({"INQUEST_TIME_ZONE": "Mars/Olympus_Mons"})


def test_debug_is_off_by_default() -> None:
    from django.conf import settings as django_settings

    assert django_settings.DEBUG is False
