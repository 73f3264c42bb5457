"""Writes of evidence: adding items, recording views and downloads, verifying the store.

Each write checks the matrix, runs in one transaction and appends to the audit log and to
the item's custody (``CustodyEvent``). The bytes go into the engine's write-once store
(``inquest.evidence``) before that transaction: a failing stream leaves nothing stored,
and bytes stored by a transaction that then fails are an original no item names, which
``verify_all`` reports as unexpected and the next add of the same bytes adopts.
Audit entries name items by id, address and level, never by their names or descriptions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
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

from inquest.errors import ConfigError, InputError
from inquest.evidence import intake, open_store
from inquest.evidence.bundle import (
    Bundle,
    BundleItem,
    CustodyAction,
    CustodyEntry,
    ItemDescription,
    write_bundle,
)
from inquest.evidence.intake import Acquisition, IntakeResult
from inquest.evidence.local import LocalStore
from inquest.evidence.perceptual import image_hash
from inquest.evidence.redact import Redaction, RedactionReason, Region, redact
from inquest.evidence.store import Digests, EvidenceError, ObjectMissing, Store
from inquest.evidence.strip import DEFAULT_MAX_BYTES, strip_copy
from inquest.evidence.technical_metadata import TechnicalMetadata, extract
from inquest.evidence.timestamps import (
    HashAlgorithm,
    TimestampAuthority,
    TimestampError,
    TimestampRun,
    TimestampToken,
    Transport,
    load_authorities,
    retimestamp,
    timestamp_with_all,
    verify_chain,
)
from inquest.evidence.timestamps import digest_stream as timestamp_digest_stream
from inquest.evidence.verify import VerifyReport, verify
from inquest.evidence.vocabulary import ExpungeReason
from inquest.web.access.actions import Action
from inquest.web.access.levels import Level
from inquest.web.access.policy import AnyUser, require, user_id
from inquest.web.audit import services as audit
from inquest.web.evidence import queries
from inquest.web.evidence.models import CustodyEvent, EvidenceItem, ItemLink, ItemTimestamp

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
    metadata, phash = _examine(
        store, sha, result.checked.content.sniffed_mime or "", result.checked.name.display
    )
    return _Described(result, metadata, phash)


def _examine(store: Store, sha: str, mime: str, name: str) -> tuple[dict[str, Any], str]:
    """The technical metadata and, for an image, the perceptual hash of a stored original."""
    if isinstance(store, LocalStore):
        metadata = _metadata_dict(extract(store.path(sha)))
    else:
        with tempfile.TemporaryDirectory(prefix="inquest-evidence-") as tmp:
            copy = Path(tmp) / "original"
            with store.open(sha) as source, copy.open("wb") as out:
                shutil.copyfileobj(source, out, 1 << 20)
            metadata = _metadata_dict(extract(copy))
    phash = ""
    if mime.startswith("image/"):
        try:
            with store.open(sha) as stream:
                phash = image_hash(stream, name=name).value
        except InputError as exc:
            metadata["warnings"] = [*metadata["warnings"], f"no perceptual hash: {exc}"[:500]]
    return metadata, phash


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
    added = _record_all(user, [described], Level(level), "workbench upload")
    _timestamp_new(user, added)
    return added[0]


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
    added = _record_all(user, described, Level(level), "command line")
    _timestamp_new(user, added)
    return added


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


# -- working and redacted copies ------------------------------------------------------------

#: The largest original a copy is made of here (the engine reads it whole).
MAX_COPY_BYTES = DEFAULT_MAX_BYTES


def _check_copy(user: AnyUser, item: EvidenceItem, level: Level) -> None:
    """A copy reads the original's content out into a new item: it needs the item visible,
    ``export_evidence`` at its level, and ``add_evidence`` at the copy's level."""
    if not _visible(user, item):
        raise PermissionDenied("item not visible")
    require(user, Action.EXPORT_EVIDENCE, item.confidentiality)
    require(user, Action.ADD_EVIDENCE, level)
    if item.expunged_at is not None:
        raise InputError("the original was expunged: no copy can be made", field="item")
    if item.size > MAX_COPY_BYTES:
        raise InputError(f"copies are made of originals up to {MAX_COPY_BYTES} bytes", field="item")


def _read(item: EvidenceItem) -> bytes:
    with evidence_store().open(item.sha256) as stream:
        return stream.read()


