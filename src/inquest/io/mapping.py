"""Mapping files: import a list whose column headers differ from the standard names.

A mapping file is YAML::

    list: amnesty_1990          # optional: the list's name (default: the file's stem)
    columns:                    # source header -> standard column
      نام: given_name
      نام خانوادگی: family_name
      نام پدر: father_name
    ignore: [ملاحظات داخلی]     # source headers to drop on purpose

or a two-column CSV ``source,target`` where an empty target means "ignore".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from inquest.errors import InputError, InputErrors, InputProblem
from inquest.io.schema import ListSchema, header_aliases, header_key, standard_schema


@dataclass(frozen=True)
class ColumnMapping:
    """How the headers of one list map onto standard columns."""

    columns: dict[str, str] = field(default_factory=dict)
    ignore: frozenset[str] = frozenset()
    list_name: str | None = None


def _check_targets(mapping: ColumnMapping, schema: ListSchema, path: str) -> None:
    problems = [
        InputProblem(f"maps to {target!r}, which is not a standard column", path=path, field=src)
        for src, target in mapping.columns.items()
        if target not in schema.names
    ]
    targets = list(mapping.columns.values())
    problems += [
        InputProblem(f"two source columns map to {t!r}", path=path, field=t)
        for t in sorted({t for t in targets if targets.count(t) > 1})
    ]
    if problems:
        raise InputErrors(problems)


def load_mapping(path: str | Path, schema: ListSchema | None = None) -> ColumnMapping:
    """Read a mapping file (``.yaml``/``.yml`` or ``.csv``) and check its targets."""
    schema = schema or standard_schema()
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read mapping file: {exc}", path=str(p)) from exc
    if p.suffix.lower() == ".csv":
        mapping = _mapping_from_csv(text, str(p))
    else:
        mapping = _mapping_from_yaml(text, str(p))
    _check_targets(mapping, schema, str(p))
    return mapping


def _mapping_from_yaml(text: str, path: str) -> ColumnMapping:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", path=path) from exc
    if not isinstance(doc, dict):
        raise InputError("a mapping file must be a YAML mapping", path=path)
    unknown = set(doc) - {"list", "columns", "ignore"}
    if unknown:
        raise InputError(f"unknown keys {sorted(map(str, unknown))}", path=path)
    cols = doc.get("columns") or {}
    if not isinstance(cols, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in cols.items()
    ):
        raise InputError("'columns' must map source headers to column names", path=path)
    ignore = doc.get("ignore") or []
    if not isinstance(ignore, list) or not all(isinstance(x, str) for x in ignore):
        raise InputError("'ignore' must be a list of headers", path=path)
    name = doc.get("list")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise InputError("'list' must be a non-empty string", path=path)
    return ColumnMapping(dict(cols), frozenset(ignore), name.strip() if name else None)


def _mapping_from_csv(text: str, path: str) -> ColumnMapping:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [h.strip() for h in rows[0][:2]] != ["source", "target"]:
        raise InputError("a CSV mapping needs the header 'source,target'", path=path, row=0)
    cols: dict[str, str] = {}
    ignore: set[str] = set()
    problems = []
    for i, row in enumerate(rows[1:], start=1):
        if not row or not any(x.strip() for x in row):
            continue
        if len(row) != 2:
            problems.append(InputProblem("expected two fields", path=path, row=i))
            continue
        src, target = row[0].strip(), row[1].strip()
        if src in cols or src in ignore:
            problems.append(InputProblem(f"{src!r} is mapped twice", path=path, row=i))
        elif target:
            cols[src] = target
        else:
            ignore.add(src)
    if problems:
        raise InputErrors(problems)
    return ColumnMapping(cols, frozenset(ignore))


def resolve_headers(
    headers: Sequence[str],
    mapping: ColumnMapping | None,
    path: str,
    schema: ListSchema | None = None,
) -> tuple[dict[int, str], list[InputProblem]]:
    """Map each header position to a standard column.

    Order of precedence: the mapping file, the exact standard name, a packaged alias.
    Returns ``({position: column}, problems)``; ignored headers are left out.
    """
    schema = schema or standard_schema()
    mapping = mapping or ColumnMapping()
    aliases = header_aliases()
    mapped_keys = {header_key(k): v for k, v in mapping.columns.items()}
    ignore_keys = {header_key(k) for k in mapping.ignore}
    out: dict[int, str] = {}
    problems: list[InputProblem] = []
    seen: dict[str, str] = {}
    for pos, raw in enumerate(headers):
        h = raw.strip()
        k = header_key(h)
        if not h:
            problems.append(InputProblem(f"column {pos + 1} has no header", path=path, row=0))
            continue
        if k in ignore_keys:
            continue
        target = mapped_keys.get(k) or (h if h in schema.names else None) or aliases.get(k)
        if target is None:
            problems.append(
                InputProblem(
                    "unknown column: map it to a standard column or ignore it in a mapping file",
                    path=path,
                    field=h,
                )
            )
            continue
        if target in seen:
            problems.append(
                InputProblem(
                    f"both {seen[target]!r} and {h!r} would be read as {target!r}",
                    path=path,
                    field=h,
                )
            )
            continue
        seen[target] = h
        out[pos] = target
    if "record_id" not in seen:
        problems.append(InputProblem("no record_id column", path=path, field="record_id"))
    return out, problems
