"""Metadata stripped from copies that leave the system.

A photograph's EXIF can name the camera's owner and the place it was taken; a PDF's document
information and XMP can name the author, the machine and the software. Copies handed to others
(redacted copies, exports that are not evidence of the original) are cleaned:

- images are decoded and re-encoded from their pixels alone (Pillow): no EXIF, XMP, ICC
  profile, comments or text chunks survive, because none is copied. The EXIF orientation is
  applied to the pixels first, and a colour profile is converted to sRGB before it is dropped,
  so the copy looks as the original did. JPEG stays JPEG (re-encoded at high quality); every
  other format becomes PNG (lossless).
- PDFs (pikepdf, over qpdf) lose the document information dictionary, every XMP ``/Metadata``
  stream (of the document, pages, images, fonts), ``/PieceInfo`` and the file ``/ID``; the
  file is rewritten whole, so earlier incremental revisions, which can hold the old metadata,
  are dropped with every object no longer referenced.

The original is never changed: these functions take bytes and return new bytes. mat2 was
considered and not used: it needs GObject introspection and Poppler's GI bindings from the
system, which a pip install cannot bring; what inquest needs from it is what is done here.
"""

from __future__ import annotations

import enum
import hashlib
import io
import warnings
from dataclasses import dataclass

import pikepdf
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from inquest.errors import InputError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PIXELS",
    "CleanCopy",
    "DecodedImage",
    "Kind",
    "encode_clean_image",
    "open_image",
    "sniff",
    "strip_copy",
    "strip_image",
    "strip_pdf",
]

#: Pixels an image may have before it is refused as a possible decompression bomb (Pillow's own
#: limit, which refuses larger ones whatever is asked).
DEFAULT_MAX_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485
#: Bytes of a PDF or image handled in memory here; larger ones are refused.
DEFAULT_MAX_BYTES = 1 << 30
_JPEG_QUALITY = 95


class Kind(enum.StrEnum):
    """What a copy is, judged from its bytes (never from its name)."""

    PDF = "pdf"
    IMAGE = "image"


@dataclass(frozen=True)
class CleanCopy:
    """A copy without metadata: its bytes, media type, file extension, SHA-256 (hex), and
    what was found in the input and not carried over."""

    data: bytes
    media_type: str
    extension: str
    sha256: str
    removed: tuple[str, ...]


