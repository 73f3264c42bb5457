"""Confidentiality levels: every object in the workbench carries one."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    """How widely an object may be seen; higher is narrower. Stored as a small integer."""

    PUBLIC = 0, _("public")
    INTERNAL = 1, _("internal")
    CONFIDENTIAL = 2, _("confidential")
    PROTECTED = 3, _("protected")

    @classmethod
    def from_name(cls, name: str) -> Level:
        """The level called ``name`` (e.g. ``"internal"``); KeyError if there is none."""
        return cls[name.upper()]
