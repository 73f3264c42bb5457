"""The statement properties (``data/registry/properties.yaml``) and which standard list
column feeds which (``data/registry/columns.yaml``), validated at load."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from inquest.errors import ConfigError
from inquest.io import standard_schema
from inquest.linkage.values import ValueKind, prepared_value
from inquest.places import PlaceKind

_DATA = Path(__file__).resolve().parents[2] / "data" / "registry"
PROPERTIES_PATH = _DATA / "properties.yaml"
COLUMNS_PATH = _DATA / "columns.yaml"
KINDS = frozenset(kind.value for kind in ValueKind)


@dataclass(frozen=True)
class Property:
    """A property a statement may carry: its name, kind and meaning; a place property may
    name the kind of place it holds (a prison, a cemetery), which is tried first."""

    name: str
    kind: ValueKind
    description: str
    place_kind: PlaceKind | None = None

    def prepare(self, text: str) -> str:
        """``text`` in the form the engine compares it (``inquest.linkage.values``)."""
        return prepared_value(self.kind, text, self.place_kind)


def parse_properties(data: Any, *, path: str) -> Mapping[str, Property]:
    """Validate a parsed properties document; errors name ``path`` and the key."""
    if not isinstance(data, dict) or not isinstance(data.get("properties"), dict):
        raise ConfigError("must have a 'properties' mapping", path=path, key="properties")
    out: dict[str, Property] = {}
    for name, spec in data["properties"].items():
        key = f"properties.{name}"
        if not isinstance(name, str) or not name.isidentifier():
            raise ConfigError("a property name must be a plain identifier", path=path, key=key)
        if (
            not isinstance(spec, dict)
            or not {"kind", "description"} <= set(spec)
            or not set(spec) <= {"kind", "description", "place_kind"}
        ):
            raise ConfigError(
                "must have 'kind' and 'description' (and for a place, maybe 'place_kind')",
                path=path,
                key=key,
            )
        if spec["kind"] not in KINDS:
            raise ConfigError(
                f"unknown kind {spec['kind']!r}; one of {sorted(KINDS)}", path=path, key=key
            )
        out[name] = Property(
            name=name,
            kind=ValueKind(spec["kind"]),
            description=str(spec["description"]),
            place_kind=_place_kind(spec, path=path, key=key),
        )
    return out


def _place_kind(spec: dict[str, Any], *, path: str, key: str) -> PlaceKind | None:
    if "place_kind" not in spec:
        return None
    kinds = sorted(k.value for k in PlaceKind)
    if spec["kind"] != ValueKind.PLACE or spec["place_kind"] not in kinds:
        raise ConfigError(f"place_kind is for a place property, one of {kinds}", path=path, key=key)
    return PlaceKind(spec["place_kind"])


def parse_columns(
    data: Any, *, path: str, properties: Mapping[str, Property], columns: tuple[str, ...]
) -> Mapping[str, str]:
    """Validate a parsed column-to-property document against the properties and columns."""
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        raise ConfigError("must have a 'columns' mapping", path=path, key="columns")
    out: dict[str, str] = {}
    for column, prop in data["columns"].items():
        key = f"columns.{column}"
        if column not in columns:
            raise ConfigError("not a column of the standard list format", path=path, key=key)
        if prop not in properties:
            raise ConfigError(f"unknown property {prop!r}", path=path, key=key)
        out[str(column)] = str(prop)
    return out


def _load(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=str(path)) from exc


@cache
def statement_properties() -> Mapping[str, Property]:
    """The packaged properties (read once)."""
    return parse_properties(_load(PROPERTIES_PATH), path=str(PROPERTIES_PATH))


@cache
def column_properties() -> Mapping[str, str]:
    """Standard list column to statement property, packaged (read once)."""
    return parse_columns(
        _load(COLUMNS_PATH),
        path=str(COLUMNS_PATH),
        properties=statement_properties(),
        columns=standard_schema().names,
    )
