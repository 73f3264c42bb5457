"""Security headers and the strict Content-Security-Policy on pages, the API and sign-in."""

from __future__ import annotations

import pytest
from django.test import Client

from ..personas import Personas

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
}


def _policy(header: str) -> dict[str, str]:
    parts = [p.strip().split(" ", 1) for p in header.split(";") if p.strip()]
    return {p[0]: p[1] if len(p) > 1 else "" for p in parts}


@pytest.mark.parametrize("url", ["/", "/login/", "/sources/", "/api/sources/", "/nowhere/"])
def test_every_response_carries_the_headers(client: Client, db: None, url: str) -> None:
    response = client.get(url)
    policy = _policy(response["Content-Security-Policy"])
    for directive, value in CSP.items():
        assert policy.get(directive) == value, (url, directive, policy.get(directive))
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_signed_in_pages_are_not_cached(client: Client, personas: Personas) -> None:
    assert "no-store" not in client.get("/").get("Cache-Control", "")
    client.force_login(personas.investigator)
    for url in ("/", "/sources/", "/api/sources/"):
        assert "no-store" in client.get(url)["Cache-Control"], url
