"""verify: a flipped byte in one original of many is found and named; a vanished original,
an expunged one and an unexpected one are each reported for what they are."""

from __future__ import annotations

import io
import os

import pytest

from inquest.evidence.local import LocalStore
from inquest.evidence.store import Digests
from inquest.evidence.verify import Progress, verify
from inquest.evidence.vocabulary import ExpungeReason


def _fill(store: LocalStore, n: int) -> list[Digests]:
    return [store.put(io.BytesIO(os.urandom(100 + i * 37))).digests for i in range(n)]


def _flip(store: LocalStore, sha: str, at: int) -> None:
    path = store.path(sha)
    os.chmod(path, 0o600)
    data = bytearray(path.read_bytes())
    data[at] ^= 0x80
    path.write_bytes(bytes(data))


def test_an_intact_store_verifies(store: LocalStore) -> None:
    digests = _fill(store, 20)
    seen: list[Progress] = []
    report = verify(store, digests, progress=seen.append)
    assert report.intact and report.checked == 20
    assert report.bytes_read == sum(d.size for d in digests)
    assert (report.changed, report.vanished, report.unexpected) == ((), (), ())
    assert [p.done for p in seen] == sorted(p.done for p in seen)
    assert (seen[-1].done, seen[-1].total, seen[-1].bytes_read) == (20, 20, report.bytes_read)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_flipped_byte_in_one_of_many_is_found_and_named(store: LocalStore, workers: int) -> None:
    digests = _fill(store, 200)
    victim = digests[137]
    _flip(store, victim.sha256, victim.size // 2)
    report = verify(store, [d.sha256 for d in digests], workers=workers)
    assert not report.intact
    assert [c.sha256 for c in report.changed] == [victim.sha256]
    assert report.changed[0].found.sha256 != victim.sha256
    assert victim.sha256 in report.changed[0].reason or "hash to" in report.changed[0].reason
    assert report.checked == 200 and report.vanished == ()


def test_vanished_expunged_and_unexpected_are_told_apart(store: LocalStore) -> None:
    digests = _fill(store, 5)
    gone, expunged, extra = digests[0], digests[1], digests[2]
    store.path(gone.sha256).unlink()  # deleted behind the store's back
    store.expunge(expunged.sha256, ExpungeReason.INGESTED_IN_ERROR, "archivist")
    expected = [d for d in digests if d is not extra]
    report = verify(store, expected)
    assert report.vanished == (gone.sha256,)
    assert report.expunged == (expunged.sha256,)
    assert report.unexpected == (extra.sha256,)
    assert report.changed == () and not report.intact
    assert report.checked == 3  # every original in the store, the unexpected one too


def test_recorded_sha512_and_size_are_checked_too(store: LocalStore) -> None:
    [d] = _fill(store, 1)
    wrong = Digests(d.sha256, "0" * 128, d.size)
    report = verify(store, [wrong])
    assert [c.reason for c in report.changed] == ["its SHA-512 differs from the one recorded"]


def test_an_unreadable_original_is_reported(store: LocalStore) -> None:
    [d] = _fill(store, 1)
    if os.geteuid() == 0:
        store.path(d.sha256).unlink()
        store.path(d.sha256).mkdir()  # root reads any file; a folder in its place cannot be
    else:
        os.chmod(store.path(d.sha256), 0)
    report = verify(store, [d.sha256])
    assert not report.intact
    assert report.vanished == (d.sha256,) or [u.sha256 for u in report.unreadable] == [d.sha256]
