"""Writes of evidence: adding items, recording views and downloads, verifying the store.

Each write checks the matrix, runs in one transaction and appends to the audit log and to
the item's custody (``CustodyEvent``). The bytes go into the engine's write-once store
(``inquest.evidence``) before that transaction: a failing stream leaves nothing stored,
and bytes stored by a transaction that then fails are an original no item names, which
``verify_all`` reports as unexpected and the next add of the same bytes adopts.
Audit entries name items by id, address and level, never by their names or descriptions.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from inquest.errors import InputError
from inquest.evidence import intake, open_store
from inquest.evidence.bundle import CustodyAction
from inquest.evidence.intake import Acquisition, IntakeResult
from inquest.evidence.local import LocalStore
from inquest.evidence.perceptual import image_hash
from inquest.evidence.store import Digests, Store
from inquest.evidence.technical_metadata import TechnicalMetadata, extract
from inquest.evidence.verify import VerifyReport, verify
from inquest.web.access.actions import Action
from inquest.web.access.levels import Level
from inquest.web.access.policy import AnyUser, require, user_id
from inquest.web.audit import services as audit
from inquest.web.evidence import queries
from inquest.web.evidence.models import CustodyEvent, EvidenceItem, ItemLink

DEFAULT_LEVEL = Level.CONFIDENTIAL


@cache
def _open(url: str) -> Store:
    return open_store(url)


def evidence_store() -> Store:
    """The store ``INQUEST_EVIDENCE_STORE`` names (opened once per URL)."""
    return _open(str(settings.INQUEST_EVIDENCE_STORE))


def _actor_label(user: AnyUser | None) -> str:
    if user is not None and user.is_authenticated:
        return str(user.get_username())
    return "operator" if user is None else "anonymous"


def _custody(
    user: AnyUser | None,
    item: EvidenceItem,
    action: CustodyAction,
    *,
    at: Any = None,
    actor_label: str | None = None,
    place: str = "",
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> CustodyEvent:
    return CustodyEvent.objects.create(
        item=item,
        action=action.value,
        at=at or timezone.now(),
        actor_id=user_id(user) if user is not None else None,
        actor_label=actor_label or _actor_label(user),
        place=place,
        reason=reason,
        detail=detail or {},
        confidentiality=item.confidentiality,
    )


# -- adding -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Added:
    """One file's outcome: its item, whether the item is new (else the same bytes were held
    already and a receipt was recorded), whether the adder may see it, and the visible
    items whose image looks like it."""

    item: EvidenceItem
    created: bool
    visible: bool
    possible_copies: tuple[queries.PossibleCopy, ...] = ()


@dataclass(frozen=True)
class _Described:
    result: IntakeResult
    metadata: dict[str, Any]
    perceptual_hash: str


def _metadata_dict(found: TechnicalMetadata) -> dict[str, Any]:
    return {
        "tool": found.tool,
        "fields": [asdict(f) for f in found.fields],
        "truncated": found.truncated,
        "warnings": list(found.warnings),
    }


def _describe(store: Store, result: IntakeResult) -> _Described:
    """Technical metadata and perceptual hash of a newly stored original (slow: run
    outside the transaction)."""
    sha = result.digests.sha256
    if EvidenceItem.objects.filter(sha256=sha).exists():
        return _Described(result, {}, "")
    if isinstance(store, LocalStore):
        metadata = _metadata_dict(extract(store.path(sha)))
    else:
        with tempfile.TemporaryDirectory(prefix="inquest-evidence-") as tmp:
            copy = Path(tmp) / "original"
            with store.open(sha) as source, copy.open("wb") as out:
                shutil.copyfileobj(source, out, 1 << 20)
            metadata = _metadata_dict(extract(copy))
    phash = ""
    if (result.checked.content.sniffed_mime or "").startswith("image/"):
        try:
            with store.open(sha) as stream:
                phash = image_hash(stream, name=result.checked.name.display).value
        except InputError as exc:
            metadata["warnings"] = [*metadata["warnings"], f"no perceptual hash: {exc}"[:500]]
    return _Described(result, metadata, phash)


def _record(user: AnyUser, described: _Described, level: Level, where: str) -> Added:
    """The item for one stored original, made or found, with its custody and audit entry;
    inside the caller's transaction."""
    result = described.result
    digests = result.digests
    existing = EvidenceItem.objects.select_for_update().filter(sha256=digests.sha256).first()
    if existing is not None:
        _custody(user, existing, CustodyAction.RECEIVED, place=where, detail={"again": True})
        audit.record(
            user,
            "evidence.receive",
            existing,
            level=existing.confidentiality,
            detail={"sha256": digests.sha256, "size": digests.size},
        )
        visible = queries.items_for(user).filter(pk=existing.pk).exists()
        return Added(existing, created=False, visible=visible)
    checked, acq = result.checked, result.acquisition
    archive = None
    if checked.archive is not None:
        archive = {
            "entries": checked.archive.entries,
            "declared_size": checked.archive.declared_size,
            "compressed_size": checked.archive.compressed_size,
            "listed": [
                {"name": e.name.original, "display": e.name.display, "size": e.size}
                for e in checked.archive.listed
            ],
        }
    item = EvidenceItem.objects.create(
        sha256=digests.sha256,
        sha512=digests.sha512,
        size=digests.size,
        original_name=checked.relative,
        display_name=checked.name.display[:255],
        sniffed_type=checked.content.sniffed_mime or "",
        claimed_type=checked.content.claimed_mime or "",
        flags=[{"kind": f.kind.value, "detail": f.detail} for f in checked.flags],
        archive=archive,
        acquired_by=acq.acquired_by,
        acquired_at=acq.acquired_at,
        method=acq.method.value,
        consent=acq.consent.value,
        restrictions=list(acq.restrictions),
        source=acq.source,
        description=acq.description,
        technical_metadata=described.metadata,
        perceptual_hash=described.perceptual_hash,
        confidentiality=level,
        created_by_id=user_id(user),
    )
    _custody(
        user,
        item,
        CustodyAction.ACQUIRED,
        at=acq.acquired_at,
        actor_label=acq.acquired_by,
        detail={"method": acq.method.value, "recorded_by": _actor_label(user)},
    )
    _custody(user, item, CustodyAction.RECEIVED, place=where, detail={"stored": result.created})
    audit.record(
        user,
        "evidence.add",
        item,
        level=level,
        detail={"sha256": digests.sha256, "size": digests.size, "method": acq.method.value},
    )
    return Added(item, created=True, visible=True, possible_copies=tuple(_copies(user, item)))


