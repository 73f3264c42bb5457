"""Run the chosen estimation methods on one input and write ``estimate.json``, plots and report.

``run_estimation`` reads the capture histories, estimates each stratum (or the whole table)
with each method, combines strata by summing draws, and writes to the output directory:

* ``estimate.json``: provenance (input hashes, inquest version, seed, settings), the input
  summary, per method the combined ``EstimateResult.to_dict()`` and one per stratum, warnings;
* ``plots/*.png``: lists overlap, distribution of N, comparison of methods, LCMCR traces;
* ``report.html``: the plain-words report.

The directory is made 0700 and every file 0600: unpublished findings are the user's alone.

dga and LCMCR are imported when asked for; a method whose module is missing is reported.
"""

from __future__ import annotations

import importlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from inquest.errors import EstimationError, InputError
from inquest.estimate.histories import TOTAL, CaptureHistories, read_histories
from inquest.estimate.loglinear import fit_loglinear
from inquest.estimate.provenance import run_manifest
from inquest.estimate.result import EstimateResult
from inquest.estimate.strata import combine, drop_empty_lists, stratum_problems
from inquest.private import private_files, private_folder

METHODS = ("loglinear", "dga", "lcmcr")
_MODULES = {
    "loglinear": "inquest.estimate.loglinear",
    "dga": "inquest.estimate.dga",
    "lcmcr": "inquest.estimate.lcmcr",
}

Progress = Callable[[str, int, int], None]  # (task description, advance, total)


@dataclass
class MethodOutput:
    """One method on one stratum: its result, draws of N, and method-specific extras."""

    result: EstimateResult
    draws: npt.NDArray[Any]
    extra: Any = None


@dataclass
class EstimationRun:
    """Everything a run produced; ``document`` is what ``estimate.json`` holds."""

    histories: CaptureHistories
    outputs: dict[str, dict[str, MethodOutput]]
    combined: dict[str, EstimateResult]
    document: dict[str, Any]
    combined_draws: dict[str, npt.NDArray[Any]] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def available_methods() -> dict[str, bool]:
    """Which estimation modules are importable in this installation."""
    out = {}
    for name, module in _MODULES.items():
        try:
            importlib.import_module(module)
            out[name] = True
        except ImportError:
            out[name] = False
    return out


def resolve_methods(method: str) -> tuple[list[str], list[str]]:
    """(methods to run, warnings) for ``loglinear|dga|lcmcr|all`` or a comma-separated list."""
    if method == "all":
        avail = available_methods()
        missing = [m for m, ok in avail.items() if not ok]
        warnings = [f"method {m} is not installed in this build; skipped" for m in missing]
        return [m for m, ok in avail.items() if ok], warnings
    chosen = [m.strip() for m in method.split(",") if m.strip()]
    unknown = [m for m in chosen if m not in METHODS]
    if unknown or not chosen:
        raise InputError(
            f"unknown method {', '.join(unknown) or method!r}; choose from "
            f"{', '.join(METHODS)}, a comma-separated list of them, or all",
            field="method",
        )
    return list(dict.fromkeys(chosen)), []


