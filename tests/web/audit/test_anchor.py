"""The audit head anchored outside the database: written after each commit, signed, never
moved back; ``inquest audit verify`` compares with it by default. On PostgreSQL, TRUNCATE of
the log needs the table's owner as well as the setting."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from typer.testing import CliRunner

from inquest.cli import app
from inquest.web.audit import anchor
from inquest.web.audit.models import AuditEntry
from inquest.web.audit.verify import Tampering, verify_all

from ..factories import make_source
from ..personas import Personas

TABLE = AuditEntry._meta.db_table
Capture = Callable[..., AbstractContextManager[Any]]


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["audit", *args])
    return result.exit_code, result.output


def test_the_head_is_anchored_after_commit_only(
    personas: Personas, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_source(personas.researcher, "A")
    assert not anchor.head_path().exists()  # not committed yet: nothing anchored
    for callback in callbacks:
        callback()
    head = anchor.read_head()
    last = AuditEntry.objects.order_by("id").last()
    assert head is not None and last is not None
    assert (head.entries, head.last_id, head.last_hash) == (
        AuditEntry.objects.count(),
        last.pk,
        last.hash,
    )
    assert stat.S_IMODE(os.stat(anchor.head_path()).st_mode) == 0o600


def test_the_head_never_moves_back(anchored: AuditEntry) -> None:
    before = anchor.read_head()
    assert before is not None and before.last_id == anchored.pk
    first = AuditEntry.objects.order_by("id").first()
    assert first is not None
    anchor.advance(first.pk, first.hash)  # a late callback for an older entry
    assert anchor.read_head() == before


def test_an_intact_anchored_chain_verifies(anchored: AuditEntry) -> None:
    result = verify_all()
    assert result.intact and result.anchor is not None
    assert result.anchor.last_hash == anchored.hash
    code, output = _cli("verify")
    assert code == 0 and "audit log intact" in output


def test_an_altered_head_file_is_reported(anchored: AuditEntry) -> None:
    path = anchor.head_path()
    doc = json.loads(path.read_text())
    doc["head"]["entries"] += 5  # a head moved, without the key to sign it
    path.write_text(json.dumps(doc))
    result = verify_all()
    assert [p.kind for p in result.problems] == [Tampering.ANCHOR]
    assert "signature does not verify" in result.problems[0].message
    code, output = _cli("verify")
    assert code == 1 and "anchor" in output and "signature does not verify" in output
    first = AuditEntry.objects.order_by("id").first()
    assert first is not None
    anchor.advance_after_commit(anchored.pk + 1000, first.hash)
    assert json.loads(path.read_text()) == doc  # left as evidence, not overwritten


def test_a_head_signed_with_another_key_is_reported(
    anchored: AuditEntry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(anchor.ENV_KEY, "k" * 40)
    result = verify_all()
    assert [p.kind for p in result.problems] == [Tampering.ANCHOR]
    assert "signed with key" in result.problems[0].message


def test_a_missing_head_file_is_reported_once_there_are_entries(anchored: AuditEntry) -> None:
    anchor.head_path().unlink()
    result = verify_all()
    assert [p.kind for p in result.problems] == [Tampering.ANCHOR]
    assert "no anchored head" in result.problems[0].message
    code, _ = _cli("verify")
    assert code == 1


@pytest.mark.django_db
def test_an_empty_log_without_a_head_file_verifies() -> None:
    assert not AuditEntry.objects.exists()
    assert verify_all().intact
    code, output = _cli("verify")
    assert code == 0 and "0 entries" in output


@pytest.fixture
def postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (SQLite has no TRUNCATE and no roles)")


def test_postgresql_refuses_truncate_by_a_role_that_does_not_own_the_log(
    postgresql: None, anchored: AuditEntry
) -> None:
    role = f"inquest_test_truncator_{os.getpid()}"
    with connection.cursor() as cursor:
        # The test's own inserts leave deferred foreign-key checks that TRUNCATE waits on.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"CREATE ROLE {role}")  # rolled back with the test's transaction
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        cursor.execute(f"GRANT TRUNCATE ON {TABLE} TO {role}")
        with (
            pytest.raises(DatabaseError, match="TRUNCATE refused"),
            transaction.atomic(),
        ):
            cursor.execute(f"SET LOCAL ROLE {role}")
            cursor.execute("SET LOCAL inquest.allow_truncate = 'yes'")
            cursor.execute(f"TRUNCATE {TABLE}")
    assert AuditEntry.objects.filter(pk=anchored.pk).exists()
    assert verify_all().intact


def test_postgresql_owner_truncate_shows_against_the_anchored_head(
    postgresql: None, anchored: AuditEntry
) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL inquest.allow_truncate = 'yes'")
        cursor.execute(f"TRUNCATE {TABLE}")
    assert not AuditEntry.objects.exists()
    result = verify_all()
    assert [p.kind for p in result.problems] == [Tampering.TRUNCATED]
    code, output = _cli("verify")
    assert code == 1 and "truncated" in output


def test_a_database_error_while_anchoring_is_logged_not_raised(
    anchored: AuditEntry, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def fails(last_id: int, last_hash: str) -> None:
        raise DatabaseError("connection lost")

    monkeypatch.setattr(anchor, "advance", fails)
    anchor.advance_after_commit(anchored.pk + 1, anchored.hash)  # the write has committed
    assert any(
        r.levelname == "ERROR" and "connection lost" in r.getMessage() for r in caplog.records
    )
