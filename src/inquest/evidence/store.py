"""The content-addressed, write-once store of originals.

An original is stored once under its SHA-256; its SHA-512 and size are computed in the same
streamed pass (:class:`Digests`), so a court can check either. A stored original is never
overwritten: storing the same bytes again returns the copy already there, and a stored copy
that no longer matches its address is reported, not replaced. Nothing deletes an original but
:meth:`Store.expunge`, which takes a listed :class:`~inquest.evidence.vocabulary.ExpungeReason`
and returns an :class:`Expunged` record the caller must log (the workbench writes it to the
audit chain in the same transaction as the item's custody entry).

Backends are chosen by URL scheme (:func:`open_store`): ``file://`` is the local folder of
:mod:`inquest.evidence.local`, ``s3://`` an S3-compatible bucket with object lock
(:mod:`inquest.evidence.s3`). Another backend is added with :func:`register_backend` and
must keep the same guarantees.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Protocol, Self
from urllib.parse import urlsplit

from inquest.errors import ConfigError, InputError, InquestError
from inquest.evidence.vocabulary import ExpungeReason

__all__ = [
    "CHUNK_SIZE",
    "ContentExpunged",
    "Digests",
    "EmptyContent",
    "EvidenceError",
    "Expunged",
    "Hasher",
    "IntegrityError",
    "ObjectMissing",
    "SizeLimitExceeded",
    "Staged",
    "Store",
    "Stored",
    "digest_path",
    "digest_stream",
    "hash_copy",
    "is_sha256",
    "open_store",
    "read_chunks",
    "register_backend",
]

#: Bytes read at a time: large enough that system calls cost little next to hashing, small
#: enough to stay in the CPU's cache while both hashes read it.
CHUNK_SIZE = 1 << 20

_SHA256_RE = re.compile(r"[0-9a-f]{64}")


class EvidenceError(InquestError):
    """A problem of the evidence store (not of the input)."""


class ObjectMissing(EvidenceError, LookupError):
    """No original is stored under this address."""


class IntegrityError(EvidenceError):
    """A stored original no longer matches its address (changed on disk)."""


class ContentExpunged(EvidenceError):
    """These bytes were expunged from the store; storing them again needs ``readmit=True``."""


class EmptyContent(InputError):
    """A zero-byte original: there is nothing to keep as evidence."""


class SizeLimitExceeded(InputError):
    """The input is larger than the configured maximum (found while reading it)."""


class DigestMismatch(InputError):
    """The bytes read do not have the SHA-256 the caller expected."""


def is_sha256(value: str) -> bool:
    """Whether ``value`` is a SHA-256 address: 64 lower-case hexadecimal digits."""
    return _SHA256_RE.fullmatch(value) is not None


def check_sha256(value: str) -> str:
    """``value`` if it is an address; ``ValueError`` otherwise (never a path)."""
    if not isinstance(value, str) or not is_sha256(value):
        raise ValueError(f"not a SHA-256 address (64 lower-case hex digits): {value!r:.80}")
    return value


@dataclass(frozen=True, slots=True)
class Digests:
    """The fingerprint of one original: SHA-256 (its address), SHA-512, size in bytes."""

    sha256: str
    sha512: str
    size: int


class Hasher:
    """SHA-256 and SHA-512 of one stream, both updated from each chunk as it is read."""

    __slots__ = ("_sha256", "_sha512", "size")

    def __init__(self) -> None:
        self._sha256 = hashlib.sha256()
        self._sha512 = hashlib.sha512()
        self.size = 0

    def update(self, chunk: memoryview | bytes) -> None:
        # hashlib releases the GIL for buffers this large, so other threads run meanwhile.
        self._sha256.update(chunk)
        self._sha512.update(chunk)
        self.size += len(chunk)

    def sha256(self) -> str:
        """The SHA-256 so far (hex)."""
        return self._sha256.hexdigest()

    def digests(self) -> Digests:
        """The digests of everything given so far."""
        return Digests(self._sha256.hexdigest(), self._sha512.hexdigest(), self.size)


def read_chunks(
    stream: BinaryIO, buffer: bytearray, *, max_size: int | None = None, name: str | None = None
) -> Iterator[memoryview]:
    """Views of ``buffer`` filled from ``stream`` until its end: one buffer for the whole
    stream, so memory stays flat however large it is.

    Each view is valid until the next is asked for. ``max_size`` is checked as bytes arrive
    (:class:`SizeLimitExceeded` names ``name``), not after the end.
    """
    view = memoryview(buffer)
    readinto = getattr(stream, "readinto", None)
    total = 0
    while True:
        if readinto is not None:
            n = readinto(view)
            if n is None:  # a non-blocking stream with nothing yet: not one the store reads
                raise EvidenceError(f"{name or 'stream'}: non-blocking streams are not read")
        else:
            data = stream.read(len(buffer))
            n = len(data)
            view[:n] = data
        if not n:
            return
        total += n
        if max_size is not None and total > max_size:
            raise SizeLimitExceeded(
                f"larger than the maximum of {max_size:,} bytes (stopped reading at {total:,})",
                path=name,
            )
        yield view[:n]


def hash_copy(
    stream: BinaryIO,
    write: Callable[[memoryview], object] | None = None,
    *,
    max_size: int | None = None,
    chunk_size: int = CHUNK_SIZE,
    name: str | None = None,
) -> Digests:
    """The digests of everything left in ``stream``, each chunk also handed to ``write``.

    One read of the stream. From the second chunk on, SHA-512 (the slower hash) runs on a
    helper thread while this one hashes SHA-256, writes and reads the next chunk into a
    second buffer: ``hashlib`` releases the GIL on large buffers, so on two cores the pass
    costs about one hash instead of two. Memory stays at two buffers.
    """
    sha256, sha512 = hashlib.sha256(), hashlib.sha512()
    buffers = (bytearray(chunk_size), bytearray(chunk_size))
    pending: list[Future[None] | None] = [None, None]
    readinto = getattr(stream, "readinto", None)
    total = 0
    side: ThreadPoolExecutor | None = None
    try:
        for i in itertools.count():
            slot = i % 2
            waiting = pending[slot]
            if waiting is not None:
                waiting.result()  # SHA-512 is done with this buffer: it may be refilled
            view = memoryview(buffers[slot])
            if readinto is not None:
                n = readinto(view)
                if n is None:
                    raise EvidenceError(f"{name or 'stream'}: non-blocking streams are not read")
            else:
                data = stream.read(chunk_size)
                n = len(data)
                view[:n] = data
            if not n:
                break
            total += n
            if max_size is not None and total > max_size:
                raise SizeLimitExceeded(
                    f"larger than the maximum of {max_size:,} bytes (stopped reading at {total:,})",
                    path=name,
                )
            chunk = view[:n]
            if i == 0:  # most originals are one chunk: no thread for them
                sha512.update(chunk)
            else:
                if side is None:
                    side = ThreadPoolExecutor(1, thread_name_prefix="sha512")
                # One worker runs the updates in the order they were submitted.
                pending[slot] = side.submit(sha512.update, chunk)
            sha256.update(chunk)
            if write is not None:
                write(chunk)
        for waiting in pending:
            if waiting is not None:
                waiting.result()
    finally:
        if side is not None:
            side.shutdown(wait=True)
    return Digests(sha256.hexdigest(), sha512.hexdigest(), total)


def digest_stream(
    stream: BinaryIO,
    *,
    max_size: int | None = None,
    chunk_size: int = CHUNK_SIZE,
    name: str | None = None,
) -> Digests:
    """The digests of everything left in ``stream``, read once in ``chunk_size`` pieces."""
    return hash_copy(stream, max_size=max_size, chunk_size=chunk_size, name=name)


def digest_path(path: Path, *, chunk_size: int = CHUNK_SIZE) -> Digests:
    """The digests of the file at ``path``."""
    with path.open("rb", buffering=0) as stream:
        return digest_stream(stream, chunk_size=chunk_size, name=str(path))


@dataclass(frozen=True, slots=True)
class Stored:
    """An original in the store; ``created`` is false when the same bytes were already there
    (nothing was written)."""

    digests: Digests
    created: bool


@dataclass(frozen=True, slots=True)
class Expunged:
    """The record of one destroyed original, for the audit chain.

    ``digests`` are of the bytes actually destroyed (re-hashed just before);
    ``matched_address`` is false when they no longer matched the address, which the record
    must show.
    """

    sha256: str
    digests: Digests
    matched_address: bool
    reason: ExpungeReason
    reference: str
    note: str
    actor: str
    at: datetime
    store_url: str


#: The longest actor, reference or note an expunge record keeps.
MAX_RECORD_TEXT = 2000


def check_expunge_request(
    store: Store,
    sha256: str,
    reason: ExpungeReason | str,
    actor: str,
    reference: str,
    note: str,
) -> tuple[ExpungeReason, str, str, str]:
    """The checked reason and the trimmed actor, reference and note of an expunge request;
    ``ValueError`` naming what is wrong (every backend checks the same rules)."""
    from inquest.evidence.vocabulary import vocabulary

    check_sha256(sha256)
    reason = ExpungeReason(reason)
    actor, reference, note = actor.strip(), reference.strip(), note.strip()
    if not actor:
        raise ValueError("an expunge needs the actor who ordered or did it")
    for label, text in (("actor", actor), ("reference", reference), ("note", note)):
        if len(text) > MAX_RECORD_TEXT:
            raise ValueError(f"{label} is longer than {MAX_RECORD_TEXT} characters")
    if vocabulary().expunge_reasons[reason].needs_reference and not reference:
        raise ValueError(f"expunge for {reason.value} needs a reference (order, request)")
    if reason is ExpungeReason.DUPLICATE_OF:
        check_sha256(reference)
        if reference == sha256 or not store.exists(reference):
            raise ValueError("duplicate_of needs the address of another stored original")
    return reason, actor, reference, note


def expunge_record_json(record: Expunged) -> dict[str, object]:
    """``record`` as the JSON object a backend keeps beside the store."""
    found = record.digests
    return {
        "sha256": record.sha256,
        "digests": {"sha256": found.sha256, "sha512": found.sha512, "size": found.size},
        "matched_address": record.matched_address,
        "reason": record.reason.value,
        "reference": record.reference,
        "note": record.note,
        "actor": record.actor,
        "at": record.at.isoformat(),
        "store_url": record.store_url,
    }


def expunge_record_from_json(data: dict[str, Any]) -> Expunged:
    """The record :func:`expunge_record_json` wrote."""
    return Expunged(
        sha256=data["sha256"],
        digests=Digests(**data["digests"]),
        matched_address=data["matched_address"],
        reason=ExpungeReason(data["reason"]),
        reference=data["reference"],
        note=data["note"],
        actor=data["actor"],
        at=datetime.fromisoformat(data["at"]),
        store_url=data["store_url"],
    )


class Staged(Protocol):
    """Bytes copied into the store and hashed, not yet committed under their address.

    :meth:`commit` makes them an original; :meth:`discard` (or leaving a ``with`` block
    without committing) removes them. Staging many files and committing them only when all
    were read is how intake stores a batch all or nothing.
    """

    @property
    def digests(self) -> Digests: ...

    def commit(self, *, readmit: bool = False) -> Stored: ...

    def discard(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class Store(Protocol):
    """A content-addressed, write-once store of originals.

    There is no delete: :meth:`expunge` is the one way an original leaves the store.
    """

    @property
    def url(self) -> str: ...

    def stage(
        self, source: BinaryIO | Path, *, max_size: int | None = None, name: str | None = None
    ) -> Staged:
        """Copy ``source`` into the store's staging area while hashing it (one pass)."""
        ...

    def put(
        self,
        source: BinaryIO | Path,
        *,
        max_size: int | None = None,
        name: str | None = None,
        expect_sha256: str | None = None,
        readmit: bool = False,
    ) -> Stored:
        """Stage and commit ``source``; nothing is left behind if any step fails."""
        ...

    def open(self, sha256: str) -> BinaryIO:
        """The original stored under ``sha256``, for reading; :class:`ObjectMissing`."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def size(self, sha256: str) -> int: ...

    def addresses(self) -> Iterator[str]:
        """The address of every stored original, in sorted order."""
        ...

    def expunged(self, sha256: str) -> Expunged | None:
        """The record of the expunge of ``sha256``, if it was expunged."""
        ...

    def expunge(
        self,
        sha256: str,
        reason: ExpungeReason,
        actor: str,
        *,
        reference: str = "",
        note: str = "",
        at: datetime | None = None,
    ) -> Expunged:
        """Destroy the original under ``sha256`` for a listed reason; the record returned
        must be logged by the caller."""
        ...


def put_via_stage(
    store: Store,
    source: BinaryIO | Path,
    *,
    max_size: int | None,
    name: str | None,
    expect_sha256: str | None,
    readmit: bool,
) -> Stored:
    """:meth:`Store.put` for any backend with ``stage``: checks ``expect_sha256`` before the
    commit, so a mismatch stores nothing."""
    with store.stage(source, max_size=max_size, name=name) as staged:
        got = staged.digests.sha256
        if expect_sha256 is not None and got != expect_sha256:
            raise DigestMismatch(f"SHA-256 is {got}, expected {expect_sha256}", path=name)
        return staged.commit(readmit=readmit)


StoreFactory = Callable[[str], Store]
_BACKENDS: dict[str, StoreFactory] = {}


def register_backend(scheme: str, factory: StoreFactory) -> None:
    """Make ``open_store`` open URLs of ``scheme`` with ``factory(url)``.

    A backend must keep every guarantee of :class:`Store` (write-once, no delete but
    expunge, nothing half-stored); for S3-compatible storage that means object lock in
    compliance mode and conditional writes.
    """
    _BACKENDS[scheme.lower()] = factory


def _local(url: str) -> Store:
    from inquest.evidence.local import LocalStore

    return LocalStore.from_url(url)


def _s3(url: str) -> Store:
    from inquest.evidence.s3 import S3Store

    return S3Store.from_url(url)


register_backend("file", _local)
register_backend("s3", _s3)


def open_store(url: str) -> Store:
    """The store at ``url`` (``file:///srv/inquest/evidence``, a bare absolute path, or
    ``s3://bucket/prefix?...``)."""
    if url.startswith("/"):
        return _local(Path(url).as_uri())
    scheme = urlsplit(url).scheme.lower()
    factory = _BACKENDS.get(scheme)
    if factory is None:
        known = ", ".join(f"{s}://" for s in sorted(_BACKENDS))
        raise ConfigError(
            f"no evidence store backend for {scheme or 'a URL without a scheme'}:// "
            f"(known: {known}; see docs/methodology/evidence.md)",
            key="evidence store",
        )
    return factory(url)


def fsync_folder(path: Path) -> None:
    """Make the names in folder ``path`` durable (a new file's entry, a removal)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def as_binary(source: BinaryIO | Path) -> tuple[BinaryIO, bool]:
    """``source`` as a stream, and whether the caller must close it."""
    if isinstance(source, Path):
        # O_NOFOLLOW: a symbolic link is not followed into a file the caller did not name.
        fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
        return os.fdopen(fd, "rb", buffering=0), True
    return source, False
