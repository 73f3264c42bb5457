"""``inquest audit anchor --accept-current``: a head signed with another key is set aside and
the current chain anchored under this key, recorded in the log; refused while the chain's
links do not verify or while the head verifies but the chain no longer holds it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from typer.testing import CliRunner

from inquest.cli import app
from inquest.web.audit import anchor
from inquest.web.audit.models import AuditEntry
from inquest.web.audit.reanchor import ACTION
from inquest.web.audit.verify import Tampering, verify_all

from ..factories import make_source
from ..guards import drop_guards
from ..personas import Personas

Capture = Callable[..., AbstractContextManager[Any]]


@pytest.fixture
def other_key(anchored: AuditEntry, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """The head was signed with the key file; this process has INQUEST_AUDIT_KEY (the
    gunicorn/CLI mismatch). Returns the old head file."""
    monkeypatch.setenv(anchor.ENV_KEY, "k" * 40)
    return anchor.head_path().read_bytes()


def _reanchor(capture: Capture, *args: str) -> tuple[int, str]:
    with capture(execute=True):
        result = CliRunner().invoke(
            app, ["audit", "anchor", "--accept-current", "--by", "clerk", *args]
        )
    return result.exit_code, result.output


def test_a_head_signed_with_another_key_is_re_anchored_and_recorded(
    other_key: bytes,
    personas: Personas,
    django_capture_on_commit_callbacks: Capture,
    caplog: pytest.LogCaptureFixture,
) -> None:
    problems = verify_all().problems
    assert [p.kind for p in problems] == [Tampering.ANCHOR]
    assert "signed with key" in problems[0].message
    assert "inquest audit anchor --accept-current" in problems[0].message
    code, output = _reanchor(django_capture_on_commit_callbacks, "--reason", "key mismatch")
    assert code == 0, output
    assert "re-anchored" in output and "signed with key" in output
    entry = AuditEntry.objects.order_by("id").last()
    assert entry is not None and entry.action == ACTION
    assert entry.detail["old_head"] == json.loads(other_key)
    assert entry.detail["old_head_sha256"] == hashlib.sha256(other_key).hexdigest()
    assert entry.detail["by"] == "clerk" and entry.detail["reason"] == "key mismatch"
    assert entry.detail["login"]
    head = anchor.read_head()
    assert head is not None and (head.last_id, head.last_hash) == (entry.pk, entry.hash)
    assert head.entries == AuditEntry.objects.count()
    assert verify_all().intact
    assert not [r for r in caplog.records if r.levelname in {"ERROR", "CRITICAL"}]
    with django_capture_on_commit_callbacks(execute=True):
        make_source(personas.researcher, "C")  # anchoring goes on under this key
    moved = anchor.read_head()
    assert moved is not None and moved.last_id > entry.pk and verify_all().intact


def test_refused_while_the_chain_links_do_not_verify(
    other_key: bytes, django_capture_on_commit_callbacks: Capture
) -> None:
    count = AuditEntry.objects.count()
    drop_guards(AuditEntry._meta.db_table)
    first = AuditEntry.objects.order_by("id").first()
    assert first is not None
    AuditEntry.objects.filter(pk=first.pk).update(actor_label="someone-else")
    code, output = _reanchor(django_capture_on_commit_callbacks)
    assert code == 1 and "links do not verify" in output
    assert anchor.head_path().read_bytes() == other_key
    assert AuditEntry.objects.count() == count


def test_refused_when_the_head_verifies_but_the_log_was_rewritten(
    anchored: AuditEntry, django_capture_on_commit_callbacks: Capture
) -> None:
    old = anchor.head_path().read_bytes()
    drop_guards(AuditEntry._meta.db_table)
    anchored.detail = {"code": "forged"}
    AuditEntry.objects.filter(pk=anchored.pk).update(
        detail=anchored.detail, hash=anchored.compute_hash()
    )
    assert verify_all(anchor=None).intact
    code, output = _reanchor(django_capture_on_commit_callbacks)
    assert code == 1 and "restore from a backup" in output
    assert anchor.head_path().read_bytes() == old


def test_an_intact_anchored_log_needs_nothing(
    anchored: AuditEntry, django_capture_on_commit_callbacks: Capture
) -> None:
    code, output = _reanchor(django_capture_on_commit_callbacks)
    assert code == 1 and "nothing to re-anchor" in output
    result = CliRunner().invoke(app, ["audit", "anchor"])
    assert result.exit_code == 2 and "--accept-current" in result.output
