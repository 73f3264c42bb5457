"""Run the chosen estimation methods on capture histories and write ``estimate.json``, plots
and report.

``estimate`` runs registered methods on capture histories in memory: it estimates each stratum
(or the whole table) with each method, combines strata by summing draws, and returns the run
with its typed record (``inquest.estimate.run_record.EstimateRunRecord``).
``run_estimation`` takes the histories from a file or an Arrow table of clusters (kept in
memory: its provenance hashes the table), calls ``estimate``, and writes to the output
directory:

* ``estimate.json``: the record: provenance (input hashes, inquest version, seed, settings),
  the input summary, per method the combined ``EstimateResult`` and one per stratum, warnings;
* ``plots/*.png``: lists overlap, distribution of N, comparison of methods, chain traces;
* ``report.html``: the plain-words report.

The directory is made 0700 and every file 0600: unpublished findings are the user's alone.

Methods come from the registry (``inquest.estimate.registry``); each is imported when run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy.typing as npt

from inquest.errors import EstimationError, InputError
from inquest.estimate import registry
from inquest.estimate.histories import (
    TOTAL,
    CaptureHistories,
    histories_from_clusters,
    read_histories,
)
from inquest.estimate.registry import available_methods, resolve_methods
from inquest.estimate.result import EstimateResult
from inquest.estimate.run_record import (
    EstimateRunRecord,
    InputSummary,
    MethodRecord,
    PatternCount,
    settled,
)
from inquest.estimate.strata import combine, drop_empty_lists, stratum_problems
from inquest.private import private_files, private_folder
from inquest.provenance import Provenance, make_provenance

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "EstimationRun",
    "MethodOutput",
    "available_methods",
    "estimate",
    "resolve_methods",
    "run_estimation",
    "write_record",
]

Progress = Callable[[str, int, int], None]  # (task description, advance, total)

#: Options as callers give them: per method name, its options dataclass or a mapping of
#: option names to values (checked against the dataclass).
OptionsArg = Mapping[str, Any] | None


@dataclass(frozen=True)
class MethodOutput:
    """One method on one stratum (its draws and details are in the result)."""

    result: EstimateResult

    @property
    def draws(self) -> npt.NDArray[Any]:
        return self.result.draws


@dataclass
class EstimationRun:
    """Everything a run produced; ``record`` is what ``estimate.json`` holds."""

    histories: CaptureHistories
    outputs: dict[str, dict[str, MethodOutput]]
    combined: dict[str, EstimateResult]
    record: EstimateRunRecord
    combined_draws: dict[str, npt.NDArray[Any]] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    @property
    def document(self) -> dict[str, Any]:
        """The content of ``estimate.json`` (the record as JSON)."""
        return self.record.to_document()


def method_options(methods: Sequence[str], options: OptionsArg) -> dict[str, Any]:
    """Each method's options dataclass from ``options`` (defaults where none are given).

    ``ConfigError`` names the option (``method.name``) that is unknown or of the wrong type;
    options for a method not run are checked too.
    """
    given = dict(options or {})
    checked = {m: registry.make_options(m, given.get(m)) for m in [*given, *methods]}
    return {m: checked[m] for m in methods}


def histories_provenance(
    histories: CaptureHistories,
    *,
    seed: int,
    methods: Sequence[str],
    level: float,
    options: Mapping[str, Any],
    table: pa.Table | None = None,
) -> Provenance:
    """The provenance of estimating from ``histories``: the hashes of the files they were
    read from, else of ``table`` (the clusters they were made from), else of the histories'
    own counts; with the seed and the settings."""
    import pyarrow as pa

    settings = {
        "methods": list(methods),
        "strata": histories.stratum_column,
        "level": level,
        "options": {m: registry.options_dict(o) for m, o in options.items()},
    }
    files = [s for s in histories.sources if Path(s).is_file()]
    if files:
        return make_provenance(files, seed=seed, settings=settings)
    if table is None:
        columns: dict[str, Any] = {
            name: histories.patterns[:, j] for j, name in enumerate(histories.lists)
        }
        columns["count"] = histories.counts
        if histories.strata is not None:
            columns[histories.stratum_column or "stratum"] = histories.strata.astype(str)
        table = pa.table(columns)
    return make_provenance(table=table, seed=seed, settings=settings)


def estimate(
    histories: CaptureHistories,
    methods: Sequence[str] = ("loglinear",),
    options: OptionsArg = None,
    *,
    seed: int = 0,
    level: float = 0.95,
    provenance: Provenance | None = None,
    progress: Progress | None = None,
) -> EstimationRun:
    """Estimate N with each of ``methods`` on ``histories`` (per stratum when it has strata).

    ``options`` maps a method name to its options dataclass or to a mapping of option names
    to values (e.g. ``{"loglinear": {"n_boot": 500}, "lcmcr": LcmcrOptions(chains=2)}``).
    Method ``k`` (0-based) runs with seed ``seed + 1000 k``. The run's ``record`` is typed;
    its provenance is ``provenance`` (default: :func:`histories_provenance`). Nothing is
    written: ``run_estimation`` writes the record, plots and report.
    """
    chosen = method_options(methods, options)
    if provenance is None:
        provenance = histories_provenance(
            histories, seed=seed, methods=methods, level=level, options=chosen
        )
    input_hash = provenance.input_hash
    warnings: list[str] = list(histories.notes)
    parts = histories.by_stratum()
    usable: dict[str, CaptureHistories] = {}
    skipped_n = 0
    for label, part in parts.items():
        problems = stratum_problems(part)
        fatal = [p for p in problems if "MSE needs" in p or "no overlap" in p]
        where = "the table" if label == TOTAL else f"stratum {label!r}"
        warnings.extend(f"{where}: {p}" for p in problems)
        if fatal:
            skipped_n += part.n_observed
            warnings.append(
                f"{where} not estimated; its {part.n_observed} observed persons are "
                "added to the totals with no estimate of those unrecorded"
            )
            continue
        usable[label] = drop_empty_lists(part)
    if not usable:
        raise EstimationError(
            "no stratum has enough lists and overlap to estimate from: " + "; ".join(warnings)
        )
    outputs: dict[str, dict[str, MethodOutput]] = {}
    combined: dict[str, EstimateResult] = {}
    combined_draws: dict[str, npt.NDArray[Any]] = {}
    for k, method in enumerate(methods):
        estimator = registry.get(method)
        outputs[method] = {}
        for label, part in usable.items():
            stratum = None if label == TOTAL else label
            task = method if stratum is None else f"{method} [{stratum}]"
            try:
                result = estimator.run(
                    part,
                    chosen[method],
                    seed=seed + 1000 * k,
                    level=level,
                    progress=_step(progress, task),
                )
            except (EstimationError, InputError) as exc:
                where = "" if stratum is None else f" (stratum {stratum})"
                warnings.append(f"{method}{where} failed: {exc}")
                continue
            result = replace(result, input_hash=input_hash, stratum=stratum)
            outputs[method][label] = MethodOutput(result)
        if not outputs[method]:
            continue
        if len(usable) == 1 and skipped_n == 0:
            only = next(iter(outputs[method].values()))
            combined[method] = only.result
            combined_draws[method] = only.draws
            continue
        if len(outputs[method]) < len(usable):
            warnings.append(f"{method}: combined over the strata it could estimate only")
        try:
            res, summed = combine(
                method,
                {lab: o.result for lab, o in outputs[method].items()},
                {lab: o.draws for lab, o in outputs[method].items()},
                level=level,
                seed=seed,
            )
        except EstimationError as exc:
            warnings.append(f"{method}: strata not combined ({exc}; e.g. n_boot = 0)")
            continue
        combined_draws[method] = summed + skipped_n
        combined[method] = replace(
            res,
            n_observed=res.n_observed + skipped_n,
            estimate=res.estimate + skipped_n,
            lower=res.lower + skipped_n,
            upper=res.upper + skipped_n,
            input_hash=input_hash,
            draws=combined_draws[method],
        )
    collapsed = histories.collapsed()
    summary = InputSummary(
        lists=tuple(histories.lists),
        n_observed=histories.n_observed,
        list_sizes=histories.list_sizes(),
        strata_column=histories.stratum_column,
        strata=(
            {lab: p.n_observed for lab, p in parts.items()} if histories.stratum_column else None
        ),
        patterns=tuple(
            PatternCount("".join(map(str, p)), int(c))
            for p, c in zip(collapsed.patterns.tolist(), collapsed.counts, strict=True)
        ),
    )
    record = EstimateRunRecord(
        provenance=provenance,
        level=level,
        input=summary,
        methods={
            m: MethodRecord(
                result=combined.get(m),
                strata=(
                    {lab: o.result for lab, o in outputs[m].items()}
                    if histories.stratum_column
                    else {}
                ),
            )
            for m in methods
        },
        warnings=tuple(warnings),
    )
    return EstimationRun(histories, outputs, combined, settled(record), combined_draws)


def run_estimation(
    source: str | Path | pa.Table,
    out_dir: str | Path,
    *,
    methods: Sequence[str] = ("loglinear",),
    strata: str | None = None,
    strata_file: str | Path | None = None,
    seed: int = 0,
    level: float = 0.95,
    options: OptionsArg = None,
    progress: Progress | None = None,
    write_plots: bool = True,
    write: bool = True,
) -> EstimationRun:
    """Estimate N with each of ``methods`` (see ``estimate``) and write the outputs to
    ``out_dir``.

    ``source`` is a file ``read_histories`` reads, or clusters in memory: an Arrow table with
    the columns of ``clusters.csv`` (``strata`` then names one of its columns), which the
    provenance hashes; no file is written for it. With ``write=False`` the plots are written
    but not the record and report: a caller that adds to the record writes them once, with
    ``write_record``.
    """
    chosen = method_options(methods, options)
    table = None
    if isinstance(source, (str, Path)):
        histories = read_histories(source, strata=strata, strata_file=strata_file)
    else:
        if strata_file is not None:
            raise InputError("a strata file applies to a clusters file, not a table")
        table = source
        histories = histories_from_clusters(source, strata=strata)
    out = private_folder(Path(out_dir))
    provenance = histories_provenance(
        histories, seed=seed, methods=methods, level=level, options=chosen, table=table
    )
    run = estimate(
        histories,
        methods,
        chosen,
        seed=seed,
        level=level,
        provenance=provenance,
        progress=progress,
    )
    plots = _write_plots(run, out) if write_plots and run.combined else {}
    run.record = replace(
        run.record, plots={k: tuple(v) for k, v in plots.items()}, report="report.html"
    )
    if write:
        write_record(run, out)
    return run


def write_record(run: EstimationRun, out: Path) -> None:
    """Write ``run``'s record (``estimate.json``) and, if a method gave a result, its report
    into ``out``; every file the run wrote is made private."""
    written = [run.record.to_dir(out)]
    if run.combined:
        from inquest.estimate.report import render_report

        plots = {k: list(v) for k, v in run.record.plots.items()}
        written.append(render_report(run.record.to_document(), plots, out / "report.html"))
    run.files.extend(p for p in written if p not in run.files)
    private_files(run.files)


def _step(progress: Progress | None, label: str) -> registry.Step | None:
    """The run's progress callback for one method on one table (its tasks named after it)."""
    if progress is None:
        return None
    report = progress

    def step(what: str, advance: int, total: int) -> None:
        report(f"{label}: {what}", advance, total)

    return step


