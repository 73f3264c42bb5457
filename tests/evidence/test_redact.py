"""Redacted copies remove the content: no trace of the name in text, streams or bytes."""

from __future__ import annotations

import hashlib
import io

import pymupdf
import pytest
from PIL import Image

from inquest.errors import InputError
from inquest.evidence.redact import (
    Redaction,
    RedactionError,
    RedactionReason,
    Region,
    redact,
)

from ._pdfs import NAME, holds, pdf_with_name

NAME_BOX = Region(70, 95, 200, 116)
IMAGE_BOX = Region(290, 290, 410, 410)


def _r(page: int | None, region: Region | None) -> Redaction:
    return Redaction(page, region, RedactionReason.WITNESS_PROTECTION, actor="analyst-1")


def test_the_checker_sees_the_name_in_the_source_and_under_a_black_box() -> None:
    source = pdf_with_name()
    assert holds(source, NAME)
    # a black rectangle drawn over the text is what redaction must not be
    doc = pymupdf.open(stream=source, filetype="pdf")
    doc[0].draw_rect(pymupdf.Rect(70, 95, 200, 116), color=(0, 0, 0), fill=(0, 0, 0))
    covered = doc.tobytes(garbage=4, deflate=True)
    assert holds(covered, NAME)


def test_region_redaction_removes_the_name() -> None:
    source = pdf_with_name()
    copy = redact(source, "statement.pdf", [_r(0, NAME_BOX)])
    assert copy.media_type == "application/pdf"
    assert copy.sha256 == hashlib.sha256(copy.data).hexdigest()
    assert copy.source_sha256 == hashlib.sha256(source).hexdigest()
    assert copy.redactions == (_r(0, NAME_BOX),)
    assert not holds(copy.data, NAME)
    for word in NAME.split():
        assert word.encode() not in copy.data
    with pymupdf.open(stream=copy.data, filetype="pdf") as doc:
        page = doc[0]
        assert page.get_text("text", clip=pymupdf.Rect(70, 95, 200, 116)).strip() == ""
        # the rest of the page is kept
        assert "synthetic village" in page.get_text()
        assert doc.page_count == 2


def test_image_under_a_region_is_blanked_in_its_pixels() -> None:
    source = pdf_with_name()
    with pymupdf.open(stream=source, filetype="pdf") as doc:
        assert len(doc[0].get_images()) == 1
    # an image wholly inside the region is removed
    whole = redact(source, "s.pdf", [_r(0, IMAGE_BOX)])
    with pymupdf.open(stream=whole.data, filetype="pdf") as doc:
        assert doc[0].get_images() == []
    # one partly inside keeps its other pixels, and loses those under the region
    part = redact(source, "s.pdf", [_r(0, Region(350, 350, 410, 410))])
    with pymupdf.open(stream=part.data, filetype="pdf") as doc:
        ((xref, *_),) = doc[0].get_images()
        pix = pymupdf.Pixmap(doc, xref)
        row = pix.width * pix.n
        assert set(pix.samples[:row]) == {200}  # top row, outside the region
        bottom = pix.samples[-row:]
        assert set(bottom[: pix.n]) == {200}  # bottom left, outside it
        assert 200 not in set(bottom[-pix.n * 10 :])  # bottom right, under it
    # and the name, outside the regions, is still there
    assert holds(part.data, NAME)


def test_whole_page_withheld_keeps_the_page_count() -> None:
    source = pdf_with_name(pages=3)
    copy = redact(source, "s.pdf", [_r(0, None)])
    assert not holds(copy.data, NAME)
    with pymupdf.open(stream=copy.data, filetype="pdf") as doc:
        assert doc.page_count == 3
        assert "withheld" in doc[0].get_text()
        assert "witness_protection" in doc[0].get_text()
        assert "page 2" in doc[1].get_text()


def test_metadata_of_the_source_is_gone() -> None:
    doc = pymupdf.open(stream=pdf_with_name(), filetype="pdf")
    doc.set_metadata({"author": "CANARY-author-7731"})
    doc.set_xml_metadata("<x:xmpmeta>CANARY-xmp-7731</x:xmpmeta>")
    source = doc.tobytes()
    assert b"CANARY-author-7731" in source
    copy = redact(source, "s.pdf", [_r(0, NAME_BOX)])
    assert not holds(copy.data, "CANARY-author-7731")
    assert not holds(copy.data, "CANARY-xmp-7731")


def test_too_many_pages_refused() -> None:
    with pytest.raises(InputError, match="over the limit of 5") as info:
        redact(pdf_with_name(pages=6), "big.pdf", [_r(0, NAME_BOX)], max_pages=5)
    assert info.value.path == "big.pdf"


