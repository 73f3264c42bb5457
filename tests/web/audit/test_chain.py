"""The audit log: every service write appends a chained entry; tampering is detected."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import pytest
from django.db import DatabaseError, connection, transaction

from inquest.web.audit import services as audit
from inquest.web.audit.models import GENESIS, AuditEntry
from inquest.web.audit.verify import Tampering, verify_all

from ..factories import make_records, make_source
from ..guards import drop_guards
from ..personas import Personas, make_personas


def test_writes_are_chained(personas: Personas) -> None:
    source = make_source(personas.researcher)
    make_records(personas.researcher, source, 2)
    entries = list(AuditEntry.objects.order_by("id"))
    actions = [e.action for e in entries]
    assert actions[-2:] == ["source.create", "records.add"]
    assert entries[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in pairwise(entries))
    assert entries[-1].actor_label == "synthetic-researcher"
    report = verify_all(anchor=None)
    assert report.intact and report.checked == len(entries)


def test_tampering_is_detected(personas: Personas) -> None:
    make_source(personas.researcher, "A")
    make_source(personas.researcher, "B")
    target = AuditEntry.objects.get(action="source.create", detail__code="A")
    drop_guards("audit_auditentry")
    AuditEntry.objects.filter(pk=target.pk).update(detail={"code": "Z"})
    report = verify_all(anchor=None)
    assert [(p.entry_id, p.kind) for p in report.problems] == [(target.pk, Tampering.ALTERED)]
    assert "does not match its hash" in report.problems[0].message


def test_deleting_an_entry_breaks_the_chain(personas: Personas) -> None:
    make_source(personas.researcher, "A")
    make_source(personas.researcher, "B")
    target = AuditEntry.objects.get(action="source.create", detail__code="A")
    drop_guards("audit_auditentry")
    AuditEntry.objects.filter(pk=target.pk)._raw_delete(AuditEntry.objects.db)
    report = verify_all(anchor=None)
    assert [p.kind for p in report.problems] == [Tampering.REMOVED]


def test_entries_are_append_only(personas: Personas) -> None:
    make_source(personas.researcher)
    entry = AuditEntry.objects.first()
    assert entry is not None
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
    # Bulk writes bypass the model; the database refuses them.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(detail={"forged": True})
    with pytest.raises(DatabaseError, match="never deleted"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk)._raw_delete(AuditEntry.objects.db)
    assert verify_all(anchor=None).intact


@pytest.mark.django_db(transaction=True)
def test_record_refuses_to_run_outside_a_transaction() -> None:
    entry_count = AuditEntry.objects.count()
    with pytest.raises(RuntimeError, match="inside the writing transaction"):
        audit.record(None, "test", AuditEntry(pk=1), level=0)
    assert AuditEntry.objects.count() == entry_count


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain() -> None:
    """Writers in parallel threads (own connections) all succeed, and the chain stays whole."""
    if connection.vendor == "sqlite":
        # The in-memory test database locks tables across threads, and the flush after a
        # transactional test cannot delete append-only rows on SQLite (PostgreSQL truncates).
        pytest.skip("PostgreSQL only")
    personas = make_personas()

    def write(worker: int) -> None:
        try:
            for i in range(4):
                make_source(personas.researcher, f"w{worker}-{i}")
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(write, range(3)))
    report = verify_all()  # against the head the writers anchored as they committed
    assert report.intact and report.anchor is not None
    assert (report.anchor.entries, report.anchor.last_id) == (report.checked, report.last_id)
    assert AuditEntry.objects.filter(action="source.create").count() == 12
