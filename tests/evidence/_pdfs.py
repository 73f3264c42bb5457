"""Synthetic PDFs and images for the evidence tests, and a search of a PDF's decoded bytes."""

from __future__ import annotations

import io

import pikepdf
import pymupdf
from PIL import Image

#: A synthetic name: no real person.
NAME = "Shirin Qasemiyan-Testi"


def pdf_with_name(pages: int = 2, name: str = NAME) -> bytes:
    """A PDF whose first page says ``name`` at about (72, 100)-(250, 115) and has a grey
    image at (300, 300)-(400, 400)."""
    doc = pymupdf.open()
    for index in range(pages):
        page = doc.new_page(width=595, height=842)
        page.insert_text((72, 72), f"Statement, page {index + 1}", fontsize=12)
        if index == 0:
            page.insert_text((72, 110), name, fontsize=12)
            page.insert_text((72, 200), "Place: a synthetic village", fontsize=12)
            picture = Image.new("RGB", (50, 50), (200, 200, 200))
            buf = io.BytesIO()
            picture.save(buf, format="PNG")
            page.insert_image(pymupdf.Rect(300, 300, 400, 400), stream=buf.getvalue())
    data: bytes = doc.tobytes()
    doc.close()
    return data


def decoded_text(pdf: bytes) -> bytes:
    """Every stream of ``pdf`` decoded, joined, plus the raw file: where a name could hide."""
    parts = [pdf]
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for obj in doc.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    parts.append(obj.read_bytes())
                except pikepdf.PdfError:
                    parts.append(obj.read_raw_bytes())
    return b"\n".join(parts)


def holds(pdf: bytes, text: str) -> bool:
    """Whether ``text`` is in the PDF as plain bytes, as a hex string, or as PyMuPDF's text."""
    blob = decoded_text(pdf)
    raw = text.encode("latin-1")
    if raw in blob or raw.hex().encode() in blob.lower():
        return True
    # a few words of it, in case the writer split the string into pieces
    if any(word.encode() in blob for word in text.split() if len(word) > 5):
        return True
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        return any(text in page.get_text() for page in doc)
