"""Estimate runs from what ``inquest estimate`` wrote, and the dashboard's view of them.

``register_estimate_dir`` reads the engine's record of a run folder
(``inquest.estimate.run_record.EstimateRunRecord``: ``estimate.json``, its plots and its
report) and records one ``EstimateRun`` per method (a method that gave no result is recorded
as failed, with the warnings that say why). The same ``estimate.json`` registered again finds
the runs made the first time. ``estimate_from_linkage`` hands the engine the persons of a
linkage run as a table, in memory. ``dashboard`` groups the runs a user may see by the
``estimate.json`` they came from, their results read back as the engine's ``EstimateResult``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.db import transaction
from django.db.models import Prefetch

from inquest.errors import InputError
from inquest.estimate.result import EstimateResult
from inquest.estimate.run_record import (
    ESTIMATE_FILE,
    EstimateRunRecord,
    InputSummary,
    jsonable,
    result_from_dict,
)
from inquest.hashing import file_sha256
from inquest.linkage.quality import LinkageQuality
from inquest.web.access.actions import Action
from inquest.web.access.levels import Level
from inquest.web.access.policy import AnyUser, require
from inquest.web.registry.models import PersonRecord
from inquest.web.runs import services
from inquest.web.runs.models import Artefact, EstimateRun, LinkageRun, RunStatus

DOC_HASH_KEY = "estimate_json_sha256"
PLOT_PREFIX = "plot:"


@dataclass(frozen=True)
class RegisteredEstimate:
    """The runs recorded from one ``estimate.json``, and whether this call made them."""

    runs: list[EstimateRun]
    created: bool


def _artefacts(directory: Path, record: EstimateRunRecord) -> dict[str, Path]:
    """The files the record lists (plots, report) that exist, keyed by kind."""
    found: dict[str, Path] = {"estimate_json": directory / ESTIMATE_FILE}
    for paths in record.plots.values():
        for rel in paths:
            path = directory / rel
            if path.is_file():
                found[f"{PLOT_PREFIX}{path.stem}"] = path
    if record.report is not None and (directory / record.report).is_file():
        found["report"] = directory / record.report
    return found


@transaction.atomic
def register_estimate_dir(
    user: AnyUser,
    directory: Path,
    *,
    linkage_run: LinkageRun | None = None,
    level: Level | None = None,
) -> RegisteredEstimate:
    """Record the estimate runs written by ``inquest estimate`` into ``directory``.

    Each run keeps the input hash, inquest version and seed from the record's provenance,
    the method's result with its strata, and the files (hashed). Raises ``InputError`` naming
    the file and field for a malformed record, ``PermissionDenied`` without ``estimate``.
    """
    record = EstimateRunRecord.from_dir(directory)
    path = directory / ESTIMATE_FILE
    digest, _ = file_sha256(path)
    existing = list(
        EstimateRun.objects.filter(**{f"parameters__{DOC_HASH_KEY}": digest}).order_by("id")
    )
    if existing:
        return RegisteredEstimate(existing, False)
    provenance = record.provenance
    artefacts = _artefacts(directory, record)
    summary = record.input.to_dict()
    del summary["patterns"]
    made = []
    for method, entry in sorted(record.methods.items()):
        result = entry.result
        run = services.start_estimate_run(
            user,
            method=method,
            parameters={
                DOC_HASH_KEY: digest,
                "directory": str(directory),
                "inputs": provenance.to_dict()["inputs"],
                "settings": provenance.settings,
                "level": record.level,
                "created_utc": provenance.created_utc,
            },
            input_sha256=provenance.input_hash,
            linkage_run=linkage_run,
            level=level,
            seed=result.seed if result is not None and result.seed is not None else provenance.seed,
            code_version=provenance.inquest_version or "unknown",
        )
        if result is not None:
            services.finish_run(
                user,
                run,
                results={
                    "result": jsonable(result.to_dict()),
                    "strata": {k: jsonable(r.to_dict()) for k, r in entry.strata.items()},
                    "input": summary,
                    "warnings": list(record.warnings),
                    "linkage_aware": record.linkage_aware,
                    "linkage": _linkage_summary(record),
                    "linkage_result": _method_linkage(entry.linkage),
                },
                artefacts=artefacts,
            )
        else:
            why = [w for w in record.warnings if method in w]
            services.fail_run(user, run, error="; ".join(why) or "no result")
        made.append(run)
    return RegisteredEstimate(made, True)


def _linkage_summary(record: EstimateRunRecord) -> dict[str, Any]:
    """What the dashboard says of the linkage: its quality, how it was drawn, why fixed."""
    link = record.linkage or {}
    keys = ("quality", "target", "n_draws", "run_hash", "reason")
    return {k: link[k] for k in keys if k in link}


def _method_linkage(block: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A method's linkage-aware result and the share of its variance linkage gives."""
    if not block or not isinstance(block.get("linkage_aware"), dict):
        return None
    return {
        "result": block["linkage_aware"],
        "share": block.get("linkage_share_of_variance"),
    }


