"""``inquest simulate``: draw a synthetic world and write its lists, truth and parameters."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from inquest.errors import ConfigError

__all__ = ["simulate_command"]

# The packaged presets, read from the data folder so that `--help` need not import the
# simulator (numpy, the name tables); tests check they match inquest.simulate.PRESETS.
_PRESET_DIR = Path(__file__).resolve().parent.parent / "data" / "simulate" / "presets"
_PRESETS = sorted(p.stem for p in _PRESET_DIR.glob("*.yaml"))


def _list_presets(value: bool) -> None:
    if not value:
        return
    from inquest.simulate import presets

    table = Table(title="Packaged presets (every person synthetic)")
    for col in ("preset", "family", "people", "lists", "description"):
        table.add_column(col, justify="right" if col in ("people", "lists") else "left")
    for p in presets():
        table.add_row(p.name, p.family, f"{p.population:,}", str(p.lists), p.description)
    Console().print(table)
    raise typer.Exit()


def simulate_command(
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same files.")],
    out: Annotated[
        Path,
        typer.Option("--out", help="Output folder (created if missing; made 0700, files 0600)."),
    ],
    scenario_file: Annotated[
        Path | None,
        typer.Argument(help="A scenario file (YAML); omit it to use --preset.", show_default=False),
    ] = None,
    preset: Annotated[
        str | None, typer.Option("--preset", help=f"A packaged scenario: {', '.join(_PRESETS)}.")
    ] = None,
    population: Annotated[
        int | None,
        typer.Option("--population", min=1, help="Override the scenario's population size."),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="File format: csv, parquet or xlsx.")
    ] = "csv",
    list_presets: Annotated[
        bool,
        typer.Option(
            "--list-presets",
            callback=_list_presets,
            is_eager=True,
            help="List the packaged presets (family, people, lists, what they vary) and exit.",
        ),
    ] = False,
) -> None:
    """Simulate a synthetic population and the lists that record it (all people synthetic).

    Writes lists/NAME.csv, truth.csv, population.csv and scenario.json into --out.
    """
    from inquest.simulate import load_scenario, simulate, write_world
    from inquest.simulate.world import FORMATS

    console = Console()
    if (scenario_file is None) == (preset is None):
        raise typer.BadParameter("give either a SCENARIO_FILE or --preset, not both or neither")
    if fmt not in FORMATS:
        raise typer.BadParameter(f"--format must be one of {', '.join(FORMATS)}")
    try:
        scenario = load_scenario(preset if preset is not None else Path(str(scenario_file)))
        if population is not None:
            scenario = scenario.with_population(population)
    except ConfigError as e:
        console.print(f"[red]Scenario error:[/red] {e}")
        raise typer.Exit(2) from e
    steps = 3 + len(scenario.sources)
    start = time.perf_counter()
    with Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task(f"{scenario.population:,} people", total=steps)

        def step(name: str) -> None:
            progress.update(task, advance=1, description=f"done: {name}")

        world = simulate(scenario, seed, on_step=step)
        progress.update(task, description="writing files")
        written = write_world(world, out, fmt=fmt)
        progress.update(task, advance=1, description="written")
    elapsed = time.perf_counter() - start

    table = Table(
        title=f"Synthetic world '{scenario.name}' (seed {seed}): every person is synthetic"
    )
    for col in ("list", "records", "people", "duplicates", "capture rate", "target"):
        table.add_column(col, justify="left" if col == "list" else "right")
    for s in world.summary():
        table.add_row(
            s.name,
            f"{s.records:,}",
            f"{s.people:,}",
            f"{s.duplicates:,}",
            f"{s.capture_rate:.3f}",
            f"{s.target_rate:.3f}",
        )
    console.print(table)
    n, seen = scenario.population, world.observed
    console.print(
        f"True population [bold]{n:,}[/bold]; recorded by at least one list {seen:,} "
        f"({seen / n:.1%}); never recorded {n - seen:,}."
    )
    console.print(f"Wrote {len(written)} files to {out} in {elapsed:.1f} s.")
    stale = sorted(p.name for p in (out / "lists").iterdir() if p not in written)
    if stale:
        console.print(
            f"[yellow]Note:[/yellow] {out / 'lists'} also holds files this world did not write: "
            f"{', '.join(stale)}"
        )
