"""The S3-compatible backend of the evidence store (``s3://bucket/prefix?...``), with object lock.

Layout under the URL's prefix::

    inquest-evidence-store      marker: this prefix is a store (format version)
    objects/ab/cd/<sha256>      the originals, named by their SHA-256, each under object lock
    expunged/<sha256>.json      the record of each expunged original (no content), locked too

The bucket must have object lock enabled (so versioning too); opening the store checks it.
Write-once is kept three ways: every original is put with a retention of the configured mode
(``GOVERNANCE`` or ``COMPLIANCE``) and length, so no version of it can be deleted or
overwritten until then; the put is conditional (``If-None-Match: *``, after a ``HEAD``), so an
address already taken is never written again, even by a racing writer; and the server checks
the SHA-256 of what it received (``x-amz-checksum-sha256``) against the one computed while
staging. A multipart upload that fails is aborted.

Staging is local: the input is copied to a private spool file while it is hashed (its
address is not known before the end), and :meth:`S3Staged.commit` uploads that file under
its address. Staging inside the bucket would not do: a bucket's default retention would lock
the staged copies too, and nothing could remove them.

Expunge deletes every version of the original, bypassing a governance retention (the
credentials need ``s3:BypassGovernanceRetention``); it is refused, before anything is
written, while a compliance retention or a legal hold is in force: compliance mode means
no one, not even the bucket's owner, can delete it before its retention ends.

Credentials come from boto3's usual chain (environment, shared files, instance role), never
from the URL.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import io
import json
import os
import re
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Literal, Self
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from inquest.errors import ConfigError
from inquest.evidence.store import (
    CHUNK_SIZE,
    ContentExpunged,
    Digests,
    EmptyContent,
    EvidenceError,
    Expunged,
    IntegrityError,
    ObjectMissing,
    Stored,
    as_binary,
    check_expunge_request,
    check_sha256,
    digest_stream,
    expunge_record_from_json,
    expunge_record_json,
    hash_copy,
    put_via_stage,
)
from inquest.evidence.vocabulary import ExpungeReason

__all__ = ["ExpungeRefused", "S3Options", "S3Staged", "S3Store"]

MARKER = "inquest-evidence-store"
FORMAT = 1
LockMode = Literal["GOVERNANCE", "COMPLIANCE"]
#: Parts of a multipart upload; S3 allows at most 10,000 parts, so larger files get larger
#: parts. A part is read into memory once: this bounds the memory of an upload.
PART_SIZE = 16 * 1024**2
MAX_PARTS = 10_000
_OPTIONS = frozenset({"endpoint", "region", "lock", "retain_days", "path_style", "spool"})
_KEY = re.compile(r"objects/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})")


class ExpungeRefused(EvidenceError):
    """The bucket's lock does not let this original be deleted (yet)."""


@dataclass(frozen=True, slots=True)
class S3Options:
    """What an ``s3://`` URL configures."""

    bucket: str
    prefix: str
    endpoint: str | None = None
    region: str | None = None
    lock: LockMode = "GOVERNANCE"
    retain_days: int = 3650
    path_style: bool = False
    spool: Path | None = None

    @classmethod
    def from_url(cls, url: str) -> S3Options:
        """Parse ``s3://bucket/prefix?endpoint=…&region=…&lock=governance&retain_days=3650``.

        ``ConfigError`` names the part that is wrong; credentials in the URL are refused.
        """
        parts = urlsplit(url)
        if parts.scheme.lower() != "s3" or not parts.netloc:
            raise ConfigError(f"not an S3 store URL: {url!r:.200}", key="evidence store")
        if "@" in parts.netloc or ":" in parts.netloc:
            raise ConfigError(
                "an S3 store URL names the bucket only; credentials come from the "
                "environment (AWS_ACCESS_KEY_ID, ...) or the instance, never the URL",
                key="evidence store",
            )
        query = dict(parse_qsl(parts.query, keep_blank_values=True, strict_parsing=False))
        unknown = sorted(set(query) - _OPTIONS)
        if unknown:
            raise ConfigError(
                f"unknown S3 store option(s) {', '.join(unknown)} "
                f"(known: {', '.join(sorted(_OPTIONS))})",
                key="evidence store",
            )
        lock = query.get("lock", "governance").upper()
        if lock not in ("GOVERNANCE", "COMPLIANCE"):
            raise ConfigError(
                f"lock must be governance or compliance, not {query['lock']!r}",
                key="evidence store",
            )
        try:
            days = int(query.get("retain_days", "3650"))
        except ValueError:
            days = 0
        if days < 1:
            raise ConfigError(
                "retain_days must be a whole number of days, at least 1", key="evidence store"
            )
        prefix = parts.path.strip("/")
        spool = query.get("spool")
        return cls(
            bucket=parts.netloc,
            prefix=f"{prefix}/" if prefix else "",
            endpoint=query.get("endpoint") or None,
            region=query.get("region") or None,
            lock=lock,  # type: ignore[arg-type]
            retain_days=days,
            path_style=query.get("path_style", "").lower() in ("1", "true", "yes"),
            spool=Path(spool) if spool else None,
        )


