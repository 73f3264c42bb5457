"""``inquest estimate``: how many victims no list recorded (multiple systems estimation).

The methods and their options come from the estimator registry: every option can be set as
``--option METHOD.NAME=VALUE``, and options that declare a flag of their own (``--K``,
``--n-boot`` ...) get it. The registry imports nothing numerical, so the command starts fast.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TimeElapsedColumn
from rich.table import Table

from inquest.errors import ConfigError, InquestError
from inquest.estimate import registry

console = Console()

OPTION_HELP = (
    "An option of a method as METHOD.NAME=VALUE (repeatable), e.g. lcmcr.K=10; "
    "--list-methods shows every option."
)


def _flag_specs() -> dict[str, registry.OptionSpec]:
    """Options with a flag of their own, by the command's parameter name."""
    out: dict[str, registry.OptionSpec] = {}
    flags: dict[str, str] = {}
    for method in registry.estimators():
        for spec in registry.option_specs(method):
            if spec.flag is None:
                continue
            if spec.flag in flags:
                raise ValueError(f"{spec.key} and {flags[spec.flag]} both claim {spec.flag}")
            flags[spec.flag] = spec.key
            out["flag_" + spec.flag.lstrip("-").replace("-", "_")] = spec
    return out


def option_values(
    assignments: Sequence[str], flags: dict[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    """Options per method from ``--option`` texts and flag texts, checked against the
    registry; ``ConfigError`` names the option (or flag) that is wrong."""
    values: dict[str, dict[str, Any]] = {}
    for method, given in registry.parse_assignments(assignments).items():
        specs = {s.name: s for s in registry.option_specs(method)}
        for name, text in given.items():
            if name not in specs:
                registry.make_options(method, {name: text})  # raises, naming the option
            values.setdefault(method, {})[name] = specs[name].read(text)
    specs_by_flag = {s.flag: s for s in _FLAGS.values()}
    for flag, text in (flags or {}).items():
        spec = specs_by_flag[flag]
        allowed = spec.allowed
        if allowed is not None and text not in allowed:
            raise ConfigError(f"unknown {flag} {text!r} (one of {', '.join(allowed)})")
        try:
            value = spec.read(text)
        except ConfigError as exc:
            raise ConfigError(f"{flag}: {exc.reason}") from None
        earlier = values.get(spec.method, {}).get(spec.name, value)
        if earlier != value:
            raise ConfigError(f"given twice, as {flag} and --option", key=spec.key)
        values.setdefault(spec.method, {})[spec.name] = value
    return values


def list_methods() -> None:
    """Print every registered method, whether it can run here, and its options."""
    for name, est in registry.estimators().items():
        missing = registry.unavailable(est)
        state = f" [yellow](not installed: {', '.join(missing)})[/yellow]" if missing else ""
        console.print(f"[bold]{name}[/bold]{state}: {est.description}")
        for spec in registry.option_specs(name):
            flag = f" ({spec.flag})" if spec.flag else ""
            console.print(f"  {spec.key}{flag} = {spec.default!r}: {spec.help}")


LINKAGE_CHOICES = ("auto", "aware", "fixed")
#: The posterior target of linkage-aware runs (inquest.estimate.linkage_aware.TARGETS); kept
#: here so that the command starts without the engine.
TARGET_CHOICES = (
    "centred",
    "prior_per_join",
    "pairwise",
    "threshold_odds",
    "calibrated",
    "calibrated_centred",
)
DEFAULT_TARGET = "centred"


def estimate(
    input_path: Path | None,
    out: Path | None,
    method: str,
    strata: str | None,
    strata_file: Path | None,
    seed: int,
    level: float,
    option: list[str] | None,
    list_methods_: bool,
    linkage: str = "auto",
    draws: int = 50,
    target: str = DEFAULT_TARGET,
    labels: Path | None = None,
    **flags: str | None,
) -> None:
    """Estimate the number of victims recorded by no list, with several methods side by side.

    A linkage run folder (``inquest link --out``) is estimated over draws of its linkage
    posterior, beside the fixed-linkage estimate; ``--linkage fixed`` keeps the run's one
    clustering, labelled as ignoring linkage error.
    """
    if list_methods_:
        list_methods()
        return
    if input_path is None or out is None:
        console.print("[red]error:[/red] INPUT and --out are needed")
        raise typer.Exit(2)
    try:
        methods, notes = registry.resolve_methods(method)
        given = {_FLAGS[k].flag or k: v for k, v in flags.items() if v is not None}
        options = option_values(option or [], given)
    except InquestError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    for note in notes:
        console.print(f"[yellow]note:[/yellow] {note}")
    if linkage not in LINKAGE_CHOICES or target not in TARGET_CHOICES:
        console.print(
            f"[red]error:[/red] --linkage is one of {', '.join(LINKAGE_CHOICES)}; "
            f"--linkage-target one of {', '.join(TARGET_CHOICES)}"
        )
        raise typer.Exit(2)
    from inquest.estimate.linkage_aware import detect_run

    try:
        kind = detect_run(input_path)
    except InquestError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    if kind != "run" and linkage == "aware":
        what = (
            "this folder has clusters but no pair probabilities (predictions.parquet, "
            "run.json): clusters from another tool, or a run copied without them"
            if kind == "clusters_only"
            else "a file holds one clustering, not the pair probabilities linkage-aware "
            "estimates need"
        )
        console.print(
            f"[red]error:[/red] {input_path}: {what}; give a run folder of `inquest link`, "
            "or --linkage fixed to ignore linkage error"
        )
        raise typer.Exit(2)
    if kind == "run" and linkage != "fixed":
        if strata is not None or strata_file is not None:
            console.print(
                "[red]error:[/red] --strata and --strata-file are not supported by "
                "linkage-aware estimates (the draws of the linkage posterior are not "
                "stratified); add --linkage fixed to stratify the run's one clustering, "
                "ignoring linkage error"
            )
            raise typer.Exit(2)
        _aware(input_path, out, methods, options, seed, level, draws, target, labels)
        return
    source = input_path / "clusters.csv" if kind != "file" else input_path
    if kind == "clusters_only":
        reason = "no pair probabilities in the folder (clusters from another tool?)"
        console.print(
            f"[yellow]warning:[/yellow] {input_path} has no pair probabilities "
            "(predictions.parquet, run.json): falling back to FIXED linkage; the intervals "
            "ignore linkage error"
        )
    elif kind == "run":
        reason = "--linkage fixed"
    else:
        reason = "a clusters or capture-history file: one linkage taken as certain"
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(description: str, advance: int, total: int) -> None:
            if description not in tasks:
                tasks[description] = bar.add_task(description, total=total)
            bar.update(tasks[description], advance=advance)

        try:
            from inquest.estimate.linkage_aware import run_fixed_labelled

            run = run_fixed_labelled(
                source,
                out,
                reason,
                methods=methods,
                strata=strata,
                strata_file=strata_file,
                seed=seed,
                level=level,
                options={m: options.get(m, {}) for m in methods},
                progress=progress,
                run_dir=input_path if kind == "run" else None,
                decisions=labels if kind == "run" else None,
            )
        except InquestError as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1) from exc
    _print_run(run, out, level)
    _print_quality(run.record.linkage)
    console.print(
        "[yellow]fixed linkage:[/yellow] the intervals take one clustering as certain and "
        "ignore linkage error (missed links inflate N, false links deflate it)"
    )


def _print_run(run: Any, out: Path, level: float) -> None:
    table = Table(
        title=f"{run.histories.n_observed:,} persons observed on {run.histories.n_lists} lists"
    )
    for col in ("method", "estimate of N", f"{level:.0%} interval", "not on any list", "interval"):
        table.add_column(col, justify="right" if col != "method" else "left")
    for name, res in run.combined.items():
        table.add_row(
            name,
            f"{res.estimate:,.0f}",
            f"{res.lower:,.0f} – {res.upper:,.0f}",
            f"{res.undocumented:,.0f}",
            res.interval,
        )
    console.print(table)
    for res in run.combined.values():
        others = {
            kind: bounds
            for kind, bounds in res.diagnostics.get("intervals", {}).items()
            if kind != res.interval
        }
        if others:
            console.print(
                f"{res.method}: other {level:.0%} intervals: "
                + "; ".join(f"{k} {lo:,.0f} – {hi:,.0f}" for k, (lo, hi) in others.items())
            )
    for warning in run.document["warnings"]:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    for res in run.combined.values():
        for warning in res.warnings:
            console.print(f"[yellow]{res.method}:[/yellow] {warning}")
    console.print(f"Wrote {out / 'estimate.json'} and {out / 'report.html'}")


def _aware(
    run_dir: Path,
    out: Path,
    methods: list[str],
    options: dict[str, dict[str, Any]],
    seed: int,
    level: float,
    draws: int,
    target: str,
    labels: Path | None,
) -> None:
    """Linkage-aware estimates of a run folder, printed beside the fixed-linkage ones."""
    from inquest.estimate.linkage_aware import INCLUDES, LEAVES_OUT, run_linkage_aware

    try:
        with console.status(f"estimating over {draws} draws of the linkage posterior"):
            fixed, results, source = run_linkage_aware(
                run_dir,
                out,
                methods=methods,
                options={m: options.get(m, {}) for m in methods},
                partition_options={m: options.get(m, {}) for m in methods},
                n_draws=draws,
                target=target,  # type: ignore[arg-type]
                decisions=labels,
                seed=seed,
                level=level,
            )
    except InquestError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    persons = source.persons_per_draw
    table = Table(
        title=f"{draws} draws of the linkage posterior ({target}): "
        f"{persons['mean']:,.0f} persons per draw on average "
        f"(the run's clustering: {source.persons_fixed:,})"
    )
    for col in (
        "method",
        "linkage-aware N",
        f"{level:.0%} interval",
        "fixed-linkage N",
        f"{level:.0%} interval (ignores linkage error)",
        "linkage share of variance",
        "width ratio",
    ):
        table.add_column(col, justify="right" if col != "method" else "left")
    for name, r in results.items():
        a, f = r.pooled.result, r.fixed
        table.add_row(
            name,
            f"{a.estimate:,.0f}",
            f"{a.lower:,.0f} – {a.upper:,.0f}",
            "" if f is None else f"{f.estimate:,.0f}",
            "" if f is None else f"{f.lower:,.0f} – {f.upper:,.0f}",
            f"{r.linkage_share:.0%}",
            "" if r.width_ratio is None else f"{r.width_ratio:.1f}x",
        )
    console.print(table)
    if source.calibration is not None:
        cal = source.calibration
        console.print(
            f"Pair probabilities recalibrated on {cal['n_labels']} reviewed pairs "
            f"({cal['n_matches']} matches): logit p' = {cal['intercept']:.2f} + "
            f"{cal['slope']:.2f} logit p"
        )
    _print_quality(fixed.record.linkage)
    console.print("The linkage-aware interval includes: " + "; ".join(INCLUDES) + ".")
    console.print("It does not include: " + "; ".join(LEAVES_OUT) + ".")
    for warning in fixed.document["warnings"]:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    console.print(f"Wrote {out / 'estimate.json'} and {out / 'report.html'}")


def _print_quality(linkage: Any) -> None:
    """The linkage run's quality as its own pair probabilities judge it, if known."""
    from inquest.linkage.quality import LinkageQuality

    q = LinkageQuality.from_dict((linkage or {}).get("quality"))
    if q is None:
        return
    precision = "—" if q.expected_precision is None else f"{q.expected_precision:.1%}"
    recall = "—" if q.expected_recall is None else f"{q.expected_recall:.1%}"
    console.print(
        f"Linkage quality (the model's own expectation): {q.linked_pairs:,} linked pairs, "
        f"about {q.expected_false_links:,.0f} of them false (precision {precision}); about "
        f"{q.expected_missed_links:,.0f} true links missed (recall {recall}); "
        f"{q.awaiting_review:,} uncertain pairs await review."
    )


def _metavar(spec: registry.OptionSpec) -> str:
    if spec.allowed is not None:
        return "<" + "|".join(spec.allowed) + ">"
    kinds = [spec.type, *typing.get_args(spec.type)]
    for kind in (int, float):
        if kind in kinds:
            return f"<{kind.__name__}>"
    return "<text>"


def _signature() -> inspect.Signature:
    """The command's parameters: the fixed ones, then one per flagged option."""
    kw = inspect.Parameter.KEYWORD_ONLY
    fixed = [
        inspect.Parameter(
            "input_path",
            kw,
            annotation=Annotated[
                Path | None,
                typer.Argument(
                    metavar="INPUT",
                    help="A linkage run folder (inquest link --out), a capture-history CSV "
                    "(0/1 list columns, then count) or a clusters.csv.",
                ),
            ],
            default=None,
        ),
        inspect.Parameter(
            "out",
            kw,
            annotation=Path | None,
            default=typer.Option(
                None,
                "--out",
                "-o",
                help="Directory for estimate.json, plots, report (made 0700, files 0600).",
            ),
        ),
        inspect.Parameter(
            "method",
            kw,
            annotation=str,
            default=typer.Option(
                "loglinear",
                "--method",
                "-m",
                help=f"{', '.join(registry.estimators())}, a comma-separated list, or all.",
            ),
        ),
        inspect.Parameter(
            "strata",
            kw,
            annotation=str | None,
            default=typer.Option(
                None, "--strata", help="Column to stratify on (e.g. prison, province, month)."
            ),
        ),
        inspect.Parameter(
            "strata_file",
            kw,
            annotation=Path | None,
            default=typer.Option(
                None,
                "--strata-file",
                help="For clusters.csv: the strata column per person (person_id,COLUMN) or "
                "per record (list,record_id,COLUMN, e.g. from the lists).",
            ),
        ),
        inspect.Parameter(
            "seed",
            kw,
            annotation=int,
            default=typer.Option(0, "--seed", help="Random seed (recorded in estimate.json)."),
        ),
        inspect.Parameter(
            "level",
            kw,
            annotation=float,
            default=typer.Option(0.95, "--level", help="Interval level."),
        ),
        inspect.Parameter(
            "option",
            kw,
            annotation=list[str] | None,
            default=typer.Option(None, "--option", "-O", help=OPTION_HELP),
        ),
        inspect.Parameter(
            "linkage",
            kw,
            annotation=str,
            default=typer.Option(
                "auto",
                "--linkage",
                help="auto: a linkage run folder is estimated over draws of its linkage "
                "posterior, a file with fixed linkage; aware: require that; fixed: the run's "
                "one clustering, ignoring linkage error.",
                metavar="<auto|aware|fixed>",
            ),
        ),
        inspect.Parameter(
            "draws",
            kw,
            annotation=int,
            default=typer.Option(50, "--draws", help="Partitions drawn (linkage-aware)."),
        ),
        inspect.Parameter(
            "target",
            kw,
            annotation=str,
            default=typer.Option(
                DEFAULT_TARGET,
                "--linkage-target",
                help="The linkage posterior's target (docs/methodology/estimation.md).",
                metavar="<" + "|".join(TARGET_CHOICES) + ">",
            ),
        ),
        inspect.Parameter(
            "labels",
            kw,
            annotation=Path | None,
            default=typer.Option(
                None, "--labels", help="The reviewers' decisions file the run was linked with."
            ),
        ),
        inspect.Parameter(
            "list_methods_",
            kw,
            annotation=bool,
            default=typer.Option(
                False, "--list-methods", help="List the methods and their options, and exit."
            ),
        ),
    ]
    flagged = [
        inspect.Parameter(
            name,
            kw,
            annotation=str | None,
            default=typer.Option(
                None,
                spec.flag,
                help=f"{spec.help} ({spec.key}, default {spec.default!r})",
                metavar=_metavar(spec),
                show_default=False,
            ),
        )
        for name, spec in _FLAGS.items()
        if spec.flag is not None
    ]
    return inspect.Signature([*fixed, *flagged])


_FLAGS = _flag_specs()
estimate.__signature__ = _signature()  # type: ignore[attr-defined]