def newer_linkage_run(user: AnyUser, run: LinkageRun | None) -> LinkageRun | None:
    """A succeeded linkage run of the same sources finished after ``run``, if the user may
    see one (the estimate then rests on persons that have moved on)."""
    if run is None or run.finished_at is None:
        return None
    return (
        LinkageRun.objects.visible_to(user)
        .filter(
            status=RunStatus.SUCCEEDED,
            finished_at__gt=run.finished_at,
            sources__in=run.sources.all(),
        )
        .order_by("-finished_at", "-id")
        .first()
    )


def clusters_table(user: AnyUser, run: LinkageRun) -> pa.Table:
    """The current persons of ``run``'s sources as the columns of a ``clusters.csv``.

    One row per record the user may see: ``list`` (source code), ``record_id`` (the record's
    id in the workbench) and ``person_id`` (the person's stable uid).
    """
    memberships = (
        PersonRecord.objects.visible_to(user)
        .filter(record__source__in=run.sources.all())
        .order_by("record__source__code", "record__row_number")
        .values_list("record__source__code", "record_id", "person__uid")
    )
    codes: list[str] = []
    records: list[str] = []
    persons: list[str] = []
    for code, record_id, uid in memberships.iterator(chunk_size=5000):
        codes.append(code)
        records.append(str(record_id))
        persons.append(str(uid))
    return pa.table({"list": codes, "record_id": records, "person_id": persons})


def estimate_from_linkage(
    user: AnyUser,
    run: LinkageRun,
    out_dir: Path,
    *,
    methods: Sequence[str] = ("loglinear",),
    seed: int = 0,
    options: Mapping[str, Any] | None = None,
) -> RegisteredEstimate:
    """Estimate the total from a linkage run's persons and record the runs.

    The engine estimates from the workbench's current memberships, handed to it as a table
    (its provenance hashes the table; no file of them is written), writes its record, plots
    and report into ``out_dir``, and the result is registered against ``run``. ``options``
    are per method, as the estimator registry reads them.
    """
    from inquest.estimate.run import run_estimation

    require(user, Action.ESTIMATE, run.confidentiality)
    clusters = clusters_table(user, run)
    if clusters.num_rows == 0:
        raise InputError("the linkage run's sources have no persons to estimate from")
    run_estimation(clusters, out_dir, methods=list(methods), seed=seed, options=options)
    return register_estimate_dir(user, out_dir, linkage_run=run)


@dataclass(frozen=True)
class StratumRow:
    """One stratum of one method's estimate."""

    label: str
    result: EstimateResult


@dataclass(frozen=True)
class MethodRow:
    """One method's estimate, the run that made it, and its strata."""

    run: EstimateRun
    result: EstimateResult
    strata: tuple[StratumRow, ...]
    #: the interval over draws of the linkage posterior (None: fixed linkage)
    aware: EstimateResult | None = None
    linkage_share: float | None = None


