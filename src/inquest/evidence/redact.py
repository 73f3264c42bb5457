"""Redacted copies of PDFs and images: the content is removed, not covered.

A black box drawn over selectable text leaves the text in the file, where a copy-and-paste
finds it. Here:

- PDF regions (PyMuPDF, AGPL-3.0): each region becomes a redaction annotation, then applied:
  the text under it is removed from the content stream, the pixels of images under it are
  blanked in the image data, and vector graphics touching it are removed; annotations and
  links over it are deleted. A whole page is replaced by a blank page of the same size that
  says it was withheld and why (page numbers of pinpoints still hold). The document's
  thumbnails, JavaScript, attached and embedded files are removed; the file is rewritten whole
  (no incremental update keeps the old content) and its metadata stripped
  (:mod:`inquest.evidence.strip`). Then the copy is read again and every redacted region
  must hold no text, or no copy is made.
- image regions (Pillow): the pixels are filled, and the image re-encoded from its pixels
  alone, without metadata.

Limits: text drawn as vector paths or inside an image outside the region is not seen (a scan
holds its words as pixels: redact their regions); invisible OCR text outside the regions is
kept, as it repeats what a reviewer sees on the page; a redaction removes what lies in its
region only, so a name elsewhere on the page (or in a bookmark) must be redacted too.
Regions are in PDF points (1/72 inch) with the origin at the top left of the page before its
``/Rotate`` is applied (the space of PyMuPDF's text extraction; a viewer's coordinates on a
rotated page map to it by the page's derotation matrix), or in pixels of the upright image.
"""

from __future__ import annotations

import enum
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pymupdf
from PIL import ImageDraw

from inquest.errors import InputError, InquestError
from inquest.evidence.strip import (
    DEFAULT_MAX_PIXELS,
    Kind,
    encode_clean_image,
    open_image,
    sniff,
    strip_pdf,
)

__all__ = [
    "DEFAULT_MAX_PAGES",
    "RedactedCopy",
    "Redaction",
    "RedactionError",
    "RedactionReason",
    "Region",
    "parse_pages",
    "parse_region",
    "redact",
    "redact_image",
    "redact_pdf",
]

#: Pages a PDF may have to be redacted here.
DEFAULT_MAX_PAGES = 2000


class RedactionError(InquestError):
    """A redaction could not be made, or did not remove what it should: no copy is made."""


class RedactionReason(enum.StrEnum):
    """Why content was withheld; kept with the redaction as data."""

    WITNESS_PROTECTION = "witness_protection"
    VICTIM_PRIVACY = "victim_privacy"
    THIRD_PARTY_PRIVACY = "third_party_privacy"
    SOURCE_PROTECTION = "source_protection"
    MEDICAL = "medical"
    CHILD = "child"
    ONGOING_INVESTIGATION = "ongoing_investigation"
    LEGAL_PRIVILEGE = "legal_privilege"
    IRRELEVANT = "irrelevant"
    OTHER = "other"


@dataclass(frozen=True)
class Region:
    """A rectangle: PDF points or image pixels, origin top left, ``x0 < x1``, ``y0 < y1``."""

    x0: float
    y0: float
    x1: float
    y1: float

    def __post_init__(self) -> None:
        if not (0 <= self.x0 < self.x1 and 0 <= self.y0 < self.y1):
            raise RedactionError(f"not a region: {self}")


@dataclass(frozen=True)
class Redaction:
    """One redaction: a page (``None`` for an image), a region (``None``: the whole page or
    image), the reason, who made it and a note."""

    page: int | None
    region: Region | None
    reason: RedactionReason
    actor: str
    note: str = ""


@dataclass(frozen=True)
class RedactedCopy:
    """A redacted copy: its bytes, media type, extension, SHA-256 (hex), the SHA-256 of the
    source it was made from, the redactions applied and the metadata removed."""

    data: bytes
    media_type: str
    extension: str
    sha256: str
    source_sha256: str
    redactions: tuple[Redaction, ...]
    metadata_removed: tuple[str, ...]


