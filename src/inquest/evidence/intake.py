"""Checking files before they become evidence, and adding files and folders to the store.

A file is refused (``InputError`` naming it and why) when it is empty, larger than the
maximum (checked from its size and again while it is read), not a regular file, or a
symbolic link (never followed). Everything else is kept exactly as it is, with flags for
what a reviewer should see: a content type that contradicts the name's extension (an image
named ``.pdf``), a name that held bidi controls or path separators, an archive (stored as one
opaque original, never unpacked; a zip's members are listed within bounds, and a zip whose
declared sizes suggest a bomb is flagged).

:func:`add_paths` is all or nothing: every file is checked first and every problem reported
together (``InputErrors``); then every file is copied into the store's staging area and
hashed; only when all were copied are they committed under their addresses. A failure
before the commit leaves nothing stored. The commit is a link per file; should one fail
(a disk error), :class:`IntakeIncomplete` says which files were committed before it.
"""

from __future__ import annotations

import enum
import itertools
import mimetypes
import os
import stat
import struct
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import filetype

from inquest.errors import InputError, InputErrors, InputProblem
from inquest.evidence.local import LocalStore
from inquest.evidence.store import Digests, EvidenceError, Staged, Store
from inquest.evidence.vocabulary import AcquisitionMethod, ConsentStatus
from inquest.text.scripts import strip_bidi

__all__ = [
    "DEFAULT_MAX_SIZE",
    "MAX_NAME_CHARS",
    "Acquisition",
    "ArchiveEntry",
    "ArchiveSummary",
    "Checked",
    "ContentType",
    "Flag",
    "FlagKind",
    "IntakeIncomplete",
    "IntakeResult",
    "OriginalName",
    "add_paths",
    "add_stream",
    "check_file",
    "check_paths",
    "describe",
    "safe_name",
    "sniff",
    "zip_summary",
]

#: The largest original accepted by default: 50 GiB, room for a day of video.
DEFAULT_MAX_SIZE = 50 * 1024**3
#: Bytes read from the start of a file to recognise its type.
SNIFF_BYTES = 8192
#: The longest display name kept (characters); a longer one keeps its extension.
MAX_NAME_CHARS = 200
#: Longest acquisition texts (characters): the description, and everything else.
MAX_DESCRIPTION_CHARS = 20_000
MAX_FIELD_CHARS = 2_000
#: Zip bounds: central directories larger than these are not read at all; only the first
#: MAX_ZIP_LISTED members are kept in the summary.
MAX_ZIP_ENTRIES = 100_000
MAX_ZIP_DIRECTORY_BYTES = 64 * 1024**2
MAX_ZIP_LISTED = 1_000
#: A zip whose members declare more than this many times its own size is flagged.
ZIP_BOMB_RATIO = 100


class FlagKind(enum.StrEnum):
    """Something about a file a reviewer should see; none of them stops intake."""

    TYPE_MISMATCH = "type_mismatch"
    """The content is of another type than the name's extension claims."""
    TYPE_UNVERIFIED = "type_unverified"
    """The extension names a type with a signature, and the content does not have it."""
    NAME_BIDI_CONTROLS = "name_bidi_controls"
    NAME_PATH_SEPARATORS = "name_path_separators"
    NAME_ALTERED = "name_altered"
    """The display name differs from the original for another reason (control
    characters, length, an undecodable byte)."""
    ARCHIVE = "archive"
    """An archive, kept as one opaque original and never unpacked."""
    ARCHIVE_NOT_LISTED = "archive_not_listed"
    ARCHIVE_SUSPICIOUS = "archive_suspicious"
    """Declared sizes or overlapping members typical of a zip bomb."""
    ARCHIVE_ENCRYPTED = "archive_encrypted"


@dataclass(frozen=True)
class Flag:
    """One flag and what it is about."""

    kind: FlagKind
    detail: str


