"""A source's page lists its records as a table: a column per column of the list, headed by
its name (translated for the standard columns), a value per cell, never values run together."""

from __future__ import annotations

import html

from django.test import Client

from inquest.web.access.levels import Level
from inquest.web.registry import services

from ..factories import make_source
from ..personas import Personas


def _table(client: Client, lang: str) -> str:
    response = client.get("/sources/PUB/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    return page[page.index('<table class="list source-records">') :]


def test_records_are_a_table_with_column_names(client: Client, personas: Personas) -> None:
    source = make_source(personas.investigator, "PUB", level=Level.PUBLIC)
    rows = [
        services.RowIn(1, {"record_id": "P-1", "given_name": "علی", "family_name": "نمونه"}),
        services.RowIn(2, {"record_id": "P-2", "given_name": "Ali", "Notes": "a note"}),
    ]
    services.add_records(personas.investigator, source, rows)
    table = _table(client, "en")
    head = table[: table.index("</thead>")]
    assert head.index("Given name") < head.index("Family name") < head.index("<bdi>Notes</bdi>")
    assert "record_id" not in head  # shown as the identifier
    assert '<td class="original" dir="auto">علی</td>' in table
    assert '<td class="original" dir="auto">a note</td>' in table
    assert " · " not in table[: table.index("</table>")]
    persian = _table(client, "fa")
    assert "Given name" not in persian and '<th scope="col">نام</th>' in persian


def test_text_of_a_source_takes_its_own_direction(client: Client, personas: Personas) -> None:
    """English text in a Persian page: its full stop stays at its end (dir="auto")."""
    make_source(
        personas.investigator,
        "PUB",
        level=Level.PUBLIC,
        description="A list made up for the tests.",
    )
    page = client.get("/sources/PUB/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert '<dd dir="auto">A list made up for the tests.</dd>' in page
    assert '<dd dir="auto">synthetic test fixture</dd>' in page  # the origin
    assert "<h1><bdi>PUB</bdi>: <bdi>Synthetic list PUB</bdi></h1>" in page
