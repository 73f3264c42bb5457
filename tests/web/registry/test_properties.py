"""The statement property and column mapping files: packaged ones load; errors name the key."""

from __future__ import annotations

from typing import Any

import pytest

from inquest.errors import ConfigError
from inquest.io import standard_schema
from inquest.web.registry.properties import (
    column_properties,
    parse_columns,
    parse_properties,
    statement_properties,
)


def test_packaged_files_load_and_cover_every_standard_column() -> None:
    assert statement_properties()["father_name"].kind == "name"
    mapped = set(column_properties())
    assert mapped == set(standard_schema().names) - {"record_id"}


@pytest.mark.parametrize(
    ("doc", "key"),
    [
        ({"properties": {"x": {"kind": "colour", "description": "d"}}}, "properties.x"),
        ({"properties": {"x": {"kind": "text"}}}, "properties.x"),
        ({"properties": {"not ok": {"kind": "text", "description": "d"}}}, "properties.not ok"),
        ({}, "properties"),
    ],
)
def test_bad_properties_name_the_key(doc: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_properties(doc, path="p.yaml")
    assert caught.value.key == key


@pytest.mark.parametrize(
    ("doc", "key"),
    [
        ({"columns": {"shoe_size": "note"}}, "columns.shoe_size"),
        ({"columns": {"notes": "gossip"}}, "columns.notes"),
        ({"columns": []}, "columns"),
    ],
)
def test_bad_columns_name_the_key(doc: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_columns(
            doc, path="c.yaml", properties=statement_properties(), columns=standard_schema().names
        )
    assert caught.value.key == key
