"""Django for the web tests: settings from a throw-away data folder, SQLite by default.

``INQUEST_TEST_DATABASE_URL`` points the suite at another database (PostgreSQL:
``postgresql://postgres@127.0.0.1:5432/inquest``); Django creates and drops the test
database itself, under a name unique to this process. ``test_postgres.py`` runs this whole
suite again that way.

Transactional tests (``django_db(transaction=True)``) on SQLite must leave no audit entries
or record versions behind: the flush after them deletes rows, which the append-only
triggers refuse (PostgreSQL truncates instead, which they allow).
"""

from __future__ import annotations

import atexit
import base64
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

_DATA = tempfile.mkdtemp(prefix="inquest-web-test-")
atexit.register(shutil.rmtree, _DATA, ignore_errors=True)
os.environ["DJANGO_SETTINGS_MODULE"] = "inquest.web.settings"
os.environ["INQUEST_DATA_DIR"] = _DATA
os.environ["INQUEST_DATABASE_URL"] = os.environ.get(
    "INQUEST_TEST_DATABASE_URL", f"sqlite:///{_DATA}/inquest.sqlite3"
)
for _name in ("INQUEST_DEBUG", "INQUEST_HTTPS", "INQUEST_SECRET_KEY", "INQUEST_ALLOWED_HOSTS"):
    os.environ.pop(_name, None)
# A field key, as a deployment has: authenticator secrets are sealed with it (tests of
# witnesses set a fresh one of their own).
os.environ.pop("INQUEST_FIELD_KEY_FILE", None)
os.environ["INQUEST_FIELD_KEY"] = base64.b64encode(secrets.token_bytes(32)).decode("ascii")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db.backends.base.base import BaseDatabaseWrapper  # noqa: E402
from django.db.backends.signals import connection_created  # noqa: E402
from django.test import Client  # noqa: E402

from .personas import Personas, make_personas, mark_verified  # noqa: E402


def _allow_truncate(sender: object, connection: BaseDatabaseWrapper, **kwargs: object) -> None:
    """Let this suite's flush truncate the audit table on PostgreSQL (refused otherwise)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET inquest.allow_truncate = 'yes'")


connection_created.connect(_allow_truncate)


@pytest.fixture(scope="session")
def django_db_modify_db_settings() -> None:
    """A test database name of this process's own, so parallel runs do not collide."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        db.setdefault("TEST", {})["NAME"] = f"test_inquest_{os.getpid()}"


@pytest.fixture(autouse=True)
def force_login_passes_two_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    """``client.force_login(user)`` also marks the session two-factor verified.

    Roles above public must verify a TOTP token (inquest.web.accounts); tests that are not
    about sign-in log in with ``force_login`` and get a verified session. Tests of sign-in
    itself post to the login and two-factor pages instead.
    """
    original = Client.force_login

    def force_login(self: Client, user: Any, backend: str | None = None) -> None:
        original(self, user, backend)
        mark_verified(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def default_language_after_each_test() -> Iterator[None]:
    """A request in Persian leaves Persian active in the thread; the next test must not read
    its messages in Persian because of it."""
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def no_anchored_audit_head() -> Iterator[None]:
    """Each test starts with no anchored audit head: the database a test anchored is rolled
    back or flushed after it, so its head would name entries the next test does not have."""
    from inquest.web.audit.anchor import head_path

    head_path().unlink(missing_ok=True)
    yield
    head_path().unlink(missing_ok=True)


@pytest.fixture
def personas(db: None) -> Iterator[Personas]:
    """Synthetic users, one per role of the matrix, plus an anonymous visitor."""
    yield make_personas()


@pytest.fixture
def evidence_store(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A fresh evidence store of this test's own (``INQUEST_EVIDENCE_STORE``)."""
    from inquest.evidence.local import LocalStore

    root = tmp_path_factory.mktemp("evidence") / "store"
    settings.INQUEST_EVIDENCE_STORE = root.as_uri()
    return LocalStore(root)