def _store_copy(
    user: AnyUser,
    item: EvidenceItem,
    copy: tuple[bytes, str, str],
    *,
    derivation: str,
    redactions: list[dict[str, Any]],
    level: Level,
    reason: str,
    where: str,
) -> EvidenceItem:
    """Store a copy's bytes and record it as an item linked to ``item``, with custody on
    both and the audit entry, in one transaction. ``where`` is shown with the copy too: it
    must not name the original (a copy may be seen where its original is not)."""
    data, media_type, extension = copy
    store = evidence_store()
    sha = hashlib.sha256(data).hexdigest()
    held = EvidenceItem.objects.filter(sha256=sha).first()
    if held is not None:
        raise InputError(f"the same copy is held already as item {held.uid}", field="item")
    name = f"{derivation}-{item.sha256[:12]}.{extension}"
    stored = store.put(io.BytesIO(data), name=name, expect_sha256=sha)
    metadata, phash = _examine(store, sha, media_type, name)
    action = CustodyAction.REDACTED if derivation == "redacted" else CustodyAction.COPIED
    with transaction.atomic():
        made = EvidenceItem.objects.create(
            sha256=sha,
            sha512=stored.digests.sha512,
            size=stored.digests.size,
            original_name=name,
            display_name=name,
            sniffed_type=media_type,
            claimed_type=media_type,
            acquired_by=_actor_label(user),
            acquired_at=timezone.now(),
            method=item.method,
            consent=item.consent,
            restrictions=list(item.restrictions),
            technical_metadata=metadata,
            perceptual_hash=phash,
            confidentiality=level,
            created_by_id=user_id(user),
            derived_from=item,
            derivation=derivation,
            redactions=redactions,
        )
        _custody(
            user,
            item,
            action,
            place=where,
            reason=reason,
            detail={"copy": made.sha256, "copy_uid": str(made.uid), "derivation": derivation},
        )
        _custody(
            user,
            made,
            CustodyAction.RECEIVED,
            place=where,
            reason=reason,
            detail={"made_from": item.sha256, "derivation": derivation},
        )
        audit.record(
            user,
            f"evidence.{'redact' if derivation == 'redacted' else 'strip'}",
            made,
            level=level,
            detail={
                "original": item.pk,
                "original_sha256": item.sha256,
                "sha256": sha,
                "redactions": len(redactions),
            },
        )
    return made


def redact_item(
    user: AnyUser,
    item: EvidenceItem,
    *,
    pages: Sequence[int] = (),
    regions: Sequence[tuple[int | None, Region]] = (),
    reason: RedactionReason,
    note: str = "",
    level: Level | None = None,
    where: str = "",
) -> EvidenceItem:
    """A redacted copy of a PDF (``pages`` withdrawn, ``regions`` by page, indexes from 0)
    or an image (regions with page None): content removed by the engine, the copy stored
    as an item linked to ``item`` at ``level`` (default the original's), the reason, the
    note and the actor kept with it; ``redacted`` in the original's custody."""
    chosen = Level(item.confidentiality if level is None else level)
    _check_copy(user, item, chosen)
    actor = _actor_label(user)
    asked = [Redaction(p, None, reason, actor, note) for p in pages] + [
        Redaction(p, r, reason, actor, note) for p, r in regions
    ]
    if not asked:
        raise InputError("name pages to withdraw or regions to remove", field="pages")
    copy = redact(_read(item), item.display_name, asked)
    listed = [
        {
            "page": None if r.page is None else r.page + 1,
            "region": None
            if r.region is None
            else [r.region.x0, r.region.y0, r.region.x1, r.region.y1],
            "reason": r.reason.value,
            "actor": r.actor,
            "note": r.note,
        }
        for r in asked
    ]
    return _store_copy(
        user,
        item,
        (copy.data, copy.media_type, copy.extension),
        derivation="redacted",
        redactions=listed,
        level=chosen,
        reason=note or reason.value,
        where=where,
    )


def strip_item(
    user: AnyUser, item: EvidenceItem, *, level: Level | None = None, where: str = ""
) -> EvidenceItem:
    """A copy of a PDF or an image without its metadata, stored as an item linked to
    ``item``; ``copied`` in the original's custody."""
    chosen = Level(item.confidentiality if level is None else level)
    _check_copy(user, item, chosen)
    clean = strip_copy(_read(item), item.display_name)
    return _store_copy(
        user,
        item,
        (clean.data, clean.media_type, clean.extension),
        derivation="stripped",
        redactions=[],
        level=chosen,
        reason="metadata stripped",
        where=where,
    )


# -- trusted timestamps ---------------------------------------------------------------------


@cache
def _authorities(path: str) -> tuple[TimestampAuthority, ...]:
    return load_authorities(Path(path)) if path else ()


def timestamp_authorities() -> tuple[TimestampAuthority, ...]:
    """The authorities ``INQUEST_TIMESTAMP_AUTHORITIES`` lists (none if unset)."""
    return _authorities(str(settings.INQUEST_TIMESTAMP_AUTHORITIES))