def run_estimation(
    input_path: str | Path,
    out_dir: str | Path,
    *,
    methods: Sequence[str] = ("loglinear",),
    strata: str | None = None,
    strata_file: str | Path | None = None,
    seed: int = 0,
    level: float = 0.95,
    options: dict[str, dict[str, Any]] | None = None,
    progress: Progress | None = None,
    write_plots: bool = True,
) -> EstimationRun:
    """Estimate N with each of ``methods`` and write the outputs to ``out_dir``.

    ``options`` maps a method name to extra keyword arguments of its entry point (e.g.
    ``{"loglinear": {"n_boot": 500}, "lcmcr": {"chains": 2}}``).
    """
    options = options or {}
    out = private_folder(Path(out_dir))
    histories = read_histories(input_path, strata=strata, strata_file=strata_file)
    paths = list(histories.sources)
    manifest = run_manifest(
        paths, seed=seed, methods=list(methods), strata=strata, level=level, options=options
    )
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
        outputs[method] = {}
        for label, part in usable.items():
            stratum = None if label == TOTAL else label
            try:
                outputs[method][label] = _run_method(
                    method,
                    part,
                    seed=seed + 1000 * k,
                    level=level,
                    input_hash=manifest["input_hash"],
                    stratum=stratum,
                    options=options.get(method, {}),
                    progress=progress,
                )
            except (EstimationError, InputError) as exc:
                where = "" if stratum is None else f" (stratum {stratum})"
                warnings.append(f"{method}{where} failed: {exc}")
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
        res = replace(
            res,
            n_observed=res.n_observed + skipped_n,
            estimate=res.estimate + skipped_n,
            lower=res.lower + skipped_n,
            upper=res.upper + skipped_n,
            input_hash=manifest["input_hash"],
        )
        combined[method] = res
    document = {
        "provenance": manifest,
        "level": level,
        "input": {
            "lists": list(histories.lists),
            "n_observed": histories.n_observed,
            "list_sizes": histories.list_sizes(),
            "strata_column": strata,
            "strata": {lab: p.n_observed for lab, p in parts.items()} if strata else None,
            "patterns": [
                {"pattern": "".join(map(str, p)), "count": int(c)}
                for p, c in zip(
                    histories.collapsed().patterns.tolist(),
                    histories.collapsed().counts,
                    strict=True,
                )
            ],
        },
        "methods": {
            m: {
                "result": combined[m].to_dict() if m in combined else None,
                "strata": (
                    {lab: o.result.to_dict() for lab, o in outputs[m].items()} if strata else {}
                ),
            }
            for m in methods
        },
        "warnings": warnings,
    }
    run = EstimationRun(histories, outputs, combined, document, combined_draws)
    plots = _write_plots(run, out) if write_plots and combined else {}
    document["files"] = {"plots": plots, "report": "report.html"}
    json_path = out / "estimate.json"
    json_path.write_text(
        json.dumps(_jsonable(document), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    run.files.append(json_path)
    if combined:
        from inquest.estimate.report import render_report

        run.files.append(render_report(_jsonable(document), plots, out / "report.html"))
    private_files(run.files)
    return run


def _run_method(
    method: str,
    h: CaptureHistories,
    *,
    seed: int,
    level: float,
    input_hash: str,
    stratum: str | None,
    options: dict[str, Any],
    progress: Progress | None,
) -> MethodOutput:
    label = method if stratum is None else f"{method} [{stratum}]"
    if method == "loglinear":
        n_boot = int(options.get("n_boot", 1000))

        def tick(advance: int) -> None:
            if progress is not None:
                progress(f"{label}: bootstrap", advance, n_boot)

        ll = fit_loglinear(
            h.patterns, h.counts, lists=h.lists, seed=seed, level=level, progress=tick, **options
        )
        result = replace(ll.result, input_hash=input_hash, stratum=stratum)
        return MethodOutput(result, ll.replicates)
    module = importlib.import_module(_MODULES[method])
    if progress is not None:
        progress(f"{label}: running", 0, 1)
    kwargs: dict[str, Any] = {
        "lists": h.lists,
        "seed": seed,
        "level": level,
        "input_hash": input_hash,
        "stratum": stratum,
        **options,
    }
    if method == "lcmcr":
        kwargs.setdefault("progress", progress is not None)
    est = getattr(module, f"estimate_{method}")(h.patterns, h.counts, **kwargs)
    if progress is not None:
        progress(f"{label}: running", 1, 1)
    return MethodOutput(est.result, np.asarray(est.draws), est)


def _write_plots(run: EstimationRun, out: Path) -> dict[str, list[str]]:
    from inquest.estimate import plots

    pdir = private_folder(out / "plots")
    files: dict[str, list[str]] = {"overlap": [], "posterior": [], "comparison": [], "trace": []}
    files["overlap"].append(_rel(plots.overlap_plot(run.histories, pdir / "overlap.png"), out))
    draws = run.combined_draws
    dga_extra = None
    if "dga" in run.outputs and len(run.outputs["dga"]) == 1:
        est = next(iter(run.outputs["dga"].values())).extra
        dga_extra = (est.n_values, est.top_posteriors, est.result.models)
    files["posterior"].append(
        _rel(
            plots.posterior_plot(
                run.combined, draws, pdir / "posterior_n.png", dga_contributions=dga_extra
            ),
            out,
        )
    )
    files["comparison"].append(
        _rel(plots.comparison_plot(run.combined, pdir / "comparison.png"), out)
    )
    for label, o in run.outputs.get("lcmcr", {}).items():
        traces = getattr(o.extra, "traces", None)
        if traces:
            name = "trace_lcmcr.png" if label == TOTAL else f"trace_lcmcr_{_slug(label)}.png"
            files["trace"].append(_rel(plots.trace_plot(traces, pdir / name), out))
    run.files.extend(out / f for fs in files.values() for f in fs)
    return files


def _rel(path: Path, base: Path) -> str:
    return str(path.relative_to(base))


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text)[:40]


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
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
