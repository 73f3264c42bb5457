"""The whole linkage run: prepare, block, compare, train, predict, cluster, assign ids."""

from __future__ import annotations

import functools
import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from inquest.linkage.caps import DEFAULT_MAX_BLOCK, DEFAULT_PAIRS_PER_RECORD, cap_blocks
from inquest.linkage.cluster import Clustering, cluster_records
from inquest.linkage.cluster.components import edge_scores
from inquest.linkage.engine import Engine, EngineName, make_engine
from inquest.linkage.ids import person_ids as assign_ids
from inquest.linkage.predict import edges as edges_of
from inquest.linkage.predict import (
    find_pairs_in_background,
    levels_from_weights,
    predict,
    score_pairs,
    with_values,
)
from inquest.linkage.prepare import gazetteer_scope, prepare, prepare_on_spark
from inquest.linkage.prior import PriorFit, apply_prior, refit_prior, weight_histogram
from inquest.linkage.run_record import (
    COMPONENT_PAIRS_FILE,
    MODEL_FILE,
    PREDICTIONS_FILE,
    LinkageRunRecord,
    PriorSummary,
)
from inquest.linkage.settings import LinkageModel, for_lists, load_model, splink_settings
from inquest.linkage.splink_log import splink_warnings
from inquest.linkage.train import calibrate, train
from inquest.private import private_files, private_folder
from inquest.provenance import Provenance, make_provenance

if TYPE_CHECKING:
    from splink import Linker
    from splink.internals.splink_dataframe import SplinkDataFrame

__all__ = [
    "LinkResult",
    "Step",
    "cpu_seconds",
    "link_provenance",
    "link_records",
    "write_run",
]

log = logging.getLogger(__name__)
P = ParamSpec("P")

#: Records per preparation batch.
PREPARE_BATCH = 1_000_000

#: A progress callback: ``step(name, total)`` returns an ``advance(n)`` function.
Step = Callable[[str, int], Callable[[int], None]]


def _no_progress(_name: str, _total: int) -> Callable[[int], None]:
    return lambda _n: None


