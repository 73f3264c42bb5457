"""Oversized and malformed query strings never crash a page (every parameterless URL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from ..personas import Personas

MEGABYTE = "ﻙ" * (1 << 19)  # 1 MiB of UTF-8 (two bytes each)
HOSTILE_QUERIES = {
    "q": MEGABYTE,
    "page": "9" * 5000,
    "source": "\x00' OR 1=1 --",
    "date_from": "1367-13-45",
    "date_to": "٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩",
    "prison": "../../etc/passwd",
    "format": "xlsx\r\nX-Injected: 1",
}


def _parameterless(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for entry in patterns:
        route = str(entry.pattern).removeprefix("^").removesuffix("$")
        if any(c in route for c in "<([\\?*+$^"):
            continue  # takes a parameter
        if isinstance(entry, URLResolver):
            yield from _parameterless(entry.url_patterns, prefix + route)
        else:
            yield "/" + prefix + route


URLS = sorted(set(_parameterless(get_resolver().url_patterns)))


def test_urls_are_found() -> None:
    assert {"/", "/sources/", "/login/", "/api/sources/"} <= set(URLS)


@pytest.mark.slow
@pytest.mark.parametrize("url", URLS)
def test_a_megabyte_query_string_does_not_crash(
    client: Client, personas: Personas, url: str
) -> None:
    client.force_login(personas.investigator)  # the role that reaches the most code
    response = client.get(url, HOSTILE_QUERIES)
    assert response.status_code < 500, (url, response.status_code)
    assert all("X-Injected" not in f"{k}{v}" for k, v in response.items())


MALFORMED = [
    ("list.csv", b'given_name,family_name\n"unclosed,\x00\x00\x00'),
    ("list.csv", b"\xff\xfe\xfa not utf-8"),
    ("list.xlsx", b"PK\x03\x04" + b"\x00" * 64),
    ("list.xlsx", b"given_name\nAli\n"),
    ("list.parquet", b"PAR1 truncated"),
    ("list.html", b"<script>alert(1)</script>"),
]


@pytest.mark.parametrize(
    ("name", "content"), MALFORMED, ids=[m[0] + str(i) for i, m in enumerate(MALFORMED)]
)
def test_malformed_upload_is_refused_with_a_message(
    client: Client, personas: Personas, name: str, content: bytes
) -> None:
    client.force_login(personas.researcher)
    response = client.post(
        "/import/",
        {
            "file": SimpleUploadedFile(name, content),
            "origin": "synthetic test",
            "level": "1",
        },
    )
    assert response.status_code == 400, response.status_code
    assert 'class="error' in response.content.decode() or "errorlist" in response.content.decode()


def test_oversized_form_body_is_refused(client: Client, db: None) -> None:
    response = client.post(
        "/display/", {"calendar": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    )
    assert response.status_code == 400
