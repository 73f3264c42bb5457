"""The access matrix file: the packaged one loads; broken ones are refused, naming the key."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from inquest.errors import ConfigError
from inquest.web.access.actions import Action
from inquest.web.access.levels import Level
from inquest.web.access.matrix import MATRIX_PATH, access_matrix, parse_matrix


@pytest.fixture
def document() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(MATRIX_PATH.read_text(encoding="utf-8"))
    return copy.deepcopy(data)


def test_packaged_matrix_loads() -> None:
    matrix = access_matrix()
    assert matrix.role("investigator").clearance is Level.PROTECTED
    assert Action.IMPORT not in matrix.role("public").actions
    assert matrix.anonymous == "public"


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda d: d.update(levels=["public", "secret"]), "levels"),
        (lambda d: d["actions"].pop("grant"), "actions"),
        (lambda d: d["roles"]["analyst"].update(clearance="cosmic"), "roles.analyst.clearance"),
        (lambda d: d["roles"]["analyst"]["actions"].append("fly"), "roles.analyst.actions"),
        (lambda d: d["roles"]["analyst"].pop("actions"), "roles.analyst"),
        (lambda d: d["roles"].update({"bad name": d["roles"]["public"]}), "roles.bad name"),
        (lambda d: d.update(anonymous="nobody"), "anonymous"),
        (lambda d: d.pop("authenticated"), "authenticated"),
    ],
)
def test_broken_matrix_names_the_key(document: dict[str, Any], change: Any, key: str) -> None:
    change(document)
    with pytest.raises(ConfigError) as caught:
        parse_matrix(document, path="matrix.yaml")
    assert caught.value.key == key
    assert caught.value.path == "matrix.yaml"
