"""Technical metadata of an original (EXIF, XMP, PDF and media properties), read, never
written: the result is kept beside the item, the original is not touched.

Debian's ``exiftool`` (``libimage-exiftool-perl``) is used when it is installed: it reads
hundreds of formats. It runs without its configuration file, with a time limit, and its
output is read up to a bound. Without it, Pillow reads the EXIF of images and the PDF header
gives the version of PDFs, and the result says which tool was used. Every string comes
from an untrusted file, so each is cut to :data:`MAX_VALUE_CHARS`, and there are at most
:data:`MAX_FIELDS` fields.
"""

from __future__ import annotations

import json
import os
import re
import selectors
import shutil
import subprocess
import tempfile
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import filetype
import PIL
from PIL import ExifTags, Image

__all__ = [
    "MAX_FIELDS",
    "MAX_OUTPUT_BYTES",
    "MAX_VALUE_CHARS",
    "MetadataField",
    "TechnicalMetadata",
    "exiftool_version",
    "extract",
]

MAX_VALUE_CHARS = 4_096
MAX_FIELDS = 2_000
#: exiftool's JSON beyond this is not read (the process is stopped).
MAX_OUTPUT_BYTES = 8 * 1024**2
DEFAULT_TIMEOUT_S = 60.0

Value = str | int | float | bool

# Fields about the copy on disk (its path, permissions, file-system times), not the item:
# they would differ between the store and a restored backup, and name the store's folders.
_LOCAL_FIELDS = frozenset(
    {
        "SourceFile",
        "File:FileName",
        "File:Directory",
        "File:FileModifyDate",
        "File:FileAccessDate",
        "File:FileInodeChangeDate",
        "File:FileCreateDate",
        "File:FilePermissions",
        "File:FileAttributes",
        "File:FileDeviceNumber",
        "File:FileInodeNumber",
        "File:FileHardLinks",
        "File:FileUserID",
        "File:FileGroupID",
        "File:FileBlockSize",
        "File:FileBlockCount",
        "ExifTool:ExifToolVersion",
    }
)


@dataclass(frozen=True)
class MetadataField:
    """One tag: its group (``EXIF``, ``XMP``, ``PDF``, ``QuickTime`` ...), name and value."""

    group: str
    name: str
    value: Value


@dataclass(frozen=True)
class TechnicalMetadata:
    """What a tool read from an original; ``truncated`` when values or fields were cut."""

    tool: str
    fields: tuple[MetadataField, ...]
    truncated: bool = False
    warnings: tuple[str, ...] = ()

    def get(self, group: str, name: str) -> Value | None:
        """The value of ``group:name``, or ``None``."""
        for f in self.fields:
            if f.group == group and f.name == name:
                return f.value
        return None

    def first(self, *keys: str) -> Value | None:
        """The value of the first of ``keys`` (``"EXIF:Make"``) present."""
        for key in keys:
            group, _, name = key.partition(":")
            value = self.get(group, name)
            if value is not None:
                return value
        return None

    @property
    def created(self) -> str | None:
        """When the content says it was made, as written in it (not parsed: time zones
        and camera clocks are for a reviewer to judge)."""
        value = self.first(
            "EXIF:DateTimeOriginal",
            "EXIF:CreateDate",
            "XMP:DateCreated",
            "QuickTime:CreateDate",
            "PDF:CreateDate",
            "XMP:CreateDate",
        )
        return None if value is None else str(value)

    @property
    def position(self) -> tuple[float, float] | None:
        """(latitude, longitude) in decimal degrees when the content holds one."""
        lat = self.first("Composite:GPSLatitude", "EXIF:GPSLatitude")
        lon = self.first("Composite:GPSLongitude", "EXIF:GPSLongitude")
        if (
            isinstance(lat, int | float)
            and isinstance(lon, int | float)
            and -90 <= lat <= 90
            and -180 <= lon <= 180
        ):
            return float(lat), float(lon)
        return None


def _bound(value: Any) -> tuple[Value, bool]:
    if isinstance(value, bool | int | float):
        return value, False
    if isinstance(value, bytes):
        value = f"(binary data, {len(value)} bytes)"
    elif not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False, default=str)
    if len(value) > MAX_VALUE_CHARS:
        return value[: MAX_VALUE_CHARS - 1] + "…", True
    return value, False


def _fields(pairs: Mapping[str, Any], default_group: str) -> tuple[tuple[MetadataField, ...], bool]:
    out: list[MetadataField] = []
    cut = False
    for key, raw in pairs.items():
        if key in _LOCAL_FIELDS:
            continue
        if len(out) >= MAX_FIELDS:
            return tuple(out), True
        group, sep, name = str(key).partition(":")
        if not sep:
            group, name = default_group, group
        value, was_cut = _bound(raw)
        cut |= was_cut
        out.append(MetadataField(group[:100], name[:200], value))
    return tuple(out), cut


