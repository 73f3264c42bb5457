"""``inquest audit verify``: every kind of tampering is found and placed, on SQLite and
PostgreSQL (the web suite reruns there). Triggers are dropped first, as someone with rights
over the schema could. The chain's head is anchored as in production, after each commit."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from typer.testing import CliRunner

from inquest.cli import app
from inquest.web.audit.models import AuditEntry
from inquest.web.audit.verify import Tampering, verify_all

from ..factories import make_source
from ..guards import drop_guards
from ..personas import Personas

TABLE = AuditEntry._meta.db_table


@pytest.fixture
def chain(
    personas: Personas,
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[Any]],
) -> list[AuditEntry]:
    """Five more entries after the personas' grants, the last anchored as the head."""
    with django_capture_on_commit_callbacks(execute=True):
        for code in "ABCDE":
            make_source(personas.researcher, code)
    return list(AuditEntry.objects.order_by("id"))


def _drop_all_guards() -> None:
    drop_guards(TABLE)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_renumber")
        else:
            cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_renumber ON {TABLE}")


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["audit", *args])
    return result.exit_code, result.output


def test_an_intact_chain_passes(chain: list[AuditEntry]) -> None:
    result = verify_all(expected_head=chain[-1].hash)
    assert result.intact and result.checked == len(chain) and result.head == chain[-1].hash
    assert result.anchor is not None and result.anchor.last_hash == chain[-1].hash
    assert result.anchor.entries == len(chain)
    code, output = _cli("verify", "--head", chain[-1].hash)
    assert code == 0 and f"{len(chain)} entries" in output and "anchored head" in output
    code, output = _cli("head")
    assert code == 0 and output.split() == [str(len(chain)), chain[-1].hash]


def test_an_edit_is_found_at_its_entry(chain: list[AuditEntry]) -> None:
    target = chain[-3]
    _drop_all_guards()
    AuditEntry.objects.filter(pk=target.pk).update(actor_label="someone-else")
    result = verify_all()
    assert [(p.entry_id, p.kind) for p in result.problems] == [(target.pk, Tampering.ALTERED)]
    code, output = _cli("verify")
    assert code == 1 and "altered" in output and f"entry {target.pk} " in output


def test_an_edit_with_its_hash_recomputed_shows_at_the_next_entry(
    chain: list[AuditEntry],
) -> None:
    target = chain[-3]
    target.detail = {"code": "forged"}
    _drop_all_guards()
    AuditEntry.objects.filter(pk=target.pk).update(detail=target.detail, hash=target.compute_hash())
    result = verify_all()
    assert [(p.entry_id, p.kind) for p in result.problems] == [(chain[-2].pk, Tampering.REMOVED)]
    assert f"entry {target.pk} was altered" in result.problems[0].message


def test_a_removed_entry_is_found_between_its_neighbours(chain: list[AuditEntry]) -> None:
    gone = chain[-3]
    _drop_all_guards()
    AuditEntry.objects.filter(pk=gone.pk)._raw_delete(AuditEntry.objects.db)
    result = verify_all()
    assert [(p.entry_id, p.kind) for p in result.problems] == [
        (chain[-2].pk, Tampering.REMOVED),
        (None, Tampering.REMOVED),  # the anchored count
    ]
    assert f"between entry {chain[-4].pk} and entry {chain[-2].pk}" in result.problems[0].message
    assert "1 fewer than anchored" in result.problems[1].message
    code, output = _cli("verify")
    assert code == 1 and "removed" in output


def test_removing_the_newest_entries_shows_against_the_anchored_head(
    chain: list[AuditEntry],
) -> None:
    head = chain[-1].hash
    _drop_all_guards()
    AuditEntry.objects.filter(pk__in=[e.pk for e in chain[-2:]])._raw_delete(AuditEntry.objects.db)
    assert verify_all(anchor=None).intact  # the chain alone cannot tell
    result = verify_all()
    assert [p.kind for p in result.problems] == [Tampering.TRUNCATED]
    assert f"ending at entry {chain[-3].pk}" in result.problems[0].message
    code, output = _cli("verify")
    assert code == 1 and "truncated" in output and "anchored head" in output
    result = verify_all(expected_head=head, anchor=None)
    assert [p.kind for p in result.problems] == [Tampering.TRUNCATED]
    code, output = _cli("verify", "--head", head)
    assert code == 1 and "truncated" in output


def test_swapped_entries_are_found_as_reordered(chain: list[AuditEntry]) -> None:
    one, two = chain[-3], chain[-2]
    _drop_all_guards()
    with connection.cursor() as cursor:  # swap their ids through a free one
        free = chain[-1].pk + 100
        cursor.execute(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [free, one.pk])
        cursor.execute(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [one.pk, two.pk])
        cursor.execute(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [two.pk, free])
    result = verify_all()
    kinds = {p.kind for p in result.problems}
    assert kinds == {Tampering.REORDERED}
    assert {p.entry_id for p in result.problems} == {one.pk, two.pk, chain[-1].pk}
    code, output = _cli("verify")
    assert code == 1 and "reordered" in output


def test_the_database_refuses_renumbering(chain: list[AuditEntry]) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {TABLE} SET id = id + 1000 WHERE id = %s", [chain[-1].pk])
    assert verify_all().intact


@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE {TABLE} SET detail = '{{}}'",
        f"UPDATE {TABLE} SET hash = prev_hash",
        f"DELETE FROM {TABLE}",
        f"TRUNCATE {TABLE}",
    ],
)
def test_postgresql_refuses_raw_sql(chain: list[AuditEntry], sql: str) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (SQLite has no TRUNCATE; its triggers are tested above)")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL inquest.allow_truncate = 'no'")
        cursor.execute(sql)
    assert AuditEntry.objects.count() == len(chain)
    assert verify_all().intact


def test_a_rewritten_log_stays_reported_after_the_next_audited_write(
    chain: list[AuditEntry],
    personas: Personas,
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from inquest.web.audit import anchor

    anchored = anchor.head_path().read_bytes()
    _drop_all_guards()
    prev_hash = None
    for entry in AuditEntry.objects.order_by("id").filter(pk__gte=chain[1].pk):
        if entry.pk == chain[1].pk:
            entry.detail = {"code": "forged"}
        else:
            entry.prev_hash = prev_hash
        entry.hash = entry.compute_hash()
        AuditEntry.objects.filter(pk=entry.pk).update(
            detail=entry.detail, prev_hash=entry.prev_hash, hash=entry.hash
        )
        prev_hash = entry.hash
    assert verify_all(anchor=None).intact  # re-hashed: the chain alone cannot tell
    assert [p.kind for p in verify_all().problems] == [Tampering.TRUNCATED]
    with django_capture_on_commit_callbacks(execute=True):
        make_source(personas.researcher, "F")  # any audited write
    assert anchor.head_path().read_bytes() == anchored  # kept as evidence
    assert any(
        r.levelname == "CRITICAL" and f"entry {chain[-1].pk} no longer has" in r.getMessage()
        for r in caplog.records
    )
    assert [p.kind for p in verify_all().problems] == [Tampering.TRUNCATED]
    code, output = _cli("verify")
    assert code == 1 and "truncated" in output
