"""Read the workbench's settings from the environment; fail loudly, naming the variable.

Every function takes the environment as a mapping so it can be tested without touching
``os.environ``. Errors are ``ImproperlyConfigured`` and name the variable at fault.
"""

from __future__ import annotations

import os
import secrets
import time
import urllib.parse
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from inquest.private import chmod_fix, exposed_bits, private_folder

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})
_SCHEMES = ("sqlite", "postgres", "postgresql", "pgsql")
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
# The audit log's anchored head and the key that signs it (inquest.web.audit.anchor).
AUDIT_HEAD_FILE = "audit-head.json"
AUDIT_KEY_FILE = "audit_key"
#: Variables that may name a key file: witness field keys and backup keys.
KEY_FILE_VARIABLES = ("INQUEST_FIELD_KEY_FILE", "INQUEST_BACKUP_KEY_FILE")
#: The files SQLite keeps beside a database while it writes.
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def env_bool(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    """A yes/no variable: 1/true/yes/on or 0/false/no/off; anything else is an error."""
    raw = env.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a yes/no value (use 1/0, true/false)")


def env_int(env: Mapping[str, str], name: str, *, default: int, minimum: int = 1) -> int:
    """A whole number of at least ``minimum``; anything else is an error naming the variable."""
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip().replace("_", ""))
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} is below {minimum}")
    return value


def env_list(env: Mapping[str, str], name: str, *, default: list[str]) -> list[str]:
    """A comma-separated list; blanks between commas are dropped."""
    raw = env.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def data_dir(env: Mapping[str, str]) -> Path:
    """Where the workbench keeps its SQLite file, secret key and uploads.

    ``INQUEST_DATA_DIR``, else ``$XDG_DATA_HOME/inquest``, else ``~/.local/share/inquest``.
    The folder is created if missing, 0700 (and any missing folder above it); an unusable
    path is an error naming the variable. An existing folder keeps its mode:
    :func:`check_private` refuses one that others may enter.
    """
    if "INQUEST_DATA_DIR" in env:
        name, path = "INQUEST_DATA_DIR", Path(env["INQUEST_DATA_DIR"]).expanduser()
    elif env.get("XDG_DATA_HOME"):
        name, path = "XDG_DATA_HOME", Path(env["XDG_DATA_HOME"]).expanduser() / "inquest"
    else:
        name, path = "HOME", Path.home() / ".local" / "share" / "inquest"
    if not str(path).strip():
        raise ImproperlyConfigured(f"{name} is empty; set it to a writable folder")
    try:
        private_folder(path)
    except OSError as exc:
        raise ImproperlyConfigured(f"{name}: cannot create data folder {path}: {exc}") from exc
    return path


def database(env: Mapping[str, str], data: Path) -> dict[str, Any]:
    """Django's ``DATABASES['default']`` from ``INQUEST_DATABASE_URL``.

    Default: a SQLite file ``inquest.sqlite3`` in the data folder. PostgreSQL example:
    ``postgresql://postgres@127.0.0.1:5432/inquest``.
    """
    url = env.get("INQUEST_DATABASE_URL", "").strip()
    if not url:
        url = f"sqlite:///{data / 'inquest.sqlite3'}"
    scheme = url.split(":", 1)[0].lower()
    if scheme not in _SCHEMES:
        raise ImproperlyConfigured(
            f"INQUEST_DATABASE_URL: unsupported scheme {scheme!r}; use sqlite:/// or postgresql://"
        )
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    except ValueError as exc:
        raise ImproperlyConfigured(f"INQUEST_DATABASE_URL: {exc}") from exc
    if config["ENGINE"].endswith("postgresql") and not config.get("NAME"):
        raise ImproperlyConfigured("INQUEST_DATABASE_URL: names no database (…:5432/<name>)")
    if config["ENGINE"].endswith("sqlite3"):
        # Take the write lock when a transaction starts, not at its first write, so that
        # read-then-write transactions (the audit chain) do not interleave.
        config.setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    else:
        # Parameters bound on the server, so psycopg prepares a query run five times on a
        # connection and PostgreSQL stops planning it anew: on the person page, planning
        # the joins of the access filters took longer than running the queries.
        config.setdefault("OPTIONS", {})["server_side_binding"] = True
    config.setdefault("TEST", {})
    return config


