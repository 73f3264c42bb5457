"""Export for a prosecutor: a BagIt bag (RFC 8493) that a recipient checks without inquest.

Layout of a bag::

    bagit.txt  bag-info.txt  README.txt
    manifest-sha256.txt  manifest-sha512.txt            the payload's digests
    tagmanifest-sha256.txt  tagmanifest-sha512.txt      the digests of every other file
    data/0001-<name>                                     the items, bit for bit
    metadata/0001.json                                   what is known of each item
    custody/0001.jsonl                                   its chain of custody, one event a line
    timestamps/0001-c1-t1-<authority>.tsr                its RFC 3161 tokens (DER responses)
    timestamps/authorities/<authority>.pem               the authorities' certificates, a copy

Manifest lines are ``<hex digest>  <path>`` (two spaces), so ``sha256sum -c
manifest-sha256.txt`` run in the bag checks the payload, as the bagit tools do; README.txt
gives the commands, with an ``openssl ts -verify`` line for every token. File names are
mapped to safe ones (no path separators, bidi or other control characters, ``%`` or
backslash, which manifests or ``sha256sum`` would read otherwise); the original name is kept
in the item's metadata.

The bag is written by hand rather than with bagit-python's ``make_bag`` so that each item is
streamed once from its opener and its SHA-256 and SHA-512 checked against those stored at
intake as it is copied (a changed original stops the export); :func:`verify_bundle` checks a
bag with bagit-python (the Library of Congress's implementation, CC0), a second
implementation, and then the tokens.
"""

from __future__ import annotations

import enum
import hashlib
import json
import os
import shlex
import shutil
import tarfile
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import bagit

from inquest import __version__
from inquest.errors import InquestError
from inquest.evidence.timestamps import (
    HashAlgorithm,
    TimestampAuthority,
    TimestampError,
    TimestampToken,
    digest_stream,
    load_token,
    renewal_imprint,
    verify_token,
)
from inquest.private import FILE_MODE, private_file, private_folder
from inquest.text.scripts import BIDI_CONTROLS, strip_bidi

__all__ = [
    "Bundle",
    "BundleCheck",
    "BundleError",
    "BundleFile",
    "BundleItem",
    "BundleProblem",
    "CustodyAction",
    "CustodyEntry",
    "ItemDescription",
    "archive_bundle",
    "safe_name",
    "verify_bundle",
    "write_bundle",
]

_CHUNK = 1 << 20
_MAX_NAME_BYTES = 150
_UNSAFE = set('/\\:*?"<>|%')


class BundleError(InquestError):
    """A bundle could not be written (nothing is left behind) or read."""


class CustodyAction(enum.StrEnum):
    """What happened to an item."""

    ACQUIRED = "acquired"
    RECEIVED = "received"
    COPIED = "copied"
    VIEWED = "viewed"
    EXPORTED = "exported"
    TRANSFERRED = "transferred"
    VERIFIED = "verified"
    REDACTED = "redacted"
    TIMESTAMPED = "timestamped"
    EXPUNGED = "expunged"


@dataclass(frozen=True)
class CustodyEntry:
    """One event of an item's chain of custody: when, who, what, where and why."""

    at: datetime
    actor: str
    action: CustodyAction
    place: str = ""
    reason: str = ""


@dataclass(frozen=True)
class ItemDescription:
    """What is known of an item, as exported (never its confidential notes)."""

    item_id: str
    original_name: str
    description: str = ""
    media_type: str = ""
    acquired_by: str = ""
    acquired_at: datetime | None = None
    acquisition: str = ""
    consent: str = ""
    restrictions: str = ""


@dataclass(frozen=True)
class BundleItem:
    """An item to export: how to read its bytes (a path or an opener of a binary stream), its
    digests and size as stored (hex), its description, custody and timestamp chains (each
    chain oldest token first; a single token is a chain of one)."""

    source: Path | Callable[[], BinaryIO]
    sha256: str
    sha512: str
    size: int
    description: ItemDescription
    custody: tuple[CustodyEntry, ...] = ()
    timestamps: tuple[tuple[TimestampToken, ...], ...] = ()


@dataclass(frozen=True)
class BundleFile:
    """An item as written: its id and its path in the bag."""

    item_id: str
    path: str
    sha256: str
    sha512: str
    size: int


