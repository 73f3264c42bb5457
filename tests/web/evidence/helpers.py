"""Synthetic originals and acquisitions for the evidence tests."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image, ImageDraw

from inquest.evidence.intake import Acquisition
from inquest.evidence.vocabulary import AcquisitionMethod, ConsentStatus


def acquisition(**overrides: object) -> Acquisition:
    """A synthetic acquisition: from a (fictional) family, consent given."""
    values: dict[str, object] = {
        "acquired_by": "synthetic investigator",
        "acquired_at": dt.datetime(2026, 11, 1, 10, 0, tzinfo=dt.UTC),
        "method": AcquisitionMethod.FROM_FAMILY,
        "consent": ConsentStatus.GIVEN,
        "description": "a synthetic photograph",
    }
    values.update(overrides)
    return Acquisition(**values)  # type: ignore[arg-type]


def picture(seed: int = 0, *, fmt: str = "PNG", quality: int = 90, text: str = "") -> bytes:
    """A synthetic picture (shapes, no person), encoded as ``fmt``; ``text`` goes into its
    EXIF image description."""
    image = Image.new("RGB", (256, 192), (240, 240, 230))
    draw = ImageDraw.Draw(image)
    for i in range(6):
        x = (seed * 37 + i * 41) % 200
        y = (seed * 53 + i * 29) % 140
        draw.rectangle((x, y, x + 40 + i * 5, y + 30), fill=(20 * i, 90, 200 - 20 * i))
    draw.ellipse((100 + seed % 50, 60, 180, 150), fill=(10, 10, 10))
    out = io.BytesIO()
    options: dict[str, object] = {"quality": quality} if fmt == "JPEG" else {}
    if text:
        exif = Image.Exif()
        exif[0x010E] = text  # ImageDescription
        options["exif"] = exif
    image.save(out, fmt, **options)
    return out.getvalue()
