"""``inquest demo``: the whole pipeline on a synthetic world, as a user would run it.

simulate → link → evaluate (against the simulation's truth) → estimate, each step the same
command a user types, then a table that puts the estimates beside the true (synthetic) total.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Annotated, Any

import pyarrow.compute as pc
import pyarrow.csv as pacsv
import typer
from rich.console import Console
from rich.rule import Rule
from rich.table import Table

console = Console()


def _run(args: list[str]) -> None:
    """Run one ``inquest`` command in this process and stop the demo if it fails."""
    from inquest.cli import app

    console.print(Rule(f"[bold]inquest {shlex.join(args)}"))
    command = typer.main.get_command(app)
    try:
        command.main(args=args, prog_name="inquest", standalone_mode=False)
    except SystemExit as exc:  # pragma: no cover - a failing step
        if exc.code not in (0, None):
            raise typer.Exit(int(exc.code) if isinstance(exc.code, int) else 1) from exc


def _summary(out: Path) -> Table:
    scenario: dict[str, Any] = json.loads((out / "world" / "scenario.json").read_text("utf-8"))
    estimate: dict[str, Any] = json.loads((out / "estimate" / "estimate.json").read_text("utf-8"))
    true_n = scenario["true_population_size"]
    truth = pacsv.read_csv(out / "world" / "truth.csv")
    true_documented = len(pc.unique(truth.column("person_id")))
    table = Table(
        title=(
            f"Estimates beside the truth of this synthetic world: N = {true_n:,}, of whom "
            f"{true_documented:,} are on at least one list"
        )
    )
    for col in (
        "method",
        "persons linked",
        "estimate of N",
        "95% interval",
        "interval covers truth",
    ):
        table.add_column(col, justify="left" if col == "method" else "right")
    for method, res in sorted(estimate.get("methods", {}).items()):
        total = res.get("result")
        if not total:
            continue
        lo, hi = total["lower"], total["upper"]
        covers = "yes" if lo <= true_n <= hi else "no"
        table.add_row(
            method,
            f"{total['n_observed']:,}",
            f"{total['estimate']:,.0f}",
            f"{lo:,.0f}–{hi:,.0f}",
            covers,
        )
    return table


def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for every output.")] = Path(
        "demo-output"
    ),
    preset: Annotated[str, typer.Option(help="Simulation preset: small, default, large.")] = (
        "small"
    ),
    seed: Annotated[int, typer.Option(help="Seed of the simulation and the estimators.")] = 1988,
) -> None:
    """Run simulate → link → evaluate → estimate on a synthetic world (every person synthetic)."""
    world, linkage, estimate = out / "world", out / "linkage", out / "estimate"
    _run(["simulate", "--preset", preset, "--seed", str(seed), "--out", str(world)])
    lists = sorted(str(p) for p in (world / "lists").glob("*.csv"))
    truth = str(world / "truth.csv")
    _run(["link", *lists, "--out", str(linkage), "--truth", truth])
    _run(["evaluate", truth, str(linkage / "clusters.csv")])
    clusters = str(linkage / "clusters.csv")
    _run(["estimate", clusters, "--method", "all", "--seed", str(seed), "--out", str(estimate)])
    console.print(Rule("[bold]Result"))
    try:
        console.print(_summary(out))
    except (OSError, KeyError, ValueError) as exc:  # pragma: no cover - report layout changed
        console.print(f"[yellow]could not summarise: {exc}[/yellow]")
    console.print(
        "Reports: "
        f"{linkage / 'report.html'} (linkage), {estimate / 'report.html'} (estimation). "
        "Every person in this demo is synthetic."
    )
