"""A linkage run as the engine keeps it: persons per record, the run's summary, which persons
are new, and its provenance; written to and read from a run folder.

``LinkageRunRecord.to_dir`` writes ``clusters.csv`` and ``run.json`` (``inquest.linkage.pipeline.
write_run`` adds the pairs, the model and the report beside them); ``from_dir`` reads them back
into an equal record. ``run.json`` keeps the summary keys it always had at its top level, and
adds ``schema_version``, ``provenance`` and ``carried_over``; a folder written before those
were kept reads with them absent (``None``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from inquest.errors import InputError
from inquest.private import private_files, private_folder
from inquest.provenance import (
    JsonObject,
    JsonValue,
    Provenance,
    check_schema_version,
    json_object,
)

__all__ = [
    "CLUSTERS_FILE",
    "COMPONENT_PAIRS_FILE",
    "MODEL_FILE",
    "PREDICTIONS_FILE",
    "RUN_FILE",
    "SCHEMA_VERSION",
    "LinkageRunRecord",
    "PriorSummary",
    "read_model",
    "read_predictions",
]

#: The version of ``run.json`` this code writes and the newest it reads.
SCHEMA_VERSION = 1
RUN_FILE = "run.json"
CLUSTERS_FILE = "clusters.csv"
#: Beside the record in a run folder (``inquest.linkage.pipeline.write_run``): the scored
#: pairs, the pairs scored inside candidate groups while clustering, the trained model.
PREDICTIONS_FILE = "predictions.parquet"
COMPONENT_PAIRS_FILE = "component_pairs.parquet"
MODEL_FILE = "model.json"

#: The columns of ``clusters.csv``, in order.
CLUSTER_COLUMNS = ("list", "record_id", "person_id", "confidence", "cluster_size")
_CLUSTER_TYPES: dict[str, pa.DataType] = {
    "list": pa.string(),
    "record_id": pa.string(),
    "person_id": pa.string(),
    "confidence": pa.float64(),
    "cluster_size": pa.int64(),
}


@dataclass(frozen=True)
class PriorSummary:
    """The prior probability that two records match, as trained and as refitted."""

    trained: float
    refit: float
    iterations: int


@dataclass(frozen=True)
class LinkageRunRecord:
    """What a linkage run decided and how it was made.

    ``clusters`` holds one row per record (``list``, ``record_id``, ``person_id``,
    ``confidence``, ``cluster_size``), ordered by person then list as ``clusters.csv`` is.
    ``carried_over`` are the person ids taken from the previous run (every other id is of a
    new person); None for a run folder written before they were recorded.
    """

    clusters: pa.Table
    records: int
    persons: int
    pairs_kept: int
    components_split: int
    pairs_rescored: int
    prior: PriorSummary | None = None
    timings: dict[str, dict[str, float]] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    carried_over: frozenset[str] | None = frozenset()
    provenance: Provenance | None = None
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        missing = [c for c in CLUSTER_COLUMNS if c not in self.clusters.column_names]
        if missing:
            raise ValueError(f"clusters lack column(s) {', '.join(missing)}")

    @staticmethod
    def ordered(clusters: pa.Table) -> pa.Table:
        """``clusters`` in the record's order and types (by person, then list; stable)."""
        table = clusters.select(list(CLUSTER_COLUMNS)).cast(
            pa.schema([(c, _CLUSTER_TYPES[c]) for c in CLUSTER_COLUMNS])
        )
        order = pc.sort_indices(table, [("person_id", "ascending"), ("list", "ascending")])
        return table.take(order).combine_chunks()

    def is_new(self, person_id: str) -> bool:
        """Whether ``person_id`` was made by this run rather than carried over from the last.

        A run folder that did not record it (``carried_over`` is None) cannot say: error.
        """
        if self.carried_over is None:
            raise InputError(
                "this run did not record which persons are new (written by an older inquest)",
                field="carried_over",
            )
        return person_id not in self.carried_over

    def summary(self) -> JsonObject:
        """The content of ``run.json``."""
        carried: list[JsonValue] | None = (
            None if self.carried_over is None else list(sorted(self.carried_over))
        )
        return {
            "schema_version": self.schema_version,
            "records": self.records,
            "persons": self.persons,
            "pairs_kept": self.pairs_kept,
            "components_split": self.components_split,
            "pairs_rescored": self.pairs_rescored,
            "prior": None
            if self.prior is None
            else {
                "trained": self.prior.trained,
                "refit": self.prior.refit,
                "iterations": self.prior.iterations,
            },
            "timings": {k: dict(v) for k, v in self.timings.items()},
            "warnings": list(self.warnings),
            "carried_over": carried,
            "provenance": None if self.provenance is None else self.provenance.to_dict(),
        }

    def to_dir(self, path: str | Path) -> dict[str, Path]:
        """Write ``clusters.csv`` and ``run.json`` into ``path`` (0700; files 0600)."""
        folder = private_folder(Path(path))
        paths = {"clusters": folder / CLUSTERS_FILE, "run": folder / RUN_FILE}
        pacsv.write_csv(self.clusters, paths["clusters"])
        paths["run"].write_text(
            json.dumps(self.summary(), indent=2, ensure_ascii=False), encoding="utf-8"
        )
        private_files(paths.values())
        return paths

    @classmethod
    def from_dir(cls, path: str | Path) -> LinkageRunRecord:
        """The record ``to_dir`` wrote into ``path``.

        ``InputError`` names the file and field that is missing, malformed, or of a newer
        schema version than this inquest reads.
        """
        folder = Path(path)
        run_path = folder / RUN_FILE
        where = str(run_path)
        try:
            doc = json.loads(run_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(f"no {RUN_FILE}: not a linkage run of inquest", path=where) from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"cannot read: {exc}", path=where) from exc
        doc = json_object(doc, path=where, where="(top level)")
        version = check_schema_version(doc, path=where, current=SCHEMA_VERSION)
        prior = doc.get("prior")
        provenance = doc.get("provenance")
        carried = doc.get("carried_over")
        if carried is not None and not (
            isinstance(carried, list) and all(isinstance(x, str) for x in carried)
        ):
            raise InputError("not a list of person ids", path=where, field="carried_over")
        return cls(
            clusters=_read_clusters(folder / CLUSTERS_FILE),
            records=_count(doc, "records", where),
            persons=_count(doc, "persons", where),
            pairs_kept=_count(doc, "pairs_kept", where),
            components_split=_count(doc, "components_split", where),
            pairs_rescored=_count(doc, "pairs_rescored", where),
            prior=None if prior is None else _prior(prior, where),
            timings=_timings(doc.get("timings", {}), where),
            warnings=tuple(_texts(doc.get("warnings", []), where, "warnings")),
            carried_over=None if carried is None else frozenset(str(x) for x in carried),
            provenance=None if provenance is None else Provenance.from_dict(provenance, path=where),
            schema_version=version,
        )


