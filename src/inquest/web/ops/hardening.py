"""Response hardening the framework does not do itself.

``SecurityHeadersMiddleware`` adds Permissions-Policy and Cross-Origin-Resource-Policy to
every response, and ``Cache-Control: no-store`` to responses for signed-in users (pages with
confidential data must not stay in browser or proxy caches). ``BidiControlsMiddleware`` removes
explicit bidi embedding, override and isolate characters from every HTML page, so text from
a list cannot reorder what is displayed around it, whatever template shows it (pages isolate
names with ``dir="auto"`` / ``<bdi>`` instead).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from inquest.text.scripts import BIDI_EXPLICIT_CLASS

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "interest-cohort",
    )
)

#: The engine's explicit bidi controls (``inquest.text.scripts.BIDI_EXPLICIT``).
BIDI_EXPLICIT = re.compile(BIDI_EXPLICIT_CLASS)


class SecurityHeadersMiddleware:
    """Permissions-Policy, Cross-Origin-Resource-Policy; no-store for signed-in users."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            add_never_cache_headers(response)
        return response


class BidiControlsMiddleware:
    """Drop explicit bidi controls from HTML responses (not from JSON, files or streams)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
            return response
        charset = response.charset or "utf-8"
        text = response.content.decode(charset, errors="replace")
        cleaned = BIDI_EXPLICIT.sub("", text)
        if cleaned != text:
            response.content = cleaned.encode(charset)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
