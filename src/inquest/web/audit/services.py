"""Append to the audit log. Callers are inside their own transaction; ``verify`` checks it."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from inquest.web.access.levels import Level
from inquest.web.access.policy import AnyUser
from inquest.web.audit import anchor
from inquest.web.audit.models import GENESIS, AuditEntry


def record(
    actor: AnyUser | None,
    action: str,
    obj: models.Model | type[models.Model],
    *,
    level: Level | int,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry for ``action`` by ``actor`` on ``obj``, chained to the last one.

    ``obj`` is the object written, or a model class for a write to many of its rows (the
    entry's object id is then ``*``). Must run inside the caller's transaction so the write
    and its entry commit together.
    The last entry is locked (on PostgreSQL) so two writers cannot fork the chain; the
    unique ``prev_hash`` makes a fork fail even where locks are not available.
    Once the transaction commits, the entry is anchored as the chain's head outside the
    database (``inquest.web.audit.anchor``).
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must be called inside the writing transaction")
    serialise_writers(connection)
    last = AuditEntry.objects.order_by("-id").first()
    user = actor if actor is not None and actor.is_authenticated else None
    # JSON round trip: the stored detail must hash the same after it is read back.
    clean = json.loads(json.dumps(detail or {}, cls=DjangoJSONEncoder))
    entry = AuditEntry(
        at=timezone.now(),
        actor_id=user.pk if user is not None else None,
        actor_label=user.get_username() if user is not None else "anonymous",
        action=action,
        object_type=obj._meta.label,
        object_id="*" if isinstance(obj, type) else str(obj.pk),
        detail=clean,
        confidentiality=int(level),
        prev_hash=last.hash if last is not None else GENESIS,
    )
    entry.hash = entry.compute_hash()
    entry.save()
    last_id, last_hash = entry.pk, entry.hash
    transaction.on_commit(lambda: anchor.advance_after_commit(last_id, last_hash))
    return entry


def serialise_writers(connection: BaseDatabaseWrapper) -> None:
    """Make concurrent audited transactions take turns until they commit.

    PostgreSQL: an EXCLUSIVE table lock (readers go on; the next writer waits for this
    transaction to end, then reads the entry it committed). SQLite needs nothing here: the
    settings open every transaction IMMEDIATE, holding the database's write lock throughout.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {AuditEntry._meta.db_table} IN EXCLUSIVE MODE")
