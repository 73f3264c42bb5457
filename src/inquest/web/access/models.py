"""The abstract base every confidential model inherits, and role grants."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from inquest.web.access.grants import RoleGrant
from inquest.web.access.levels import Level
from inquest.web.access.queryset import AccessManager


class Confidential(models.Model):
    """An object with a confidentiality level, fetched through ``objects.visible_to(user)``.

    ``ACCESS_PARENTS`` names foreign keys whose targets must be visible too (a record is
    hidden when its source is); the check follows their own parents in turn. The field's
    default, confidential, only catches rows made outside the services, which always set a
    level (internal for an object given none and hanging from nothing).
    """

    ACCESS_PARENTS: ClassVar[tuple[str, ...]] = ()

    confidentiality = models.PositiveSmallIntegerField(
        choices=Level.choices, default=Level.CONFIDENTIAL, db_index=True
    )

    objects = AccessManager()

    class Meta:
        abstract = True


__all__ = ["Confidential", "RoleGrant"]
