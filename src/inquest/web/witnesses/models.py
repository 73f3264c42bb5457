"""Witness and Testimony. A witness is known by a pseudonym; who they are is sealed.

The identifying fields (real name, contact, address, date of birth, notes) are stored only
as AES-GCM ciphertext (``inquest.web.witnesses.crypto``), bound to the witness's ``uid``.
Writes and decryption go through ``inquest.web.witnesses.services``.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from inquest.web.access.models import Confidential

_USER = settings.AUTH_USER_MODEL

IDENTITY_FIELDS: tuple[str, ...] = ("real_name", "contact", "address", "birth_date", "notes")


class Witness(Confidential):
    """A witness: a pseudonym shown everywhere, a level, and sealed identifying fields."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pseudonym = models.CharField(max_length=100, unique=True)
    real_name_sealed = models.TextField(blank=True, editable=False)
    contact_sealed = models.TextField(blank=True, editable=False)
    address_sealed = models.TextField(blank=True, editable=False)
    birth_date_sealed = models.TextField(blank=True, editable=False)
    notes_sealed = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("pseudonym",)
        verbose_name_plural = "witnesses"

    def __str__(self) -> str:
        return self.pseudonym


class Testimony(Confidential):
    """What a witness said, when: a summary at its own level (never below the witness's)."""

    ACCESS_PARENTS: ClassVar[tuple[str, ...]] = ("witness",)

    witness = models.ForeignKey(Witness, on_delete=models.PROTECT, related_name="testimonies")
    given_on = models.DateField(null=True, blank=True, help_text=_("when the testimony was given"))
    summary = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("witness", "given_on", "id")
        verbose_name_plural = "testimonies"

    def __str__(self) -> str:
        return f"testimony {self.pk} of {self.witness_id}"
