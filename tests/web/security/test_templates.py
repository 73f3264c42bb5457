"""Every template of the workbench passes the strict CSP: no inline script, style or handler.

Templates are found on disk, so pages added later are checked too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import inquest.web

WEB = Path(inquest.web.__file__).resolve().parent
TEMPLATES = sorted(p for p in WEB.rglob("templates/**/*.html"))
TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?>", re.DOTALL)
HANDLER = re.compile(r"(?:^|\s)on[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTR = re.compile(r"(?:^|\s)style\s*=", re.IGNORECASE)
EXTERNAL = re.compile(r"(?:^|\s)(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", re.IGNORECASE)
JS_URL = re.compile(r"javascript:", re.IGNORECASE)


def problems(html: str) -> list[str]:
    """What in ``html`` a strict CSP would block or an offline deployment could not load."""
    found = []
    for match in TAG.finditer(html):
        name, attributes = match.group(1).lower(), match.group(2) or ""
        if name == "script" and not re.search(r"(?:^|\s)src\s*=", attributes):
            found.append(f"inline <script>: {match.group(0)[:80]}")
        if name == "style":
            found.append("<style> block")
        if HANDLER.search(attributes):
            found.append(f"event handler attribute: {match.group(0)[:80]}")
        if STYLE_ATTR.search(attributes):
            found.append(f"style attribute: {match.group(0)[:80]}")
        if name in {"script", "link", "img", "iframe"} and EXTERNAL.search(attributes):
            found.append(f"external resource: {match.group(0)[:80]}")
        if JS_URL.search(attributes):
            found.append(f"javascript: URL: {match.group(0)[:80]}")
    return found


def test_templates_are_found() -> None:
    names = {p.name for p in TEMPLATES}
    assert {"base.html", "login.html", "enrol.html"} <= names


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(WEB)))
def test_template_has_nothing_inline(path: Path) -> None:
    assert problems(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<button type="button" onclick="go()">x</button>',
        '<p style="color:red">x</p>',
        "<style>p{}</style>",
        '<script src="https://cdn.example.org/x.js"></script>',
        '<a href="javascript:go()">x</a>',
        '<img\n  src="x.png"\n  onerror="go()">',
    ],
)
def test_the_checker_catches_each_kind(html: str) -> None:
    assert problems(html)


def test_the_checker_allows_static_scripts_and_plain_markup() -> None:
    html = (
        "<script src=\"{% static 'inquest/js/review.js' %}\" defer></script>"
        '<p class="online" data-on="x">on=off</p>'
    )
    assert problems(html) == []