@dataclass
class LinkResult:
    """Everything a run produces; :func:`write_run` writes it to a folder.

    ``prepared`` carries the block-size columns and ``model`` the rules as capped for this run
    (see :mod:`inquest.linkage.caps`). :meth:`run_record` is the part a caller keeps: persons,
    summary, which persons are new, provenance.
    """

    prepared: pa.Table
    clusters: pa.Table
    edges: pa.Table
    clustering: Clustering
    model_json: dict[str, Any]
    model: LinkageModel
    engine: Engine
    linker: Linker
    predictions: SplinkDataFrame
    #: the Splink frame of the records the pairs were scored from
    records: SplinkDataFrame | None = None
    timings: dict[str, dict[str, float]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: the prior as trained and as refitted on the scored pairs (None: not refitted)
    prior: PriorFit | None = None
    #: person ids taken from the ``previous`` run; the others are new persons
    carried_over: frozenset[str] = frozenset()
    provenance: Provenance | None = None

    def run_record(self) -> LinkageRunRecord:
        """The run as the engine keeps it (``clusters.csv`` and ``run.json``)."""
        return LinkageRunRecord(
            clusters=LinkageRunRecord.ordered(self.clusters),
            records=self.prepared.num_rows,
            persons=len(np.unique(self.clustering.labels)),
            pairs_kept=self.edges.num_rows,
            components_split=self.clustering.n_split,
            pairs_rescored=self.clustering.n_rescored_pairs,
            prior=None
            if self.prior is None
            else PriorSummary(self.prior.trained, self.prior.refit, self.prior.iterations),
            timings={k: dict(v) for k, v in self.timings.items()},
            warnings=tuple(self.warnings),
            carried_over=self.carried_over,
            provenance=self.provenance,
        )

    def explainer(self) -> Linker:
        """A Splink linker of the run's model that keeps each pair's values and levels, as
        Splink's charts of single pairs need (``linker`` may score without them)."""
        from splink import Linker

        if self.records is None:
            raise ValueError("the run kept no records frame to explain its pairs from")
        return Linker(
            self.records, self.model_json, log_level=logging.WARNING, validate_settings=False
        )


def cpu_seconds() -> float:
    """CPU time of this process and of its finished child processes (prepare's workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


@contextmanager
def _timed(timings: dict[str, dict[str, float]], name: str) -> Iterator[None]:
    wall, cpu = time.perf_counter(), cpu_seconds()
    yield
    timings[name] = {
        "wall_s": round(time.perf_counter() - wall, 3),
        "cpu_s": round(cpu_seconds() - cpu, 3),
    }


#: DuckDB's memory while clustering, which happens in Python: the scored pairs DuckDB
#: holds wait in its spill folder until they are written, so the run's peak stays under the
#: machine's memory (docs/methodology/linkage.md, "Measurements behind the settings").
CLUSTER_ENGINE_MEMORY = "2GB"

#: Pairs scored at a time when clustering asks for pairs the blocking did not score: each
#: chunk's Splink table (the pairs' weights, and on Spark their values) is dropped once read.
RESCORE_CHUNK = 2_000_000


def _rescorer(linker: Any, engine: Engine) -> Callable[[Any, Any], Any]:
    def rescore(left: Any, right: Any) -> Any:
        left, right = np.asarray(left), np.asarray(right)
        n = int(max(np.max(left, initial=0), np.max(right, initial=0))) + 1
        probs = np.zeros(len(left))
        for start in range(0, len(left), RESCORE_CHUNK):
            part = slice(start, start + RESCORE_CHUNK)
            pairs = pa.table({"unique_id_l": left[part], "unique_id_r": right[part]})
            scored, frame = score_pairs(linker, engine, pairs)
            if frame is not None:
                frame.drop_table_from_database_and_remove_from_cache()
            probs[part], _found = edge_scores(
                scored.column("unique_id_l").to_numpy(),
                scored.column("unique_id_r").to_numpy(),
                scored.column("match_probability").to_numpy(),
                left[part],
                right[part],
                n,
            )
        return probs

    return rescore


#: Columns every record keeps beside the compared ones.
_PROVENANCE = ("unique_id", "list", "record_id")


def _lean(model_json: dict[str, Any]) -> dict[str, Any]:
    """The trained model set to score pairs without their compared values and levels."""
    return {**model_json, "retain_matching_columns": False}


def _list_codes(prepared: pa.Table) -> np.ndarray[Any, Any]:
    """An integer code per record for its list (records of one list share a code)."""
    names = np.asarray(prepared.column("list").to_pylist(), dtype=object)
    return np.unique(names, return_inverse=True)[1].astype("int64")


def _train(
    linker: Any,
    model: LinkageModel,
    scored: Any,
    records: pa.Table,
    eng: Engine,
    labels: pa.Table | None,
    timings: dict[str, dict[str, float]],
    step: Step,
) -> tuple[Any, dict[str, str] | None, list[str]]:
    """Train, then the linker that scores: returns it, its levels-from-weights SQL (None when
    it keeps each pair's values itself) and the EM sessions skipped. ``records``: the Arrow
    table ``scored`` was registered from."""
    from splink import Linker

    own_blocking = eng.name == "duckdb"
    with _timed(timings, "train"):
        advance = step("train", 1)
        linker, skipped = train(
            linker, model, frame=scored, engine=eng, labels=labels, records=records
        )
        trained = calibrate(linker.misc.save_model_to_json())
        # Splink scores without each pair's compared values and levels when the levels can
        # be read back from the weights (on DuckDB; the kept pairs get them back in a view):
        # most candidates are dropped, and carrying their values is a large share of predict.
        # The same comparisons the first linker validated: they are not checked again.
        linker = Linker(
            scored,
            _lean(trained) if own_blocking else trained,
            log_level=logging.WARNING,
            validate_settings=False,
        )
        levels = levels_from_weights(linker) if own_blocking else None
        if own_blocking and levels is None:
            linker = Linker(scored, trained, log_level=logging.WARNING, validate_settings=False)
        advance(1)
    return linker, levels, skipped


def _refit_prior(
    linker: Any, eng: Engine, predictions: Any, n_records: int, model: LinkageModel
) -> PriorFit | None:
    """The prior refitted on the kept pairs (None if the model does not ask for it); the
    linker scores with it from now on (rescoring inside components, the saved model)."""
    if not model.clustering.refit_prior or n_records < 2:
        return None
    settings = linker._settings_obj
    weights, counts = weight_histogram(eng, predictions)
    fit = refit_prior(
        weights,
        counts,
        trained=float(settings._probability_two_random_records_match),
        pairs=n_records * (n_records - 1) / 2,
    )
    settings._probability_two_random_records_match = fit.refit
    return fit


def _keeping_splink_warnings(link: Callable[P, LinkResult]) -> Callable[P, LinkResult]:
    """``link`` with Splink's warnings added to its result's ``warnings``, not printed."""

    @functools.wraps(link)
    def keeping(*args: P.args, **kwargs: P.kwargs) -> LinkResult:
        with splink_warnings() as heard:
            result = link(*args, **kwargs)
        result.warnings.extend(heard)
        return result

    return keeping


def link_provenance(
    records: pa.Table,
    *,
    inputs: Sequence[str | Path] = (),
    engine: EngineName | Engine = "duckdb",
    max_block: int = DEFAULT_MAX_BLOCK,
    labels: pa.Table | None = None,
    must_link: list[tuple[int, int]] | None = None,
    cannot_link: list[tuple[int, int]] | None = None,
    previous: pa.Table | None = None,
) -> Provenance:
    """The provenance of linking ``records``: the hashes of the list files ``inputs`` they
    were read from (of the table itself when none are named), the version and the settings."""
    return make_provenance(
        inputs,
        table=records,
        seed=None,
        settings={
            "engine": engine if isinstance(engine, str) else engine.name,
            "max_block": max_block,
            "labels": 0 if labels is None else labels.num_rows,
            "must_link": len(must_link or []),
            "cannot_link": len(cannot_link or []),
            "previous_persons": 0
            if previous is None or not previous.num_rows
            else len(pc.unique(previous.column("person_id"))),
        },
    )


@_keeping_splink_warnings
def link_records(
    records: pa.Table,
    *,
    model: LinkageModel | None = None,
    engine: EngineName | Engine = "duckdb",
    labels: pa.Table | None = None,
    must_link: list[tuple[int, int]] | None = None,
    cannot_link: list[tuple[int, int]] | None = None,
    previous: pa.Table | None = None,
    step: Step | None = None,
    max_block: int = DEFAULT_MAX_BLOCK,
    prepare_workers: int | None = None,
    inputs: Sequence[str | Path] = (),
    provenance: Provenance | None = None,
) -> LinkResult:
    """Link the records of every list (a table from :func:`inquest.io.read_lists`).

    ``labels`` are clerical pair labels on ``unique_id``s (see :mod:`inquest.linkage.review`);
    ``must_link``/``cannot_link`` constrain the clustering; ``previous`` is the last run's
    ``clusters.csv`` table, for stable person ids. A blocking key value shared by more than
    ``max_block`` records does not block on its own (see :mod:`inquest.linkage.caps`).
    ``prepare_workers`` processes parse the records (default: one per core for big tables;
    1 keeps the work in this process, e.g. in a web server, which must not fork).
    ``provenance`` is the run's (default: :func:`link_provenance` over ``inputs``, the files
    the records were read from, or over the table itself).
    """
    from splink import Linker

    if provenance is None:
        provenance = link_provenance(
            records,
            inputs=inputs,
            engine=engine,
            max_block=max_block,
            labels=labels,
            must_link=must_link,
            cannot_link=cannot_link,
            previous=previous,
        )
    model = model or load_model()
    step = step or _no_progress
    timings: dict[str, dict[str, float]] = {}
    # On Spark the records are prepared by its executors; DuckDB's engine starts after the
    # records are prepared (prepare forks its workers, which must not copy a running engine).
    eng = make_engine(engine) if engine == "spark" else engine
    with _timed(timings, "prepare"):
        advance = step("prepare", records.num_rows)
        outside = gazetteer_scope(records)
        if isinstance(eng, Engine) and eng.name == "spark":
            prepared = prepare_on_spark(records, eng.db_api.spark, outside)
            advance(records.num_rows)
        else:
            # Names, dates and places are parsed once per distinct value in a batch: big
            # batches parse each common value once.
            prepared = prepare(
                records,
                batch_size=PREPARE_BATCH,
                on_batch=advance,
                workers=prepare_workers,
                outside=outside,
            )
    with _timed(timings, "register"):
        lists = len(pc.unique(prepared.column("list")))
        caps = cap_blocks(prepared, for_lists(model, lists), max_block)
        eng = make_engine(eng) if isinstance(eng, str) else eng
        frame = eng.register(caps.table, "inquest_records")
        own_blocking = eng.name == "duckdb"
        # Splink reads only the columns it compares (a view over the same Arrow memory):
        # each of its steps lists and copies every column of its input, and the blocking
        # keys and caps (60 of 83 columns on the default model) are for inquest's blocking.
        scored, scored_table = frame, caps.table
        scored_columns = caps.model.scored_columns(
            c for c in caps.table.column_names if c not in _PROVENANCE
        )
        if own_blocking:
            scored_table = caps.table.select([*_PROVENANCE, *scored_columns])
            scored = eng.register(scored_table, "inquest_scored_records")
        # On DuckDB the pairs are found by inquest.linkage.predict: Splink's settings carry no
        # prediction rules (checking 40 rules' SQL costs a second; and the block-size and key
        # columns would travel with every pair). Training names its own rules.
        settings = splink_settings(caps.model, blocking=[] if own_blocking else None)
        linker = Linker(scored, settings, log_level=logging.WARNING)
        rules = list(caps.model.blocking)
        # a rule whose pairs the caps cannot count is guessed at the per-record budget
        guess = DEFAULT_PAIRS_PER_RECORD * records.num_rows
        candidates = sum(caps.pairs.get(r, guess) for r in rules)
    # The candidate pairs need no model: on DuckDB they are found while Splink trains.
    pending = find_pairs_in_background(eng, caps.table, rules, candidates)
    try:
        linker, levels, skipped = _train(
            linker, caps.model, scored, scored_table, eng, labels, timings, step
        )
    except BaseException:
        if pending is not None:
            pending.discard()
        raise
    with _timed(timings, "predict"):
        advance = step("predict", 1)
        predictions = predict(
            linker,
            model.clustering.keep_threshold,
            engine=eng if own_blocking else None,
            records=frame,
            rules=rules,
            candidate_pairs=candidates,
            pending=pending,
        )
        if pending is not None:
            timings["candidates_beside_train"] = {"wall_s": round(pending.wall_s, 3)}
        prior = _refit_prior(linker, eng, predictions, prepared.num_rows, model)
        if prior is not None:
            predictions = apply_prior(eng, predictions, prior, model.clustering.keep_threshold)
        edges = edges_of(eng, predictions)
        if levels is not None:
            predictions = with_values(eng, predictions, scored, scored_columns, levels)
        advance(1)
    with _timed(timings, "cluster"), eng.memory_held_to(CLUSTER_ENGINE_MEMORY):
        advance = step("cluster", 1)
        clustering = cluster_records(
            prepared.num_rows,
            edges,
            model.clustering.link_threshold,
            rescore=_rescorer(linker, eng),
            max_component=model.clustering.max_component_for_rescoring,
            must_link=must_link,
            cannot_link=cannot_link,
            source=_list_codes(prepared),
            same_source_min=model.clustering.same_list_min_probability,
        )
        ids = assign_ids(
            [str(x) for x in prepared.column("list").to_pylist()],
            [str(x) for x in prepared.column("record_id").to_pylist()],
            clustering.labels,
            previous,
        )
        advance(1)
    sizes = np.bincount(clustering.labels)
    clusters = pa.table(
        {
            "list": prepared.column("list").combine_chunks(),
            "record_id": prepared.column("record_id").combine_chunks(),
            "person_id": pa.array(ids.ids, pa.string()),
            "confidence": pa.array(np.round(clustering.confidence, 4), pa.float64()),
            "cluster_size": pa.array(sizes[clustering.labels], pa.int64()),
        }
    )
    model_json = linker.misc.save_model_to_json()
    # as Splink's default: whoever loads the model gets each pair's values and levels
    model_json["retain_matching_columns"] = True
    # the model saved with the run names the (capped) rules its pairs came from
    model_json["blocking_rules_to_generate_predictions"] = [
        {"blocking_rule": rule, "sql_dialect": "duckdb"} for rule in caps.model.blocking
    ]
    return LinkResult(
        prepared=caps.table,
        clusters=clusters,
        edges=edges,
        clustering=clustering,
        model_json=model_json,
        model=caps.model,
        engine=eng,
        linker=linker,
        predictions=predictions,
        prior=prior,
        records=scored,
        carried_over=ids.carried_over,
        provenance=provenance,
        timings=timings,
        warnings=[f"EM session skipped: {w}" for w in skipped]
        + [o.describe() for o in outside]
        + [
            f"{n:,} records share a {key} value with more than {caps.caps[key]} others: "
            "that key alone does not pair them"
            for key, n in caps.records_over_cap.items()
        ],
    )


def _component_pairs(result: LinkResult) -> pa.Table:
    """The pairs scored inside candidate groups during clustering, by list and record id."""
    pairs = result.clustering.rescored
    if pairs is None:
        pairs = pa.table(
            {
                "unique_id_l": pa.array([], pa.int64()),
                "unique_id_r": pa.array([], pa.int64()),
                "match_probability": pa.array([], pa.float64()),
            }
        )
    lists = result.prepared.column("list").combine_chunks()
    ids = result.prepared.column("record_id").combine_chunks()
    left, right = pairs.column("unique_id_l"), pairs.column("unique_id_r")
    return pa.table(
        {
            "list_l": lists.take(left),
            "record_id_l": ids.take(left),
            "list_r": lists.take(right),
            "record_id_r": ids.take(right),
            "match_probability": pairs.column("match_probability").combine_chunks(),
        }
    )


def write_run(
    result: LinkResult, out: str | Path, record: LinkageRunRecord | None = None
) -> dict[str, Path]:
    """Write ``clusters.csv``, ``predictions.parquet``, ``component_pairs.parquet`` (pairs
    scored inside candidate groups while clustering), ``model.json`` and ``run.json`` (the
    clusters and ``run.json`` are the run's :class:`LinkageRunRecord`: ``record`` if the
    caller has made it already, else ``result.run_record()``).

    The folder is made 0700 and the files 0600: a run holds unpublished findings.
    """
    folder = private_folder(Path(out))
    paths = {
        "predictions": folder / PREDICTIONS_FILE,
        "component_pairs": folder / COMPONENT_PAIRS_FILE,
        "model": folder / MODEL_FILE,
    }
    result.engine.write_parquet(result.predictions, paths["predictions"])
    pq.write_table(_component_pairs(result), paths["component_pairs"])
    paths["model"].write_text(json.dumps(result.model_json, indent=2), encoding="utf-8")
    private_files(paths.values())
    written = (record if record is not None else result.run_record()).to_dir(folder)
    return {"clusters": written["clusters"], **paths, "run": written["run"]}