@dataclass(frozen=True)
class Bundle:
    """A written bag: its folder and its items."""

    path: Path
    files: tuple[BundleFile, ...]


@dataclass(frozen=True)
class BundleProblem:
    """A problem found in a bag: the file (relative to the bag) and what is wrong."""

    path: str
    reason: str


@dataclass(frozen=True)
class BundleCheck:
    """The result of :func:`verify_bundle`."""

    problems: tuple[BundleProblem, ...]
    files_checked: int
    tokens_checked: int
    tokens_trusted_from_bundle: bool = field(default=False)

    @property
    def ok(self) -> bool:
        """No problem found."""
        return not self.problems


def safe_name(name: str, fallback: str = "item") -> str:
    """``name`` as a file name that is safe in a bag, a manifest and ``sha256sum -c``.

    NFC; bidi, control and format characters removed; path separators and the characters
    Windows or manifests misread replaced by ``_``; no leading dot; at most 150 UTF-8 bytes
    (the extension kept); ``fallback`` if nothing is left.
    """
    text, _ = strip_bidi(unicodedata.normalize("NFC", name))
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category[0] == "C" or category in ("Zl", "Zp"):
            continue
        kept.append("_" if char in _UNSAFE else (" " if category[0] == "Z" else char))
    cleaned = " ".join("".join(kept).split()).lstrip(". ").rstrip(". ")
    if not cleaned:
        return fallback
    stem, dot, extension = cleaned.rpartition(".")
    if not dot or len(extension) > 10 or not stem:
        stem, extension = cleaned, ""
    suffix = f".{extension}" if extension else ""
    while len((stem + suffix).encode()) > _MAX_NAME_BYTES:
        stem = stem[:-1]
    return (stem.rstrip(". ") or fallback) + suffix


def _open(source: Path | Callable[[], BinaryIO]) -> BinaryIO:
    if isinstance(source, Path):
        return source.open("rb")
    return source()


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    private_file(path)


def _copy_item(item: BundleItem, target: Path) -> tuple[str, str, int]:
    sha256 = hashlib.sha256()
    sha512 = hashlib.sha512()
    size = 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as out, _open(item.source) as source:
        while chunk := source.read(_CHUNK):
            size += len(chunk)
            if size > item.size:
                break
            sha256.update(chunk)
            sha512.update(chunk)
            out.write(chunk)
    return sha256.hexdigest(), sha512.hexdigest(), size


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise BundleError(f"time without a time zone: {moment}")
    return moment.astimezone(UTC).isoformat()


def _path(f: BundleFile) -> str:
    return f.path


def _json(value: object, indent: int | None = None) -> str:
    """JSON, readable in any script, with bidi controls escaped (same value, but a reader
    sees ``\\u202e`` where the character would reorder the line)."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    for char in BIDI_CONTROLS:
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def _line(value: str) -> str:
    """One line of plain text (README, bag-info.txt): no line breaks, no bidi controls."""
    return " ".join(strip_bidi(value)[0].split())


def _token_entry(path: str, token: TimestampToken, renews: str | None) -> dict[str, object]:
    return {
        "file": path,
        "authority": token.authority,
        "gen_time": _iso(token.gen_time),
        "hash_algorithm": token.hash_algorithm.value,
        "message_imprint": token.imprint_hex,
        "serial": str(token.serial),
        "policy": token.policy,
        "renews": renews,
    }


_OPENSSL_DIGEST = {
    HashAlgorithm.SHA256: "sha256",
    HashAlgorithm.SHA384: "sha384",
    HashAlgorithm.SHA512: "sha512",
    HashAlgorithm.SHA3_256: "sha3-256",
    HashAlgorithm.SHA3_512: "sha3-512",
}


def _token_commands(
    data_path: str, entries: Sequence[dict[str, object]], ca_files: Mapping[str, str]
) -> list[str]:
    lines = []
    for entry in entries:
        tsr = shlex.quote(str(entry["file"]))
        authority = str(entry["authority"])
        ca = shlex.quote(ca_files.get(authority, "CA-OF-THE-AUTHORITY.pem"))
        renews = entry["renews"]
        if renews is None:
            lines.append(
                f"openssl ts -verify -data {shlex.quote(data_path)} -in {tsr} -CAfile {ca}"
            )
        else:
            digest = _OPENSSL_DIGEST[HashAlgorithm(str(entry["hash_algorithm"]))]
            lines.append(
                f"{{ cat {shlex.quote(str(renews))}; openssl dgst -{digest} -binary "
                f"{shlex.quote(data_path)}; }} > renewal.bin && openssl ts -verify -data "
                f"renewal.bin -in {tsr} -CAfile {ca}"
            )
    return lines


_README = """\
Evidence bundle: {title}
Prepared by {prepared_by} on {date} with inquest {version}.

