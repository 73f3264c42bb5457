"""The S3-compatible backend against a local S3 server (moto's, started here on 127.0.0.1):
object lock checked at open, conditional puts that never overwrite, streamed reads that
verify, multipart uploads aborted on failure, expunge only where the lock allows it."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from inquest.errors import ConfigError
from inquest.evidence import s3 as s3_module
from inquest.evidence.s3 import ExpungeRefused, S3Options, S3Store
from inquest.evidence.store import (
    ContentExpunged,
    DigestMismatch,
    EmptyContent,
    EvidenceError,
    IntegrityError,
    ObjectMissing,
    SizeLimitExceeded,
    open_store,
)
from inquest.evidence.verify import verify
from inquest.evidence.vocabulary import ExpungeReason

from ._s3server import admin, moto_endpoint, new_bucket, store_url, use_test_credentials
from .conftest import PatternStream

boto3 = pytest.importorskip("boto3", reason="boto3 is not installed (pip install boto3)")


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """A moto S3 server on a free loopback port for this module's tests."""
    yield from moto_endpoint()


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    use_test_credentials(monkeypatch, tmp_path)


_admin, _bucket, _url = admin, new_bucket, store_url


@pytest.fixture
def store(endpoint: str, tmp_path: Path) -> S3Store:
    spool = tmp_path / "spool"
    spool.mkdir()
    url = _url(endpoint, _bucket(endpoint), extra=f"&spool={spool}")
    opened = open_store(url)
    assert isinstance(opened, S3Store)
    opened.chunk_size = 4096
    return opened


def _raw(store: S3Store) -> Any:
    return store._client


def _key(store: S3Store, sha: str) -> str:
    return f"commission/evidence/objects/{sha[:2]}/{sha[2:4]}/{sha}"


def test_url_options_and_refusals() -> None:
    got = S3Options.from_url(
        "s3://bucket/a/b?endpoint=http://127.0.0.1:9000&region=eu-west-1&lock=compliance"
        "&retain_days=7&path_style=true"
    )
    assert (got.bucket, got.prefix, got.lock, got.retain_days, got.path_style) == (
        "bucket",
        "a/b/",
        "COMPLIANCE",
        7,
        True,
    )
    assert S3Options.from_url("s3://bucket").prefix == ""
    with pytest.raises(ConfigError, match="credentials"):
        S3Options.from_url("s3://key:secret@bucket/x")
    with pytest.raises(ConfigError, match=r"unknown S3 store option.*secret"):
        S3Options.from_url("s3://bucket/x?secret=1")
    with pytest.raises(ConfigError, match="governance or compliance"):
        S3Options.from_url("s3://bucket/x?lock=none")
    with pytest.raises(ConfigError, match="retain_days"):
        S3Options.from_url("s3://bucket/x?retain_days=0")


def test_a_bucket_without_object_lock_is_refused(endpoint: str) -> None:
    bucket = _bucket(endpoint, lock=False)
    with pytest.raises(ConfigError, match="has no object lock"):
        open_store(_url(endpoint, bucket))


def test_an_unreachable_endpoint_is_named(tmp_path: Path) -> None:
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    url = "s3://evidence/x?endpoint=http://127.0.0.1:9&region=us-east-1&path_style=1"
    with pytest.raises(ConfigError, match=r"cannot read the object lock.*127\.0\.0\.1:9"):
        S3Store(S3Options.from_url(url))


@pytest.mark.parametrize("size", [1, 4095, 4096, 4097, 100_000])
def test_round_trip_under_lock(store: S3Store, size: int) -> None:
    data = os.urandom(size)
    stored = store.put(io.BytesIO(data), name="photo.jpg")
    sha = stored.digests.sha256
    assert stored.created
    assert (sha, stored.digests.sha512) == (
        hashlib.sha256(data).hexdigest(),
        hashlib.sha512(data).hexdigest(),
    )
    with store.open(sha) as stream:
        assert stream.read() == data
    assert store.exists(sha) and store.size(sha) == size
    head = _raw(store).head_object(Bucket=store.options.bucket, Key=_key(store, sha))
    assert head["ObjectLockMode"] == "GOVERNANCE"
    assert head["ObjectLockRetainUntilDate"] > datetime.now(UTC) + timedelta(days=29)
    assert list(store.addresses()) == [sha]


def test_the_same_bytes_again_are_not_uploaded_again(store: S3Store) -> None:
    data = os.urandom(5000)
    first = store.put(io.BytesIO(data))
    again = store.put(io.BytesIO(data))
    assert first.created and not again.created
    key = _key(store, first.digests.sha256)
    versions = _raw(store).list_object_versions(Bucket=store.options.bucket, Prefix=key)
    assert len(versions["Versions"]) == 1


