"""The enrolment QR code, drawn server-side as SVG (no script, no external service)."""

from __future__ import annotations

import qrcode
import qrcode.image.svg


def qr_svg(data: str) -> str:
    """An ``<svg>`` element encoding ``data`` (the otpauth URI) as a QR code."""
    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=10,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    svg = image.to_string(encoding="unicode")
    return str(svg)