def sniff(data: bytes, name: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Kind:
    """PDF or image, from the leading bytes; :class:`InputError` naming ``name`` otherwise
    (also for more than ``max_bytes`` bytes, or none)."""
    if not data:
        raise InputError("empty file", path=name)
    if len(data) > max_bytes:
        raise InputError(f"{len(data)} bytes, over the limit of {max_bytes}", path=name)
    if data[:1024].lstrip(b"\x00\t\n\r\x0c ").startswith(b"%PDF-"):
        return Kind.PDF
    if (
        data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM"))
        or data.startswith((b"II*\x00", b"MM\x00*"))
        or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
    ):
        return Kind.IMAGE
    raise InputError("neither a PDF nor a JPEG, PNG, GIF, BMP, TIFF or WebP image", path=name)


@dataclass(frozen=True)
class DecodedImage:
    """An image decoded upright, its format as read (``JPEG``, ``PNG``...) and the kinds of
    metadata found in it."""

    image: Image.Image
    format: str
    found: tuple[str, ...]


def open_image(data: bytes, name: str, max_pixels: int = DEFAULT_MAX_PIXELS) -> DecodedImage:
    """The image in ``data``, decoded, upright (EXIF orientation applied), one frame.

    Refused with :class:`InputError`: not an image, more than one frame (each would need its
    own review), more than ``max_pixels`` pixels (checked from the header, before decoding;
    Pillow's own limit, :data:`DEFAULT_MAX_PIXELS`, holds whatever is asked).
    """
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check warns past its limit: here that is a refusal
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise InputError(
            f"image refused as a possible decompression bomb: {exc}", path=name
        ) from exc
    except (UnidentifiedImageError, OSError) as exc:
        raise InputError(f"not a readable image: {exc}", path=name) from exc
    width, height = image.size
    if width * height > max_pixels:
        raise InputError(
            f"image of {width}x{height} pixels is over the limit of {max_pixels}", path=name
        )
    if getattr(image, "n_frames", 1) > 1:
        raise InputError("images of more than one frame are not handled", path=name)
    try:
        image.load()
        found = _found_in_image(image)
        upright = ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise InputError(f"image could not be decoded: {exc}", path=name) from exc
    return DecodedImage(upright if upright is not None else image, image.format or "", tuple(found))


def _found_in_image(image: Image.Image) -> list[str]:
    found = []
    if image.getexif():
        found.append("EXIF")
    for key in image.info:
        if key == "icc_profile":
            found.append("ICC profile")
        elif key in ("xmp", "XML:com.adobe.xmp"):
            found.append("XMP")
        elif key == "comment":
            found.append("comment")
        elif key not in ("dpi", "jfif", "jfif_version", "jfif_unit", "jfif_density", "exif"):
            found.append(f"{key}")
    return sorted(set(found))


def _to_srgb(image: Image.Image) -> Image.Image:
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        converted = ImageCms.profileToProfile(
            image,
            io.BytesIO(icc),
            ImageCms.createProfile("sRGB"),
            outputMode=image.mode,
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # an unreadable profile cannot be applied; it is dropped all the same
    return converted if converted is not None else image


def encode_clean_image(image: Image.Image, jpeg: bool) -> tuple[bytes, str, str]:
    """``image``'s pixels alone, encoded as JPEG (``jpeg``) or PNG: bytes, media type,
    extension. Nothing of the source's metadata is passed to the encoder."""
    image = _to_srgb(image)
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert(
            "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB"
        )
    if jpeg and image.mode in ("RGBA", "LA"):
        image = image.convert("RGB" if image.mode == "RGBA" else "L")
    # a fresh image holds only the pixels: no info, no EXIF, no palette comments
    bare = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    if jpeg:
        bare.save(out, format="JPEG", quality=_JPEG_QUALITY, optimize=True)
        return out.getvalue(), "image/jpeg", "jpg"
    bare.save(out, format="PNG", optimize=False)
    return out.getvalue(), "image/png", "png"


def strip_image(data: bytes, name: str, max_pixels: int = DEFAULT_MAX_PIXELS) -> CleanCopy:
    """A copy of the image in ``data`` re-encoded from its pixels, without metadata."""
    decoded = open_image(data, name, max_pixels)
    out, media_type, extension = encode_clean_image(decoded.image, decoded.format == "JPEG")
    return CleanCopy(out, media_type, extension, hashlib.sha256(out).hexdigest(), decoded.found)


def _open_pdf(data: bytes, name: str) -> pikepdf.Pdf:
    try:
        return pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as exc:
        raise InputError("the PDF is encrypted; decrypt it first", path=name) from exc
    except pikepdf.PdfError as exc:
        raise InputError(f"not a readable PDF: {exc}", path=name) from exc


_OBJECT_KEYS = ("/Metadata", "/PieceInfo")


def strip_pdf(data: bytes, name: str) -> CleanCopy:
    """A copy of the PDF in ``data`` without document information, XMP or file ID."""
    removed: set[str] = set()
    with _open_pdf(data, name) as pdf:
        trailer = pdf.trailer
        if "/Info" in trailer:
            del trailer["/Info"]
            removed.add("document information")
        if "/Info" in pdf.Root:  # misplaced by some writers, read by some readers
            del pdf.Root["/Info"]
            removed.add("document information")
        if "/ID" in trailer:
            del trailer["/ID"]
            removed.add("file ID")
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                for key in _OBJECT_KEYS:
                    if key in obj:
                        del obj[key]
                        removed.add("XMP" if key == "/Metadata" else "piece info")
        out = io.BytesIO()
        # deterministic_id: a new /ID computed from the content, not the original's
        pdf.save(out, deterministic_id=True, compress_streams=True)
    result = out.getvalue()
    return CleanCopy(
        result,
        "application/pdf",
        "pdf",
        hashlib.sha256(result).hexdigest(),
        tuple(sorted(removed)),
    )


def strip_copy(data: bytes, name: str, max_pixels: int = DEFAULT_MAX_PIXELS) -> CleanCopy:
    """A copy of ``data`` (a PDF or an image, told from its bytes) without metadata."""
    if sniff(data, name) is Kind.PDF:
        return strip_pdf(data, name)
    return strip_image(data, name, max_pixels)