class _Body(io.RawIOBase):
    """A downloaded object's body as a raw stream with ``readinto`` (read in large chunks)."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self._body.read(len(view))
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


class S3Staged:
    """One input spooled to a private local file and hashed, not yet uploaded."""

    def __init__(self, store: S3Store, temp: Path, digests: Digests, name: str | None) -> None:
        self._store = store
        self._temp: Path | None = temp
        self._digests = digests
        self._name = name

    @property
    def digests(self) -> Digests:
        return self._digests

    def commit(self, *, readmit: bool = False) -> Stored:
        """Upload the spooled bytes under their address (conditionally, under lock); the same
        bytes already stored are kept (and re-hashed). The spool file is removed either way."""
        temp = self._temp
        if temp is None:
            raise EvidenceError("this staged input was already committed or discarded")
        try:
            return self._store._commit(temp, self._digests, readmit=readmit)
        finally:
            self.discard()

    def discard(self) -> None:
        """Remove the spool file (nothing happens if it is gone)."""
        if self._temp is not None:
            with contextlib.suppress(FileNotFoundError):
                self._temp.unlink()
            self._temp = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.discard()


def _code(exc: Exception) -> str:
    """The S3 error code of a botocore ``ClientError`` ('' for anything else)."""
    response = getattr(exc, "response", None)
    if isinstance(response, Mapping):
        error = response.get("Error", {})
        code = str(error.get("Code", ""))
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return code or str(status or "")
    return ""


_MISSING = frozenset({"404", "NoSuchKey", "NotFound", "NoSuchVersion"})
_TAKEN = frozenset({"PreconditionFailed", "412", "ConditionalRequestConflict", "409"})


class S3Store:
    """Originals in an S3-compatible bucket with object lock, content-addressed, write-once."""

    def __init__(
        self, options: S3Options, *, client: Any = None, chunk_size: int = CHUNK_SIZE
    ) -> None:
        self.options = options
        self.chunk_size = chunk_size
        self._client = client if client is not None else _client(options)
        self._check_bucket()
        self._check_marker()

    @classmethod
    def from_url(cls, url: str) -> S3Store:
        """The store of an ``s3://`` URL (see :class:`S3Options`)."""
        return cls(S3Options.from_url(url))

    @property
    def url(self) -> str:
        """The store's URL without its query (endpoints and options are configuration)."""
        return urlunsplit(("s3", self.options.bucket, "/" + self.options.prefix, "", ""))

    def _key(self, sha256: str) -> str:
        check_sha256(sha256)
        return f"{self.options.prefix}objects/{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def _tombstone(self, sha256: str) -> str:
        return f"{self.options.prefix}expunged/{check_sha256(sha256)}.json"

    def _fail(self, what: str, exc: Exception) -> EvidenceError:
        return EvidenceError(f"{self.url}: {what} failed: {exc}")

    def _check_bucket(self) -> None:
        bucket = self.options.bucket
        try:
            found = self._client.get_object_lock_configuration(Bucket=bucket)
        except Exception as exc:
            if _code(exc) == "ObjectLockConfigurationNotFoundError":
                found = {}
            else:
                raise ConfigError(
                    f"cannot read the object lock of bucket {bucket!r}"
                    f"{' at ' + self.options.endpoint if self.options.endpoint else ''}: {exc}",
                    key="evidence store",
                ) from None
        enabled = found.get("ObjectLockConfiguration", {}).get("ObjectLockEnabled")
        if enabled != "Enabled":
            raise ConfigError(
                f"bucket {bucket!r} has no object lock: originals could be overwritten or "
                "deleted there (create the bucket with object lock enabled)",
                key="evidence store",
            )

    def _check_marker(self) -> None:
        key = self.options.prefix + MARKER
        try:
            body = self._client.get_object(Bucket=self.options.bucket, Key=key)["Body"]
            found = json.loads(body.read(4096)).get("format")
        except Exception as exc:
            if _code(exc) not in _MISSING:
                raise self._fail("reading the store's marker", exc) from None
            self._put_small(key, json.dumps({"format": FORMAT}).encode() + b"\n")
            return
        if found != FORMAT:
            raise ConfigError(
                f"{self.url}: store format {found!r}, this inquest reads {FORMAT}",
                key="evidence store",
            )

    def _lock_args(self) -> dict[str, Any]:
        until = datetime.now(UTC) + timedelta(days=self.options.retain_days)
        return {"ObjectLockMode": self.options.lock, "ObjectLockRetainUntilDate": until}

    def _put_small(self, key: str, data: bytes) -> bool:
        """Put ``data`` at ``key`` under lock unless the key exists; whether it was written."""
        checksum = base64.b64encode(hashlib.sha256(data).digest()).decode()
        try:
            self._client.put_object(
                Bucket=self.options.bucket,
                Key=key,
                Body=data,
                IfNoneMatch="*",
                ChecksumAlgorithm="SHA256",
                ChecksumSHA256=checksum,
                **self._lock_args(),
            )
        except Exception as exc:
            if _code(exc) in _TAKEN:
                return False
            raise self._fail(f"writing {key}", exc) from None
        return True

    # -- writing -------------------------------------------------------------------------

    def stage(
        self, source: BinaryIO | Path, *, max_size: int | None = None, name: str | None = None
    ) -> S3Staged:
        """Copy ``source`` to a private spool file while hashing it (one pass)."""
        if name is None and isinstance(source, Path):
            name = str(source)
        fd, temp_name = tempfile.mkstemp(prefix="inquest-s3-put-", dir=self.options.spool)
        temp = Path(temp_name)
        try:
            stream, close = as_binary(source)
            try:
                with os.fdopen(fd, "wb") as out:
                    fd = -1
                    digests = hash_copy(
                        stream, out.write, max_size=max_size, chunk_size=self.chunk_size, name=name
                    )
            finally:
                if close:
                    stream.close()
            if digests.size == 0:
                raise EmptyContent("zero bytes: an empty file is not kept as evidence", path=name)
        except BaseException:
            if fd >= 0:
                os.close(fd)
            temp.unlink(missing_ok=True)
            raise
        return S3Staged(self, temp, digests, name)

    def put(
        self,
        source: BinaryIO | Path,
        *,
        max_size: int | None = None,
        name: str | None = None,
        expect_sha256: str | None = None,
        readmit: bool = False,
    ) -> Stored:
        """Store ``source`` (a stream or a file's path) and return its digests."""
        return put_via_stage(
            self,
            source,
            max_size=max_size,
            name=name,
            expect_sha256=expect_sha256,
            readmit=readmit,
        )

    def _commit(self, temp: Path, digests: Digests, *, readmit: bool) -> Stored:
        sha = digests.sha256
        if not readmit and self._head(self._tombstone(sha)) is not None:
            record = self.expunged(sha)
            why = record.reason.value if record else "unknown reason"
            raise ContentExpunged(
                f"{sha} was expunged ({why}); storing it again needs readmit=True"
            )
        if self.exists(sha):
            return self._already(digests)
        key = self._key(sha)
        if digests.size <= PART_SIZE:
            written = self._put_file(key, temp, digests)
        else:
            written = self._put_multipart(key, temp, digests.size)
        if not written:  # a racing writer stored it between the HEAD and the put
            return self._already(digests)
        return Stored(digests, created=True)

    def _already(self, digests: Digests) -> Stored:
        """The same address is stored: keep it if its bytes still match it."""
        with self.open(digests.sha256) as stream:
            found = digest_stream(stream, chunk_size=self.chunk_size)
        if found.sha256 != digests.sha256:
            raise IntegrityError(
                f"{self.url}: the original {digests.sha256} no longer matches its address "
                f"(it hashes to {found.sha256}); it was not replaced"
            )
        return Stored(digests, created=False)

    def _put_file(self, key: str, temp: Path, digests: Digests) -> bool:
        checksum = base64.b64encode(bytes.fromhex(digests.sha256)).decode()
        with temp.open("rb") as body:
            try:
                self._client.put_object(
                    Bucket=self.options.bucket,
                    Key=key,
                    Body=body,
                    ContentLength=digests.size,
                    IfNoneMatch="*",
                    ChecksumAlgorithm="SHA256",
                    ChecksumSHA256=checksum,
                    **self._lock_args(),
                )
            except Exception as exc:
                if _code(exc) in _TAKEN:
                    return False
                raise self._fail(f"uploading {key}", exc) from None
        return True

    def _put_multipart(self, key: str, temp: Path, size: int) -> bool:
        """Upload ``temp`` in parts, each checked by its SHA-256; aborted on any failure, so
        nothing half-stored becomes visible."""
        bucket = self.options.bucket
        part_size = max(PART_SIZE, -(-size // MAX_PARTS))
        try:
            upload = self._client.create_multipart_upload(
                Bucket=bucket, Key=key, ChecksumAlgorithm="SHA256", **self._lock_args()
            )
        except Exception as exc:
            raise self._fail(f"starting the upload of {key}", exc) from None
        upload_id = upload["UploadId"]
        parts: list[dict[str, Any]] = []
        try:
            with temp.open("rb", buffering=0) as body:
                for number in range(1, MAX_PARTS + 1):
                    data = body.read(part_size)
                    if not data:
                        break
                    checksum = base64.b64encode(hashlib.sha256(data).digest()).decode()
                    done = self._client.upload_part(
                        Bucket=bucket,
                        Key=key,
                        UploadId=upload_id,
                        PartNumber=number,
                        Body=data,
                        ChecksumSHA256=checksum,
                    )
                    parts.append(
                        {"ETag": done["ETag"], "PartNumber": number, "ChecksumSHA256": checksum}
                    )
                    del data
            self._client.complete_multipart_upload(
                Bucket=bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
                IfNoneMatch="*",
            )
        except Exception as exc:
            with contextlib.suppress(Exception):
                self._client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
            if _code(exc) in _TAKEN:
                return False
            raise self._fail(f"uploading {key}", exc) from None
        self._ensure_locked(key)
        return True

    def _ensure_locked(self, key: str) -> None:
        """Give ``key``'s newest version the retention if the server left it without one
        (some servers drop the lock given when a multipart upload starts)."""
        head = self._head(key)
        if head is not None and not head.get("ObjectLockMode"):
            args = self._lock_args()
            self._client.put_object_retention(
                Bucket=self.options.bucket,
                Key=key,
                VersionId=head.get("VersionId"),
                Retention={
                    "Mode": args["ObjectLockMode"],
                    "RetainUntilDate": args["ObjectLockRetainUntilDate"],
                },
            )

    # -- reading -------------------------------------------------------------------------

    def _head(self, key: str, version: str | None = None) -> dict[str, Any] | None:
        args: dict[str, Any] = {"Bucket": self.options.bucket, "Key": key}
        if version is not None:
            args["VersionId"] = version
        try:
            return dict(self._client.head_object(**args))
        except Exception as exc:
            if _code(exc) in _MISSING:
                return None
            raise self._fail(f"looking up {key}", exc) from None

    def open(self, sha256: str) -> BinaryIO:
        """The original ``sha256`` as a stream read from the bucket (read it in large chunks)."""
        key = self._key(sha256)
        try:
            body = self._client.get_object(Bucket=self.options.bucket, Key=key)["Body"]
        except Exception as exc:
            if _code(exc) in _MISSING:
                raise ObjectMissing(f"no original {sha256} in {self.url}") from None
            raise self._fail(f"reading {key}", exc) from None
        return _Body(body)  # type: ignore[return-value]

    def exists(self, sha256: str) -> bool:
        return self._head(self._key(sha256)) is not None

    def size(self, sha256: str) -> int:
        head = self._head(self._key(sha256))
        if head is None:
            raise ObjectMissing(f"no original {sha256} in {self.url}")
        return int(head["ContentLength"])

    def addresses(self) -> Iterator[str]:
        """Every stored original's address, sorted; keys that are not originals at their
        place are not addresses."""
        paginator = self._client.get_paginator("list_objects_v2")
        found: list[str] = []
        start = len(self.options.prefix)
        for page in paginator.paginate(
            Bucket=self.options.bucket, Prefix=f"{self.options.prefix}objects/"
        ):
            for entry in page.get("Contents", ()):
                match = _KEY.fullmatch(entry["Key"][start:])
                if match and match[3].startswith(match[1] + match[2]):
                    found.append(match[3])
        yield from sorted(found)

    # -- expunge -------------------------------------------------------------------------

    def expunged(self, sha256: str) -> Expunged | None:
        """The record of the expunge of ``sha256``, or ``None``."""
        key = self._tombstone(sha256)
        try:
            body = self._client.get_object(Bucket=self.options.bucket, Key=key)["Body"]
        except Exception as exc:
            if _code(exc) in _MISSING:
                return None
            raise self._fail(f"reading {key}", exc) from None
        return expunge_record_from_json(json.loads(body.read()))

    def _versions(self, key: str) -> list[dict[str, Any]]:
        """Every version and delete marker of exactly ``key``."""
        paginator = self._client.get_paginator("list_object_versions")
        found: list[dict[str, Any]] = []
        for page in paginator.paginate(Bucket=self.options.bucket, Prefix=key):
            for entry in (*page.get("Versions", ()), *page.get("DeleteMarkers", ())):
                if entry["Key"] == key:
                    found.append(entry)
        return found

    def _check_deletable(self, key: str, versions: list[dict[str, Any]]) -> None:
        """``ExpungeRefused`` if a version is under a legal hold or a compliance retention
        that has not ended."""
        now = datetime.now(UTC)
        for entry in versions:
            if "Size" not in entry:  # a delete marker: no bytes, no lock (HEAD answers 405)
                continue
            head = self._head(key, entry["VersionId"])
            if head is None:
                continue
            if head.get("ObjectLockLegalHoldStatus") == "ON":
                raise ExpungeRefused(
                    f"{self.url}: {key} is under a legal hold; lift it first (nothing deleted)"
                )
            until = head.get("ObjectLockRetainUntilDate")
            if head.get("ObjectLockMode") == "COMPLIANCE" and until is not None and until > now:
                raise ExpungeRefused(
                    f"{self.url}: {key} is under a compliance retention until "
                    f"{until.isoformat()}; no one can delete it before then (nothing deleted)"
                )

    def _delete_versions(self, key: str, versions: list[dict[str, Any]]) -> None:
        for entry in versions:
            try:
                self._client.delete_object(
                    Bucket=self.options.bucket,
                    Key=key,
                    VersionId=entry["VersionId"],
                    BypassGovernanceRetention=True,
                )
            except Exception as exc:
                raise ExpungeRefused(
                    f"{self.url}: deleting {key} (version {entry['VersionId']}) was refused: "
                    f"{exc}; the expunge record is written, run the expunge again with "
                    "credentials allowed to bypass governance retention"
                ) from None

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
        """Destroy every version of the original ``sha256`` for ``reason``; returns the
        record to log. Refused (:class:`ExpungeRefused`, nothing written) while a legal hold
        or a compliance retention is in force; the record is written before the deletion, so
        running it again finishes an expunge that stopped half-way."""
        reason, actor, reference, note = check_expunge_request(
            self, sha256, reason, actor, reference, note
        )
        key = self._key(sha256)
        previous = self.expunged(sha256)
        versions = self._versions(key)
        live = [v for v in versions if "Size" in v]
        if previous is not None:
            if live:
                self._check_deletable(key, versions)
                self._delete_versions(key, versions)
                return previous
            raise ObjectMissing(f"{sha256} was already expunged on {previous.at.isoformat()}")
        if not self.exists(sha256):
            raise ObjectMissing(f"no original {sha256} in {self.url}")
        self._check_deletable(key, versions)
        with self.open(sha256) as stream:
            found = digest_stream(stream, chunk_size=self.chunk_size)
        record = Expunged(
            sha256=sha256,
            digests=found,
            matched_address=found.sha256 == sha256,
            reason=reason,
            reference=reference,
            note=note,
            actor=actor,
            at=(at or datetime.now(UTC)).astimezone(UTC),
            store_url=self.url,
        )
        payload = json.dumps(expunge_record_json(record), ensure_ascii=False, indent=1)
        if not self._put_small(self._tombstone(sha256), payload.encode("utf-8")):
            raise EvidenceError(f"{self.url}: an expunge record for {sha256} appeared meanwhile")
        self._delete_versions(key, self._versions(key))
        return record


_SESSION_LOCK = threading.Lock()


@functools.cache
def _session() -> Any:
    """One boto3 session for every S3 store: it loads the S3 service model once."""
    import boto3

    return boto3.session.Session()


def _client(options: S3Options) -> Any:
    """A boto3 S3 client for ``options`` (imported here: only S3 stores need boto3)."""
    from botocore.config import Config

    config = Config(
        s3={"addressing_style": "path" if options.path_style else "auto"},
        retries={"max_attempts": 3, "mode": "standard"},
        connect_timeout=10,
        read_timeout=60,
    )
    with _SESSION_LOCK:  # a session is not safe to make clients from on two threads at once
        return _session().client(
            "s3", endpoint_url=options.endpoint, region_name=options.region, config=config
        )
