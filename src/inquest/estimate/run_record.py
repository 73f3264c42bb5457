"""An estimate run as the engine keeps it: provenance, the input's summary, each method's
result (combined and per stratum), warnings and the files written; ``estimate.json`` is its
form on disk.

``EstimateRunRecord.to_dir`` writes ``estimate.json``; ``from_dir`` reads it back into an
equal record (draws of N and methods' details stay in memory: they are not in the file). A
file without ``schema_version`` (written before it was kept) reads as version 1; a newer one
is refused with an error naming the file and the field.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeGuard

import numpy as np

from inquest.errors import InputError
from inquest.estimate.result import EstimateResult
from inquest.private import private_file, private_folder
from inquest.provenance import JsonObject, Provenance, check_schema_version, json_object

__all__ = [
    "ESTIMATE_FILE",
    "SCHEMA_VERSION",
    "EstimateRunRecord",
    "InputSummary",
    "MethodRecord",
    "PatternCount",
    "jsonable",
    "result_from_dict",
    "settled",
]

#: The version of ``estimate.json`` this code writes and the newest it reads.
SCHEMA_VERSION = 1
ESTIMATE_FILE = "estimate.json"


@dataclass(frozen=True)
class PatternCount:
    """Persons seen by exactly the lists marked 1 in ``pattern`` (one digit per list)."""

    pattern: str
    count: int


@dataclass(frozen=True)
class InputSummary:
    """The capture histories a run estimated from, in brief."""

    lists: tuple[str, ...]
    n_observed: int
    list_sizes: dict[str, int]
    strata_column: str | None = None
    #: persons per stratum (None when the run has no strata)
    strata: dict[str, int] | None = None
    patterns: tuple[PatternCount, ...] = ()

    @classmethod
    def from_dict(cls, data: object, *, path: str = "", where: str = "input") -> InputSummary:
        """The summary ``to_dict`` made; ``InputError`` names ``path`` and the bad field."""
        return _input(data, path, where)

    def to_dict(self) -> JsonObject:
        return {
            "lists": list(self.lists),
            "n_observed": self.n_observed,
            "list_sizes": dict(self.list_sizes),
            "strata_column": self.strata_column,
            "strata": None if self.strata is None else dict(self.strata),
            "patterns": [{"pattern": p.pattern, "count": p.count} for p in self.patterns],
        }


@dataclass(frozen=True)
class MethodRecord:
    """One method's combined result (None: it gave none; the warnings say why), its result
    per stratum, and for a linkage-aware run the intervals over linkage draws."""

    result: EstimateResult | None
    strata: dict[str, EstimateResult] = field(default_factory=dict)
    linkage: JsonObject | None = None


@dataclass(frozen=True)
class EstimateRunRecord:
    """Everything ``estimate.json`` holds, typed.

    ``plots`` are the plot files by kind and ``report`` the report's file, both relative to
    the run's folder. ``linkage_aware`` and ``linkage`` are set by a run over a linkage run's
    posterior (``inquest.estimate.linkage_aware``) or one that says why it ignores it.
    """

    provenance: Provenance
    level: float
    input: InputSummary
    methods: dict[str, MethodRecord]
    warnings: tuple[str, ...] = ()
    plots: dict[str, tuple[str, ...]] = field(default_factory=dict)
    report: str | None = None
    linkage_aware: bool | None = None
    linkage: JsonObject | None = None
    schema_version: int = SCHEMA_VERSION

    def to_document(self) -> JsonObject:
        """The content of ``estimate.json``."""
        doc: JsonObject = {
            "schema_version": self.schema_version,
            "provenance": self.provenance.to_dict(),
            "level": self.level,
            "input": self.input.to_dict(),
            "methods": {m: _method_dict(r) for m, r in self.methods.items()},
            "warnings": list(self.warnings),
            "files": {
                "plots": {k: list(v) for k, v in self.plots.items()},
                "report": self.report,
            },
        }
        if self.linkage_aware is not None:
            doc["linkage_aware"] = self.linkage_aware
        if self.linkage is not None:
            doc["linkage"] = self.linkage
        out: JsonObject = jsonable(doc)
        return out

    def to_dir(self, path: str | Path) -> Path:
        """Write ``estimate.json`` into ``path`` (0700; the file 0600); returns its path."""
        target = private_folder(Path(path)) / ESTIMATE_FILE
        target.write_text(
            json.dumps(self.to_document(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        private_file(target)
        return target

    @classmethod
    def from_dir(cls, path: str | Path) -> EstimateRunRecord:
        """The record in ``path``'s ``estimate.json``; ``InputError`` names the file and the
        field that is missing, malformed or of a newer schema version."""
        target = Path(path) / ESTIMATE_FILE
        where = str(target)
        try:
            doc = json.loads(target.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(
                f"no {ESTIMATE_FILE} here (run `inquest estimate` first)", path=where
            ) from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"cannot read: {exc}", path=where) from exc
        return cls.from_document(doc, path=where)

    @classmethod
    def from_document(cls, doc: object, *, path: str) -> EstimateRunRecord:
        """The record of an ``estimate.json`` document read from ``path``."""
        top = json_object(doc, path=path, where="(top level)")
        version = check_schema_version(top, path=path, current=SCHEMA_VERSION)
        methods = json_object(top.get("methods"), path=path, where="methods")
        if not methods:
            raise InputError("names no method", path=path, field="methods")
        files = json_object(top.get("files", {}), path=path, where="files")
        plots = json_object(files.get("plots") or {}, path=path, where="files.plots")
        report = files.get("report")
        linkage_aware = top.get("linkage_aware")
        linkage = top.get("linkage")
        level = top.get("level")
        if not _is_number(level):
            raise InputError("missing or not a number", path=path, field="level")
        return cls(
            provenance=Provenance.from_dict(top.get("provenance"), path=path),
            level=float(level),
            input=_input(top.get("input"), path),
            methods={str(m): _method(entry, path, f"methods.{m}") for m, entry in methods.items()},
            warnings=tuple(_texts(top.get("warnings", []), path, "warnings")),
            plots={k: tuple(_texts(v, path, f"files.plots.{k}")) for k, v in plots.items()},
            report=report if isinstance(report, str) else None,
            linkage_aware=linkage_aware if isinstance(linkage_aware, bool) else None,
            linkage=None if linkage is None else json_object(linkage, path=path, where="linkage"),
            schema_version=version,
        )


def _method_dict(record: MethodRecord) -> JsonObject:
    out: JsonObject = {
        "result": None if record.result is None else record.result.to_dict(),
        "strata": {label: r.to_dict() for label, r in record.strata.items()},
    }
    if record.linkage is not None:
        out["linkage"] = record.linkage
    return out


def _method(data: object, path: str, where: str) -> MethodRecord:
    entry = json_object(data, path=path, where=where)
    result = entry.get("result")
    strata = json_object(entry.get("strata") or {}, path=path, where=f"{where}.strata")
    linkage = entry.get("linkage")
    return MethodRecord(
        result=None if result is None else result_from_dict(result, path, f"{where}.result"),
        strata={
            str(label): result_from_dict(r, path, f"{where}.strata.{label}")
            for label, r in strata.items()
        },
        linkage=None
        if linkage is None
        else json_object(linkage, path=path, where=f"{where}.linkage"),
    )


#: Fields of ``EstimateResult.to_dict`` that are derived, not stored.
_DERIVED = ("undocumented", "undocumented_lower", "undocumented_upper")


def result_from_dict(data: object, path: str = "", where: str = "result") -> EstimateResult:
    """The ``EstimateResult`` whose ``to_dict`` (as JSON keeps it) is ``data``.

    A number JSON could not hold (``None`` in the file) reads as NaN. ``InputError`` names
    ``path`` and the field (``where.key``) that is missing or of the wrong type.
    """
    block = json_object(data, path=path, where=where)

    def number(key: str) -> float:
        value = block.get(key)
        if value is None:
            return math.nan
        if not _is_number(value):
            raise InputError("not a number", path=path, field=f"{where}.{key}")
        return float(value)

    def text(key: str) -> str:
        value = block.get(key)
        if not isinstance(value, str):
            raise InputError("missing or not text", path=path, field=f"{where}.{key}")
        return value

    def optional_text(key: str) -> str | None:
        value = block.get(key)
        if value is not None and not isinstance(value, str):
            raise InputError("not text", path=path, field=f"{where}.{key}")
        return value

    def optional_int(key: str) -> int | None:
        value = block.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise InputError("not an integer", path=path, field=f"{where}.{key}")
        return value

    n_observed = block.get("n_observed")
    if not isinstance(n_observed, int) or isinstance(n_observed, bool):
        raise InputError("missing or not a count", path=path, field=f"{where}.n_observed")
    models = block.get("models", [])
    if not isinstance(models, list) or not all(isinstance(m, dict) for m in models):
        raise InputError("not a list of objects", path=path, field=f"{where}.models")
    return EstimateResult(
        method=text("method"),
        n_observed=n_observed,
        estimate=number("estimate"),
        lower=number("lower"),
        upper=number("upper"),
        level=number("level"),
        point=text("point"),
        interval=text("interval"),
        assumptions=tuple(_texts(block.get("assumptions", []), path, f"{where}.assumptions")),
        warnings=tuple(_texts(block.get("warnings", []), path, f"{where}.warnings")),
        diagnostics=dict(
            json_object(block.get("diagnostics", {}), path=path, where=f"{where}.diagnostics")
        ),
        models=[dict(m) for m in models if isinstance(m, dict)],
        settings=dict(json_object(block.get("settings", {}), path=path, where=f"{where}.settings")),
        seed=optional_int("seed"),
        input_hash=optional_text("input_hash"),
        inquest_version=optional_text("inquest_version"),
        lists=tuple(_texts(block.get("lists", []), path, f"{where}.lists")),
        stratum=optional_text("stratum"),
    )


def _input(data: object, path: str, where: str = "input") -> InputSummary:
    block = json_object(data, path=path, where=where)
    n_observed = block.get("n_observed")
    if not isinstance(n_observed, int) or isinstance(n_observed, bool):
        raise InputError("missing or not a count", path=path, field=f"{where}.n_observed")
    sizes = json_object(block.get("list_sizes", {}), path=path, where=f"{where}.list_sizes")
    strata = block.get("strata")
    column = block.get("strata_column")
    patterns = block.get("patterns", [])
    if not isinstance(patterns, list):
        raise InputError("not a list", path=path, field="input.patterns")
    counted: list[PatternCount] = []
    for k, item in enumerate(patterns):
        entry = json_object(item, path=path, where=f"input.patterns[{k}]")
        pattern, count = entry.get("pattern"), entry.get("count")
        if not isinstance(pattern, str) or not isinstance(count, int):
            raise InputError("not a pattern and its count", path=path, field=f"input.patterns[{k}]")
        counted.append(PatternCount(pattern, count))
    return InputSummary(
        lists=tuple(_texts(block.get("lists", []), path, "input.lists")),
        n_observed=n_observed,
        list_sizes=_counts(sizes, path, "input.list_sizes"),
        strata_column=column if isinstance(column, str) else None,
        strata=None
        if strata is None
        else _counts(json_object(strata, path=path, where="input.strata"), path, "input.strata"),
        patterns=tuple(counted),
    )


def _counts(block: JsonObject, path: str, where: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, value in block.items():
        if not isinstance(value, int) or isinstance(value, bool):
            raise InputError("not a count", path=path, field=f"{where}.{key}")
        out[key] = value
    return out


def _texts(data: object, path: str, where: str) -> list[str]:
    if not isinstance(data, list) or not all(isinstance(x, str) for x in data):
        raise InputError("not a list of text", path=path, field=where)
    return [str(x) for x in data]


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def jsonable(obj: Any) -> Any:
    """``obj`` with numpy values, tuples and paths made what JSON holds; a number that is not
    finite becomes None (JSON has no NaN)."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        return v if math.isfinite(v) else None
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, Path):
        return str(obj)
    return obj


def settled(record: EstimateRunRecord) -> EstimateRunRecord:
    """``record`` as it reads back from its file (numbers and lists as JSON holds them), with
    each result's draws of N and details kept: equal to ``from_dir`` of what ``to_dir``
    writes."""
    again = EstimateRunRecord.from_document(record.to_document(), path="(in memory)")
    methods = {}
    for name, method in again.methods.items():
        before = record.methods[name]
        methods[name] = MethodRecord(
            result=_keep_draws(method.result, before.result),
            strata={
                label: _keep_draws(r, before.strata.get(label)) or r
                for label, r in method.strata.items()
            },
            linkage=method.linkage,
        )
    return replace(again, methods=methods)


def _keep_draws(read: EstimateResult | None, made: EstimateResult | None) -> EstimateResult | None:
    if read is None or made is None:
        return read
    return replace(read, draws=made.draws, details=made.details)