@dataclass(frozen=True)
class Acquisition:
    """How the commission came to hold a batch of items: who acquired them, when, how, and
    what the source consented to."""

    acquired_by: str
    acquired_at: datetime
    method: AcquisitionMethod
    consent: ConsentStatus
    restrictions: tuple[str, ...] = ()
    source: str = ""
    """Who handed the items over (a pseudonym or an organisation), when it may be said."""
    description: str = ""

    def __post_init__(self) -> None:
        if not self.acquired_by.strip():
            raise ValueError("acquired_by: who acquired the items is required")
        if self.acquired_at.tzinfo is None or self.acquired_at.utcoffset() is None:
            raise ValueError("acquired_at must carry a time zone")
        AcquisitionMethod(self.method)
        ConsentStatus(self.consent)
        if self.consent is ConsentStatus.GIVEN_WITH_RESTRICTIONS and not self.restrictions:
            raise ValueError("consent given with restrictions needs the restrictions listed")
        for label, text in [
            ("acquired_by", self.acquired_by),
            ("source", self.source),
            *(("restrictions", r) for r in self.restrictions),
        ]:
            if len(text) > MAX_FIELD_CHARS:
                raise ValueError(f"{label} is longer than {MAX_FIELD_CHARS} characters")
        if len(self.description) > MAX_DESCRIPTION_CHARS:
            raise ValueError(f"description is longer than {MAX_DESCRIPTION_CHARS} characters")


# -- names --------------------------------------------------------------------------------

_SEPARATORS = frozenset("/\\")
# Joiners shape Persian (ZWNJ) and emoji (ZWJ): format characters a name needs.
_KEPT_FORMAT = frozenset("\u200c\u200d")


def _safe_once(name: str) -> str:
    s, _ = strip_bidi(unicodedata.normalize("NFC", name))
    out: list[str] = []
    for ch in s:
        if ch in _SEPARATORS:
            out.append("_")
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Zl", "Zp"):
            out.append(" ")
        elif cat in ("Cf", "Cs", "Co", "Cn") and ch not in _KEPT_FORMAT:
            continue
        elif cat == "Zs":
            out.append(" ")
        else:
            out.append(ch)
    s = " ".join("".join(out).split())
    s = s.strip(" .")
    if len(s) > MAX_NAME_CHARS:
        stem, dot, ext = s.rpartition(".")
        if dot and stem and 0 < len(ext) <= 16:
            s = stem[: MAX_NAME_CHARS - len(ext) - 2].rstrip(" .") + "…." + ext
        else:
            s = s[: MAX_NAME_CHARS - 1].rstrip(" .") + "…"
    return unicodedata.normalize("NFC", s) or "unnamed"


def safe_name(name: str) -> str:
    """A name safe to show and to offer as a download's name, derived from ``name``.

    Bidi controls (``inquest.text.scripts``) and invisible format characters other than
    the joiners are removed, path separators become ``_``, control characters and unusual
    spaces become one space, leading and trailing dots and spaces go, the result is NFC,
    at most :data:`MAX_NAME_CHARS` characters (keeping the extension), never empty. It is
    never used to store anything: originals are stored under their hash.
    """
    s = name
    for _ in range(4):  # removals can let NFC compose anew; a few passes reach a fixed point
        t = _safe_once(s)
        if t == s:
            break
        s = t
    return s


@dataclass(frozen=True)
class OriginalName:
    """A file's name as given (verbatim: bidi controls, separators and all), and the safe
    name derived from it for display (:func:`safe_name`)."""

    original: str
    display: str
    flags: tuple[Flag, ...] = ()

    @classmethod
    def of(cls, name: str) -> OriginalName:
        """``name`` from an upload or a file system; a file system name that is not UTF-8
        keeps its undecodable bytes as ``\\xNN`` escapes (flagged)."""
        flags: list[Flag] = []
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:  # surrogate escapes of a non-UTF-8 file name
            name = os.fsencode(name).decode("utf-8", "backslashreplace")
            flags.append(Flag(FlagKind.NAME_ALTERED, "the name is not UTF-8; bytes escaped"))
        display = safe_name(name)
        _, bidi = strip_bidi(name)
        if bidi:
            flags.append(
                Flag(FlagKind.NAME_BIDI_CONTROLS, f"{bidi} bidi control(s) removed for display")
            )
        if any(c in _SEPARATORS for c in name):
            flags.append(Flag(FlagKind.NAME_PATH_SEPARATORS, "path separators shown as _"))
        if not flags and display != name:
            flags.append(Flag(FlagKind.NAME_ALTERED, "control characters or length"))
        return cls(name, display, tuple(flags))


