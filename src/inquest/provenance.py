"""What a run needs to be reproduced, and how its record on disk is versioned.

Every run record (``inquest.linkage.run_record``, ``inquest.estimate.run_record``) carries a
:class:`Provenance`: the hash of each input file (or of the table it was given in memory), one
hash over them all, the inquest version, the seed and the settings. Each record's JSON file
holds a ``schema_version``; :func:`check_schema_version` refuses one newer than this code
knows, naming the file and the field, rather than misreading it.
"""

from __future__ import annotations

import hashlib
import platform
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from inquest import __version__
from inquest.errors import InputError
from inquest.hashing import sha256_file, table_sha256

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "InputFile",
    "JsonObject",
    "JsonValue",
    "Provenance",
    "check_schema_version",
    "combined_hash",
    "input_hash",
    "json_object",
    "make_provenance",
]

#: A value as JSON holds it (what settings and diagnostics are made of).
JsonValue: TypeAlias = "bool | int | float | str | list[JsonValue] | dict[str, JsonValue] | None"
JsonObject: TypeAlias = "dict[str, JsonValue]"

#: The name an input held in memory (not read from a file) is recorded under.
TABLE_INPUT = "<table>"


@dataclass(frozen=True)
class InputFile:
    """One input of a run: its path (or ``<table>`` for a table in memory) and SHA-256."""

    path: str
    sha256: str


@dataclass(frozen=True)
class Provenance:
    """Inputs, one hash over them, inquest version, seed, where and when, and the settings."""

    inputs: tuple[InputFile, ...]
    input_hash: str
    inquest_version: str
    seed: int | None
    python: str
    platform: str
    created_utc: str
    settings: JsonObject = field(default_factory=dict)

    def to_dict(self) -> JsonObject:
        """The ``provenance`` block of a run's JSON file."""
        return {
            "inputs": [{"path": i.path, "sha256": i.sha256} for i in self.inputs],
            "input_hash": self.input_hash,
            "inquest_version": self.inquest_version,
            "seed": self.seed,
            "python": self.python,
            "platform": self.platform,
            "created_utc": self.created_utc,
            "settings": self.settings,
        }

    @classmethod
    def from_dict(cls, data: object, *, path: str, where: str = "provenance") -> Provenance:
        """The block ``to_dict`` wrote; ``InputError`` names ``path`` and the bad field."""
        block = json_object(data, path=path, where=where)
        inputs = block.get("inputs", [])
        if not isinstance(inputs, list):
            raise InputError("not a list", path=path, field=f"{where}.inputs")
        files = []
        for k, item in enumerate(inputs):
            entry = json_object(item, path=path, where=f"{where}.inputs[{k}]")
            files.append(
                InputFile(
                    _text(entry, "path", path, f"{where}.inputs[{k}]"),
                    _text(entry, "sha256", path, f"{where}.inputs[{k}]"),
                )
            )
        seed = block.get("seed")
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise InputError("not an integer", path=path, field=f"{where}.seed")
        return cls(
            inputs=tuple(files),
            input_hash=_text(block, "input_hash", path, where),
            inquest_version=_text(block, "inquest_version", path, where),
            seed=seed,
            python=str(block.get("python") or ""),
            platform=str(block.get("platform") or ""),
            created_utc=str(block.get("created_utc") or ""),
            settings=json_object(block.get("settings", {}), path=path, where=f"{where}.settings"),
        )


def input_hash(paths: Sequence[str | Path]) -> str:
    """One SHA-256 over the input files (each file's hash, in the given order)."""
    return _combined([sha256_file(p) for p in paths])


def combined_hash(hashes: Sequence[str]) -> str:
    """One SHA-256 over files already hashed (``input_hash`` of the same files, in order)."""
    return _combined(hashes)


def _combined(hashes: Sequence[str]) -> str:
    if len(hashes) == 1:
        return hashes[0]
    digest = hashlib.sha256()
    for h in hashes:
        digest.update(h.encode())
    return digest.hexdigest()


def make_provenance(
    paths: Sequence[str | Path] = (),
    *,
    table: pa.Table | None = None,
    seed: int | None,
    settings: Mapping[str, Any] | None = None,
) -> Provenance:
    """The provenance of a run over the files ``paths`` or, if none, over ``table``."""
    if paths:
        inputs = tuple(InputFile(str(p), sha256_file(p)) for p in paths)
    elif table is not None:
        inputs = (InputFile(TABLE_INPUT, table_sha256(table)),)
    else:
        raise ValueError("a run's provenance needs its input files or its table")
    return Provenance(
        inputs=inputs,
        input_hash=_combined([i.sha256 for i in inputs]),
        inquest_version=__version__,
        seed=seed,
        python=sys.version.split()[0],
        platform=platform.platform(),
        created_utc=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        settings=dict(settings or {}),
    )


def check_schema_version(doc: Mapping[str, object], *, path: str, current: int) -> int:
    """The record's ``schema_version`` (1 when absent: files written before it was kept).

    A version newer than ``current`` (written by a later inquest) or not a positive integer is
    an ``InputError`` naming ``path`` and the field.
    """
    version = doc.get("schema_version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InputError(f"not a schema version: {version!r}", path=path, field="schema_version")
    if version > current:
        raise InputError(
            f"schema version {version} is newer than this inquest ({__version__}) reads "
            f"(up to {current}): upgrade inquest to read this run",
            path=path,
            field="schema_version",
        )
    return version


def json_object(data: object, *, path: str, where: str) -> JsonObject:
    """``data`` if it is a JSON object, else an ``InputError`` naming ``path`` and ``where``."""
    if not isinstance(data, dict):
        raise InputError("missing or not an object", path=path, field=where)
    return data


def _text(block: Mapping[str, object], key: str, path: str, where: str) -> str:
    value = block.get(key)
    if not isinstance(value, str):
        raise InputError("missing or not text", path=path, field=f"{where}.{key}")
    return value