def test_non_pdf_refused_clearly() -> None:
    with pytest.raises(InputError, match="neither a PDF nor") as info:
        redact(b"PK\x03\x04 a zip, not a pdf", "claims.pdf", [_r(0, NAME_BOX)])
    assert info.value.path == "claims.pdf"
    with pytest.raises(InputError, match="not a readable PDF"):
        redact(b"%PDF-1.7\n garbage", "broken.pdf", [_r(0, NAME_BOX)])


def test_page_out_of_range_refused() -> None:
    with pytest.raises(InputError, match="page 7"):
        redact(pdf_with_name(), "s.pdf", [_r(7, NAME_BOX)])


def test_bad_regions_refused() -> None:
    with pytest.raises(RedactionError):
        Region(10, 10, 5, 20)
    with pytest.raises(InputError, match="outside"):
        redact(pdf_with_name(), "s.pdf", [_r(0, Region(1000, 1000, 1100, 1100))])


def test_image_region_is_filled_and_metadata_dropped() -> None:
    picture = Image.new("RGB", (64, 48), (250, 250, 250))
    exif = Image.Exif()
    exif[0x010E] = "CANARY-exif-5510"  # ImageDescription
    buf = io.BytesIO()
    picture.save(buf, format="PNG", exif=exif)
    source = buf.getvalue()
    assert b"CANARY-exif-5510" in source
    copy = redact(source, "photo.png", [_r(None, Region(10, 10, 20.5, 20))])
    assert b"CANARY-exif-5510" not in copy.data
    out = Image.open(io.BytesIO(copy.data))
    assert out.getpixel((10, 10)) == (0, 0, 0)
    assert out.getpixel((20, 19)) == (0, 0, 0)  # the partly covered pixel column too
    assert out.getpixel((21, 10)) == (250, 250, 250)
    assert out.getpixel((10, 20)) == (250, 250, 250)


def test_image_bomb_refused() -> None:
    buf = io.BytesIO()
    Image.new("L", (400, 400)).save(buf, format="PNG")
    with pytest.raises(InputError, match="over the limit"):
        redact(buf.getvalue(), "big.png", [_r(None, Region(0, 0, 1, 1))], max_pixels=1000)


def test_no_redaction_refused() -> None:
    with pytest.raises(InputError, match="no redaction"):
        redact(pdf_with_name(), "s.pdf", [])


def test_rotated_page_regions_are_unrotated_coordinates() -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((72, 110), NAME)
    page.insert_text((500, 800), "corner note")
    page.set_rotation(90)
    source = doc.tobytes()
    copy = redact(source, "r.pdf", [_r(0, NAME_BOX), _r(0, Region(495, 785, 590, 805))])
    assert not holds(copy.data, NAME)
    assert not holds(copy.data, "corner note")


def test_image_regions_are_in_upright_pixels() -> None:
    picture = Image.new("RGB", (40, 30), (250, 250, 250))
    exif = Image.Exif()
    exif[0x0112] = 6  # shown rotated: 30 wide, 40 high
    buf = io.BytesIO()
    picture.save(buf, format="JPEG", exif=exif, quality=95)
    copy = redact(buf.getvalue(), "photo.jpg", [_r(None, Region(0, 30, 30, 40))])
    out = Image.open(io.BytesIO(copy.data))
    assert copy.media_type == "image/jpeg"
    assert out.size == (30, 40)
    assert max(out.getpixel((15, 35))) < 20  # JPEG: near black
    assert min(out.getpixel((15, 10))) > 230
    assert "EXIF" in copy.metadata_removed


def test_annotations_and_form_fields_over_a_region_are_removed() -> None:
    doc = pymupdf.open(stream=pdf_with_name(), filetype="pdf")
    page = doc[0]
    page.add_freetext_annot(pymupdf.Rect(72, 400, 300, 420), "Note on Farhad Mock-Witness")
    widget = pymupdf.Widget()
    widget.field_type = pymupdf.PDF_WIDGET_TYPE_TEXT
    widget.field_name = "witness"
    widget.field_value = "Golnar Placeholder-Name"
    widget.rect = pymupdf.Rect(72, 450, 300, 470)
    page.add_widget(widget)
    source = doc.tobytes()
    assert holds(source, "Farhad Mock-Witness")
    assert holds(source, "Golnar Placeholder-Name")
    copy = redact(
        source, "s.pdf", [_r(0, Region(70, 395, 310, 425)), _r(0, Region(70, 445, 310, 475))]
    )
    assert not holds(copy.data, "Farhad Mock-Witness")
    assert not holds(copy.data, "Golnar Placeholder-Name")
    assert holds(copy.data, NAME)  # outside the regions