@cache
def exiftool_version() -> str | None:
    """The installed exiftool's version, or ``None`` when there is none."""
    exe = shutil.which("exiftool")
    if exe is None:
        return None
    try:
        done = subprocess.run(  # noqa: S603 - a fixed argument list, no shell
            [exe, "-config", "", "-ver"], capture_output=True, text=True, timeout=30, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()[:40] or None


def _run_bounded(args: list[str], timeout_s: float, max_bytes: int) -> tuple[bytes, str | None]:
    """stdout of ``args`` (at most ``max_bytes``), and why it was stopped, if it was."""
    with (
        tempfile.TemporaryFile() as err,
        subprocess.Popen(  # noqa: S603 - a fixed argument list, no shell
            args, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL
        ) as proc,
    ):
        assert proc.stdout is not None
        out = bytearray()
        stopped: str | None = None
        deadline = time.monotonic() + timeout_s
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    stopped = f"stopped after {timeout_s:g} s"
                    break
                if not sel.select(left):
                    continue
                data = os.read(proc.stdout.fileno(), 1 << 16)
                if not data:
                    break
                out += data
                if len(out) > max_bytes:
                    stopped = f"output larger than {max_bytes:,} bytes, not read"
                    break
        if stopped:
            proc.kill()
        proc.wait()
        if not stopped and proc.returncode not in (0, 1):  # 1: a file with a minor error
            err.seek(0)
            stopped = f"exiftool failed: {err.read(500).decode('utf-8', 'replace').strip()}"
        return bytes(out), stopped


def _exiftool(path: Path, timeout_s: float, max_bytes: int) -> TechnicalMetadata:
    version = exiftool_version()
    exe = shutil.which("exiftool")
    assert exe is not None and version is not None
    tool = f"exiftool {version}"
    args = [exe, "-config", "", "-json", "-n", "-G", "-api", "LargeFileSupport=1"]
    output, stopped = _run_bounded([*args, str(path.absolute())], timeout_s, max_bytes)
    if stopped:
        return TechnicalMetadata(tool, (), truncated=True, warnings=(stopped,))
    try:
        data = json.loads(output.decode("utf-8", "replace"))
    except ValueError:
        return TechnicalMetadata(tool, (), warnings=("exiftool's output is not JSON",))
    if not isinstance(data, list) or not data or not isinstance(data[0], dict):
        return TechnicalMetadata(tool, (), warnings=("exiftool read nothing",))
    fields, cut = _fields(data[0], "ExifTool")
    notes = tuple(str(f.value)[:500] for f in fields if f.name in ("Warning", "Error"))
    return TechnicalMetadata(tool, fields, truncated=cut, warnings=notes)


def _pillow(path: Path) -> TechnicalMetadata:
    tool = f"Pillow {PIL.__version__}"
    pairs: dict[str, Any] = {}
    try:
        # Only the header is read, never the pixels: a huge image costs nothing here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                pairs["File:MIMEType"] = Image.MIME.get(im.format or "", "")
                pairs["File:ImageWidth"], pairs["File:ImageHeight"] = im.size
                exif = im.getexif()
                for tag, value in exif.items():
                    pairs[f"EXIF:{ExifTags.TAGS.get(tag, hex(tag))}"] = value
                for tag, value in exif.get_ifd(ExifTags.IFD.Exif).items():
                    pairs[f"EXIF:{ExifTags.TAGS.get(tag, hex(tag))}"] = value
                gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
                for tag, value in gps.items():
                    pairs[f"EXIF:{ExifTags.GPSTAGS.get(tag, hex(tag))}"] = value
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        return TechnicalMetadata(tool, (), warnings=(f"Pillow could not read it: {exc}"[:500],))
    for key in ("GPSLatitude", "GPSLongitude"):
        raw, ref = pairs.get(f"EXIF:{key}"), pairs.get(f"EXIF:{key}Ref")
        decimal = _dms(raw, ref)
        if decimal is not None:
            pairs[f"Composite:{key}"] = decimal
        if raw is not None:
            pairs[f"EXIF:{key}"] = " ".join(str(float(x)) for x in raw)
    fields, cut = _fields(
        {k: (float(v) if _is_rational(v) else v) for k, v in pairs.items()}, "EXIF"
    )
    return TechnicalMetadata(tool, fields, truncated=cut)


def _is_rational(v: Any) -> bool:
    return hasattr(v, "numerator") and hasattr(v, "denominator") and not isinstance(v, int)


def _dms(raw: Any, ref: Any) -> float | None:
    try:
        d, m, s = (float(x) for x in raw)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = d + m / 60 + s / 3600
    return -value if ref in ("S", "W") else value


_PDF_HEADER = re.compile(rb"%PDF-(\d\.\d)")


def _pdf(path: Path) -> TechnicalMetadata:
    with path.open("rb") as stream:
        head = stream.read(1024)
    found = _PDF_HEADER.search(head)
    pairs = {"File:MIMEType": "application/pdf"}
    if found:
        pairs["PDF:PDFVersion"] = found.group(1).decode("ascii")
    fields, _ = _fields(pairs, "PDF")
    note = "exiftool is not installed: only the PDF version was read"
    return TechnicalMetadata("PDF header", fields, warnings=(note,))


def extract(
    path: Path,
    *,
    use_exiftool: bool | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    max_output_bytes: int = MAX_OUTPUT_BYTES,
) -> TechnicalMetadata:
    """The technical metadata of the file at ``path`` (opened read-only).

    ``use_exiftool``: ``None`` uses it when installed; ``False`` uses the fallbacks;
    ``True`` requires it (``RuntimeError`` when missing).
    """
    if use_exiftool is None:
        use_exiftool = exiftool_version() is not None
    if use_exiftool:
        if exiftool_version() is None:
            raise RuntimeError("exiftool is not installed (Debian: libimage-exiftool-perl)")
        return _exiftool(path, timeout_s, max_output_bytes)
    with path.open("rb") as stream:
        kind = filetype.guess(stream.read(8192))
    mime = str(kind.mime) if kind is not None else ""
    if mime.startswith("image/"):
        return _pillow(path)
    if mime == "application/pdf":
        return _pdf(path)
    return TechnicalMetadata(
        "none", (), warnings=(f"exiftool is not installed; nothing reads {mime or 'this type'}",)
    )