def _item_digests(
    item: EvidenceItem, wanted: Sequence[HashAlgorithm]
) -> dict[HashAlgorithm, bytes]:
    """The item's digests under ``wanted``: SHA-256 and SHA-512 from its record, others
    read from its original (none for an expunged one)."""
    known = {
        HashAlgorithm.SHA256: bytes.fromhex(item.sha256),
        HashAlgorithm.SHA512: bytes.fromhex(item.sha512),
    }
    missing = [a for a in wanted if a not in known]
    if missing and item.expunged_at is None:
        with evidence_store().open(item.sha256) as stream:
            known.update(timestamp_digest_stream(stream, missing))
    return known


def _save_token(
    item: EvidenceItem, token: TimestampToken, certs: bytes, renews: ItemTimestamp | None
) -> ItemTimestamp:
    return ItemTimestamp.objects.create(
        item=item,
        renews=renews,
        authority=token.authority,
        der=token.der,
        certs_pem=certs.decode("ascii", "replace"),
        gen_time=token.gen_time,
        hash_algorithm=token.hash_algorithm.value,
        imprint=token.imprint_hex,
        serial=str(token.serial),
        policy=token.policy,
        confidentiality=item.confidentiality,
    )


def timestamp_item(
    user: AnyUser | None,
    item: EvidenceItem,
    *,
    authorities: Sequence[TimestampAuthority] | None = None,
    transport: Transport | None = None,
    where: str = "",
) -> TimestampRun:
    """Ask every configured authority for a token over the item's digest; the tokens are
    stored with the item, with a ``timestamped`` custody event and the audit entry, in one
    transaction. A user needs ``add_evidence`` at the item's level; the operator (None) may."""
    if user is not None:
        if not _visible(user, item):
            raise PermissionDenied("item not visible")
        require(user, Action.ADD_EVIDENCE, item.confidentiality)
    chosen = timestamp_authorities() if authorities is None else tuple(authorities)
    if not chosen:
        raise ConfigError(
            "no timestamp authority is configured", key="INQUEST_TIMESTAMP_AUTHORITIES"
        )
    digests = _item_digests(item, [a.hash_algorithm for a in chosen])
    run = timestamp_with_all(digests, chosen, transport)
    if run.tokens:
        certs = {a.name: a.certs_pem for a in chosen}
        with transaction.atomic():
            for token in run.tokens:
                _save_token(item, token, certs[token.authority], None)
            _custody(
                user,
                item,
                CustodyAction.TIMESTAMPED,
                place=where,
                detail={
                    "authorities": [t.authority for t in run.tokens],
                    "failed": [f.authority for f in run.failures],
                },
            )
            audit.record(
                user,
                "evidence.timestamp",
                item,
                level=item.confidentiality,
                detail={
                    "sha256": item.sha256,
                    "tokens": len(run.tokens),
                    "failed": len(run.failures),
                },
            )
    return run


def _timestamp_new(user: AnyUser, added: Sequence[Added]) -> None:
    """Timestamp new items at intake when ``INQUEST_TIMESTAMP_ON_INTAKE`` is set; an
    authority that fails does not undo the intake (the item can be timestamped later)."""
    if not settings.INQUEST_TIMESTAMP_ON_INTAKE or not timestamp_authorities():
        return
    for one in added:
        if one.created:
            timestamp_item(user, one.item, where="intake")


@dataclass(frozen=True)
class ChainCheck:
    """One chain of an item's tokens (oldest first), and whether it verifies offline; the
    problem when not; whether the certificates came from the configuration or, for an
    authority no longer configured, from those kept with the token."""

    tokens: tuple[ItemTimestamp, ...]
    ok: bool
    problem: str
    configured: bool


def _chains(tokens: Sequence[ItemTimestamp]) -> list[list[ItemTimestamp]]:
    """The tokens as chains: each first token followed by its renewals, in order."""
    following = {t.renews_id: t for t in tokens if t.renews_id is not None}
    chains = []
    for first in (t for t in tokens if t.renews_id is None):
        chain = [first]
        while chain[-1].pk in following:
            chain.append(following[chain[-1].pk])
        chains.append(chain)
    return chains


def _engine_token(t: ItemTimestamp) -> TimestampToken:
    return TimestampToken(
        der=bytes(t.der),
        authority=t.authority,
        gen_time=t.gen_time,
        hash_algorithm=HashAlgorithm(t.hash_algorithm),
        message_imprint=bytes.fromhex(t.imprint),
        serial=int(t.serial),
        policy=t.policy,
    )