def time_zone(env: Mapping[str, str]) -> str:
    """``INQUEST_TIME_ZONE`` (an IANA name such as ``Asia/Tehran``), default ``UTC``."""
    name = env.get("INQUEST_TIME_ZONE", "UTC").strip() or "UTC"
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"INQUEST_TIME_ZONE={name!r} is not a known time zone (e.g. UTC, Asia/Tehran)"
        ) from None
    return name


def secret_key(env: Mapping[str, str], data: Path) -> str:
    """``INQUEST_SECRET_KEY``, else the key in ``<data>/secret_key`` (made on first use, 0600)."""
    given = env.get("INQUEST_SECRET_KEY")
    if given is not None:
        if len(given) < 32:
            raise ImproperlyConfigured("INQUEST_SECRET_KEY is shorter than 32 characters")
        return given
    path = data / SECRET_KEY_FILE
    if not path.exists():
        key = secrets.token_urlsafe(50)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first; read theirs
        except OSError as exc:
            raise ImproperlyConfigured(
                f"INQUEST_DATA_DIR: cannot write the secret key file {path}: {exc}"
            ) from exc
        else:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(key)
            return key
    key = _read_key(path)
    if len(key) < 32:
        raise ImproperlyConfigured(
            f"INQUEST_SECRET_KEY: the key file {path} is shorter than 32 characters"
        )
    return key


def _read_key(path: Path) -> str:
    # A process that lost the race to create the file may read it before it is written.
    for _ in range(20):
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
        time.sleep(0.05)
    return ""


def sqlite_file(db: Mapping[str, Any]) -> Path | None:
    """The file of a SQLite database setting; None for another vendor or an in-memory one."""
    if not str(db.get("ENGINE", "")).endswith("sqlite3"):
        return None
    name = str(db.get("NAME") or "")
    if name.startswith("file:"):
        # a URI (file:/path/db?mode=rw): its path is the file, unless it is kept in memory
        uri = urllib.parse.urlsplit(name)
        if "mode=memory" in uri.query:
            return None
        name = urllib.parse.unquote(uri.path)
    if not name or name == ":memory:":
        return None
    return Path(name)


def create_sqlite_file(db: Mapping[str, Any]) -> None:
    """Make a missing SQLite database file empty and 0600 before SQLite opens it.

    SQLite would make it 0644 under the usual umask, and gives its journal and WAL files
    the database file's mode. A file whose folder is missing is left to SQLite's own error.
    """
    path = sqlite_file(db)
    if path is None or path.exists() or not path.parent.is_dir():
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process made it first
    except OSError as exc:
        raise ImproperlyConfigured(f"INQUEST_DATABASE_URL: cannot create {path}: {exc}") from exc
    os.close(fd)


def private_paths(env: Mapping[str, str], data: Path, db: Mapping[str, Any]) -> list[Path]:
    """What only the workbench's own account may read: the data folder, the SQLite
    database and its side files, the secret key, the audit head and its key, and the key
    files named by variables (those that exist)."""
    paths = [data, data / SECRET_KEY_FILE, data / AUDIT_KEY_FILE, data / AUDIT_HEAD_FILE]
    database_file = sqlite_file(db)
    if database_file is not None:
        paths += [database_file, *(Path(f"{database_file}{s}") for s in SQLITE_SIDE_FILES)]
    named = [env.get(name, "").strip() for name in KEY_FILE_VARIABLES]
    paths += [Path(name).expanduser() for name in named if name]
    return [p for p in paths if p.exists()]


def check_private(env: Mapping[str, str], data: Path, db: Mapping[str, Any]) -> None:
    """Refuse to start when another account may read or write the workbench's private files.

    The error names every such path and the ``chmod`` that closes it.
    """
    found = [(p, exposed_bits(p)) for p in private_paths(env, data, db)]
    exposed = [(p, bits) for p, bits in found if bits]
    if not exposed:
        return
    lines = "\n".join(
        f"  {p} is open to {_who(bits)} (mode {p.stat().st_mode & 0o777:o}); fix: {chmod_fix(p)}"
        for p, bits in exposed
    )
    raise ImproperlyConfigured(
        "the workbench will not start while other accounts on this machine may read its "
        f"private files (records, sessions, TOTP secrets, keys):\n{lines}\n"
        "Run the commands above as the workbench's user. If another account may already have "
        "read them, also end every session, rotate the secret and field keys and reset TOTP "
        "devices (docs/deployment/workbench.md, File permissions)."
    )


def _who(bits: int) -> str:
    group, others = bits & 0o070, bits & 0o007
    if group and others:
        return "its group and others"
    return "its group" if group else "others"
