"""``inquest demo``: the whole pipeline on a synthetic world, as a user would run it.

simulate → link → evaluate (against the simulation's truth) → estimate, each step the same
command a user types, then a table that puts the estimates beside the true (synthetic) total.
Then the workbench: a fresh SQLite database in ``OUT/workbench`` gets the simulated lists,
links them and estimates from the persons it wrote (``inquest.web.demo``, in this process,
through the workbench's services),
and serves them on 127.0.0.1 until Ctrl-C, labelled as synthetic on every page
(``--no-serve`` stops after loading; ``--serve-only`` serves what an earlier run loaded).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pyarrow.compute as pc
import pyarrow.csv as pacsv
import typer
from rich.console import Console
from rich.rule import Rule
from rich.table import Table

if TYPE_CHECKING:
    from inquest.web.demo import DemoSummary

console = Console()
#: Partitions of the linkage posterior the demo's estimates are pooled over.
DEMO_DRAWS = 20


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
    from inquest.estimate.run_record import EstimateRunRecord

    scenario: dict[str, Any] = json.loads((out / "world" / "scenario.json").read_text("utf-8"))
    record = EstimateRunRecord.from_dir(out / "estimate")
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
        "linkage-aware N",
        "95% interval",
        "covers truth",
        "fixed-linkage 95% interval (ignores linkage error)",
        "covers truth ",
    ):
        table.add_column(col, justify="left" if col == "method" else "right")
    for method, entry in sorted(record.methods.items()):
        total = entry.result
        if total is None:
            continue
        link = (entry.linkage or {}).get("linkage_aware")
        aware: dict[str, Any] | None = link if isinstance(link, dict) else None
        cells = ["—", "—", "—"]
        if aware is not None:
            lo, hi = float(aware["lower"]), float(aware["upper"])
            cells = [
                f"{float(aware['estimate']):,.0f}",
                f"{lo:,.0f}–{hi:,.0f}",
                "yes" if lo <= true_n <= hi else "no",
            ]
        table.add_row(
            method,
            f"{total.n_observed:,}",
            *cells,
            f"{total.lower:,.0f}–{total.upper:,.0f}",
            "yes" if total.lower <= true_n <= total.upper else "no",
        )
    return table


def _load_workbench(out: Path, seed: int) -> DemoSummary:
    """Fill the demo's workbench database in this process, through the workbench's services."""
    from inquest.errors import InquestError
    from inquest.web.demo import load_workbench

    console.print(Rule("[bold]workbench: import the lists, link, estimate"))
    try:
        return load_workbench(out, seed=seed)
    except InquestError as exc:
        from rich.markup import escape

        console.print(f"[red]the workbench could not be loaded:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from exc


def _print_account(summary: DemoSummary, url: str | None) -> None:
    """The demo account, and the address if the workbench is about to be served."""
    import qrcode

    table = Table(title="Workbench demo (synthetic data)", show_header=False)
    table.add_row("database", summary.database)
    table.add_row(
        "sources", ", ".join(f"{code} ({n:,} records)" for code, n in summary.sources.items())
    )
    table.add_row("places", f"{summary.places:,} from the gazetteer")
    table.add_row("persons", f"{summary.persons:,} (linkage run #{summary.linkage_run})")
    table.add_row("estimate runs", ", ".join(f"#{pk}" for pk in summary.estimate_runs))
    if url is not None:
        table.add_row("address", url)
    table.add_row("user", summary.username)
    table.add_row("password", summary.password)
    table.add_row("authenticator key", summary.totp_secret)
    console.print(table)
    console.print(
        "Sign-in asks for a six-digit code: add the key above (or scan this code) in an "
        "authenticator app. The account and every person in it are synthetic."
    )
    code = qrcode.QRCode(border=1)
    code.add_data(summary.otpauth_uri)
    code.print_ascii(out=sys.stdout, invert=True)


def serve_later_command(out: Path, port: int) -> str:
    """The command that serves the workbench this demo loaded into ``out``."""
    return shlex.join(
        ["inquest", "demo", "--out", str(out.resolve()), "--serve-only", "--port", str(port)]
    )


def _serve(out: Path, port: int) -> None:
    from inquest.web.demo import workbench_env

    env = {**os.environ, **workbench_env(out)}
    command = [sys.executable, "-m", "inquest", "db", "serve", "--port", str(port)]
    child = subprocess.Popen(command, env=env)  # noqa: S603 - this Python, this package
    try:
        child.wait()
    except KeyboardInterrupt:
        child.terminate()
        child.wait(timeout=10)
        console.print("workbench stopped")


def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for every output.")] = Path(
        "demo-output"
    ),
    preset: Annotated[str, typer.Option(help="Simulation preset: small, default, large.")] = (
        "small"
    ),
    seed: Annotated[int, typer.Option(help="Seed of the simulation and the estimators.")] = 1988,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the workbench when done.")
    ] = True,
    serve_only: Annotated[
        bool,
        typer.Option(
            "--serve-only",
            help="Only serve the workbench an earlier run loaded into the --out folder.",
        ),
    ] = False,
    port: Annotated[int, typer.Option(help="Port of the workbench on 127.0.0.1.")] = 8000,
) -> None:
    """Run simulate, link, evaluate and estimate on a synthetic world (every person
    synthetic), then load it into the workbench and serve it on 127.0.0.1.

    With --no-serve the workbench is loaded only; --serve-only serves it later."""
    url = f"http://127.0.0.1:{port}/"
    if serve_only:
        from inquest.web.demo import WORKBENCH

        if not (out / WORKBENCH / "inquest.sqlite3").exists():
            console.print(
                f"[red]no demo workbench in {out}[/red]: run "
                f"{shlex.join(['inquest', 'demo', '--out', str(out), '--no-serve'])} first",
                soft_wrap=True,
            )
            raise typer.Exit(1)
        console.print(f"Serving the demo workbench at {url} (Ctrl-C stops it)")
        _serve(out, port)
        return
    world, linkage, estimate = out / "world", out / "linkage", out / "estimate"
    _run(["simulate", "--preset", preset, "--seed", str(seed), "--out", str(world)])
    lists = sorted(str(p) for p in (world / "lists").glob("*.csv"))
    truth = str(world / "truth.csv")
    _run(["link", *lists, "--out", str(linkage), "--truth", truth])
    _run(["evaluate", truth, str(linkage / "clusters.csv")])
    _run(
        [
            "estimate",
            str(linkage),
            "--method",
            "all",
            "--seed",
            str(seed),
            "--draws",
            str(DEMO_DRAWS),
            "--out",
            str(estimate),
        ]
    )
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
    summary = _load_workbench(out, seed)
    _print_account(summary, url if serve else None)
    if serve:
        console.print(f"Serving the workbench at {url} (Ctrl-C stops it)")
        _serve(out, port)
    else:
        console.print("The workbench is loaded, not served. To serve it later, run:")
        console.print(serve_later_command(out, port), soft_wrap=True, markup=False)
