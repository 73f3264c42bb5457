"""Audit entries: each holds the hash of the one before, so an edit breaks the chain."""

from __future__ import annotations

import hashlib
import json
from typing import Any, ClassVar

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from inquest.web.access.models import Confidential

GENESIS = "0" * 64


class AuditEntry(Confidential):
    """One write: who, when, what action on which object, with details and the chain hashes.

    Its level is that of the object written, so the log does not reveal protected objects.
    Entries are never updated or deleted through the ORM.
    """

    ACCESS_PARENTS: ClassVar[tuple[str, ...]] = ()

    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    detail = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    prev_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ("id",)
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.object_type}"

    def compute_hash(self) -> str:
        """SHA-256 over the previous hash and this entry's content, in canonical JSON."""
        return entry_hash(self.prev_hash, self.content())

    def content(self) -> dict[str, Any]:
        """The hashed fields of this entry."""
        return {
            "at": self.at.isoformat(),
            "actor": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "confidentiality": int(self.confidentiality),
            "detail": self.detail,
        }

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only: an existing entry is never saved again."""
        if self.pk is not None:
            raise ValueError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Refused: the audit log is append-only."""
        raise ValueError("audit entries are append-only")


def entry_hash(prev_hash: str, content: dict[str, Any]) -> str:
    """The chain hash of an entry with ``content`` following ``prev_hash``."""
    canonical = json.dumps(
        content, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()
