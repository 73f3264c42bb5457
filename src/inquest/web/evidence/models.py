"""Items of evidence and their chain of custody.

An item is one original in the engine's content-addressed store (``inquest.evidence``),
named by its SHA-256; the row keeps what the engine found (digests, types, names, flags,
technical metadata, perceptual hash) and how the commission came to hold it. Custody
events are append-only, one per thing that happened to the item, each written in the same
transaction as its audit entry (``inquest.web.evidence.services``).
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from inquest.evidence.bundle import CustodyAction
from inquest.evidence.vocabulary import AcquisitionMethod, ConsentStatus
from inquest.web.access.models import Confidential
from inquest.web.site.choices import engine_choices

_USER = settings.AUTH_USER_MODEL

METHOD_CHOICES = engine_choices(
    AcquisitionMethod,
    {
        AcquisitionMethod.FROM_WITNESS: _("from a witness"),
        AcquisitionMethod.FROM_FAMILY: _("from a family"),
        AcquisitionMethod.FROM_ORGANISATION: _("from an organisation"),
        AcquisitionMethod.OPEN_SOURCE: _("open source"),
        AcquisitionMethod.LEAK: _("leak"),
        AcquisitionMethod.OFFICIAL_REQUEST: _("official request"),
        AcquisitionMethod.FIELD_COLLECTION: _("field collection"),
        AcquisitionMethod.OTHER: _("other"),
    },
)
CONSENT_CHOICES = engine_choices(
    ConsentStatus,
    {
        ConsentStatus.GIVEN: _("given"),
        ConsentStatus.GIVEN_WITH_RESTRICTIONS: _("given with restrictions"),
        ConsentStatus.NOT_REQUIRED: _("not required"),
        ConsentStatus.NOT_OBTAINABLE: _("not obtainable"),
        ConsentStatus.PENDING: _("pending"),
    },
)
CUSTODY_CHOICES = engine_choices(
    CustodyAction,
    {
        CustodyAction.ACQUIRED: _("acquired"),
        CustodyAction.RECEIVED: _("received"),
        CustodyAction.COPIED: _("copied"),
        CustodyAction.VIEWED: _("viewed"),
        CustodyAction.EXPORTED: _("exported"),
        CustodyAction.TRANSFERRED: _("transferred"),
        CustodyAction.VERIFIED: _("verified"),
        CustodyAction.REDACTED: _("redacted"),
        CustodyAction.TIMESTAMPED: _("timestamped"),
        CustodyAction.EXPUNGED: _("expunged"),
    },
)
DERIVATION_CHOICES = (
    ("redacted", _("redacted copy")),
    ("stripped", _("copy without metadata")),
)


class EvidenceItem(Confidential):
    """One original in the store, described; never edited once added (only its level, and
    the marks of an expunge)."""

    #: Relations to confidential objects that do not hide the item: a working or redacted
    #: copy has a level of its own, and may be seen where its original may not be.
    ACCESS_INDEPENDENT: ClassVar[tuple[str, ...]] = ("derived_from",)

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sha256 = models.CharField(max_length=64, unique=True, editable=False)
    sha512 = models.CharField(max_length=128, editable=False)
    size = models.BigIntegerField(editable=False)
    original_name = models.TextField(editable=False, help_text=_("the name as given, verbatim"))
    display_name = models.CharField(max_length=255, editable=False)
    sniffed_type = models.CharField(max_length=200, blank=True, editable=False)
    claimed_type = models.CharField(max_length=200, blank=True, editable=False)
    flags = models.JSONField(default=list, blank=True, editable=False)
    archive = models.JSONField(null=True, blank=True, editable=False)
    acquired_by = models.CharField(max_length=2000)
    acquired_at = models.DateTimeField()
    method = models.CharField(max_length=32, choices=METHOD_CHOICES)
    consent = models.CharField(max_length=32, choices=CONSENT_CHOICES)
    restrictions = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=2000, blank=True)
    description = models.TextField(blank=True)
    technical_metadata = models.JSONField(default=dict, blank=True, editable=False)
    perceptual_hash = models.CharField(max_length=16, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A working or redacted copy names the item it was made from (``ACCESS_INDEPENDENT``).
    derived_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="copies"
    )
    derivation = models.CharField(max_length=16, blank=True, choices=DERIVATION_CHOICES)
    redactions = models.JSONField(default=list, blank=True, editable=False)
    expunged_at = models.DateTimeField(null=True, blank=True, editable=False)
    expunge_reason = models.CharField(max_length=32, blank=True, editable=False)
    expunge_reference = models.CharField(max_length=2000, blank=True, editable=False)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.display_name

    def flag_kinds(self) -> list[str]:
        """The kinds of the engine's flags on this item (``type_mismatch`` ...)."""
        return [str(f.get("kind", "")) for f in self.flags if isinstance(f, dict)]

    def metadata_fields(self) -> list[dict[str, Any]]:
        """The technical metadata's fields as ``{group, name, value}`` rows."""
        fields = self.technical_metadata.get("fields", [])
        return [f for f in fields if isinstance(f, dict)] if isinstance(fields, list) else []