This folder is a BagIt bag (RFC 8493). Every item is in data/, unchanged. What is known of
each item is in metadata/NNNN.json, its chain of custody in custody/NNNN.jsonl (one event a
line), its RFC 3161 trusted timestamps in timestamps/. No inquest software is needed to check
it.

1. Check that no item changed (run in this folder; GNU coreutils):

    $ sha256sum -c manifest-sha256.txt
    $ sha512sum -c manifest-sha512.txt

   Every line must end in "OK". Then check the other files the same way:

    $ sha256sum -c tagmanifest-sha256.txt

   (Any BagIt validator does both, e.g. `bagit.py --validate .` from bagit-python.)
   Compare the digests in manifest-sha256.txt with those the sender gave you by another
   channel: a bag whose files and manifests were both replaced checks as well as the original.

2. Check the trusted timestamps (OpenSSL). Each token proves that the item's digest existed
   at the time in the token, signed by a time-stamping authority. Obtain each authority's CA
   certificate from the authority itself; a copy of what the sender used is in
   timestamps/authorities/, for convenience only. For each item:

{token_commands}
   Each must print "Verification: OK". A renewal token (one that "renews" another in the
   item's metadata) covers the earlier token and the item's digest under a newer algorithm
   (the idea of RFC 4998 evidence records): it keeps the earlier time provable after the
   earlier algorithm ages. Its command first rebuilds what it covers, in renewal.bin.

Files
{files}
"""


def write_bundle(
    items: Sequence[BundleItem],
    out: Path,
    *,
    title: str,
    prepared_by: str,
    authorities: Sequence[TimestampAuthority] = (),
    now: datetime | None = None,
) -> Bundle:
    """Write ``items`` as a bag at ``out`` (which must not exist); all or nothing.

    Each item's bytes are checked against its stored SHA-256, SHA-512 and size while they are
    copied: a mismatch stops the export with :class:`BundleError` naming the item.
    ``authorities`` gives the certificate copies written beside the tokens.
    """
    if not items:
        raise BundleError("no item to export")
    if out.exists():
        raise BundleError(f"{out} exists already")
    moment = now or datetime.now(UTC)
    parent = private_folder(out.parent)
    work = Path(tempfile.mkdtemp(prefix=".bundle-", dir=parent))
    try:
        files = _fill(work, items, title, prepared_by, authorities, moment)
        os.rename(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return Bundle(out, files)


def _fill(
    bag: Path,
    items: Sequence[BundleItem],
    title: str,
    prepared_by: str,
    authorities: Sequence[TimestampAuthority],
    moment: datetime,
) -> tuple[BundleFile, ...]:
    for sub in ("data", "metadata", "custody", "timestamps", "timestamps/authorities"):
        private_folder(bag / sub)
    ca_files: dict[str, str] = {}
    for authority in authorities:
        rel = f"timestamps/authorities/{safe_name(authority.name, 'authority')}.pem"
        if rel in ca_files.values():
            raise BundleError(f"two authorities map to the same file name: {authority.name!r}")
        _write_private(bag / rel, authority.certs_pem)
        ca_files[authority.name] = rel
    written: list[BundleFile] = []
    commands: list[str] = []
    seen_ids: set[str] = set()
    for number, item in enumerate(items, start=1):
        desc = item.description
        if desc.item_id in seen_ids:
            raise BundleError(f"item {desc.item_id!r} is listed twice")
        seen_ids.add(desc.item_id)
        stem = f"{number:04d}"
        rel = f"data/{stem}-{safe_name(desc.original_name)}"
        try:
            sha256, sha512, size = _copy_item(item, bag / rel)
        except OSError as exc:
            raise BundleError(f"item {desc.item_id!r}: cannot be read: {exc}") from exc
        if (sha256, sha512, size) != (item.sha256.lower(), item.sha512.lower(), item.size):
            raise BundleError(
                f"item {desc.item_id!r}: its bytes do not match the digests stored at intake; "
                "nothing was exported"
            )
        token_entries: list[dict[str, object]] = []
        for c, chain in enumerate(item.timestamps, start=1):
            previous: str | None = None
            for t, token in enumerate(chain, start=1):
                name = safe_name(token.authority, "authority")
                tsr = f"timestamps/{stem}-c{c}-t{t}-{name}.tsr"
                _write_private(bag / tsr, token.der)
                token_entries.append(_token_entry(tsr, token, previous))
                previous = tsr
        metadata = {
            "item_id": desc.item_id,
            "file": rel,
            "original_name": desc.original_name,
            "sha256": sha256,
            "sha512": sha512,
            "size": size,
            "media_type": desc.media_type,
            "description": desc.description,
            "acquired_by": desc.acquired_by,
            "acquired_at": _iso(desc.acquired_at),
            "acquisition": desc.acquisition,
            "consent": desc.consent,
            "restrictions": desc.restrictions,
            "custody_log": f"custody/{stem}.jsonl",
            "timestamps": token_entries,
        }
        _write_private(
            bag / f"metadata/{stem}.json",
            (_json(metadata, indent=2) + "\n").encode(),
        )
        custody = "".join(
            _json(
                {
                    "at": _iso(e.at),
                    "actor": e.actor,
                    "action": e.action.value,
                    "place": e.place,
                    "reason": e.reason,
                }
            )
            + "\n"
            for e in item.custody
        )
        _write_private(bag / f"custody/{stem}.jsonl", custody.encode())
        commands += [f"    $ {c}" for c in _token_commands(rel, token_entries, ca_files)]
        written.append(BundleFile(desc.item_id, rel, sha256, sha512, size))
    _write_private(bag / "bagit.txt", b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
    for algorithm in ("sha256", "sha512"):
        lines = [f"{getattr(f, algorithm)}  {f.path}\n" for f in sorted(written, key=_path)]
        _write_private(bag / f"manifest-{algorithm}.txt", "".join(lines).encode())
    octets = sum(f.size for f in written)
    info = [
        ("Bag-Software-Agent", f"inquest {__version__}"),
        ("Bagging-Date", moment.date().isoformat()),
        ("Contact-Name", _line(prepared_by)),
        ("External-Description", _line(title)),
        ("Payload-Oxum", f"{octets}.{len(written)}"),
    ]
    _write_private(bag / "bag-info.txt", "".join(f"{k}: {v}\n" for k, v in info).encode("utf-8"))
    readme = _README.format(
        title=_line(title),
        prepared_by=_line(prepared_by),
        date=moment.date().isoformat(),
        version=__version__,
        token_commands="\n".join(commands) + "\n" if commands else "    (no token)\n",
        files="\n".join(f"  {f.path}  (item {f.item_id})" for f in written),
    )
    _write_private(bag / "README.txt", readme.encode())
    tag_files = sorted(
        p.relative_to(bag).as_posix()
        for p in bag.rglob("*")
        if p.is_file() and not p.relative_to(bag).as_posix().startswith("data/")
    )
    for algorithm in ("sha256", "sha512"):
        lines = [
            f"{hashlib.new(algorithm, (bag / rel).read_bytes()).hexdigest()}  {rel}\n"
            for rel in tag_files
        ]
        _write_private(bag / f"tagmanifest-{algorithm}.txt", "".join(lines).encode())
    return tuple(written)


def archive_bundle(bag: Path, out: Path, kind: str = "zip") -> Path:
    """The bag folder ``bag`` packed into ``out``, a ``zip`` or ``tar`` file, under the bag's
    folder name (so unpacking gives the bag)."""
    if out.exists():
        raise BundleError(f"{out} exists already")
    files = sorted(p for p in bag.rglob("*") if p.is_file())
    if kind == "zip":
        with zipfile.ZipFile(out, "x", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in files:
                archive.write(path, f"{bag.name}/{path.relative_to(bag).as_posix()}")
    elif kind == "tar":
        with tarfile.open(out, "x") as archive:
            archive.add(bag, arcname=bag.name)
    else:
        raise BundleError(f"unknown archive kind {kind!r}: zip or tar")
    private_file(out)
    return out


def _problems_of(exc: bagit.BagError) -> list[BundleProblem]:
    details = getattr(exc, "details", None) or []
    if not details:
        return [BundleProblem(".", str(exc))]
    return [BundleProblem(str(getattr(d, "path", ".")), str(d)) for d in details]


def _file_digests(path: Path, algorithms: set[HashAlgorithm]) -> dict[HashAlgorithm, bytes]:
    with path.open("rb") as handle:
        return digest_stream(handle, algorithms, _CHUNK)


def _inside(bag: Path, rel: str) -> Path:
    path = (bag / rel).resolve()
    if not path.is_relative_to(bag.resolve()):
        raise BundleError(f"{rel}: outside the bag")
    return path


def verify_bundle(path: Path, *, authority_certs: Mapping[str, bytes] | None = None) -> BundleCheck:
    """Check the bag at ``path``: structure, every payload and tag file against both
    manifests (bagit-python), then every timestamp token offline.

    Tokens are checked under ``authority_certs`` (PEM by authority name) when given, the
    trust anchors the verifier holds; otherwise under the copies in the bag, which only shows
    the bag is consistent (``tokens_trusted_from_bundle`` says so).
    """
    problems: list[BundleProblem] = []
    try:
        bag = bagit.Bag(str(path))
    except bagit.BagError as exc:
        problems += _problems_of(exc)
    else:
        try:
            bag.validate(processes=1)
        except bagit.BagError as exc:
            problems += _problems_of(exc)
            # the payload count check stops bagit before it names the files: name them
            missing, extra = bag.compare_manifests_with_fs()
            named = {p.path for p in problems}
            problems += [
                BundleProblem(p, "listed in the manifest but missing")
                for p in missing
                if p not in named
            ]
            problems += [
                BundleProblem(p, "present but not in the manifest") for p in extra if p not in named
            ]
    metadata_files = sorted((path / "metadata").glob("*.json"))
    tokens_checked = 0
    from_bundle = authority_certs is None
    for meta_path in metadata_files:
        rel_meta = meta_path.relative_to(path).as_posix()
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            data_file = _inside(path, str(meta["file"]))
            entries = list(meta.get("timestamps", []))
        except (OSError, ValueError, KeyError, TypeError, BundleError) as exc:
            problems.append(BundleProblem(rel_meta, f"unreadable item metadata: {exc}"))
            continue
        if not entries:
            continue
        try:
            wanted = {HashAlgorithm(str(e["hash_algorithm"])) for e in entries}
            digests = _file_digests(data_file, wanted)
        except (OSError, ValueError, KeyError) as exc:
            problems.append(BundleProblem(rel_meta, f"item cannot be hashed: {exc}"))
            continue
        for entry in entries:
            tsr = str(entry.get("file"))
            try:
                authority = str(entry["authority"])
                certs = (authority_certs or {}).get(authority)
                if certs is None and from_bundle:
                    ca = path / f"timestamps/authorities/{safe_name(authority, 'authority')}.pem"
                    certs = ca.read_bytes() if ca.is_file() else None
                if certs is None:
                    raise BundleError(f"no certificates for authority {authority!r}")
                token = load_token(_inside(path, tsr).read_bytes(), authority)
                digest = digests[token.hash_algorithm]
                renews = entry.get("renews")
                previous: TimestampToken | None = None
                if renews is not None:
                    previous_der = _inside(path, str(renews)).read_bytes()
                    previous = load_token(previous_der, authority)
                    digest = renewal_imprint(previous_der, digest, token.hash_algorithm)
                verify_token(token, digest, certs)
                if previous is not None and token.gen_time < previous.gen_time:
                    raise BundleError(f"renewal older than the token it renews ({renews})")
                tokens_checked += 1
            except (OSError, KeyError, ValueError, TimestampError, BundleError) as exc:
                problems.append(BundleProblem(tsr, str(exc)))
    files = sum(1 for p in (path / "data").rglob("*") if p.is_file())
    return BundleCheck(tuple(problems), files, tokens_checked, from_bundle)
