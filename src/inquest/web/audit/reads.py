"""Audit the reading of protected data: one entry per page or answer that shows any.

Writes are audited by the services that make them; reads are audited here, by the views
that show objects. Only objects at the ``protected`` level count: an entry names their
model and ids, the page that showed them and who looked.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models, transaction

from inquest.web.access.levels import Level
from inquest.web.access.policy import AnyUser
from inquest.web.audit import services as audit
from inquest.web.audit.models import AuditEntry

_MAX_IDS = 500


def record_protected_view(
    user: AnyUser, objects: Iterable[models.Model], *, where: str
) -> AuditEntry | None:
    """Append a ``view`` entry if any of ``objects`` is protected; None if none is."""
    protected = [
        obj for obj in objects if int(getattr(obj, "confidentiality", 0)) >= Level.PROTECTED
    ]
    if not protected:
        return None
    labels = sorted({obj._meta.label for obj in protected})
    ids = [f"{obj._meta.label}:{obj.pk}" for obj in protected]
    with transaction.atomic():
        return audit.record(
            user,
            "view",
            type(protected[0]),
            level=Level.PROTECTED,
            detail={"where": where, "models": labels, "objects": ids[:_MAX_IDS], "n": len(ids)},
        )