def _record_all(
    user: AnyUser, described: Sequence[_Described], level: Level, where: str
) -> list[Added]:
    """Record every stored original in one transaction. Another add of the same new bytes
    that commits first makes this one's insert fail on the unique address; it is then run
    again, and finds that item (a receipt)."""
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return [_record(user, d, level, where) for d in described]
        except IntegrityError:
            if (
                attempt == 2
                or not EvidenceItem.objects.filter(
                    sha256__in=[d.result.digests.sha256 for d in described]
                ).exists()
            ):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _copies(user: AnyUser, item: EvidenceItem) -> list[queries.PossibleCopy]:
    return queries.possible_copies(user, item)


def add_upload(
    user: AnyUser,
    stream: BinaryIO,
    name: str,
    acquisition: Acquisition,
    *,
    level: Level = DEFAULT_LEVEL,
    max_size: int | None = None,
) -> Added:
    """Store one upload (read once) and record it as an item; the same bytes again give the
    item already held, with a receipt in its custody."""
    require(user, Action.ADD_EVIDENCE, level)
    store = evidence_store()
    limit = max_size or int(settings.INQUEST_MAX_EVIDENCE_UPLOAD_BYTES)
    result = intake.add_stream(stream, name, store, acquisition, max_size=limit)
    described = _describe(store, result)
    return _record_all(user, [described], Level(level), "workbench upload")[0]


