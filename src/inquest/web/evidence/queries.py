"""Reads of evidence, always narrowed to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from inquest.evidence.perceptual import DEFAULT_THRESHOLD, HashIndex, PerceptualHash
from inquest.web.access.actions import Action
from inquest.web.access.policy import AnyUser, can
from inquest.web.evidence.models import CustodyEvent, EvidenceItem, ItemLink, ItemTimestamp


def items_for(user: AnyUser) -> QuerySet[EvidenceItem]:
    """The items the user may see, newest first."""
    return EvidenceItem.objects.visible_to(user).order_by("-created_at", "-id")


def filtered(
    items: QuerySet[EvidenceItem], *, q: str = "", method: str = "", level: int | None = None
) -> QuerySet[EvidenceItem]:
    """``items`` narrowed by a text in the name, description or hash, a method and a level."""
    q = q.strip()
    if q:
        items = items.filter(
            Q(display_name__icontains=q) | Q(description__icontains=q) | Q(sha256=q.lower())
        )
    if method:
        items = items.filter(method=method)
    if level is not None:
        items = items.filter(confidentiality=level)
    return items


def custody_of(user: AnyUser, item: EvidenceItem) -> QuerySet[CustodyEvent]:
    """The item's custody events the user may see, oldest first."""
    return CustodyEvent.objects.visible_to(user).filter(item=item).order_by("at", "id")


@dataclass(frozen=True)
class PossibleCopy:
    """An item whose image looks like another's, and how far apart their hashes are (bits
    of 64)."""

    item: EvidenceItem
    distance: int


def possible_copies(
    user: AnyUser, item: EvidenceItem, *, threshold: int = DEFAULT_THRESHOLD
) -> list[PossibleCopy]:
    """Items the user may see whose perceptual hash is within ``threshold`` of ``item``'s,
    closest first; only visible items are compared, so none hidden is revealed."""
    if not item.perceptual_hash:
        return []
    # Only the hashes are read for every visible image; whole rows only for the hits.
    known = (
        items_for(user)
        .exclude(pk=item.pk)
        .exclude(perceptual_hash="")
        .values_list("pk", "perceptual_hash")
    )
    index = HashIndex((str(pk), PerceptualHash(value)) for pk, value in known)
    found = index.near(PerceptualHash(item.perceptual_hash), threshold=threshold)
    rows = EvidenceItem.objects.in_bulk([int(c.key) for c in found])
    return [PossibleCopy(rows[int(c.key)], c.distance) for c in found if int(c.key) in rows]


def may_download(user: AnyUser, item: EvidenceItem) -> bool:
    """Whether the user may download the original (the service checks again)."""
    return can(user, Action.EXPORT_EVIDENCE, item.confidentiality)


def may_link(user: AnyUser, item: EvidenceItem) -> bool:
    """Whether the user may record what the item supports (the service checks again)."""
    return can(user, Action.STATE, item.confidentiality)


def may_add(user: AnyUser) -> bool:
    """Whether the user may add items at some level."""
    return can(user, Action.ADD_EVIDENCE)


def links_of(user: AnyUser, item: EvidenceItem) -> QuerySet[ItemLink]:
    """The item's links the user may see (the targets visible too), with their targets."""
    return (
        ItemLink.objects.visible_to(user)
        .filter(item=item)
        .select_related("person", "event", "place")
    )


def timestamps_of(user: AnyUser, item: EvidenceItem) -> QuerySet[ItemTimestamp]:
    """The item's timestamp tokens the user may see, oldest first."""
    return ItemTimestamp.objects.visible_to(user).filter(item=item).order_by("gen_time", "id")


def copies_of(user: AnyUser, item: EvidenceItem) -> QuerySet[EvidenceItem]:
    """The working and redacted copies of the item that the user may see."""
    return items_for(user).filter(derived_from=item)


def original_of(user: AnyUser, item: EvidenceItem) -> EvidenceItem | None:
    """The item this copy was made from, if the user may see it."""
    if item.derived_from_id is None:
        return None
    return items_for(user).filter(pk=item.derived_from_id).first()


def may_copy(user: AnyUser, item: EvidenceItem) -> bool:
    """Whether the user may make copies of the item (the service checks again)."""
    return item.expunged_at is None and may_download(user, item) and may_add(user)


def may_timestamp(user: AnyUser, item: EvidenceItem) -> bool:
    """Whether the user may ask for timestamps of the item (the service checks again)."""
    return can(user, Action.ADD_EVIDENCE, item.confidentiality)


def may_expunge(user: AnyUser, item: EvidenceItem) -> bool:
    """Whether the user may expunge the item's original (the service checks again)."""
    return item.expunged_at is None and can(user, Action.EXPUNGE_EVIDENCE, item.confidentiality)


def may_export_any(user: AnyUser) -> bool:
    """Whether the user may export items at some level (the list offers a bundle)."""
    return can(user, Action.EXPORT_EVIDENCE)
