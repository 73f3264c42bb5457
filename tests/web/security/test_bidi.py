"""Bidi controls in names cannot reorder what a page shows."""

from __future__ import annotations

import re

from django.test import Client

from inquest.web.access.levels import Level
from inquest.web.registry import services
from inquest.web.site.templatetags.inquest_display import isolated

from ..factories import make_source
from ..personas import Personas

# U+202E (right-to-left override) would show "gpj.exe" as "exe.jpg"; U+2066 opens an isolate
# that is never closed; U+202B an embedding; U+200F a mark.
HOSTILE_NAME = "Ali\u202egpj.exe\u2066 Nemuneh\u202b\u200f"
EXPLICIT = re.compile("[\u202a-\u202e\u2066-\u2069]")


def test_isolated_filter_strips_controls_escapes_and_isolates() -> None:
    assert isolated(HOSTILE_NAME) == "<bdi>Aligpj.exe Nemuneh</bdi>"
    assert isolated("<script>x</script>") == "<bdi>&lt;script&gt;x&lt;/script&gt;</bdi>"
    assert isolated(None) == "<bdi></bdi>"


def test_pages_showing_a_hostile_name_carry_no_explicit_controls(
    client: Client, personas: Personas
) -> None:
    source = make_source(personas.investigator, "BIDI", level=Level.INTERNAL)
    (record,) = services.add_records(
        personas.investigator,
        source,
        [services.RowIn(row_number=1, raw={"given_name": HOSTILE_NAME, "family_name": "نمونه"})],
    )
    client.force_login(personas.investigator)
    for url in ("/sources/BIDI/", f"/records/{record.uid}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "gpj.exe" in page, url
        assert EXPLICIT.search(page) is None, url
