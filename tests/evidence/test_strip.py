"""Metadata stripped from copies: planted canaries are gone from the output bytes."""

from __future__ import annotations

import io

import pikepdf
import pytest
from PIL import Image, PngImagePlugin

from inquest.errors import InputError
from inquest.evidence.strip import Kind, sniff, strip_copy

from ._pdfs import decoded_text, pdf_with_name

CANARY = "CANARY-strip-4417"


def _jpeg_with_everything() -> bytes:
    picture = Image.new("RGB", (40, 30), (10, 120, 200))
    exif = Image.Exif()
    exif[0x013B] = CANARY + "-artist"  # Artist
    exif[0x0112] = 6  # Orientation: rotated 90 degrees
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/">{CANARY}-xmp</x:xmpmeta>'.encode()
    buf = io.BytesIO()
    picture.save(
        buf,
        format="JPEG",
        exif=exif,
        xmp=xmp,
        icc_profile=(CANARY + "-icc").encode(),
        comment=CANARY + "-comment",
    )
    return buf.getvalue()


def test_jpeg_canaries_gone_orientation_kept() -> None:
    source = _jpeg_with_everything()
    for part in ("artist", "xmp", "icc", "comment"):
        assert f"{CANARY}-{part}".encode() in source
    copy = strip_copy(source, "photo.jpg")
    assert CANARY.encode() not in copy.data
    assert copy.media_type == "image/jpeg"
    assert {"EXIF", "XMP", "ICC profile", "comment"} <= set(copy.removed)
    out = Image.open(io.BytesIO(copy.data))
    assert out.size == (30, 40)  # the rotation is in the pixels now
    assert not out.getexif()
    assert "icc_profile" not in out.info


def test_png_text_chunks_gone() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", CANARY + "-text")
    info.add_itxt("Comment", CANARY + "-itxt")
    buf = io.BytesIO()
    Image.new("RGBA", (8, 8), (1, 2, 3, 128)).save(buf, format="PNG", pnginfo=info)
    source = buf.getvalue()
    assert CANARY.encode() in source
    copy = strip_copy(source, "scan.png")
    assert CANARY.encode() not in copy.data
    assert copy.media_type == "image/png"
    assert Image.open(io.BytesIO(copy.data)).getpixel((0, 0)) == (1, 2, 3, 128)


def _pdf_with_metadata() -> bytes:
    with pikepdf.open(io.BytesIO(pdf_with_name())) as pdf:
        pdf.trailer.Info = pdf.make_indirect(
            pikepdf.Dictionary(Author=CANARY + "-info", Producer=CANARY + "-producer")
        )
        xmp = f'<?xpacket begin=""?><x:xmpmeta xmlns:x="adobe:ns:meta/">{CANARY}-xmp</x:xmpmeta>'
        stream = pikepdf.Stream(pdf, xmp.encode())
        stream["/Type"] = pikepdf.Name.Metadata
        stream["/Subtype"] = pikepdf.Name.XML
        pdf.Root.Metadata = stream
        pdf.pages[0].obj["/Metadata"] = pikepdf.Stream(pdf, (CANARY + "-page-xmp").encode())
        out = io.BytesIO()
        pdf.save(out, compress_streams=False, fix_metadata_version=False)
    return out.getvalue()


def test_pdf_info_and_xmp_gone() -> None:
    source = _pdf_with_metadata()
    for part in ("info", "producer", "xmp", "page-xmp"):
        assert f"{CANARY}-{part}".encode() in source
    copy = strip_copy(source, "statement.pdf")
    assert CANARY.encode() not in copy.data
    assert CANARY.encode() not in decoded_text(copy.data)
    assert {"document information", "XMP"} <= set(copy.removed)
    with pikepdf.open(io.BytesIO(copy.data)) as pdf:
        assert "/Info" not in pdf.trailer
        assert "/Metadata" not in pdf.Root
        assert len(pdf.pages) == 2


def test_sniff_by_bytes_not_name() -> None:
    assert sniff(pdf_with_name(), "photo.jpg") is Kind.PDF
    assert sniff(_jpeg_with_everything(), "x.pdf") is Kind.IMAGE
    with pytest.raises(InputError, match="neither") as info:
        strip_copy(b"plain text", "notes.pdf")
    assert info.value.path == "notes.pdf"


def test_encrypted_pdf_refused() -> None:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf_with_name())) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(owner="o", user="u"))
    with pytest.raises(InputError, match="encrypted"):
        strip_copy(out.getvalue(), "locked.pdf")


def test_truncated_image_refused() -> None:
    data = _jpeg_with_everything()
    with pytest.raises(InputError, match=r"photo\.jpg"):
        strip_copy(data[: len(data) // 3], "photo.jpg")


def test_empty_and_oversized_input_refused() -> None:
    with pytest.raises(InputError, match="empty") as info:
        strip_copy(b"", "zero.pdf")
    assert info.value.path == "zero.pdf"
    with pytest.raises(InputError, match="over the limit"):
        sniff(pdf_with_name(), "big.pdf", max_bytes=100)
