"""Re-hashing every stored original against its address and what the caller recorded.

:func:`verify` reads every original in the store (streamed, a fixed buffer per thread) and
reports, by address: originals whose bytes no longer match their address or the recorded
digests (``changed``), addresses the caller expects that are gone (``vanished``; those the
store expunged, with a record, are ``expunged`` instead), originals the caller does not know
(``unexpected``), and originals that could not be read. Hashing runs on a small thread pool:
``hashlib`` releases the GIL on large buffers, so reading and hashing overlap on two cores.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from inquest.evidence.store import (
    CHUNK_SIZE,
    Digests,
    Hasher,
    ObjectMissing,
    Store,
    check_sha256,
    read_chunks,
)

__all__ = ["Changed", "Progress", "Unreadable", "VerifyReport", "verify"]


@dataclass(frozen=True)
class Changed:
    """An original whose bytes no longer match: its address, what was found, and why."""

    sha256: str
    found: Digests
    reason: str


@dataclass(frozen=True)
class Unreadable:
    """An original listed by the store that could not be read, and the error."""

    sha256: str
    error: str


@dataclass(frozen=True)
class Progress:
    """How far a verification is: originals done of ``total``, bytes read so far."""

    done: int
    total: int
    bytes_read: int


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of one verification, every list sorted by address."""

    store_url: str
    checked: int
    bytes_read: int
    seconds: float
    changed: tuple[Changed, ...]
    vanished: tuple[str, ...]
    expunged: tuple[str, ...]
    unexpected: tuple[str, ...]
    unreadable: tuple[Unreadable, ...]

    @property
    def intact(self) -> bool:
        """Every expected original is there, readable and unchanged."""
        return not (self.changed or self.vanished or self.unreadable)


_local = threading.local()


def _rehash(store: Store, sha256: str, both: bool, chunk_size: int) -> Digests:
    buffer: bytearray | None = getattr(_local, "buffer", None)
    if buffer is None or len(buffer) != chunk_size:
        buffer = _local.buffer = bytearray(chunk_size)
    with store.open(sha256) as stream:
        if both:
            hasher = Hasher()
            for chunk in read_chunks(stream, buffer, name=sha256):
                hasher.update(chunk)
            return hasher.digests()
        # Only the address to check: SHA-256 alone, at twice the speed.
        h = hashlib.sha256()
        size = 0
        for chunk in read_chunks(stream, buffer, name=sha256):
            h.update(chunk)
            size += len(chunk)
        return Digests(h.hexdigest(), "", size)


#: Originals hashed by one task: few enough that both workers stay busy to the end, enough
#: that small originals do not each pay for a task. (Batching by size would need a stat of
#: every original on the calling thread, which costs more than it balances.)
BATCH_ITEMS = 32


def _batches(addresses: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(addresses), BATCH_ITEMS):
        yield addresses[start : start + BATCH_ITEMS]


def _rehash_batch(
    store: Store, batch: list[str], recorded: dict[str, Digests | None], chunk_size: int
) -> list[tuple[str, Digests | Exception]]:
    out: list[tuple[str, Digests | Exception]] = []
    for sha in batch:
        try:
            out.append((sha, _rehash(store, sha, recorded.get(sha) is not None, chunk_size)))
        except (ObjectMissing, OSError) as exc:
            out.append((sha, exc))
    return out


def _judge(sha256: str, found: Digests, recorded: Digests | None) -> Changed | None:
    if found.sha256 != sha256:
        return Changed(sha256, found, f"its bytes now hash to {found.sha256}")
    if recorded is not None:
        if found.size != recorded.size:
            return Changed(sha256, found, f"size {found.size}, recorded {recorded.size}")
        if recorded.sha512 and found.sha512 != recorded.sha512:
            return Changed(sha256, found, "its SHA-512 differs from the one recorded")
    return None


def verify(
    store: Store,
    expected: Iterable[str | Digests],
    *,
    progress: Callable[[Progress], None] | None = None,
    workers: int | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> VerifyReport:
    """Re-hash every original in ``store`` and compare with ``expected``.

    ``expected`` holds the addresses the caller recorded (the workbench's items), or their
    full :class:`Digests`, in which case the SHA-512 and size are checked too. ``progress``
    is called from the calling thread as originals are done (after each batch of up to
    :data:`BATCH_ITEMS`). ``workers`` defaults to the
    number of CPUs (at most 4).
    """
    started = time.perf_counter()
    recorded: dict[str, Digests | None] = {}
    for item in expected:
        if isinstance(item, Digests):
            recorded[check_sha256(item.sha256)] = item
        else:
            recorded[check_sha256(item)] = None
    stored = list(store.addresses())
    present = set(stored)
    missing = sorted(set(recorded) - present)
    expunged = [sha for sha in missing if store.expunged(sha) is not None]
    vanished = [sha for sha in missing if sha not in set(expunged)]
    unexpected = [sha for sha in stored if sha not in recorded]

    changed: list[Changed] = []
    unreadable: list[Unreadable] = []
    bytes_read = 0
    done = 0
    n_workers = workers or min(4, os.cpu_count() or 1)
    # A bounded window of pending batches: the work queued at once stays small however
    # many originals there are (the lists of addresses are the only per-item memory).
    window = n_workers * 4
    batches = _batches(stored)
    pending: set[Future[list[tuple[str, Digests | Exception]]]] = set()
    with ThreadPoolExecutor(max_workers=n_workers, thread_name_prefix="verify") as pool:

        def refill() -> None:
            for batch in batches:
                pending.add(pool.submit(_rehash_batch, store, batch, recorded, chunk_size))
                if len(pending) >= window:
                    return

        refill()
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                pending.discard(future)
                for sha, outcome in future.result():
                    if isinstance(outcome, ObjectMissing):
                        if sha in recorded:
                            vanished.append(sha)
                    elif isinstance(outcome, OSError):
                        why = f"{type(outcome).__name__}: {outcome.strerror}"
                        unreadable.append(Unreadable(sha, why))
                    elif isinstance(outcome, Exception):
                        raise outcome
                    else:
                        bytes_read += outcome.size
                        problem = _judge(sha, outcome, recorded.get(sha))
                        if problem is not None:
                            changed.append(problem)
                    done += 1
                if progress is not None:
                    progress(Progress(done, len(stored), bytes_read))
            refill()
    return VerifyReport(
        store_url=store.url,
        checked=done,
        bytes_read=bytes_read,
        seconds=time.perf_counter() - started,
        changed=tuple(sorted(changed, key=lambda c: c.sha256)),
        vanished=tuple(sorted(vanished)),
        expunged=tuple(expunged),
        unexpected=tuple(unexpected),
        unreadable=tuple(sorted(unreadable, key=lambda u: u.sha256)),
    )
