"""The content-addressed, write-once store: digests, round trips, idempotent puts, refused
overwrites, nothing half-stored, expunge for a listed reason only."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest

from inquest.errors import ConfigError
from inquest.evidence.local import OBJECT_MODE, LocalStore
from inquest.evidence.store import (
    ContentExpunged,
    DigestMismatch,
    EmptyContent,
    IntegrityError,
    ObjectMissing,
    SizeLimitExceeded,
    digest_path,
    digest_stream,
    hash_copy,
    open_store,
)
from inquest.evidence.vocabulary import ExpungeReason

from .conftest import PatternStream, files_under


def _expected(data: bytes) -> tuple[str, str]:
    return hashlib.sha256(data).hexdigest(), hashlib.sha512(data).hexdigest()


@pytest.mark.parametrize("size", [1, 4095, 4096, 4097, 3 * 4096 + 17])
def test_digests_in_one_pass_match_hashlib_at_chunk_edges(size: int) -> None:
    data = os.urandom(size)
    got = digest_stream(io.BytesIO(data), chunk_size=4096)
    assert (got.sha256, got.sha512) == _expected(data)
    assert got.size == size


def test_memory_stays_flat_however_large_the_stream() -> None:
    tracemalloc.start()
    try:
        got = digest_stream(PatternStream(64 * 1024**2), chunk_size=1 << 20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert got.size == 64 * 1024**2
    assert peak < 4 * 1024**2  # two 1 MiB buffers, the test stream's pattern; not 64 MiB


def test_hash_copy_writes_every_byte_in_order() -> None:
    data = os.urandom(10 * 4096 + 5)
    out = io.BytesIO()
    got = hash_copy(io.BytesIO(data), out.write, chunk_size=4096)
    assert out.getvalue() == data
    assert (got.sha256, got.sha512, got.size) == (*_expected(data), len(data))


def test_a_stream_without_readinto_is_read_too() -> None:
    class Plain:
        def __init__(self, data: bytes) -> None:
            self.inner = io.BytesIO(data)

        def read(self, n: int) -> bytes:
            return self.inner.read(min(n, 1000))  # short reads, as sockets give

    data = os.urandom(9000)
    got = digest_stream(Plain(data), chunk_size=4096)  # type: ignore[arg-type]
    assert (got.sha256, got.sha512, got.size) == (*_expected(data), len(data))


def test_round_trip_from_a_stream_and_from_a_path(store: LocalStore, tmp_path: Path) -> None:
    data = os.urandom(10_000)
    source = tmp_path / "photo.jpg"
    source.write_bytes(data)
    from_stream = store.put(io.BytesIO(data))
    from_path = store.put(source)
    assert from_stream.digests == from_path.digests == digest_path(source)
    assert from_stream.created and not from_path.created
    with store.open(from_stream.digests.sha256) as stream:
        assert stream.read() == data
    assert store.exists(from_stream.digests.sha256)
    assert store.size(from_stream.digests.sha256) == 10_000
    assert list(store.addresses()) == [from_stream.digests.sha256]


def test_the_same_bytes_are_stored_once(store: LocalStore) -> None:
    first = store.put(io.BytesIO(b"testimony" * 100))
    again = store.put(io.BytesIO(b"testimony" * 100))
    assert first.created and not again.created
    assert first.digests == again.digests
    assert len(files_under(store.root / "objects")) == 1
    assert files_under(store.root / "staging") == []


def test_originals_are_read_only_in_private_folders(
    store: LocalStore, loose_umask: None, tmp_path: Path
) -> None:
    fresh = LocalStore(tmp_path / "fresh")
    sha = fresh.put(io.BytesIO(b"x" * 10)).digests.sha256
    path = fresh.path(sha)
    assert stat.S_IMODE(path.stat().st_mode) == OBJECT_MODE
    for folder in (fresh.root, fresh.root / "objects", path.parent, path.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_changed_original_is_reported_not_replaced(store: LocalStore) -> None:
    data = b"original bytes " * 50
    sha = store.put(io.BytesIO(data)).digests.sha256
    path = store.path(sha)
    os.chmod(path, 0o600)
    tampered = bytearray(data)
    tampered[3] ^= 0x01
    path.write_bytes(bytes(tampered))
    with pytest.raises(IntegrityError, match=sha):
        store.put(io.BytesIO(data))
    assert path.read_bytes() == bytes(tampered)  # left as found, for the investigation
    assert files_under(store.root / "staging") == []


def test_no_delete_but_expunge(store: LocalStore) -> None:
    for name in ("delete", "remove", "unlink", "__delitem__", "overwrite"):
        assert not hasattr(store, name)


def test_zero_bytes_are_refused_and_nothing_is_left(store: LocalStore) -> None:
    with pytest.raises(EmptyContent, match="zero bytes"):
        store.put(io.BytesIO(b""), name="empty.pdf")
    assert files_under(store.root / "objects") == []
    assert files_under(store.root / "staging") == []


def test_size_limit_is_checked_while_reading(store: LocalStore) -> None:
    endless = PatternStream(10 * 1024**3)  # 10 GiB it would take long to read
    with pytest.raises(SizeLimitExceeded, match=r"big\.mov") as caught:
        store.put(endless, max_size=50_000, name="big.mov")
    assert endless.given <= 50_000 + 4096  # stopped within one chunk of the limit
    assert "50,000" in caught.value.reason
    assert files_under(store.root / "objects") == []
    assert files_under(store.root / "staging") == []


def test_a_failing_stream_leaves_nothing_half_stored(store: LocalStore) -> None:
    with pytest.raises(OSError, match="injected"):
        store.put(PatternStream(100_000, fail_after=20_000))
    assert files_under(store.root / "objects") == []
    assert files_under(store.root / "staging") == []


def test_an_unexpected_digest_stores_nothing(store: LocalStore) -> None:
    with pytest.raises(DigestMismatch, match="expected"):
        store.put(io.BytesIO(b"abc" * 10), expect_sha256="0" * 64)
    assert files_under(store.root) == [store.root / "inquest-evidence-store"]


def test_staged_bytes_are_gone_when_discarded(store: LocalStore) -> None:
    with store.stage(io.BytesIO(b"draft" * 10)) as staged:
        assert staged.digests.size == 50
    assert files_under(store.root / "staging") == []
    assert not store.exists(staged.digests.sha256)


def test_addresses_are_validated_never_paths(store: LocalStore) -> None:
    for bad in ("../../etc/passwd", "A" * 64, "0" * 63, ""):
        with pytest.raises(ValueError, match="SHA-256"):
            store.open(bad)
    with pytest.raises(ObjectMissing):
        store.open("0" * 64)


def test_expunge_needs_a_listed_reason_an_actor_and_a_reference(store: LocalStore) -> None:
    sha = store.put(io.BytesIO(b"to be expunged" * 10)).digests.sha256
    with pytest.raises(ValueError, match="reference"):
        store.expunge(sha, ExpungeReason.COURT_ORDER, "judge's clerk")
    with pytest.raises(ValueError, match="actor"):
        store.expunge(sha, ExpungeReason.COURT_ORDER, "  ", reference="Order 12/2026")
    with pytest.raises(ValueError):
        store.expunge(sha, "because", "someone", reference="x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="another stored original"):
        store.expunge(sha, ExpungeReason.DUPLICATE_OF, "archivist", reference=sha)
    assert store.exists(sha)


def test_expunge_returns_the_record_and_the_bytes_stay_out(store: LocalStore) -> None:
    data = b"unlawful" * 20
    sha = store.put(io.BytesIO(data)).digests.sha256
    when = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    record = store.expunge(
        sha, ExpungeReason.COURT_ORDER, "registrar", reference="Order 12/2026", at=when
    )
    assert record.sha256 == sha and record.matched_address
    assert record.digests.sha512 == hashlib.sha512(data).hexdigest()
    assert (record.reason, record.actor) == (ExpungeReason.COURT_ORDER, "registrar")
    assert record.at == when
    assert not store.exists(sha)
    assert store.expunged(sha) == record
    with pytest.raises(ObjectMissing, match="already expunged"):
        store.expunge(sha, ExpungeReason.COURT_ORDER, "registrar", reference="Order 12/2026")
    with pytest.raises(ContentExpunged, match="court_order"):
        store.put(io.BytesIO(data))
    assert store.put(io.BytesIO(data), readmit=True).created
    assert store.expunged(sha) == record  # the record stays


def test_open_store_by_url(tmp_path: Path) -> None:
    folder = tmp_path / "evidence store"
    by_url = open_store(folder.as_uri())
    assert by_url.url == folder.as_uri()
    assert open_store(str(folder)).url == by_url.url
    with pytest.raises(ConfigError, match=r"no evidence store backend for gs://.*s3://"):
        open_store("gs://bucket/evidence")
    other = tmp_path / "home"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match="not an evidence store"):
        open_store(str(other))


def test_an_expunge_cut_short_is_finished_by_running_it_again(store: LocalStore) -> None:
    data = b"half expunged" * 10
    sha = store.put(io.BytesIO(data)).digests.sha256
    record = store.expunge(sha, ExpungeReason.INGESTED_IN_ERROR, "archivist")
    # A crash between writing the record and removing the original leaves both.
    store.path(sha).write_bytes(data)
    again = store.expunge(sha, ExpungeReason.INGESTED_IN_ERROR, "archivist")
    assert again == record
    assert not store.exists(sha)


def test_clear_staging_removes_only_old_leftovers(store: LocalStore) -> None:
    left = store.stage(io.BytesIO(b"left by a crash"))
    [left_path] = files_under(store.root / "staging")
    os.utime(left_path, (0, 0))
    live = store.stage(io.BytesIO(b"being added now"))
    assert store.clear_staging(older_than_s=3600) == 1
    assert not left_path.exists()
    assert live.commit().created  # the young one was left alone
    left.discard()
    assert files_under(store.root / "staging") == []
