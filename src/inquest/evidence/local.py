"""The local-folder backend of the evidence store (``file://``).

Layout under the store's folder (every folder 0700, every original 0400)::

    inquest-evidence-store      marker: this folder is a store (format version)
    objects/ab/cd/<sha256>      the originals, named by their SHA-256
    staging/                    bytes being copied in (same file system, so a commit is a link)
    expunged/<sha256>.json      the record of each expunged original (no content)

A put copies the input into ``staging/`` while hashing it, fsyncs it, makes it read-only and
then hard-links it to its address: ``link`` fails if the address exists, so an original is
never replaced, even by a racing writer. Any failure removes the staged copy.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Self
from urllib.parse import unquote, urlsplit

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
    digest_path,
    expunge_record_from_json,
    expunge_record_json,
    fsync_folder,
    hash_copy,
    put_via_stage,
)
from inquest.evidence.vocabulary import ExpungeReason
from inquest.private import private_folder

__all__ = ["OBJECT_MODE", "LocalStaged", "LocalStore"]

MARKER = "inquest-evidence-store"
FORMAT = 1
#: Originals are read-only, even to their owner: a stray write must fail.
OBJECT_MODE = 0o400
_SHA256 = re.compile(r"[0-9a-f]{64}")


class LocalStaged:
    """One input copied into ``staging/`` and hashed (:class:`inquest.evidence.store.Staged`)."""

    def __init__(self, store: LocalStore, temp: Path, digests: Digests, name: str | None) -> None:
        self._store = store
        self._temp: Path | None = temp
        self._digests = digests
        self._name = name

    @property
    def digests(self) -> Digests:
        return self._digests

    def commit(self, *, readmit: bool = False) -> Stored:
        """Link the staged bytes to their address; the same bytes already stored are kept
        (and checked), the staged copy removed either way."""
        temp = self._temp
        if temp is None:
            raise EvidenceError("this staged input was already committed or discarded")
        try:
            return self._store._commit(temp, self._digests, readmit=readmit)
        finally:
            self.discard()

    def discard(self) -> None:
        """Remove the staged copy (nothing happens if it is gone)."""
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


class LocalStore:
    """Originals in a local folder, content-addressed and write-once."""

    def __init__(self, root: Path, *, create: bool = True, chunk_size: int = CHUNK_SIZE) -> None:
        self.root = root.absolute()
        self._objects = str(self.root / "objects")
        self.chunk_size = chunk_size
        marker = self.root / MARKER
        if not marker.exists():
            if not create:
                raise ConfigError(f"{self.root} is not an evidence store", key="evidence store")
            if self.root.exists() and any(self.root.iterdir()):
                raise ConfigError(
                    f"{self.root} is a folder with other files in it, not an evidence store",
                    key="evidence store",
                )
            private_folder(self.root)
            for sub in ("objects", "staging", "expunged"):
                private_folder(self.root / sub)
            fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(json.dumps({"format": FORMAT}) + "\n")
            fsync_folder(self.root)
        else:
            found = json.loads(marker.read_text(encoding="utf-8")).get("format")
            if found != FORMAT:
                raise ConfigError(
                    f"{marker}: store format {found!r}, this inquest reads {FORMAT}",
                    key="evidence store",
                )
            # A store restored from a backup, which keeps files only, lacks its empty folders.
            for sub in ("objects", "staging", "expunged"):
                if not (self.root / sub).is_dir():
                    private_folder(self.root / sub)

    @classmethod
    def from_url(cls, url: str) -> LocalStore:
        """The store of a ``file:///absolute/path`` URL."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost") or not parts.path:
            raise ConfigError(f"not a local store URL: {url!r}", key="evidence store")
        return cls(Path(unquote(parts.path)))

    @property
    def url(self) -> str:
        return self.root.as_uri()

    def path(self, sha256: str) -> Path:
        """Where the original ``sha256`` is (or would be): ``objects/ab/cd/<sha256>``.

        For tools that need a file name (exiftool); open it read-only.
        """
        return Path(self._where(sha256))

    def _where(self, sha256: str) -> str:
        # A string, not pathlib joins: verify asks this once per original.
        check_sha256(sha256)
        return f"{self._objects}/{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def _tombstone(self, sha256: str) -> Path:
        return self.root / "expunged" / f"{check_sha256(sha256)}.json"

    # -- writing -------------------------------------------------------------------------

    def stage(
        self, source: BinaryIO | Path, *, max_size: int | None = None, name: str | None = None
    ) -> LocalStaged:
        """Copy ``source`` into ``staging/`` while hashing it; see the module docstring."""
        if name is None and isinstance(source, Path):
            name = str(source)
        fd, temp_name = tempfile.mkstemp(prefix="put-", dir=self.root / "staging")
        temp = Path(temp_name)
        try:
            stream, close = as_binary(source)
            try:
                with os.fdopen(fd, "wb") as out:
                    fd = -1
                    digests = hash_copy(
                        stream,
                        out.write,
                        max_size=max_size,
                        chunk_size=self.chunk_size,
                        name=name,
                    )
                    out.flush()
                    os.fsync(out.fileno())
            finally:
                if close:
                    stream.close()
            if digests.size == 0:
                raise EmptyContent("zero bytes: an empty file is not kept as evidence", path=name)
            os.chmod(temp, OBJECT_MODE)
        except BaseException:
            if fd >= 0:
                os.close(fd)
            temp.unlink(missing_ok=True)
            raise
        return LocalStaged(self, temp, digests, name)

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
        if not readmit and self._tombstone(sha).exists():
            record = self.expunged(sha)
            why = record.reason.value if record else "unknown reason"
            raise ContentExpunged(
                f"{sha} was expunged ({why}); storing it again needs readmit=True"
            )
        target = self.path(sha)
        made = [p for p in (target.parent.parent, target.parent) if not p.exists()]
        private_folder(target.parent)
        try:
            os.link(temp, target)
        except FileExistsError:
            found = digest_path(target, chunk_size=self.chunk_size)
            if found.sha256 != sha:
                raise IntegrityError(
                    f"{target}: the stored original no longer matches its address "
                    f"(it hashes to {found.sha256}); it was not replaced"
                ) from None
            return Stored(digests, created=False)
        fsync_folder(target.parent)
        for folder in made:
            fsync_folder(folder.parent)
        return Stored(digests, created=True)

    def clear_staging(self, older_than_s: float = 86_400.0) -> int:
        """Remove staged copies left by a crash, older than ``older_than_s``; returns how many.

        A live put's staged copy is younger; run this when no intake is running to be sure.
        """
        cutoff = time.time() - older_than_s
        removed = 0
        for entry in os.scandir(self.root / "staging"):
            if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)
                removed += 1
        return removed

    # -- reading -------------------------------------------------------------------------

    def open(self, sha256: str) -> BinaryIO:
        """The original ``sha256`` opened for reading (unbuffered; read it in large chunks)."""
        try:
            fd = os.open(self._where(sha256), os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            raise ObjectMissing(f"no original {sha256} in {self.url}") from None
        return os.fdopen(fd, "rb", buffering=0)

    def exists(self, sha256: str) -> bool:
        try:
            return stat.S_ISREG(os.lstat(self._where(sha256)).st_mode)
        except FileNotFoundError:
            return False

    def size(self, sha256: str) -> int:
        try:
            return os.lstat(self._where(sha256)).st_size
        except FileNotFoundError:
            raise ObjectMissing(f"no original {sha256} in {self.url}") from None

    def addresses(self) -> Iterator[str]:
        """Every stored original's address, sorted; files that are not originals at their
        place (a stray name, a file under the wrong prefix) are not addresses."""

        def folders(path: str) -> list[str]:
            with os.scandir(path) as it:
                return sorted(
                    e.name for e in it if len(e.name) == 2 and e.is_dir(follow_symlinks=False)
                )

        for top in folders(self._objects):
            for mid in folders(f"{self._objects}/{top}"):
                prefix = top + mid
                with os.scandir(f"{self._objects}/{top}/{mid}") as it:
                    names = sorted(
                        e.name
                        for e in it
                        if e.name.startswith(prefix)
                        and _SHA256.fullmatch(e.name)
                        and e.is_file(follow_symlinks=False)
                    )
                yield from names

    # -- expunge -------------------------------------------------------------------------

    def expunged(self, sha256: str) -> Expunged | None:
        """The record of the expunge of ``sha256``, or ``None``."""
        path = self._tombstone(sha256)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        return expunge_record_from_json(data)

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
        """Destroy the original ``sha256`` for ``reason``; returns the record to log.

        The record is written beside the store (``expunged/<sha256>.json``) before the
        original is removed, so a crash in between leaves the record and the original, and
        running the expunge again finishes it.
        """
        reason, actor, reference, note = check_expunge_request(
            self, sha256, reason, actor, reference, note
        )
        target = self.path(sha256)
        tombstone = self._tombstone(sha256)
        previous = self.expunged(sha256)
        if previous is not None:
            if target.exists():  # a crash after the record was written: finish it
                target.unlink()
                fsync_folder(target.parent)
                return previous
            raise ObjectMissing(f"{sha256} was already expunged on {previous.at.isoformat()}")
        if not target.exists():
            raise ObjectMissing(f"no original {sha256} in {self.url}")
        found = digest_path(target, chunk_size=self.chunk_size)
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
        payload = expunge_record_json(record)
        fd, temp = tempfile.mkstemp(prefix="expunge-", dir=self.root / "staging")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(payload, out, ensure_ascii=False, indent=1)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temp, OBJECT_MODE)
            os.link(temp, tombstone)  # fails if a record exists: never overwritten
        finally:
            Path(temp).unlink(missing_ok=True)
        fsync_folder(tombstone.parent)
        target.unlink()
        fsync_folder(target.parent)
        return record
