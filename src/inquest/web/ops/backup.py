"""Encrypted backups of the workbench: the database and the data folder's files, with a
manifest of SHA-256 hashes, checked in full before anything is restored.

An archive is ``MAGIC``, a JSON header (how the key is derived, the manifest's hash) and the
payload, a tar file, in AES-256-GCM segments of 1 MiB. Each segment's nonce holds its number
and a last-segment flag, and its associated data is the header's hash: a segment altered,
dropped, reordered or cut off, or a header edited, fails to open. The key is 32 random bytes
(``INQUEST_BACKUP_KEY`` or ``INQUEST_BACKUP_KEY_FILE``, base64) or comes from a passphrase
through scrypt.

The payload holds ``manifest.json`` (every file's hash and size, every table's row count and
content hash, the audit chain's head and its signed anchored head), the database (SQLite: a
copy made with SQLite's backup API; PostgreSQL: ``pg_dump`` custom format, else ``dumpdata``
JSON of every app) and the data folder's files. Keys stay out: Django's secret key, the files
the key variables name and any file holding a bare base64 256-bit key (a field or backup key)
are left out and listed as ``keys_left_out`` (never an evidence original, whatever it holds).
A local evidence store outside the data folder goes in too, under ``evidence/``, and is
restored into the store ``INQUEST_EVIDENCE_STORE`` names (originals 0400, bit-exact). An
evidence store that is not a local folder (``s3://``) is not copied into the archive: the
manifest names it (``evidence_store``), the result says so, and the bucket is kept by its
own object lock and replication (docs/security/backups.md).
docs/security/backups.md describes use.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from inquest import __version__
from inquest.errors import ConfigError, InquestError
from inquest.hashing import file_sha256
from inquest.private import private_folder
from inquest.web.audit.anchor import LOCAL_FILES
from inquest.web.ops.config import KEY_FILE_VARIABLES, SECRET_KEY_FILE

MAGIC = b"INQUEST-BACKUP\n"
FORMAT_VERSION = 1
SEGMENT = 1 << 20
KEY_BYTES = 32
ENV_KEY = "INQUEST_BACKUP_KEY"
ENV_KEY_FILE = "INQUEST_BACKUP_KEY_FILE"
SCRYPT = {"n": 2**15, "r": 8, "p": 1}
MANIFEST = "manifest.json"
_HEADER_LIMIT = 1 << 16
_SKIP_DIRS = frozenset({"static"})
#: Longer than any key file's text (44 base64 characters and a line end).
_KEY_TEXT_LIMIT = 256


class BackupError(InquestError):
    """An archive cannot be written or restored; says which archive and what is wrong."""


@dataclass(frozen=True)
class BackupKey:
    """The 256-bit archive key and how it was obtained (recorded in the header)."""

    secret: bytes = field(repr=False)
    kdf: dict[str, Any]


def key_from_secret(text: str, *, where: str) -> BackupKey:
    """A key from base64 text (``where`` names its origin in errors)."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        raise ConfigError(f"{where}: not base64 text") from None
    if len(raw) != KEY_BYTES:
        raise ConfigError(f"{where}: the key must decode to {KEY_BYTES} bytes, not {len(raw)}")
    key_id = hashlib.sha256(b"inquest-backup-key\n" + raw).hexdigest()[:16]
    return BackupKey(raw, {"kind": "key", "key_id": key_id})


def key_from_passphrase(passphrase: str, *, salt: bytes | None = None) -> BackupKey:
    """A key derived from a passphrase with scrypt (a new random salt unless given)."""
    if len(passphrase) < 12:
        raise ConfigError("a backup passphrase must be at least 12 characters")
    salt = salt if salt is not None else secrets.token_bytes(16)
    secret = hashlib.scrypt(
        passphrase.encode("utf-8"), salt=salt, dklen=KEY_BYTES, maxmem=1 << 26, **SCRYPT
    )
    return BackupKey(secret, {"kind": "scrypt", "salt": base64.b64encode(salt).decode(), **SCRYPT})


