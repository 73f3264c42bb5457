"""``inquest estimate``: how many victims no list recorded (multiple systems estimation)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TimeElapsedColumn
from rich.table import Table

from inquest.errors import InquestError

console = Console()


def estimate(
    input_path: Annotated[
        Path,
        typer.Argument(
            metavar="INPUT",
            help="A capture-history CSV (0/1 list columns, then count) or a linkage clusters.csv.",
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Directory for estimate.json, plots, report (made 0700, files 0600).",
        ),
    ],
    method: str = typer.Option(
        "loglinear", "--method", "-m", help="loglinear, dga, lcmcr, a comma-separated list, or all."
    ),
    strata: str | None = typer.Option(
        None, "--strata", help="Column to stratify on (e.g. prison, province, month)."
    ),
    strata_file: Annotated[
        Path | None,
        typer.Option(
            "--strata-file",
            help="For clusters.csv: the strata column per person (person_id,COLUMN) or per "
            "record (list,record_id,COLUMN, e.g. from the lists).",
        ),
    ] = None,
    seed: int = typer.Option(0, "--seed", help="Random seed (recorded in estimate.json)."),
    level: float = typer.Option(0.95, "--level", help="Interval level."),
    selection: str = typer.Option(
        "stepwise", "--selection", help="Log-linear model: stepwise, independence, aic or bic."
    ),
    n_boot: int = typer.Option(
        1000,
        "--n-boot",
        help="Log-linear bootstrap resamples (0: none); each repeats the selection (with bic/aic "
        "on 5 lists that is ~1,000 model fits per resample: use a few hundred).",
    ),
    chains: int = typer.Option(4, "--chains", help="LCMCR chains."),
    samples: int = typer.Option(2500, "--samples", help="LCMCR kept draws per chain."),
    burnin: int = typer.Option(10000, "--burnin", help="LCMCR burn-in sweeps per chain."),
    thinning: int = typer.Option(
        50, "--thinning", help="LCMCR sweeps per kept draw (N mixes slowly: see the docs)."
    ),
    k_classes: int | None = typer.Option(
        None, "--K", help="LCMCR truncation: latent classes (default min(2^J - 1, 15))."
    ),
    max_unobserved: int | None = typer.Option(
        None,
        "--max-unobserved",
        help="LCMCR cap on the unobserved count (default none; LCMCR_Strat's N_Max_factor "
        "times the observed count is the R package's). A cap that rejects draws binds.",
    ),
    delta: float | None = typer.Option(
        None, "--delta", help="dga hyper-Dirichlet prior per cell (default 2^-J)."
    ),
    prior_n: str = typer.Option(
        "inverse", "--prior-n", help="dga prior on N: inverse (1/N), uniform or rissanen."
    ),
) -> None:
    """Estimate the number of victims recorded by no list, with several methods side by side."""
    from inquest.estimate.run import resolve_methods, run_estimation

    try:
        methods, notes = resolve_methods(method)
    except InquestError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    if selection not in ("stepwise", "independence", "aic", "bic"):
        console.print(f"[red]error:[/red] unknown --selection {selection!r}")
        raise typer.Exit(2)
    from inquest.estimate.dga import PRIOR_NAMES

    if prior_n not in PRIOR_NAMES:
        console.print(
            f"[red]error:[/red] unknown --prior-n {prior_n!r} (one of {', '.join(PRIOR_NAMES)})"
        )
        raise typer.Exit(2)
    for note in notes:
        console.print(f"[yellow]note:[/yellow] {note}")
    lcmcr: dict[str, Any] = {
        "chains": chains,
        "samples": samples,
        "burnin": burnin,
        "thinning": thinning,
        "K": k_classes,
        "max_unobserved": max_unobserved,
    }
    dga: dict[str, Any] = {"prior_n": prior_n}
    if delta is not None:
        dga["delta"] = delta
    options: dict[str, dict[str, Any]] = {
        "loglinear": {"selection": selection, "n_boot": n_boot},
        "lcmcr": lcmcr,
        "dga": dga,
    }
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
                options={m: options[m] for m in methods},
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
