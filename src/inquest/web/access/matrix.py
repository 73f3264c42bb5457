"""Load and validate the access matrix, ``inquest/data/access/matrix.yaml``.

The matrix maps each role to a clearance (the highest confidentiality level it may see) and
a set of actions. Errors are ``ConfigError`` naming the file and the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from inquest.errors import ConfigError
from inquest.web.access.actions import Action
from inquest.web.access.levels import Level

MATRIX_PATH = Path(__file__).resolve().parents[2] / "data" / "access" / "matrix.yaml"


@dataclass(frozen=True)
class Role:
    """One role: its name, the highest level it may see, and what it may do."""

    name: str
    clearance: Level
    actions: frozenset[Action]


@dataclass(frozen=True)
class AccessMatrix:
    """Every role, and the roles given without a grant to anonymous and signed-in users."""

    roles: Mapping[str, Role]
    anonymous: str | None
    authenticated: str | None

    def role(self, name: str) -> Role:
        """The role called ``name``; KeyError if the matrix has none."""
        return self.roles[name]


def parse_matrix(data: Any, *, path: str) -> AccessMatrix:
    """Validate a parsed matrix document; ``path`` is only used in error messages."""
    if not isinstance(data, dict):
        raise ConfigError("the matrix must be a mapping", path=path)
    levels = data.get("levels")
    expected = [level.name.lower() for level in Level]
    if levels != expected:
        raise ConfigError(f"must list exactly {expected}, lowest first", path=path, key="levels")
    actions = data.get("actions")
    if not isinstance(actions, dict) or set(actions) != {a.value for a in Action}:
        raise ConfigError(
            f"must describe exactly the actions {sorted(a.value for a in Action)}",
            path=path,
            key="actions",
        )
    raw_roles = data.get("roles")
    if not isinstance(raw_roles, dict) or not raw_roles:
        raise ConfigError("must map role names to clearance and actions", path=path, key="roles")
    roles = {name: _role(name, spec, path=path) for name, spec in raw_roles.items()}
    defaults = {}
    for key in ("anonymous", "authenticated"):
        if key not in data:
            raise ConfigError("missing (give a role name or null)", path=path, key=key)
        value = data[key]
        if value is not None and value not in roles:
            raise ConfigError(f"names no role: {value!r}", path=path, key=key)
        defaults[key] = value
    return AccessMatrix(
        roles=roles, anonymous=defaults["anonymous"], authenticated=defaults["authenticated"]
    )


def _role(name: Any, spec: Any, *, path: str) -> Role:
    key = f"roles.{name}"
    if not isinstance(name, str) or not name.isidentifier():
        raise ConfigError("a role name must be a plain identifier", path=path, key=key)
    if not isinstance(spec, dict) or set(spec) != {"clearance", "actions"}:
        raise ConfigError("must have exactly 'clearance' and 'actions'", path=path, key=key)
    try:
        clearance = Level.from_name(str(spec["clearance"]))
    except KeyError:
        raise ConfigError(
            f"unknown level {spec['clearance']!r}", path=path, key=f"{key}.clearance"
        ) from None
    raw_actions = spec["actions"]
    if not isinstance(raw_actions, list):
        raise ConfigError("must be a list of actions", path=path, key=f"{key}.actions")
    actions = set()
    for item in raw_actions:
        try:
            actions.add(Action(item))
        except ValueError:
            raise ConfigError(f"unknown action {item!r}", path=path, key=f"{key}.actions") from None
    return Role(name=name, clearance=clearance, actions=frozenset(actions))


def load_matrix(path: Path) -> AccessMatrix:
    """Read and validate a matrix file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=str(path)) from exc
    return parse_matrix(data, path=str(path))


@cache
def access_matrix() -> AccessMatrix:
    """The packaged matrix (read once)."""
    return load_matrix(MATRIX_PATH)