# -- content types ------------------------------------------------------------------------

# Extensions that name the same kind of content (the sniffer reports one of each group).
_SAME = [
    {"jpg", "jpeg", "jpe", "jfif"},
    {"tif", "tiff"},
    {"mp4", "m4a", "m4v", "mov", "3gp", "3g2", "f4v"},
    {"ogg", "oga", "ogv", "opus"},
    {"mkv", "webm", "mka"},
    {"aif", "aiff"},
    {"gz", "tgz"},
    {"mpg", "mpeg"},
    {"mid", "midi"},
    {"doc", "xls", "ppt", "msg", "dot", "xlt", "pps"},  # OLE compound files
    {"png", "apng"},
    {"html", "htm"},
]
_SAME_OF = {ext: frozenset(group) for group in _SAME for ext in group}
#: Formats that are zip files inside (a zip signature is their true type too).
ZIP_CONTAINERS = frozenset(
    ["zip", "docx", "xlsx", "pptx", "docm", "xlsm", "pptm", "odt", "ods", "odp", "odg",
     "epub", "jar", "apk", "xpi", "kmz", "wacz", "cbz", "ipa", "3mf", "vsdx", "aar"]
)  # fmt: skip
_SNIFFABLE = frozenset(t.extension for t in filetype.types) | frozenset(_SAME_OF) | ZIP_CONTAINERS
ARCHIVE_TYPES = frozenset(
    ["zip", "tar", "gz", "bz2", "xz", "zst", "7z", "rar", "lz", "lz4", "lzo", "Z", "cab",
     "ar", "br", "deb", "rpm"]
)  # fmt: skip
_MIMETYPES = mimetypes.MimeTypes()  # the built-in table only: the same on every machine


def _mime_of_extension(ext: str) -> str | None:
    kind = filetype.get_type(ext=ext)
    if kind is not None:
        return str(kind.mime)
    mime, _ = _MIMETYPES.guess_type(f"x.{ext}", strict=False)
    return mime


@dataclass(frozen=True)
class ContentType:
    """The type the content's first bytes show, and the one its name claims."""

    sniffed_mime: str | None
    sniffed_extension: str | None
    claimed_mime: str | None
    claimed_extension: str

    @property
    def is_archive(self) -> bool:
        return self.sniffed_extension in ARCHIVE_TYPES


def _compatible(claimed: str, sniffed: str) -> bool:
    if claimed == sniffed or claimed in _SAME_OF.get(sniffed, ()):
        return True
    # A .docx (or .wacz ...) is a zip; the sniffer may see either.
    return claimed in ZIP_CONTAINERS and sniffed in ZIP_CONTAINERS


def sniff(head: bytes, display_name: str) -> tuple[ContentType, tuple[Flag, ...]]:
    """The type of content starting with ``head`` (from its magic bytes, by ``filetype``)
    against the extension of ``display_name``; flags when they disagree."""
    kind = filetype.guess(head) if head else None
    sniffed_ext = str(kind.extension) if kind is not None else None
    sniffed_mime = str(kind.mime) if kind is not None else None
    stem, dot, ext = display_name.rpartition(".")
    claimed = ext.lower() if dot and stem and ext and len(ext) <= 16 else ""
    content = ContentType(
        sniffed_mime=sniffed_mime,
        sniffed_extension=sniffed_ext,
        claimed_mime=_mime_of_extension(claimed) if claimed else None,
        claimed_extension=claimed,
    )
    flags: list[Flag] = []
    if claimed and sniffed_ext is not None:
        if claimed in _SNIFFABLE and not _compatible(claimed, sniffed_ext):
            flags.append(
                Flag(
                    FlagKind.TYPE_MISMATCH,
                    f"named .{claimed} ({content.claimed_mime or 'unknown type'}) but the "
                    f"content is {sniffed_mime} (.{sniffed_ext})",
                )
            )
    elif claimed in _SNIFFABLE:
        flags.append(
            Flag(
                FlagKind.TYPE_UNVERIFIED,
                f"named .{claimed} but the content does not start as a .{claimed} file does",
            )
        )
    if content.is_archive:
        flags.append(Flag(FlagKind.ARCHIVE, "kept as one original; never unpacked"))
    return content, tuple(flags)


