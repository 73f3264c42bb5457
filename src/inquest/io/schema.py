"""The standard list format's columns and limits, loaded from ``data/lists/schema.yaml``."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from inquest.errors import ConfigError
from inquest.text.profiles import on_change, profiles

_DATA = Path(__file__).resolve().parent.parent / "data" / "lists"


@dataclass(frozen=True)
class ColumnSpec:
    """One standard column: its name, whether a value is required, its length limit."""

    name: str
    required: bool
    max_chars: int
    description: str


@dataclass(frozen=True)
class ListSchema:
    """The columns of the standard list format and the reader's size limits."""

    columns: tuple[ColumnSpec, ...]
    max_file_bytes: int
    max_rows: int
    #: Characters of text a file may hold once decoded (a small XLSX or Parquet can decode
    #: to gigabytes): the reader stops at the first cell past it.
    max_text_chars: int = 256 * 2**20

    @property
    def names(self) -> tuple[str, ...]:
        """Column names in their canonical order."""
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> ColumnSpec:
        """The spec of column ``name`` (KeyError if it is not a standard column)."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _positive_int(value: Any, *, path: str, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"must be a positive integer, got {value!r}", path=path, key=key)
    return value


def _load_yaml(text: str, path: str) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", path=path) from exc
    if not isinstance(doc, dict):
        raise ConfigError("must be a mapping at top level", path=path)
    if doc.get("version") != 1:
        raise ConfigError(f"unsupported version {doc.get('version')!r}", path=path, key="version")
    return doc


def parse_schema(text: str, path: str = "schema.yaml") -> ListSchema:
    """Parse and validate a list-schema document (the format of ``schema.yaml``)."""
    doc = _load_yaml(text, path)
    limits = doc.get("limits")
    if not isinstance(limits, dict):
        raise ConfigError("missing mapping", path=path, key="limits")
    default_chars = _positive_int(
        limits.get("max_field_chars"), path=path, key="limits.max_field_chars"
    )
    cols = doc.get("columns")
    if not isinstance(cols, dict) or not cols:
        raise ConfigError("missing or empty mapping", path=path, key="columns")
    specs = []
    for name, spec in cols.items():
        key = f"columns.{name}"
        if not isinstance(name, str) or not name.isidentifier():
            raise ConfigError("column names must be identifiers", path=path, key=key)
        spec = spec or {}
        if not isinstance(spec, dict):
            raise ConfigError("must be a mapping", path=path, key=key)
        unknown = set(spec) - {"required", "max_chars", "description"}
        if unknown:
            raise ConfigError(f"unknown keys {sorted(unknown)}", path=path, key=key)
        required = spec.get("required", False)
        if not isinstance(required, bool):
            raise ConfigError("must be true or false", path=path, key=f"{key}.required")
        max_chars = _positive_int(
            spec.get("max_chars", default_chars), path=path, key=f"{key}.max_chars"
        )
        specs.append(ColumnSpec(name, required, max_chars, str(spec.get("description", ""))))
    if "record_id" not in cols:
        raise ConfigError("the schema must define record_id", path=path, key="columns")
    return ListSchema(
        columns=tuple(specs),
        max_file_bytes=_positive_int(
            limits.get("max_file_bytes"), path=path, key="limits.max_file_bytes"
        ),
        max_rows=_positive_int(limits.get("max_rows"), path=path, key="limits.max_rows"),
        max_text_chars=_positive_int(
            limits.get("max_text_chars"), path=path, key="limits.max_text_chars"
        ),
    )


@cache
def standard_schema() -> ListSchema:
    """The packaged standard list format (validated on first use)."""
    res = _DATA / "schema.yaml"
    return parse_schema(res.read_text(encoding="utf-8"), path=str(res))


def header_key(header: str) -> str:
    """Comparison form of a column header: NFKC, case-folded, each script's letter forms
    unified as in a name's display form (Arabic ي/ك as Persian ی/ک), no ZWNJ, trimmed."""
    s = unicodedata.normalize("NFKC", header).casefold().translate(_header_letters())
    return " ".join(s.split())


@cache
def _header_letters() -> dict[int, str | None]:
    table: dict[int, str | None] = {0x200C: None}
    for p in profiles().values():
        table |= {ord(c): v for c, v in p.display.items() if v is not None}
    return table


on_change(_header_letters.cache_clear)


def parse_aliases(
    text: str, schema: ListSchema, path: str = "header_aliases.yaml"
) -> dict[str, str]:
    """Parse a header-alias document into ``{header_key: standard column}``."""
    doc = _load_yaml(text, path)
    aliases = doc.get("aliases")
    if not isinstance(aliases, dict):
        raise ConfigError("missing mapping", path=path, key="aliases")
    out: dict[str, str] = {}
    for column, headers in aliases.items():
        key = f"aliases.{column}"
        if column not in schema.names:
            raise ConfigError(f"{column!r} is not a standard column", path=path, key=key)
        if not isinstance(headers, list) or not all(isinstance(h, str) for h in headers):
            raise ConfigError("must be a list of strings", path=path, key=key)
        for h in headers:
            k = header_key(h)
            if k in out and out[k] != column:
                raise ConfigError(f"header {h!r} is an alias of two columns", path=path, key=key)
            out[k] = column
    return out


@cache
def header_aliases() -> dict[str, str]:
    """The packaged unambiguous header aliases, ``{header_key: standard column}``."""
    res = _DATA / "header_aliases.yaml"
    return parse_aliases(res.read_text(encoding="utf-8"), standard_schema(), path=str(res))


def schema_path() -> Path:
    """Filesystem path of the packaged schema (for documentation and messages)."""
    return _DATA / "schema.yaml"