def add_paths(
    user: AnyUser,
    paths: Sequence[Path],
    acquisition: Acquisition,
    *,
    level: Level = DEFAULT_LEVEL,
    max_size: int | None = None,
) -> list[Added]:
    """Store every file of ``paths`` (folders walked) and record them, all or nothing:
    the engine checks every file first (``InputErrors`` lists every problem) and stores
    none unless all were read; the items are then recorded in one transaction."""
    require(user, Action.ADD_EVIDENCE, level)
    store = evidence_store()
    limit = max_size or int(settings.INQUEST_MAX_EVIDENCE_BYTES)
    results = intake.add_paths(paths, store, acquisition, max_size=limit)
    described = [_describe(store, r) for r in results]
    return _record_all(user, described, Level(level), "command line")


# -- reading ------------------------------------------------------------------------------


def _visible(user: AnyUser, item: EvidenceItem) -> bool:
    return queries.items_for(user).filter(pk=item.pk).exists()


@transaction.atomic
def record_view(user: AnyUser, item: EvidenceItem, *, where: str = "") -> CustodyEvent:
    """Record that ``user`` looked at the item's page (its description, not its bytes)."""
    if not _visible(user, item):
        raise PermissionDenied("item not visible")
    event = _custody(user, item, CustodyAction.VIEWED, place=where)
    audit.record(user, "evidence.view", item, level=item.confidentiality, detail={"where": where})
    return event


def open_original(user: AnyUser, item: EvidenceItem, *, where: str = "") -> BinaryIO:
    """The original's bytes for a download by ``user``; the download is in the item's
    custody (``exported``) and the audit log, committed before the stream is returned.

    ``PermissionDenied`` unless the user may see the item and holds ``export_evidence`` at
    its level; a signed-in user's refusal of a visible item is audited too.
    """
    if not _visible(user, item):
        raise PermissionDenied("item not visible")
    if not queries.may_download(user, item):
        # An anonymous refusal is not written: anyone could grow the log without bound.
        if user.is_authenticated:
            with transaction.atomic():
                audit.record(
                    user,
                    "evidence.download.refused",
                    item,
                    level=item.confidentiality,
                    detail={"reason": "no export_evidence at the item's level"},
                )
        raise PermissionDenied("no export_evidence at the item's level")
    stream = evidence_store().open(item.sha256)
    try:
        with transaction.atomic():
            _custody(user, item, CustodyAction.EXPORTED, place=where, reason="download")
            audit.record(
                user,
                "evidence.download",
                item,
                level=item.confidentiality,
                detail={"sha256": item.sha256, "where": where},
            )
    except BaseException:
        stream.close()
        raise
    return stream


# -- verifying ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """The engine's report, and the items it found changed or vanished."""

    report: VerifyReport
    changed: tuple[EvidenceItem, ...]
    vanished: tuple[EvidenceItem, ...]

    @property
    def intact(self) -> bool:
        """Every item's original is there, readable and unchanged."""
        return self.report.intact


def verify_all(actor: AnyUser | None = None) -> Verification:
    """Re-hash every original against its item's digests; one ``verified`` custody event per
    item (its outcome in the detail), an audit entry per changed or vanished item at its
    level, and one summary entry. Run by the operator (``actor`` None) or a user."""
    store = evidence_store()
    items = {item.sha256: item for item in EvidenceItem.objects.order_by("pk")}
    report = verify(store, [Digests(i.sha256, i.sha512, i.size) for i in items.values()])
    changed = {c.sha256: c.reason for c in report.changed}
    unreadable = {u.sha256: u.error for u in report.unreadable}
    vanished = set(report.vanished)
    expunged = set(report.expunged)
    now = timezone.now()
    label = _actor_label(actor)
    events = []
    for sha, item in items.items():
        if sha in changed:
            outcome, why = "changed", changed[sha]
        elif sha in vanished:
            outcome, why = "vanished", "no original under its address"
        elif sha in expunged:
            outcome, why = "expunged", ""
        elif sha in unreadable:
            outcome, why = "unreadable", unreadable[sha]
        else:
            outcome, why = "intact", ""
        events.append(
            CustodyEvent(
                item=item,
                action=CustodyAction.VERIFIED.value,
                at=now,
                actor_id=user_id(actor) if actor is not None else None,
                actor_label=label,
                reason="scheduled verification",
                detail={"outcome": outcome, "why": why},
                confidentiality=item.confidentiality,
            )
        )
    with transaction.atomic():
        CustodyEvent.objects.bulk_create(events, batch_size=1000)
        for sha in sorted({*changed, *vanished, *unreadable}):
            failed = items.get(sha)
            if failed is not None:
                audit.record(
                    actor,
                    "evidence.verify.failed",
                    failed,
                    level=failed.confidentiality,
                    detail={"sha256": sha, "changed": sha in changed, "vanished": sha in vanished},
                )
        audit.record(
            actor,
            "evidence.verify",
            EvidenceItem,
            level=Level.INTERNAL,
            detail={
                "checked": report.checked,
                "bytes": report.bytes_read,
                "changed": len(report.changed),
                "vanished": len(report.vanished),
                "unreadable": len(report.unreadable),
                "expunged": len(report.expunged),
                "unexpected": len(report.unexpected),
                "intact": report.intact,
            },
        )
    return Verification(
        report,
        tuple(items[s] for s in sorted(changed) if s in items),
        tuple(items[s] for s in sorted(vanished) if s in items),
    )