# -- zip archives -------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveEntry:
    """One member of a zip as its central directory declares it (never extracted)."""

    name: OriginalName
    size: int
    compressed_size: int


@dataclass(frozen=True)
class ArchiveSummary:
    """What a zip's central directory declares; ``listed`` holds at most
    :data:`MAX_ZIP_LISTED` members."""

    entries: int
    declared_size: int | None
    compressed_size: int | None
    listed: tuple[ArchiveEntry, ...] = ()
    flags: tuple[Flag, ...] = ()


_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"


def _directory_extent(stream: BinaryIO, size: int) -> tuple[int, int] | None:
    """(entries, central directory bytes) from a zip's end records, or ``None``."""
    tail_len = min(size, 22 + 65_535)
    stream.seek(size - tail_len)
    tail = stream.read(tail_len)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        return None
    _, _, _, _, entries, cd_size, _, _ = struct.unpack("<4sHHHHIIH", tail[at : at + 22])
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF:
        loc = at - 20
        if loc < 0 or tail[loc : loc + 4] != _EOCD64_LOCATOR:
            return None
        (offset,) = struct.unpack("<Q", tail[loc + 8 : loc + 16])
        if offset > size - 56:
            return None
        stream.seek(offset)
        rec = stream.read(56)
        if rec[:4] != _EOCD64:
            return None
        entries, cd_size = struct.unpack("<QQ", rec[32:48])
    return entries, cd_size


def zip_summary(stream: BinaryIO, size: int) -> ArchiveSummary:
    """The members a zip declares, read from its central directory within bounds.

    Nothing is decompressed. The directory's own size is checked from the end records
    before Python's ``zipfile`` reads it, so a directory of millions of entries costs
    nothing; declared sizes far beyond the file's and overlapping members (the shapes of
    zip bombs) are flagged.
    """
    extent = _directory_extent(stream, size)
    if extent is None:
        why = "no readable zip directory"
        return ArchiveSummary(0, None, None, flags=(Flag(FlagKind.ARCHIVE_NOT_LISTED, why),))
    entries, cd_size = extent
    if entries > MAX_ZIP_ENTRIES or cd_size > MAX_ZIP_DIRECTORY_BYTES:
        why = f"declares {entries:,} members in {cd_size:,} directory bytes; not listed"
        return ArchiveSummary(
            entries,
            None,
            None,
            flags=(
                Flag(FlagKind.ARCHIVE_NOT_LISTED, why),
                Flag(FlagKind.ARCHIVE_SUSPICIOUS, why),
            ),
        )
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        why = f"zip directory unreadable: {str(exc)[:200]}"
        return ArchiveSummary(entries, None, None, flags=(Flag(FlagKind.ARCHIVE_NOT_LISTED, why),))
    declared = sum(i.file_size for i in infos)
    compressed = sum(i.compress_size for i in infos)
    flags: list[Flag] = []
    if declared > ZIP_BOMB_RATIO * max(size, 1):
        flags.append(
            Flag(
                FlagKind.ARCHIVE_SUSPICIOUS,
                f"members declare {declared:,} bytes unpacked from a {size:,}-byte file: "
                "possible zip bomb",
            )
        )
    spans = sorted((i.header_offset, i.header_offset + i.compress_size) for i in infos)
    if any(b[0] < a[1] for a, b in itertools.pairwise(spans)):
        flags.append(
            Flag(FlagKind.ARCHIVE_SUSPICIOUS, "members overlap in the file: possible zip bomb")
        )
    if any(i.flag_bits & 0x1 for i in infos):
        flags.append(Flag(FlagKind.ARCHIVE_ENCRYPTED, "some members are encrypted"))
    listed = tuple(
        ArchiveEntry(OriginalName.of(i.filename[:MAX_FIELD_CHARS]), i.file_size, i.compress_size)
        for i in infos[:MAX_ZIP_LISTED]
    )
    return ArchiveSummary(len(infos), declared, compressed, listed, tuple(flags))