@dataclass(frozen=True)
class EstimateBatch:
    """The runs made from one ``estimate.json``: one per method, its plots and inputs."""

    key: str
    runs: tuple[EstimateRun, ...]
    methods: tuple[MethodRow, ...]
    failed: tuple[EstimateRun, ...]
    plots: tuple[Artefact, ...]
    report: Artefact | None

    @property
    def first(self) -> EstimateRun:
        """The batch's first run (they share input, version and seed of the document)."""
        return self.runs[0]

    @property
    def documented(self) -> int | None:
        """Persons on at least one list (the same for every method of the batch)."""
        for row in self.methods:
            return row.result.n_observed
        return None

    def _results(self) -> dict[str, Any]:
        for run in self.runs:
            if isinstance(run.results, dict):
                return run.results
        return {}

    @property
    def linkage_aware(self) -> bool:
        """True if the intervals carry linkage uncertainty (else they ignore it)."""
        return self._results().get("linkage_aware") is True

    @property
    def quality(self) -> LinkageQuality | None:
        """The linkage run's quality as its pair probabilities judge it, if recorded."""
        link = self._results().get("linkage") or {}
        return LinkageQuality.from_dict(link.get("quality") if isinstance(link, dict) else None)

    @property
    def warnings(self) -> list[str]:
        """The run's warnings (every method's)."""
        found = self._results().get("warnings") or []
        return [str(w) for w in found] if isinstance(found, list) else []

    @property
    def input(self) -> InputSummary | None:
        """The record's input summary: lists, their sizes, strata."""
        for run in self.runs:
            found = run.results.get("input") if isinstance(run.results, dict) else None
            if isinstance(found, dict):
                try:
                    return InputSummary.from_dict(found, path=f"estimate run {run.pk}")
                except InputError:
                    continue
        return None


def _batch_key(run: EstimateRun) -> str:
    params = run.parameters if isinstance(run.parameters, dict) else {}
    return str(params.get(DOC_HASH_KEY) or f"run-{run.pk}")


def _method_row(run: EstimateRun) -> MethodRow | None:
    """The run's result and strata as the engine's results (None: failed or unreadable)."""
    results = run.results if isinstance(run.results, dict) else {}
    if run.status != RunStatus.SUCCEEDED or not isinstance(results.get("result"), dict):
        return None
    where = f"estimate run {run.pk}"
    strata = results.get("strata") or {}
    linked = results.get("linkage_result")
    try:
        aware = (
            result_from_dict(linked["result"], where, "linkage_result.result")
            if isinstance(linked, dict)
            else None
        )
        share = linked.get("share") if isinstance(linked, dict) else None
        return MethodRow(
            run=run,
            result=result_from_dict(results["result"], where),
            strata=tuple(
                StratumRow(label, result_from_dict(strata[label], where, f"strata.{label}"))
                for label in sorted(strata)
            ),
            aware=aware,
            linkage_share=float(share) if isinstance(share, (int, float)) else None,
        )
    except InputError:
        return None


def _batch(key: str, runs: Sequence[EstimateRun]) -> EstimateBatch:
    rows, failed = [], []
    for run in sorted(runs, key=lambda r: (r.method, r.pk)):
        row = _method_row(run)
        if row is None:
            failed.append(run)
        else:
            rows.append(row)
    artefacts = [a for run in runs for a in run.artefacts.all()]
    plots: dict[str, Artefact] = {}
    report = None
    for artefact in artefacts:
        if artefact.kind.startswith(PLOT_PREFIX):
            plots.setdefault(artefact.kind, artefact)
        elif artefact.kind == "report" and report is None:
            report = artefact
    return EstimateBatch(
        key=key,
        runs=tuple(runs),
        methods=tuple(rows),
        failed=tuple(failed),
        plots=tuple(plots.values()),
        report=report,
    )


def dashboard(user: AnyUser) -> list[EstimateBatch]:
    """The estimate runs the user may see, grouped by document, newest first."""
    grouped: dict[str, list[EstimateRun]] = {}
    runs = (
        EstimateRun.objects.visible_to(user)
        .select_related("linkage_run")
        .prefetch_related(Prefetch("artefacts", queryset=Artefact.objects.visible_to(user)))
        .order_by("-started_at", "-id")
    )
    for run in runs:
        grouped.setdefault(_batch_key(run), []).append(run)
    return [_batch(key, runs) for key, runs in grouped.items()]