# -- links --------------------------------------------------------------------------------

MAX_QUOTE_CHARS = 20_000


@dataclass(frozen=True)
class Pinpoint:
    """Where in an item the support is: a page (from 1), a region of it (fractions 0-1 of
    its width and height), a time range in seconds, quoted text; any may be absent."""

    page: int | None = None
    region: tuple[float, float, float, float] | None = None
    start_s: float | None = None
    end_s: float | None = None
    quote: str = ""

    def check(self) -> None:
        """``InputError`` naming the field that is out of bounds."""
        if self.page is not None and self.page < 1:
            raise InputError("a page number starts at 1", field="page")
        if self.region is not None:
            x, y, w, h = self.region
            if not (0 <= x <= 1 and 0 <= y <= 1 and 0 < w <= 1 - x and 0 < h <= 1 - y):
                raise InputError("a region is x, y, width, height within 0-1", field="region")
        for name in ("start_s", "end_s"):
            value = getattr(self, name)
            if value is not None and not 0 <= value < 10**7:
                raise InputError("a time is seconds from the start", field=name)
        if self.start_s is not None and self.end_s is not None and self.end_s < self.start_s:
            raise InputError("the time range ends before it starts", field="end_s")
        if len(self.quote) > MAX_QUOTE_CHARS:
            raise InputError(f"a quote is at most {MAX_QUOTE_CHARS} characters", field="quote")


@transaction.atomic
def link_item(
    user: AnyUser,
    item: EvidenceItem,
    target: Any,
    pinpoint: Pinpoint = Pinpoint(),
    *,
    note: str = "",
    level: Level | None = None,
) -> ItemLink:
    """Record that ``item`` supports something about ``target`` (a person, an event or a
    place), at least as confidential as both; needs ``state`` at that level; audited."""
    from inquest.web.registry.models import Event, Person, Place

    kinds = {Person: "person", Event: "event", Place: "place"}
    field = kinds.get(type(target))
    if field is None:
        raise TypeError("a link's target is a person, an event or a place")
    pinpoint.check()
    chosen = Level(max(int(level or 0), int(item.confidentiality), int(target.confidentiality)))
    require(user, Action.STATE, chosen)
    if not _visible(user, item) or not (
        type(target).objects.visible_to(user).filter(pk=target.pk).exists()
    ):
        raise PermissionDenied("item or target not visible")
    box = pinpoint.region
    link = ItemLink.objects.create(
        item=item,
        **{field: target},
        page=pinpoint.page,
        region=None if box is None else dict(zip("xywh", box, strict=True)),
        start_s=pinpoint.start_s,
        end_s=pinpoint.end_s,
        quote=pinpoint.quote,
        note=note,
        confidentiality=chosen,
        created_by_id=user_id(user),
    )
    audit.record(
        user, "evidence.link", link, level=chosen, detail={"item": item.pk, field: target.pk}
    )
    return link