# -- checking and adding ------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    """A file that passed the checks, not yet stored.

    ``relative`` is its path under the folder it was found in, as the file system gave it
    (``/``-joined), or its name when it was given by itself. ``path`` is ``None`` for an
    upload (:func:`add_stream`).
    """

    path: Path | None
    relative: str
    name: OriginalName
    size: int
    content: ContentType
    archive: ArchiveSummary | None = None
    flags: tuple[Flag, ...] = field(default=())


@dataclass(frozen=True)
class IntakeResult:
    """A file stored as an original: what was checked, its digests, and whether the bytes
    were new to the store (``created``) or already there."""

    checked: Checked
    digests: Digests
    created: bool
    acquisition: Acquisition


class IntakeIncomplete(EvidenceError):
    """A commit failed after every file was copied; ``stored`` were committed before it."""

    def __init__(self, message: str, stored: list[IntakeResult]) -> None:
        super().__init__(message)
        self.stored = stored


def check_file(
    path: Path, *, relative: str | None = None, max_size: int = DEFAULT_MAX_SIZE
) -> Checked:
    """Check one file (not following a symbolic link); ``InputError`` names it and why."""
    where = str(path)
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror}", path=where) from None
    if stat.S_ISLNK(info.st_mode):
        raise InputError("a symbolic link, not followed: add the file it points to", path=where)
    if not stat.S_ISREG(info.st_mode):
        raise InputError("not a regular file", path=where)
    if info.st_size == 0:
        raise InputError("zero bytes: an empty file is not kept as evidence", path=where)
    if info.st_size > max_size:
        raise InputError(
            f"{info.st_size:,} bytes, larger than the maximum of {max_size:,}", path=where
        )
    name = OriginalName.of(path.name)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror}", path=where) from None
    with os.fdopen(fd, "rb") as stream:
        rel = OriginalName.of(relative).original if relative else name.original
        return describe(stream, info.st_size, name, path, rel)


def _walk(top: Path, problems: list[InputProblem]) -> Iterator[tuple[Path, str]]:
    """Every entry under ``top`` but folders, in sorted order of their relative path's
    parts (deterministic), without entering symbolic links; a folder that cannot be read
    is a problem (``os.walk`` would skip it silently)."""

    def unreadable(exc: OSError) -> None:
        problems.append(InputProblem(f"folder cannot be read: {exc.strerror}", path=exc.filename))

    entries: list[tuple[tuple[str, ...], Path]] = []
    for folder, dirs, files in os.walk(top, onerror=unreadable, followlinks=False):
        base = Path(folder)
        rel = base.relative_to(top).parts
        for name in files:
            entries.append(((top.name, *rel, name), base / name))
        for name in dirs:  # a link to a folder is listed as a folder by os.walk
            if (base / name).is_symlink():
                entries.append(((top.name, *rel, name), base / name))
    for parts, path in sorted(entries):
        yield path, "/".join(parts)


def _expand(
    paths: Iterable[Path], problems: list[InputProblem]
) -> Iterator[tuple[Path, str | None]]:
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            yield from _walk(path, problems)
        else:
            yield path, None


def check_paths(
    paths: Sequence[Path],
    *,
    max_size: int = DEFAULT_MAX_SIZE,
    refused_folders: Sequence[Path] = (),
) -> list[Checked]:
    """Check every file of ``paths`` (folders walked); all problems raised together.

    A file reached twice (named and inside a named folder, or twice by hard links) is
    checked and kept once, at its first place. Files under ``refused_folders`` (the store's
    own folder) are problems.
    """
    problems: list[InputProblem] = []
    checked: list[Checked] = []
    seen: set[tuple[int, int]] = set()
    refused = [folder.resolve() for folder in refused_folders]
    for path, relative in _expand(paths, problems):
        if any(path.resolve().is_relative_to(folder) for folder in refused):
            problems.append(InputProblem("inside the evidence store itself", path=str(path)))
            continue
        try:
            info = os.lstat(path)
        except OSError as exc:
            problems.append(InputProblem(f"cannot be read: {exc.strerror}", path=str(path)))
            continue
        if (info.st_dev, info.st_ino) in seen:
            continue
        seen.add((info.st_dev, info.st_ino))
        try:
            checked.append(check_file(path, relative=relative, max_size=max_size))
        except InputError as exc:
            problems.append(exc.problem)
    if problems:
        raise InputErrors(problems)
    if not checked:
        raise InputError("no files to add", path=", ".join(str(p) for p in paths)[:500])
    return checked


def add_paths(
    paths: Sequence[Path],
    store: Store,
    acquisition: Acquisition,
    *,
    max_size: int = DEFAULT_MAX_SIZE,
) -> list[IntakeResult]:
    """Check, copy and store every file of ``paths`` (files and folders), all or nothing.

    Returns one result per file in walk order. Raises ``InputErrors`` (every problem found
    by the checks), ``InputError`` (a file that changed or grew past the maximum while it
    was copied), or :class:`IntakeIncomplete`; see the module docstring.
    """
    own = [store.root] if isinstance(store, LocalStore) else []
    checked = check_paths(paths, max_size=max_size, refused_folders=own)
    staged: list[Staged] = []
    try:
        for item in checked:
            if item.path is None:  # check_paths describes files, never uploads
                raise TypeError("add_paths needs checked files with their paths")
            one = store.stage(item.path, max_size=max_size, name=str(item.path))
            staged.append(one)
            if one.digests.size != item.size:
                raise InputError(
                    f"changed while it was read ({item.size:,} bytes when checked, "
                    f"{one.digests.size:,} when copied)",
                    path=str(item.path),
                )
        results: list[IntakeResult] = []
        for item, one in zip(checked, staged, strict=True):
            try:
                stored = one.commit()
            except Exception as exc:
                raise IntakeIncomplete(
                    f"{item.path}: not stored ({exc}); {len(results)} file(s) before it were",
                    results,
                ) from exc
            results.append(IntakeResult(item, stored.digests, stored.created, acquisition))
        return results
    finally:
        for one in staged:
            one.discard()


def describe(
    head_and_rest: BinaryIO, size: int, name: OriginalName, path: Path | None, relative: str
) -> Checked:
    """The type, archive summary and flags of a readable, seekable file of ``size`` bytes."""
    head = head_and_rest.read(SNIFF_BYTES)
    content, flags = sniff(head, name.display)
    archive = None
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        archive = zip_summary(head_and_rest, size)
    return Checked(
        path=path,
        relative=relative,
        name=name,
        size=size,
        content=content,
        archive=archive,
        flags=name.flags + flags + (archive.flags if archive else ()),
    )


def add_stream(
    stream: BinaryIO,
    name: str,
    store: Store,
    acquisition: Acquisition,
    *,
    max_size: int = DEFAULT_MAX_SIZE,
) -> IntakeResult:
    """Store one upload read from ``stream`` under the name its sender gave.

    The stream is read once: zero bytes and the maximum size are checked as it is copied
    (``InputError`` naming the upload by its display name; nothing stored). Its type and
    archive summary are then read back from the stored original (the store must open
    originals seekable), since flags never stop intake.
    """
    original = OriginalName.of(name)
    stored = store.put(stream, max_size=max_size, name=original.display)
    with store.open(stored.digests.sha256) as kept:
        checked = describe(kept, stored.digests.size, original, None, original.original)
    return IntakeResult(checked, stored.digests, stored.created, acquisition)