def _open_pdf(data: bytes, name: str, max_pages: int) -> pymupdf.Document:
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except (pymupdf.FileDataError, pymupdf.EmptyFileError, RuntimeError, ValueError) as exc:
        raise InputError(f"not a readable PDF: {exc}", path=name) from exc
    if doc.needs_pass or doc.is_encrypted:
        doc.close()
        raise InputError("the PDF is encrypted; decrypt it first", path=name)
    if doc.page_count > max_pages:
        count = doc.page_count
        doc.close()
        raise InputError(f"{count} pages, over the limit of {max_pages}", path=name)
    return doc


def _check_pages(redactions: Sequence[Redaction], pages: int, name: str) -> None:
    for r in redactions:
        if r.page is None or not 0 <= r.page < pages:
            raise InputError(
                f"redaction of page {r.page}: the PDF has pages 0 to {pages - 1}", path=name
            )


def _withheld_text(redaction: Redaction) -> str:
    return f"Page withheld ({redaction.reason.value})"


def redact_pdf(
    data: bytes,
    name: str,
    redactions: Sequence[Redaction],
    *,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> RedactedCopy:
    """A redacted, metadata-free copy of the PDF ``data`` (pages counted from 0)."""
    if sniff(data, name) is not Kind.PDF:
        raise InputError("not a PDF", path=name)
    doc = _open_pdf(data, name, max_pages)
    try:
        _check_pages(redactions, doc.page_count, name)
        whole = {r.page for r in redactions if r.region is None}
        by_page: dict[int, list[pymupdf.Rect]] = {}
        for r in redactions:
            if r.region is not None and r.page is not None and r.page not in whole:
                by_page.setdefault(r.page, []).append(
                    pymupdf.Rect(r.region.x0, r.region.y0, r.region.x1, r.region.y1)
                )
        for index, rects in by_page.items():
            _redact_regions(doc[index], index, rects, name)
        withheld: dict[int, Redaction] = {}
        for r in redactions:
            if r.region is None and r.page is not None:
                withheld.setdefault(r.page, r)
        for index in sorted(withheld, reverse=True):
            size = doc[index].rect
            doc.delete_page(index)
            blank = doc.new_page(pno=index, width=size.width, height=size.height)
            blank.insert_text((36, 48), _withheld_text(withheld[index]), fontsize=14)
        doc.scrub(
            attached_files=True,
            clean_pages=True,
            embedded_files=True,
            hidden_text=False,
            javascript=True,
            metadata=True,
            redactions=True,
            redact_images=0,
            remove_links=False,
            reset_fields=False,
            reset_responses=True,
            thumbnails=True,
            xml_metadata=True,
        )
        out = doc.tobytes(garbage=4, deflate=True, clean=True)
    finally:
        doc.close()
    _check_removed(out, by_page, name)
    clean = strip_pdf(out, name)
    return RedactedCopy(
        clean.data,
        clean.media_type,
        clean.extension,
        clean.sha256,
        hashlib.sha256(data).hexdigest(),
        tuple(redactions),
        clean.removed,
    )


def _redact_regions(page: pymupdf.Page, index: int, rects: list[pymupdf.Rect], name: str) -> None:
    """Remove the text, image pixels, graphics, annotations, fields and links under
    ``rects`` from ``page`` (number ``index``)."""
    bounds = page.rect * page.derotation_matrix  # regions are unrotated
    for rect in rects:
        if not bounds.intersects(rect):
            raise InputError(f"region {rect} lies outside page {index}", path=name)
        for annot in list(page.annots() or []):
            if annot.rect.intersects(rect):
                page.delete_annot(annot)
        for widget in list(page.widgets() or []):
            if widget.rect.intersects(rect):
                page.delete_widget(widget)
        for link in page.get_links():
            if pymupdf.Rect(link["from"]).intersects(rect):
                page.delete_link(link)
        page.add_redact_annot(rect, fill=(0, 0, 0), cross_out=False)
    page.apply_redactions(
        images=pymupdf.PDF_REDACT_IMAGE_PIXELS,
        graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_TOUCHED,
        text=pymupdf.PDF_REDACT_TEXT_REMOVE,
    )


def _check_removed(out: bytes, by_page: dict[int, list[pymupdf.Rect]], name: str) -> None:
    with pymupdf.open(stream=out, filetype="pdf") as doc:
        for index, rects in by_page.items():
            page = doc[index]
            for rect in rects:
                left = page.get_text("text", clip=rect).strip()
                if left:
                    raise RedactionError(
                        f"{name}: text is still readable in a redacted region of page {index}"
                    )


def redact_image(
    data: bytes,
    name: str,
    redactions: Sequence[Redaction],
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> RedactedCopy:
    """A redacted, metadata-free copy of the image ``data``: regions filled in the pixels."""
    if sniff(data, name) is not Kind.IMAGE:
        raise InputError("not an image", path=name)
    for r in redactions:
        if r.page not in (None, 0):
            raise InputError(f"an image has no page {r.page}", path=name)
    decoded = open_image(data, name, max_pixels)
    image, jpeg = decoded.image, decoded.format == "JPEG"
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    draw = ImageDraw.Draw(image)
    width, height = image.size
    for r in redactions:
        if r.region is None:
            box = (0, 0, width - 1, height - 1)
        else:
            if r.region.x0 >= width or r.region.y0 >= height:
                raise InputError(f"region {r.region} lies outside the image", path=name)
            # whole pixels: every pixel the region touches is filled
            box = (
                math.floor(r.region.x0),
                math.floor(r.region.y0),
                min(width, math.ceil(r.region.x1)) - 1,
                min(height, math.ceil(r.region.y1)) - 1,
            )
        draw.rectangle(box, fill=0)
    out, media_type, extension = encode_clean_image(image, jpeg)
    return RedactedCopy(
        out,
        media_type,
        extension,
        hashlib.sha256(out).hexdigest(),
        hashlib.sha256(data).hexdigest(),
        tuple(redactions),
        decoded.found,
    )


def redact(
    data: bytes,
    name: str,
    redactions: Sequence[Redaction],
    *,
    max_pages: int = DEFAULT_MAX_PAGES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> RedactedCopy:
    """A redacted copy of a PDF or an image, told apart by its bytes."""
    if not redactions:
        raise InputError("no redaction asked for", path=name)
    if sniff(data, name) is Kind.PDF:
        return redact_pdf(data, name, redactions, max_pages=max_pages)
    return redact_image(data, name, redactions, max_pixels=max_pixels)


def parse_pages(text: str, *, field: str = "pages") -> tuple[int, ...]:
    """Page numbers as a user writes them, from 1 (``"1, 3-5"``), as the engine's indexes
    from 0, sorted and once each; :class:`InputError` naming ``field`` otherwise."""
    pages: set[int] = set()
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        first, _, last = part.partition("-")
        try:
            low, high = int(first), int(last or first)
        except ValueError:
            raise InputError(f"not a page or a range of pages: {part!r}", field=field) from None
        if low < 1 or high < low or high - low > DEFAULT_MAX_PAGES:
            raise InputError(f"pages count from 1, a range low-high: {part!r}", field=field)
        pages.update(range(low - 1, high))
    return tuple(sorted(pages))


def parse_region(text: str, *, field: str = "region") -> tuple[int | None, Region]:
    """A region as a user writes it, ``PAGE:x0,y0,x1,y1`` (page from 1; PDF points from the
    top left) or ``x0,y0,x1,y1`` (an image, in pixels): the engine's page index (from 0, or
    None) and the region; :class:`InputError` naming ``field`` otherwise."""
    head, sep, tail = text.strip().partition(":")
    page: int | None = None
    if sep:
        try:
            page = int(head) - 1
        except ValueError:
            raise InputError(f"not a page number before ':' in {text!r}", field=field) from None
        if page < 0:
            raise InputError(f"pages count from 1: {text!r}", field=field)
    else:
        tail = head
    try:
        x0, y0, x1, y1 = (float(v) for v in tail.split(","))
    except ValueError:
        raise InputError(f"a region is x0,y0,x1,y1: {text!r}", field=field) from None
    try:
        return page, Region(x0, y0, x1, y1)
    except RedactionError:
        raise InputError(
            f"a region needs 0 <= x0 < x1 and 0 <= y0 < y1: {text!r}", field=field
        ) from None