def check_timestamps(user: AnyUser, item: EvidenceItem) -> list[ChainCheck]:
    """Every chain of the item's tokens the user may see, checked offline (no network)."""
    tokens = list(queries.timestamps_of(user, item))
    configured = {a.name: a.certs_pem for a in timestamp_authorities()}
    checks = []
    for chain in _chains(tokens):
        certs = {t.authority: configured.get(t.authority, t.certs_pem.encode()) for t in chain}
        try:
            digests = _item_digests(item, [HashAlgorithm(t.hash_algorithm) for t in chain])
            verify_chain([_engine_token(t) for t in chain], digests, certs)
        except (TimestampError, ValueError, EvidenceError) as exc:
            ok, problem = False, str(exc)
        else:
            ok, problem = True, ""
        known = all(t.authority in configured for t in chain)
        checks.append(ChainCheck(tuple(chain), ok, problem, known))
    return checks


@dataclass(frozen=True)
class Renewals:
    """What ``retimestamp_due`` renewed, and the chains it could not."""

    renewed: tuple[ItemTimestamp, ...]
    failed: tuple[tuple[ItemTimestamp, str], ...]


def _due(
    older_than: dt.timedelta | None, algorithms: Sequence[HashAlgorithm]
) -> list[ItemTimestamp]:
    """The last token of every chain that is older than ``older_than`` or made with one of
    ``algorithms``."""
    leaves = ItemTimestamp.objects.filter(renewal__isnull=True).select_related("item")
    cutoff = None if older_than is None else timezone.now() - older_than
    return [
        t
        for t in leaves.order_by("item_id", "gen_time", "pk")
        if (cutoff is not None and t.gen_time < cutoff) or t.hash_algorithm in set(algorithms)
    ]


def retimestamp_due(
    *,
    older_than: dt.timedelta | None = None,
    algorithms: Sequence[HashAlgorithm] = (),
    authority: str | None = None,
    transport: Transport | None = None,
) -> Renewals:
    """Renew, before its algorithm or authority's key ages, every chain whose last token is
    older than ``older_than`` (default ``INQUEST_TIMESTAMP_RENEW_AFTER_DAYS``) or made with
    one of ``algorithms``: a new token from ``authority`` (default the first configured)
    over the last one and the item (``inquest.evidence.timestamps.retimestamp``), stored as
    its renewal, with custody and audit. Run by the operator."""
    configured = timestamp_authorities()
    if not configured:
        raise ConfigError(
            "no timestamp authority is configured", key="INQUEST_TIMESTAMP_AUTHORITIES"
        )
    by_name = {a.name: a for a in configured}
    if authority is not None and authority not in by_name:
        raise ConfigError(f"no authority {authority!r} is configured", key="authority")
    chosen = by_name[authority] if authority else configured[0]
    if older_than is None and not algorithms:
        older_than = dt.timedelta(days=int(settings.INQUEST_TIMESTAMP_RENEW_AFTER_DAYS))
    renewed: list[ItemTimestamp] = []
    failed: list[tuple[ItemTimestamp, str]] = []
    for leaf in _due(older_than, algorithms):
        item = leaf.item
        try:
            digest = _item_digests(item, [chosen.hash_algorithm]).get(chosen.hash_algorithm)
            if digest is None:
                raise TimestampError(f"no {chosen.hash_algorithm} digest of an expunged item")
            token = retimestamp(_engine_token(leaf), digest, chosen, transport)
        except (TimestampError, EvidenceError) as exc:
            failed.append((leaf, str(exc)))
            continue
        with transaction.atomic():
            made = _save_token(item, token, chosen.certs_pem, leaf)
            _custody(
                None,
                item,
                CustodyAction.TIMESTAMPED,
                reason="renewal",
                detail={"authority": chosen.name, "renews": leaf.pk},
            )
            audit.record(
                None,
                "evidence.retimestamp",
                item,
                level=item.confidentiality,
                detail={
                    "sha256": item.sha256,
                    "renews": leaf.pk,
                    "algorithm": token.hash_algorithm.value,
                },
            )
        renewed.append(made)
    return Renewals(tuple(renewed), tuple(failed))


# -- expunge --------------------------------------------------------------------------------