class CustodyEvent(Confidential):
    """One thing that happened to an item: what, who, when, where and why. Append-only
    (refused by the model and, in the database, by triggers: ``inquest.web.append_only``)."""

    ACCESS_PARENTS: ClassVar[tuple[str, ...]] = ("item",)

    item = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="custody")
    action = models.CharField(max_length=32, choices=CUSTODY_CHOICES)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=2000)
    place = models.CharField(max_length=2000, blank=True, help_text=_("where"))
    reason = models.TextField(blank=True, help_text=_("why"))
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.action} of item {self.item_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only."""
        if self.pk is not None:
            raise ValueError("custody events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Refused: custody is append-only."""
        raise ValueError("custody events are append-only")


class ItemLink(Confidential):
    """An item supporting something about a person, an event or a place (exactly one), with
    a pinpoint: a page, a region of it (fractions of its width and height), a time range in
    audio or video (seconds), or quoted text. At least as confidential as the item and the
    target (``inquest.web.evidence.services.link_item``)."""

    ACCESS_PARENTS: ClassVar[tuple[str, ...]] = ("item", "person", "event", "place")

    item = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="links")
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    event = models.ForeignKey(
        "registry.Event", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    place = models.ForeignKey(
        "registry.Place", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    page = models.PositiveIntegerField(null=True, blank=True)
    region = models.JSONField(null=True, blank=True)
    start_s = models.FloatField(null=True, blank=True)
    end_s = models.FloatField(null=True, blank=True)
    quote = models.TextField(blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("item", "page", "start_s", "id")
        constraints = (
            models.CheckConstraint(
                condition=(
                    models.Q(person__isnull=False, event__isnull=True, place__isnull=True)
                    | models.Q(person__isnull=True, event__isnull=False, place__isnull=True)
                    | models.Q(person__isnull=True, event__isnull=True, place__isnull=False)
                ),
                name="evidence_link_one_target",
            ),
        )

    def __str__(self) -> str:
        return f"link of item {self.item_id}"

    def region_box(self) -> tuple[float, float, float, float] | None:
        """The region as (x, y, width, height), or None when there is none (or it is not one)."""
        r = self.region
        if not isinstance(r, dict):
            return None
        try:
            return (float(r["x"]), float(r["y"]), float(r["w"]), float(r["h"]))
        except (KeyError, TypeError, ValueError):
            return None


class ItemTimestamp(Confidential):
    """An RFC 3161 timestamp response (DER, as the authority sent it) over an item, or over
    the token it renews (``renews``); the authority's certificates at the time are kept so
    the token can be checked offline even after the configuration changes. Insert only."""

    ACCESS_PARENTS: ClassVar[tuple[str, ...]] = ("item",)

    item = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="timestamps")
    renews = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="renewal"
    )
    authority = models.CharField(max_length=200)
    der = models.BinaryField(editable=False)
    certs_pem = models.TextField(editable=False)
    gen_time = models.DateTimeField()
    hash_algorithm = models.CharField(max_length=16)
    imprint = models.CharField(max_length=128)
    serial = models.CharField(max_length=64)
    policy = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("item", "gen_time", "id")

    def __str__(self) -> str:
        return f"timestamp of item {self.item_id} by {self.authority}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only."""
        if self.pk is not None:
            raise ValueError("timestamp tokens are never changed")
        super().save(*args, **kwargs)
