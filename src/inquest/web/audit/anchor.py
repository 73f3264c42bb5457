"""The audit chain's head, anchored outside the database in a signed file.

Removing the newest entries leaves no mark inside the chain, so after every audited write
commits the head (entries, last id, last hash, time) is written to ``audit-head.json`` in
the data folder, signed with HMAC-SHA256. The key is not in the database: ``INQUEST_AUDIT_KEY``
or the ``audit_key`` file in the data folder (made on first use, 0600). Someone with rights
over the database only cannot move the head back or forge a new one; ``verify_all`` compares
the chain with it.

Writes are serialised across processes by a lock file and never move the head backwards,
nor past a chain that no longer holds the anchored entry unchanged (an old entry edited and
every later hash recomputed): that head, like one that does not verify, is left as it is
(evidence) and logged; only a restore or ``inquest audit anchor --accept-current``
(``inquest.web.audit.reanchor``) replaces it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import logging
import os
import secrets
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from inquest.errors import InquestError
from inquest.web.ops.config import AUDIT_HEAD_FILE as HEAD_FILE
from inquest.web.ops.config import AUDIT_KEY_FILE as KEY_FILE

LOCK_FILE = "audit-head.lock"
ENV_KEY = "INQUEST_AUDIT_KEY"
FORMAT = "inquest-audit-head"
VERSION = 1
#: Files of the data folder that describe the live database, not data to back up.
LOCAL_FILES = frozenset({HEAD_FILE, LOCK_FILE, KEY_FILE})
_MIN_KEY = 32

log = logging.getLogger(__name__)


class AnchorError(InquestError):
    """The head file or its key cannot be read or trusted; says which file and why."""


@dataclass(frozen=True)
class Head:
    """The chain's end when it was anchored: how many entries, the last one's id and hash."""

    entries: int
    last_id: int
    last_hash: str
    at: str

    def describe(self) -> str:
        """The head in words, for messages."""
        return (
            f"{self.entries} entries ending at entry {self.last_id}, hash "
            f"{self.last_hash[:16]}…, anchored at {self.at}"
        )


def head_path() -> Path:
    """Where the anchored head is kept."""
    return Path(settings.DATA_DIR) / HEAD_FILE


def _key(env: Mapping[str, str] | None = None) -> bytes:
    """``INQUEST_AUDIT_KEY``, else the ``audit_key`` file (made on first use, 0600)."""
    env = os.environ if env is None else env
    given = env.get(ENV_KEY)
    if given is not None:
        if len(given) < _MIN_KEY:
            raise AnchorError(f"{ENV_KEY} is shorter than {_MIN_KEY} characters")
        return given.encode()
    path = Path(settings.DATA_DIR) / KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError as exc:
        raise AnchorError(f"{path}: cannot create the audit key: {exc.strerror}") from None
    else:
        key = secrets.token_urlsafe(48)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key)
        return key.encode()
    # A process that lost the race to create the file may read it before it is written.
    for _ in range(20):
        try:
            text = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise AnchorError(f"{path}: cannot read the audit key: {exc}") from None
        if text:
            break
        time.sleep(0.05)
    if len(text) < _MIN_KEY:
        raise AnchorError(f"{path}: the audit key is shorter than {_MIN_KEY} characters")
    return text.encode()


def _key_id(key: bytes) -> str:
    return hashlib.sha256(b"inquest-audit-key\n" + key).hexdigest()[:16]


def _signature(key: bytes, head: Mapping[str, Any]) -> str:
    canonical = json.dumps(head, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, f"{FORMAT}\n{canonical}".encode(), hashlib.sha256).hexdigest()


def document(head: Head) -> dict[str, Any]:
    """The signed form of ``head`` written to the file (and into backups)."""
    key = _key()
    fields = asdict(head)
    return {
        "format": FORMAT,
        "version": VERSION,
        "head": fields,
        "key_id": _key_id(key),
        "hmac": _signature(key, fields),
    }


def from_document(doc: Any, *, where: str, check_signature: bool = True) -> Head:
    """The head in a signed document; ``AnchorError`` naming ``where`` if it is not one.

    ``check_signature`` False: for a document whose origin is vouched for otherwise (the
    head stored in an authenticated backup archive, signed on another server).
    """
    try:
        if doc["format"] != FORMAT or doc["version"] != VERSION:
            raise AnchorError(f"{where}: not an audit head (format {doc['format']!r})")
        fields = doc["head"]
        head = Head(
            entries=int(fields["entries"]),
            last_id=int(fields["last_id"]),
            last_hash=str(fields["last_hash"]),
            at=str(fields["at"]),
        )
        signature, key_id = str(doc["hmac"]), str(doc["key_id"])
    except (KeyError, TypeError, ValueError):
        raise AnchorError(f"{where}: not an audit head (a field is missing or wrong)") from None
    if check_signature:
        key = _key()
        if not hmac.compare_digest(signature, _signature(key, asdict(head))):
            other = key_id != _key_id(key)
            raise AnchorError(
                f"{where}: the signature does not verify ("
                + (
                    f"signed with key {key_id}, this server's is {_key_id(key)}: is "
                    f"{ENV_KEY} set for one process and not for another?"
                    if other
                    else "the file was altered"
                )
                + ")"
            )
    return head


def read_raw() -> bytes | None:
    """The head file's bytes; None if there is none, ``AnchorError`` if it cannot be read."""
    path = head_path()
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AnchorError(f"{path}: cannot read: {exc.strerror}") from None


