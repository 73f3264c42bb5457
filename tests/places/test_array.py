"""resolve_array: one resolution per distinct value."""

from __future__ import annotations

import pyarrow as pa

from inquest.places import MATCH_FIELDS, PlaceMatch, resolve_array


def test_rows() -> None:
    out = resolve_array(pa.chunked_array([["Evin", None], ["Qwxyzzvb", "Evin"]]))
    assert out.type == MATCH_FIELDS
    rows = out.to_pylist()
    assert rows[0]["place_id"] == "prison:evin" and rows[3] == rows[0]
    assert rows[1] is None and rows[2]["place_id"] is None


def test_each_distinct_value_resolved_once() -> None:
    calls: list[str] = []

    def counting(text: str, **kwargs: object) -> list[PlaceMatch]:
        calls.append(text)
        return []

    resolve_array(["a", "b", "a", "a"], resolver=counting)
    assert sorted(calls) == ["a", "b"]


def test_text_that_is_not_a_name_gives_nulls() -> None:
    rows = resolve_array(["Evin " * 100, "Evin"]).to_pylist()
    assert rows[0]["place_id"] is None and rows[1]["place_id"] == "prison:evin"