def _write_plots(run: EstimationRun, out: Path) -> dict[str, list[str]]:
    from inquest.estimate import plots

    pdir = private_folder(out / "plots")
    files: dict[str, list[str]] = {"overlap": [], "posterior": [], "comparison": [], "trace": []}
    files["overlap"].append(_rel(plots.overlap_plot(run.histories, pdir / "overlap.png"), out))
    contributions: dict[str, plots.Contribution] = {}
    for method, by_label in run.outputs.items():
        if len(by_label) != 1:
            continue
        only = next(iter(by_label.values())).result
        found = only.details.contributions() if only.details is not None else None
        if found is not None:
            contributions[method] = (*found, only.models)
    files["posterior"].append(
        _rel(
            plots.posterior_plot(
                run.combined,
                run.combined_draws,
                pdir / "posterior_n.png",
                contributions=contributions,
            ),
            out,
        )
    )
    files["comparison"].append(
        _rel(plots.comparison_plot(run.combined, pdir / "comparison.png"), out)
    )
    for method, by_label in run.outputs.items():
        for label, o in by_label.items():
            details = o.result.details
            traces = details.chain_traces() if details is not None else None
            if traces:
                name = (
                    f"trace_{method}.png"
                    if label == TOTAL
                    else f"trace_{method}_{_slug(label)}.png"
                )
                path = plots.trace_plot(traces, pdir / name, title=f"{method.upper()} traces")
                files["trace"].append(_rel(path, out))
    run.files.extend(out / f for fs in files.values() for f in fs)
    return files


def _rel(path: Path, base: Path) -> str:
    return str(path.relative_to(base))


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text)[:40]
