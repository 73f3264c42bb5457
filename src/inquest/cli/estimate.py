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
    **flags: str | None,
) -> None:
    """Estimate the number of victims recorded by no list, with several methods side by side."""
    from inquest.estimate.run import run_estimation

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
            run = run_estimation(
                input_path,
                out,
                methods=methods,
                strata=strata,
                strata_file=strata_file,
                seed=seed,
                level=level,
                options={m: options.get(m, {}) for m in methods},
                progress=progress,
            )
        except InquestError as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1) from exc
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
                    help="A capture-history CSV (0/1 list columns, then count) or a linkage "
                    "clusters.csv.",
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