def key_from_env(env: Mapping[str, str] | None = None) -> BackupKey | None:
    """The key from ``INQUEST_BACKUP_KEY`` or ``INQUEST_BACKUP_KEY_FILE``; None if neither."""
    env = os.environ if env is None else env
    inline, path = env.get(ENV_KEY, "").strip(), env.get(ENV_KEY_FILE, "").strip()
    if inline and path:
        raise ConfigError(f"set {ENV_KEY} or {ENV_KEY_FILE}, not both")
    if inline:
        return key_from_secret(inline, where=ENV_KEY)
    if path:
        return key_from_file(Path(path))
    return None


def key_from_file(path: Path) -> BackupKey:
    """A key from a file holding its base64 text."""
    try:
        return key_from_secret(path.read_text(encoding="ascii"), where=str(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the key file: {exc}", path=str(path)) from None


def key_for_archive(
    header: Mapping[str, Any], *, key: BackupKey | None, passphrase: str | None
) -> BackupKey:
    """The key that opens an archive with ``header``: the given key, or the passphrase."""
    kdf = header.get("kdf", {})
    if kdf.get("kind") == "scrypt":
        if passphrase is None:
            raise ConfigError("this archive was written with a passphrase; give it")
        salt = base64.b64decode(kdf["salt"])
        return key_from_passphrase(passphrase, salt=salt)
    if key is None:
        raise ConfigError(f"this archive was written with a key; set {ENV_KEY} or {ENV_KEY_FILE}")
    if key.kdf.get("key_id") != kdf.get("key_id"):
        raise ConfigError(
            f"this archive was written with key {kdf.get('key_id')}, not {key.kdf.get('key_id')}"
        )
    return key


# --- fingerprints: what "nothing lost" means ------------------------------------------------


def _canonical(value: Any) -> Any:
    if isinstance(value, memoryview | bytes | bytearray):
        return base64.b64encode(bytes(value)).decode()
    return value


def table_fingerprints(conn: Any, vendor: str) -> dict[str, dict[str, Any]]:
    """Every table's row count and SHA-256 over its rows in primary-key order.

    ``conn`` is a DB-API connection: a plain ``sqlite3`` one (no type conversion) or the
    workbench's PostgreSQL one. Fingerprints compare between databases of the same vendor.
    """
    cursor = conn.cursor()
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    tables = sorted(row[0] for row in cursor.fetchall())
    result = {}
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        cursor.execute(f"SELECT * FROM {quoted} WHERE 1 = 0")  # noqa: S608 - names from the catalogue
        columns = [d[0] for d in cursor.description]
        order = ", ".join(str(i + 1) for i in range(len(columns)))
        cursor.execute(f"SELECT * FROM {quoted} ORDER BY {order}")  # noqa: S608
        digest = hashlib.sha256("\t".join(columns).encode())
        rows = 0
        for row in cursor.fetchall():
            line = json.dumps([_canonical(v) for v in row], cls=DjangoJSONEncoder, sort_keys=True)
            digest.update(b"\n" + line.encode())
            rows += 1
        result[table] = {"rows": rows, "sha256": digest.hexdigest()}
    cursor.close()
    return result


# --- the encrypted container ----------------------------------------------------------------


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", index) + (b"\x01" if last else b"\x00")


def _encrypt_stream(source: BinaryIO, out: BinaryIO, key: bytes, prefix: bytes, aad: bytes) -> None:
    aes = AESGCM(key)
    index = 0
    chunk = source.read(SEGMENT)
    while True:
        following = source.read(SEGMENT)
        last = not following
        sealed = aes.encrypt(_nonce(prefix, index, last), chunk, aad)
        out.write(struct.pack(">I", len(sealed)) + sealed)
        if last:
            return
        chunk, index = following, index + 1


def _decrypt_stream(
    source: BinaryIO, out: BinaryIO, key: bytes, prefix: bytes, aad: bytes, *, name: str
) -> None:
    aes = AESGCM(key)
    index = 0
    while True:
        size_bytes = source.read(4)
        if len(size_bytes) < 4:
            raise BackupError(f"{name}: cut off before its last segment (segment {index})")
        (size,) = struct.unpack(">I", size_bytes)
        if size > SEGMENT + 16:
            raise BackupError(f"{name}: segment {index} has an impossible length")
        sealed = source.read(size)
        opened = None
        for last in (False, True):
            try:
                opened = aes.decrypt(_nonce(prefix, index, last), sealed, aad)
            except InvalidTag:
                continue
            break
        if opened is None:
            raise BackupError(
                f"{name}: segment {index} fails authentication (wrong key, or the archive "
                "was altered)"
            )
        out.write(opened)
        if last:
            if source.read(1):
                raise BackupError(f"{name}: data after the last segment")
            return
        index += 1


def _read_header(handle: BinaryIO, *, name: str) -> tuple[dict[str, Any], bytes]:
    if handle.read(len(MAGIC)) != MAGIC:
        raise BackupError(f"{name}: not an inquest backup archive")
    (size,) = struct.unpack(">I", handle.read(4) or b"\0\0\0\0")
    if not 0 < size <= _HEADER_LIMIT:
        raise BackupError(f"{name}: the header length is impossible")
    raw = handle.read(size)
    try:
        header = json.loads(raw)
    except ValueError:
        raise BackupError(f"{name}: the header is not JSON") from None
    if header.get("format") != "inquest-backup" or header.get("version") != FORMAT_VERSION:
        raise BackupError(f"{name}: unknown archive format or version")
    return header, raw


# --- backup ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupResult:
    """What went into an archive."""

    path: Path
    database_format: str
    tables: int
    rows: int
    files: int
    audit_entries: int
    #: keys found in the data folder and left out, relative to it
    keys_left_out: tuple[str, ...] = ()
    audit_problems: tuple[str, ...] = ()
    #: the evidence store whose originals are not in the archive (not a local folder), if any
    evidence_not_in_archive: str = ""


def _files_root() -> Path:
    return Path(settings.DATA_DIR)


#: Archive members under this prefix are the originals of a local evidence store kept
#: outside the data folder; they are restored into the store ``INQUEST_EVIDENCE_STORE`` names.
EVIDENCE_PREFIX = "evidence/"
#: Originals (and the store's own records) are read-only in a local store.
EVIDENCE_MODE = 0o400


def evidence_root() -> Path | None:
    """The folder of the evidence store (``INQUEST_EVIDENCE_STORE``) when it is a local one."""
    url = str(getattr(settings, "INQUEST_EVIDENCE_STORE", "") or "")
    if url.startswith("/"):
        return Path(url).resolve()
    parts = urlsplit(url)
    if parts.scheme == "file" and parts.netloc in ("", "localhost") and parts.path:
        return Path(unquote(parts.path)).resolve()
    return None


def evidence_elsewhere() -> str:
    """The URL (without its options) of the evidence store when it is not a local folder,
    whose originals a backup therefore does not hold; '' for a local store."""
    url = str(getattr(settings, "INQUEST_EVIDENCE_STORE", "") or "")
    if not url or evidence_root() is not None:
        return ""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _evidence_files(store: Path) -> Iterator[Path]:
    """The store's files but those being copied in (``staging/``), sorted."""
    for path in sorted(p for p in store.rglob("*") if p.is_file() and not p.is_symlink()):
        if path.relative_to(store).parts[0] != "staging":
            yield path


def _skipped(path: Path, root: Path) -> bool:
    """The database itself (and its journal files) and collected static files stay out."""
    relative = path.relative_to(root)
    if relative.parts[0] in _SKIP_DIRS:
        return True
    if relative.as_posix() in LOCAL_FILES:  # the audit head goes into the manifest instead
        return True
    if connection.vendor != "sqlite":
        return False
    db_name = str(Path(str(settings.DATABASES["default"]["NAME"])).resolve())
    return str(path).startswith(db_name)


def _named_keys(root: Path) -> frozenset[Path]:
    """The secret key file and the key files the environment names."""
    named = [root / SECRET_KEY_FILE]
    given = [os.environ.get(v, "").strip() for v in KEY_FILE_VARIABLES]
    named += [Path(v).expanduser() for v in given if v]
    return frozenset(p.resolve() for p in named)


def _is_key(path: Path, named: frozenset[Path]) -> bool:
    """A named key file, or a small file holding only base64 text of a 256-bit key."""
    if path.resolve() in named:
        return True
    if path.stat().st_size > _KEY_TEXT_LIMIT:
        return False
    try:
        raw = base64.b64decode(path.read_bytes().strip(), validate=True)
    except ValueError:
        return False
    return len(raw) == KEY_BYTES


def _dump_database(folder: Path, fmt: str | None) -> tuple[str, Path, dict[str, Any]]:
    """Write the database into ``folder``; its format, file and table fingerprints."""
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise BackupError("a backup runs outside any transaction (it reads a consistent copy)")
    if connection.vendor == "sqlite":
        target = folder / "inquest.sqlite3"
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
        plain = sqlite3.connect(target)
        try:
            return "sqlite", target, table_fingerprints(plain, "sqlite")
        finally:
            plain.close()
    if fmt != "dumpdata" and shutil.which("pg_dump"):
        return _pg_dump(folder)
    return _dumpdata(folder)


def _program(name: str) -> str:
    """The full path of a PostgreSQL client program."""
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (the PostgreSQL client programs)")
    return found


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGDATABASE": str(db["NAME"])}
    for key, var in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if db.get(key):
            env[var] = str(db[key])
    return env


def _pg_dump(folder: Path) -> tuple[str, Path, dict[str, Any]]:
    """``pg_dump`` of the same snapshot the fingerprints are taken from."""
    target = folder / "inquest.pgdump"
    with connection.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = table_fingerprints(connection.connection, "postgresql")
            result = subprocess.run(  # noqa: S603 - a program found on PATH, no shell
                [
                    _program("pg_dump"),
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    "--file",
                    str(target),
                ],
                env=_pg_env(),
                capture_output=True,
                text=True,
                check=False,
            )
        finally:
            cursor.execute("COMMIT")
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()[:500]}")
    return "pg_dump", target, tables


def _dumpdata(folder: Path) -> tuple[str, Path, dict[str, Any]]:
    from django.core.management import call_command

    target = folder / "dumpdata.json"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            tables = table_fingerprints(connection.connection, connection.vendor)
            with target.open("w", encoding="utf-8") as out:
                call_command(
                    "dumpdata",
                    natural_foreign=True,
                    natural_primary=True,
                    exclude=["contenttypes", "auth.permission", "sessions"],
                    stdout=out,
                    verbosity=0,
                )
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("COMMIT")
    return "dumpdata", target, tables


def _add(tar: tarfile.TarFile, path: Path, arcname: str, manifest: list[dict[str, Any]]) -> None:
    digest, size = file_sha256(path)
    manifest.append({"path": arcname, "sha256": digest, "size": size})
    info = tar.gettarinfo(str(path), arcname)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    with path.open("rb") as handle:
        tar.addfile(info, handle)


def write_archive(
    out: Path, key: BackupKey, entries: list[tuple[str, Path]], manifest: dict[str, Any]
) -> dict[str, Any]:
    """Seal ``entries`` (name in the archive, file) and ``manifest`` into ``out``.

    The manifest gets ``files`` (each entry's hash and size) and is stored last; its hash
    goes into the header. The archive appears under its name only when complete.
    """
    with tempfile.TemporaryDirectory(prefix="inquest-backup-") as tmp:
        payload = Path(tmp) / "payload.tar"
        files: list[dict[str, Any]] = []
        with tarfile.open(payload, "w", format=tarfile.PAX_FORMAT) as tar:
            for arcname, path in entries:
                _add(tar, path, arcname, files)
            manifest = {**manifest, "version": FORMAT_VERSION, "files": files}
            raw = json.dumps(manifest, sort_keys=True, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode = len(raw), 0o600
            tar.addfile(info, io.BytesIO(raw))
        prefix = secrets.token_bytes(7)
        header = {
            "format": "inquest-backup",
            "version": FORMAT_VERSION,
            "kdf": key.kdf,
            "nonce_prefix": base64.b64encode(prefix).decode(),
            "segment": SEGMENT,
            "manifest_sha256": hashlib.sha256(raw).hexdigest(),
        }
        header_raw = json.dumps(header, sort_keys=True).encode()
        partial = out.with_name(out.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle, payload.open("rb") as source:
            handle.write(MAGIC + struct.pack(">I", len(header_raw)) + header_raw)
            _encrypt_stream(source, handle, key.secret, prefix, hashlib.sha256(header_raw).digest())
        partial.replace(out)
    return manifest


def write_backup(
    out: Path,
    key: BackupKey,
    *,
    files_root: Path | None = None,
    db_format: str | None = None,
    allow_broken_audit: bool = False,
) -> BackupResult:
    """Write an encrypted archive of the database and the data folder's files to ``out``;
    keys found in the data folder are left out (``BackupResult.keys_left_out``).

    Refused if the audit log does not verify (a backup would carry the tampering on as if it
    were the record), unless ``allow_broken_audit``: then the manifest records the problems.
    ``db_format`` "dumpdata" forces the JSON dump on PostgreSQL (default: pg_dump if found).
    Run outside any transaction (SQLite's backup API waits for the database to be free).
    """
    from inquest.web.audit.anchor import document
    from inquest.web.audit.verify import verify_all

    root = (files_root or _files_root()).resolve()
    # Verified before the dump, so the dump holds every entry checked and the head recorded.
    audit = verify_all()
    problems = tuple(f"{p.kind.value}: {p.message}" for p in audit.problems)
    if problems and not allow_broken_audit:
        raise BackupError(
            f"the audit log does not verify ({len(problems)} problem(s); the first: "
            f"{problems[0]}); no backup written. `inquest audit verify` names every problem; "
            "--allow-broken-audit writes the archive anyway, marked as such"
        )
    with tempfile.TemporaryDirectory(prefix="inquest-backup-db-") as tmp:
        fmt, db_file, tables = _dump_database(Path(tmp), db_format)
        entries = [(f"database/{db_file.name}", db_file)]
        keys: list[str] = []
        store = evidence_root()
        if root.is_dir():
            named = _named_keys(root)
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                if path.is_symlink() or _skipped(path, root):
                    continue
                relative = path.relative_to(root).as_posix()
                in_store = store is not None and path.resolve().is_relative_to(store)
                if (
                    store is not None
                    and in_store
                    and path.resolve().relative_to(store).parts[0] == "staging"
                ):
                    continue
                # An original is evidence, whatever it holds: never left out as a key.
                if not in_store and _is_key(path, named):
                    keys.append(relative)
                else:
                    entries.append((f"files/{relative}", path))
        if store is not None and store.is_dir() and not store.is_relative_to(root):
            entries += [
                (f"{EVIDENCE_PREFIX}{path.relative_to(store).as_posix()}", path)
                for path in _evidence_files(store)
            ]
        manifest = {
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "inquest": __version__,
            "database": {
                "vendor": connection.vendor,
                "format": fmt,
                "path": f"database/{db_file.name}",
            },
            "tables": tables,
            "audit": {
                "entries": audit.checked,
                "head": audit.head,
                "intact": audit.intact,
                "anchor": document(audit.anchor) if audit.anchor is not None else None,
                "problems": list(problems),
                "written_despite_problems": bool(problems),
            },
            "keys_left_out": keys,
            "evidence_store": {
                "url": evidence_elsewhere() or "local",
                "originals_in_archive": not evidence_elsewhere(),
            },
        }
        write_archive(out, key, entries, manifest)
    return BackupResult(
        path=out,
        database_format=fmt,
        tables=len(tables),
        rows=sum(t["rows"] for t in tables.values()),
        files=len(entries) - 1,
        audit_entries=audit.checked,
        keys_left_out=tuple(keys),
        audit_problems=problems,
        evidence_not_in_archive=evidence_elsewhere(),
    )


# --- restore --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Opened:
    """A verified archive, unpacked into a private temporary folder."""

    folder: Path
    manifest: dict[str, Any]


def _safe_name(name: str, *, archive: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"{archive}: unsafe member name {name!r}")
    return name


@contextmanager
def open_archive(
    archive: Path, *, key: BackupKey | None, passphrase: str | None = None
) -> Iterator[Opened]:
    """Decrypt and check ``archive`` completely: every segment's tag, the manifest's hash,
    every file's hash and size, nothing missing and nothing extra. Raises ``BackupError``
    at the first fault; yields the unpacked folder, removed afterwards."""
    name = str(archive)
    with tempfile.TemporaryDirectory(prefix="inquest-restore-") as tmp:
        work = Path(tmp)
        payload = work / "payload.tar"
        try:
            handle = archive.open("rb")
        except OSError as exc:
            raise BackupError(f"{name}: cannot read: {exc.strerror}") from None
        with handle, payload.open("wb") as out:
            header, header_raw = _read_header(handle, name=name)
            secret = key_for_archive(header, key=key, passphrase=passphrase).secret
            prefix = base64.b64decode(str(header["nonce_prefix"]))
            _decrypt_stream(
                handle,
                out,
                secret,
                prefix,
                hashlib.sha256(header_raw).digest(),
                name=name,
            )
        unpacked = work / "unpacked"
        unpacked.mkdir()
        with tarfile.open(payload, "r") as tar:
            members = tar.getmembers()
            for member in members:
                _safe_name(member.name, archive=name)
                if not member.isfile():
                    raise BackupError(f"{name}: member {member.name!r} is not a regular file")
            tar.extractall(unpacked, filter="data")
        manifest_raw = (
            (unpacked / MANIFEST).read_bytes() if (unpacked / MANIFEST).is_file() else b""
        )
        if hashlib.sha256(manifest_raw).hexdigest() != header["manifest_sha256"]:
            raise BackupError(f"{name}: the manifest does not match the hash in the header")
        manifest = json.loads(manifest_raw)
        listed = {entry["path"]: entry for entry in manifest["files"]}
        present = {m.name for m in members} - {MANIFEST}
        if present != set(listed):
            missing, extra = sorted(set(listed) - present), sorted(present - set(listed))
            raise BackupError(
                f"{name}: members differ from the manifest (missing {missing}, not listed {extra})"
            )
        for path, entry in listed.items():
            digest, size = file_sha256(unpacked / path)
            if (digest, size) != (entry["sha256"], entry["size"]):
                raise BackupError(f"{name}: {path} does not match its hash in the manifest")
        yield Opened(unpacked, manifest)


@dataclass(frozen=True)
class RestoreResult:
    """What was restored and what was checked after."""

    tables: int
    rows: int
    files: int
    audit_entries: int


def restore_backup(
    archive: Path,
    *,
    key: BackupKey | None,
    passphrase: str | None = None,
    files_root: Path | None = None,
) -> RestoreResult:
    """Verify ``archive`` in full, then replace the database with its copy and write its
    files into the data folder; then check every table's fingerprint and the audit chain.

    The restored audit chain must hold the head anchored when the archive was written; the
    data folder's anchored head is then replaced by the restored chain's.
    The database must be of the vendor the archive was made on. Nothing is written if the
    archive fails any check.
    """
    from inquest.web.audit import anchor
    from inquest.web.audit.verify import verify_all

    name = str(archive)
    with open_archive(archive, key=key, passphrase=passphrase) as opened:
        manifest = opened.manifest
        database = manifest["database"]
        if database["vendor"] != connection.vendor:
            raise BackupError(
                f"{name}: made on {database['vendor']}, cannot restore into {connection.vendor}"
            )
        store = evidence_root()
        if store is None and any(f["path"].startswith(EVIDENCE_PREFIX) for f in manifest["files"]):
            raise BackupError(
                f"{name}: holds evidence originals; set INQUEST_EVIDENCE_STORE to a local "
                "folder to restore them into (nothing was restored)"
            )
        dump = opened.folder / database["path"]
        if database["format"] == "sqlite":
            plain = sqlite3.connect(dump)
            try:
                if table_fingerprints(plain, "sqlite") != manifest["tables"]:
                    raise BackupError(f"{name}: the database copy does not match the manifest")
            finally:
                plain.close()
            _restore_sqlite(dump)
        elif database["format"] == "pg_dump":
            _restore_pg(dump, name=name)
        else:
            _restore_dumpdata(dump, name=name)
        root = (files_root or _files_root()).resolve()
        n_files = 0
        for entry in manifest["files"]:
            if entry["path"].startswith("files/"):
                target = root / entry["path"].removeprefix("files/")
            elif entry["path"].startswith(EVIDENCE_PREFIX) and store is not None:
                target = store / entry["path"].removeprefix(EVIDENCE_PREFIX)
            else:
                continue
            in_store = store is not None and target.resolve().is_relative_to(store)
            _restore_file(opened.folder / entry["path"], target, entry, in_store=in_store)
            n_files += 1
    after = _live_fingerprints()
    if database["format"] != "dumpdata" and after != manifest["tables"]:
        differ = sorted(
            t
            for t in set(after) | set(manifest["tables"])
            if after.get(t) != manifest["tables"].get(t)
        )
        raise BackupError(f"{name}: restored, but these tables differ from the manifest: {differ}")
    signed = manifest["audit"].get("anchor")
    try:
        # The archive's authentication vouches for it; it may be signed on another server.
        anchored = (
            anchor.from_document(signed, where=f"{name}: the audit head", check_signature=False)
            if signed is not None
            else None
        )
    except anchor.AnchorError as exc:
        raise BackupError(str(exc)) from None
    audit = verify_all(expected_head=manifest["audit"]["head"], anchor=anchored)
    if manifest["audit"]["intact"] and not audit.intact:
        raise BackupError(
            f"{name}: restored, but the audit chain does not verify: {audit.problems[0].message}"
        )
    anchor.replace(
        anchor.Head(audit.checked, audit.last_id, audit.head, dt.datetime.now(dt.UTC).isoformat())
    )
    return RestoreResult(
        tables=len(after),
        rows=sum(t["rows"] for t in after.values()),
        files=n_files,
        audit_entries=audit.checked,
    )


def _restore_file(source: Path, target: Path, entry: Mapping[str, Any], *, in_store: bool) -> None:
    """Copy one archived file into place: 0600, or 0400 inside the evidence store, where a
    file already holding the same bytes is left as it is (originals are write-once)."""
    private_folder(target.parent)
    if in_store:
        if target.is_file() and file_sha256(target) == (entry["sha256"], entry["size"]):
            return
        target.unlink(missing_ok=True)
    shutil.copyfile(source, target)
    os.chmod(target, EVIDENCE_MODE if in_store else 0o600)


def _live_fingerprints() -> dict[str, Any]:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        plain = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
        try:
            return table_fingerprints(plain, "sqlite")
        finally:
            plain.close()
    return table_fingerprints(connection.connection, connection.vendor)


def _restore_sqlite(dump: Path) -> None:
    """Replace the live SQLite database with the copy, page by page (SQLite's backup API)."""
    connection.close()
    source = sqlite3.connect(dump)
    target = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def _restore_pg(dump: Path, *, name: str) -> None:
    """``pg_restore --clean`` in one transaction (all or nothing)."""
    connection.close()
    result = subprocess.run(  # noqa: S603 - a program found on PATH, no shell
        [
            _program("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            str(settings.DATABASES["default"]["NAME"]),
            str(dump),
        ],
        env=_pg_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{name}: pg_restore failed: {result.stderr.strip()[:500]}")


def _restore_dumpdata(dump: Path, *, name: str) -> None:
    """Load a ``dumpdata`` archive into a migrated database that holds no data yet."""
    from django.core.management import call_command

    from inquest.web.audit.models import AuditEntry

    if AuditEntry.objects.exists():
        raise BackupError(
            f"{name}: a JSON archive restores only into an empty, migrated "
            "database (inquest db migrate on a new one)"
        )
    call_command("loaddata", str(dump), verbosity=0)