def read_document() -> dict[str, Any] | None:
    """The head file's JSON as stored; None if there is none."""
    path = head_path()
    raw = read_raw()
    if raw is None:
        return None
    try:
        doc = json.loads(raw)
    except ValueError:
        raise AnchorError(f"{path}: not JSON (cut off, or overwritten)") from None
    if not isinstance(doc, dict):
        raise AnchorError(f"{path}: not an audit head")
    return doc


def read_head() -> Head | None:
    """The anchored head, its signature checked; None if no head was ever written."""
    doc = read_document()
    return None if doc is None else from_document(doc, where=str(head_path()))


@contextmanager
def _locked() -> Iterator[None]:
    path = Path(settings.DATA_DIR) / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _write(head: Head) -> None:
    path = head_path()
    raw = json.dumps(document(head), sort_keys=True, indent=1).encode()
    fd, tmp = tempfile.mkstemp(prefix=f".{HEAD_FILE}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def advance(last_id: int, last_hash: str) -> None:
    """Anchor the committed entry ``last_id`` as the head, unless one as new is anchored.

    The entry count adds the entries committed since the anchored head (writers are
    serialised, so every entry up to ``last_id`` has committed); with no head yet, all.
    """
    from inquest.web.audit.models import AuditEntry

    with _locked():
        current = read_head()
        if current is not None and current.last_id >= last_id:
            return
        if current is not None and (broken := departs_from(current)) is not None:
            # Moving on would anchor a rewritten chain and erase the only mark of it.
            log.critical(
                "audit head not advanced to entry %s: %s; the head file %s is kept as "
                "evidence (inquest audit verify reports it)",
                last_id,
                broken,
                head_path(),
            )
            return
        since = current.last_id if current is not None else 0
        added = AuditEntry.objects.filter(id__gt=since, id__lte=last_id).count()
        entries = (current.entries if current is not None else 0) + added
        _write(Head(entries, last_id, last_hash, dt.datetime.now(dt.UTC).isoformat()))


def departs_from(current: Head) -> str | None:
    """How the chain no longer holds ``current`` as anchored; None if it still does.

    One indexed lookup, as every audited write makes it: the anchored entry's hash chains
    every entry before it, so a rewrite anywhere below changes it; an entry merely removed
    below breaks a link, which ``verify_all`` names (it also compares the counts).
    """
    from inquest.web.audit.models import AuditEntry

    if current.entries == 0:
        return None
    stored = AuditEntry.objects.filter(id=current.last_id).values_list("hash", flat=True).first()
    if stored is None:
        return f"the anchored entry {current.last_id} is gone"
    if stored != current.last_hash:
        return f"the anchored entry {current.last_id} no longer has the anchored hash"
    return None


def advance_after_commit(last_id: int, last_hash: str) -> None:
    """``advance``, logging instead of raising: the write it anchors has already committed."""
    try:
        advance(last_id, last_hash)
    except Exception as exc:  # the write has committed: the request must not fail now
        log.error("audit head not anchored after entry %s: %r", last_id, exc, exc_info=exc)


def key_id() -> str:
    """This server's key's id (as written in the head file); ``AnchorError`` if no key."""
    return _key_id(_key())


def replace_if_unchanged(expected: bytes | None, head: Head) -> None:
    """Write ``head`` if the head file still holds ``expected`` (None: still no file)."""
    with _locked():
        if read_raw() != expected:
            raise AnchorError(f"{head_path()}: changed while it was being replaced")
        _write(head)


def replace(head: Head) -> None:
    """Write ``head`` whatever is anchored now (after a restore has replaced the database)."""
    with _locked():
        _write(head)