def expunge_item(
    user: AnyUser,
    item: EvidenceItem,
    *,
    reason: ExpungeReason,
    reference: str,
    note: str = "",
    where: str = "",
) -> EvidenceItem:
    """The documented expunge (docs/methodology/evidence.md): the original's bytes are
    destroyed by the store for a listed reason, with its reference (a court order's
    number ...); the item's record, custody and tokens stay, marked expunged, with an
    ``expunged`` custody event and the audit entry. Needs ``expunge_evidence`` at the
    item's level. Run again after a failure, it finishes what was begun."""
    if not _visible(user, item):
        raise PermissionDenied("item not visible")
    require(user, Action.EXPUNGE_EVIDENCE, item.confidentiality)
    if item.expunged_at is not None:
        raise InputError(f"item {item.uid} was expunged already", field="item")
    store = evidence_store()
    try:
        record = store.expunge(
            item.sha256, ExpungeReason(reason), _actor_label(user), reference=reference, note=note
        )
    except ObjectMissing:
        # The store finished an earlier attempt whose record here did not commit.
        found = store.expunged(item.sha256)
        if found is None:
            raise
        record = found
    with transaction.atomic():
        EvidenceItem.objects.filter(pk=item.pk).update(
            expunged_at=record.at,
            expunge_reason=record.reason.value,
            expunge_reference=record.reference,
        )
        item.refresh_from_db()
        _custody(
            user,
            item,
            CustodyAction.EXPUNGED,
            at=record.at,
            place=where,
            reason=record.note or record.reason.value,
            detail={
                "reason": record.reason.value,
                "reference": record.reference,
                "matched_address": record.matched_address,
                "size": record.digests.size,
            },
        )
        audit.record(
            user,
            "evidence.expunge",
            item,
            level=item.confidentiality,
            detail={
                "sha256": item.sha256,
                "reason": record.reason.value,
                "reference": record.reference,
                "matched_address": record.matched_address,
            },
        )
    return item


# -- export for a prosecutor ----------------------------------------------------------------


def _bundle_item(user: AnyUser, item: EvidenceItem) -> BundleItem:
    custody = tuple(
        CustodyEntry(
            at=e.at,
            actor=e.actor_label,
            action=CustodyAction(e.action),
            place=e.place,
            reason=e.reason,
        )
        for e in queries.custody_of(user, item)
    )
    chains = tuple(
        tuple(_engine_token(t) for t in chain)
        for chain in _chains(list(queries.timestamps_of(user, item)))
    )
    store = evidence_store()
    sha = item.sha256
    return BundleItem(
        source=lambda: store.open(sha),
        sha256=item.sha256,
        sha512=item.sha512,
        size=item.size,
        description=ItemDescription(
            item_id=str(item.uid),
            original_name=item.original_name,
            description=item.description,
            media_type=item.sniffed_type,
            acquired_by=item.acquired_by,
            acquired_at=item.acquired_at,
            acquisition=item.method,
            consent=item.consent,
            restrictions="; ".join(str(r) for r in item.restrictions),
        ),
        custody=custody,
        timestamps=chains,
    )


def _bundle_authorities(items: Sequence[EvidenceItem]) -> list[TimestampAuthority]:
    """The configured authorities, and for a token's authority no longer configured the
    certificates kept with its token (so the bag carries every CA it needs)."""
    found = {a.name: a for a in timestamp_authorities()}
    for t in ItemTimestamp.objects.filter(item__in=items).order_by("pk"):
        if t.authority not in found:
            found[t.authority] = TimestampAuthority(
                t.authority, "https://unconfigured.invalid/", t.certs_pem.encode()
            )
    return list(found.values())


def export_bundle(
    user: AnyUser, items: Sequence[EvidenceItem], out: Path, *, title: str, where: str = ""
) -> Bundle:
    """A BagIt bag at ``out`` of ``items`` with their custody logs and timestamp tokens,
    for a prosecutor. Needs every item visible, not expunged, and ``export_evidence`` at
    its level. Each item's ``exported`` custody event and audit entry are written in the
    transaction that writes the bag (so its custody log lists this export); a failing
    write leaves neither bag nor record."""
    if not items:
        raise InputError("select at least one item to export", field="items")
    for item in items:
        if not _visible(user, item):
            raise PermissionDenied("item not visible")
        require(user, Action.EXPORT_EVIDENCE, item.confidentiality)
        if item.expunged_at is not None:
            raise InputError(
                f"item {item.uid} was expunged: its original cannot be exported", field="items"
            )
    with transaction.atomic():
        for item in items:
            _custody(
                user, item, CustodyAction.EXPORTED, place=where, reason=f"bundle: {title}"[:2000]
            )
            audit.record(
                user,
                "evidence.export",
                item,
                level=item.confidentiality,
                detail={"sha256": item.sha256, "items": len(items)},
            )
        return write_bundle(
            [_bundle_item(user, item) for item in items],
            out,
            title=title,
            prepared_by=_actor_label(user),
            authorities=_bundle_authorities(items),
        )
