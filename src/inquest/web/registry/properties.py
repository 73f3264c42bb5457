"""The statement properties (``data/registry/properties.yaml``), validated at load."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from inquest.errors import ConfigError

PROPERTIES_PATH = Path(__file__).resolve().parents[2] / "data" / "registry" / "properties.yaml"
KINDS = frozenset({"name", "date", "place", "text", "code", "number"})


@dataclass(frozen=True)
class Property:
    """A property a statement may carry: its name, kind and meaning."""

    name: str
    kind: str
    description: str


def parse_properties(data: Any, *, path: str) -> Mapping[str, Property]:
    """Validate a parsed properties document; errors name ``path`` and the key."""
    if not isinstance(data, dict) or not isinstance(data.get("properties"), dict):
        raise ConfigError("must have a 'properties' mapping", path=path, key="properties")
    out: dict[str, Property] = {}
    for name, spec in data["properties"].items():
        key = f"properties.{name}"
        if not isinstance(name, str) or not name.isidentifier():
            raise ConfigError("a property name must be a plain identifier", path=path, key=key)
        if not isinstance(spec, dict) or set(spec) != {"kind", "description"}:
            raise ConfigError("must have exactly 'kind' and 'description'", path=path, key=key)
        if spec["kind"] not in KINDS:
            raise ConfigError(
                f"unknown kind {spec['kind']!r}; one of {sorted(KINDS)}", path=path, key=key
            )
        out[name] = Property(name=name, kind=spec["kind"], description=str(spec["description"]))
    return out


@cache
def statement_properties() -> Mapping[str, Property]:
    """The packaged properties (read once)."""
    try:
        data = yaml.safe_load(PROPERTIES_PATH.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=str(PROPERTIES_PATH)) from exc
    return parse_properties(data, path=str(PROPERTIES_PATH))