def test_the_conditional_put_refuses_a_racing_writer(
    store: S3Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer stores the address between the HEAD check and the put: the put's
    If-None-Match refuses to replace it, and the original stays as that writer left it."""
    data = os.urandom(3000)
    sha = hashlib.sha256(data).hexdigest()
    real_exists = store.exists

    def racing_exists(address: str) -> bool:
        if address == sha and not real_exists(address):
            _raw(store).put_object(Bucket=store.options.bucket, Key=_key(store, sha), Body=data)
            return False
        return real_exists(address)

    monkeypatch.setattr(store, "exists", racing_exists)
    assert not store.put(io.BytesIO(data)).created
    versions = _raw(store).list_object_versions(
        Bucket=store.options.bucket, Prefix=_key(store, sha)
    )
    assert len(versions["Versions"]) == 1


def test_a_changed_original_is_reported_not_replaced(store: S3Store) -> None:
    data = os.urandom(3000)
    sha = store.put(io.BytesIO(data)).digests.sha256
    # Someone with write access puts other bytes as a new version under the address.
    _raw(store).put_object(Bucket=store.options.bucket, Key=_key(store, sha), Body=b"tampered")
    with pytest.raises(IntegrityError, match=f"{sha} no longer matches"):
        store.put(io.BytesIO(data))
    report = verify(store, {sha: None})
    assert [c.sha256 for c in report.changed] == [sha]
    # The locked original version is still there, to be restored from.
    versions = _raw(store).list_object_versions(
        Bucket=store.options.bucket, Prefix=_key(store, sha)
    )["Versions"]
    assert len(versions) == 2


def test_nothing_half_stored(store: S3Store, tmp_path: Path) -> None:
    spool = store.options.spool
    assert spool is not None
    with pytest.raises(OSError, match="injected"):
        store.put(PatternStream(50_000, fail_after=20_000))
    with pytest.raises(SizeLimitExceeded):
        store.put(PatternStream(50_000), max_size=10_000)
    with pytest.raises(EmptyContent):
        store.put(io.BytesIO(b""))
    with pytest.raises(DigestMismatch):
        store.put(io.BytesIO(b"abc"), expect_sha256="0" * 64)
    assert list(store.addresses()) == []
    assert list(spool.iterdir()) == []  # every spool file removed


def test_a_failed_multipart_upload_is_aborted(
    store: S3Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(s3_module, "PART_SIZE", 5 * 1024**2)
    client = _raw(store)
    real = client.upload_part
    calls = {"n": 0}

    def failing_part(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(5, "Input/output error (injected)")
        return real(**kwargs)

    monkeypatch.setattr(client, "upload_part", failing_part)
    with pytest.raises(EvidenceError, match="injected"):
        store.put(PatternStream(12 * 1024**2))
    assert list(store.addresses()) == []
    uploads = client.list_multipart_uploads(Bucket=store.options.bucket)
    assert not uploads.get("Uploads")


def test_a_multipart_upload_round_trips_under_lock(
    store: S3Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(s3_module, "PART_SIZE", 5 * 1024**2)
    data = os.urandom(11 * 1024**2 + 3)
    stored = store.put(io.BytesIO(data))
    sha = stored.digests.sha256
    assert stored.created and sha == hashlib.sha256(data).hexdigest()
    h = hashlib.sha256()
    with store.open(sha) as stream:
        while chunk := stream.read(1 << 20):
            h.update(chunk)
    assert h.hexdigest() == sha
    head = _raw(store).head_object(Bucket=store.options.bucket, Key=_key(store, sha))
    assert head["ObjectLockMode"] == "GOVERNANCE"
    assert verify(store, {sha: stored.digests}).intact


def test_verify_finds_a_vanished_original(store: S3Store) -> None:
    kept = store.put(io.BytesIO(b"kept" * 100)).digests
    assert verify(store, {kept.sha256: kept, "a" * 64: None}).vanished == ("a" * 64,)


def test_expunge_under_governance_removes_every_version(store: S3Store) -> None:
    data = os.urandom(2000)
    sha = store.put(io.BytesIO(data)).digests.sha256
    with pytest.raises(ValueError, match="needs a reference"):
        store.expunge(sha, ExpungeReason.COURT_ORDER, "registrar")
    record = store.expunge(sha, ExpungeReason.COURT_ORDER, "registrar", reference="Order 7/2026")
    assert record.matched_address and record.digests.size == 2000
    assert not store.exists(sha)
    versions = _raw(store).list_object_versions(
        Bucket=store.options.bucket, Prefix=_key(store, sha)
    )
    assert not versions.get("Versions") and not versions.get("DeleteMarkers")
    assert store.expunged(sha) == record
    with pytest.raises(ObjectMissing, match="already expunged"):
        store.expunge(sha, ExpungeReason.COURT_ORDER, "registrar", reference="Order 7/2026")
    with pytest.raises(ContentExpunged, match="court_order"):
        store.put(io.BytesIO(data))
    assert store.put(io.BytesIO(data), readmit=True).created
    assert store.expunged(sha) == record


def test_expunge_is_refused_under_compliance_and_legal_hold(endpoint: str) -> None:
    bucket = _bucket(endpoint)
    store = S3Store.from_url(_url(endpoint, bucket, lock="compliance"))
    sha = store.put(io.BytesIO(b"locked original")).digests.sha256
    with pytest.raises(ExpungeRefused, match="compliance retention until"):
        store.expunge(sha, ExpungeReason.COURT_ORDER, "registrar", reference="Order 8/2026")
    assert store.exists(sha) and store.expunged(sha) is None  # nothing written
    # A governance-mode original under a legal hold is refused too.
    governed = S3Store.from_url(_url(endpoint, bucket, extra="").replace("commission", "other"))
    held = governed.put(io.BytesIO(b"held original")).digests.sha256
    governed._client.put_object_legal_hold(
        Bucket=bucket,
        Key=f"other/evidence/objects/{held[:2]}/{held[2:4]}/{held}",
        LegalHold={"Status": "ON"},
    )
    with pytest.raises(ExpungeRefused, match="legal hold"):
        governed.expunge(held, ExpungeReason.COURT_ORDER, "registrar", reference="Order 9/2026")
    assert governed.exists(held) and governed.expunged(held) is None


def test_a_store_of_another_format_is_refused(endpoint: str) -> None:
    bucket = _bucket(endpoint)
    _admin(endpoint).put_object(
        Bucket=bucket, Key="commission/evidence/inquest-evidence-store", Body=b'{"format": 99}'
    )
    with pytest.raises(ConfigError, match="store format 99"):
        open_store(_url(endpoint, bucket))