def _read_clusters(path: Path) -> pa.Table:
    opts = pacsv.ConvertOptions(column_types=_CLUSTER_TYPES, strings_can_be_null=False)
    try:
        table = pacsv.read_csv(path, convert_options=opts)
    except FileNotFoundError:
        raise InputError(f"no {CLUSTERS_FILE} beside {RUN_FILE}", path=str(path)) from None
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"cannot read: {exc}", path=str(path)) from exc
    missing = [c for c in CLUSTER_COLUMNS if c not in table.column_names]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}", path=str(path), field=missing[0]
        )
    return table.select(list(CLUSTER_COLUMNS)).combine_chunks()


def _count(doc: JsonObject, key: str, where: str) -> int:
    value = doc.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InputError("missing or not a count", path=where, field=key)
    return value


def _number(block: JsonObject, key: str, where: str, name: str) -> float:
    value = block.get(key)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise InputError("missing or not a number", path=where, field=f"{name}.{key}")
    return float(value)


def _prior(data: object, where: str) -> PriorSummary:
    block = json_object(data, path=where, where="prior")
    iterations = block.get("iterations")
    if not isinstance(iterations, int) or isinstance(iterations, bool):
        raise InputError("missing or not an integer", path=where, field="prior.iterations")
    return PriorSummary(
        _number(block, "trained", where, "prior"),
        _number(block, "refit", where, "prior"),
        iterations,
    )


def _timings(data: object, where: str) -> dict[str, dict[str, float]]:
    block = json_object(data, path=where, where="timings")
    out: dict[str, dict[str, float]] = {}
    for step, values in block.items():
        entry = json_object(values, path=where, where=f"timings.{step}")
        out[step] = {k: _number(entry, k, where, f"timings.{step}") for k in entry}
    return out


def _texts(data: object, where: str, name: str) -> list[str]:
    if not isinstance(data, list) or not all(isinstance(x, str) for x in data):
        raise InputError("not a list of text", path=where, field=name)
    return [str(x) for x in data]


def read_predictions(folder: str | Path) -> pa.Table:
    """The scored pairs of the run in ``folder`` (``predictions.parquet``); InputError names
    the file if it is missing or unreadable."""
    import pyarrow.parquet as pq

    path = Path(folder) / PREDICTIONS_FILE
    try:
        return pq.read_table(path)
    except FileNotFoundError:
        raise InputError(f"no {PREDICTIONS_FILE} in the run folder", path=str(path)) from None
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"cannot read: {exc}", path=str(path)) from exc


def read_model(folder: str | Path) -> JsonObject:
    """The model the run in ``folder`` scored its pairs with (``model.json``, Splink's
    settings with the trained parameters); InputError names the file if it is not one."""
    path = Path(folder) / MODEL_FILE
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"no {MODEL_FILE} in the run folder", path=str(path)) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", path=str(path)) from exc
    model = json_object(doc, path=str(path), where="(top level)")
    if not isinstance(model.get("comparisons"), list):
        raise InputError("not a linkage model", path=str(path), field="comparisons")
    return model
