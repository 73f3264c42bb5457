"""``inquest places``: resolve a written place name against the gazetteer."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from inquest.errors import InputError
from inquest.places import PlaceKind, get, resolve

app = typer.Typer(help="Look up provinces, cities, prisons and cemeteries.", no_args_is_help=True)
console = Console()


@app.command("resolve")
def resolve_command(
    name: str = typer.Argument(..., help="The place as written, e.g. 'زندان اوین' or 'Evin'."),
    kind: list[PlaceKind] | None = typer.Option(  # noqa: B008
        None, "--kind", "-k", help="Only places of this kind (repeatable)."
    ),
    limit: int = typer.Option(5, "--limit", "-n", min=1, help="How many matches to show."),
    min_score: float = typer.Option(0.7, "--min-score", min=0.0, max=1.0),
) -> None:
    """Rank the places NAME may mean, with their 1988 and present-day provinces."""
    try:
        matches = resolve(name, kinds=set(kind) if kind else None, limit=limit, min_score=min_score)
    except InputError as exc:
        console.print(f"[red]cannot look up:[/red] {exc}")
        raise typer.Exit(1) from None
    if not matches:
        console.print(f"no place matches {name!r}")
        raise typer.Exit(1)
    for warning in matches[0].warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    table = Table("score")
    table.add_column("id", no_wrap=True, min_width=max(len(m.id) for m in matches))
    for column in ("name", "matched", "province 1988 → today", "lat, lon"):
        table.add_column(column)
    for m in matches:
        place = m.place
        where = f"{place.lat:.4f}, {place.lon:.4f}" if place.lat is not None else "-"
        provinces = f"{place.province_1988 or '-'} → {place.province_today or '-'}"
        table.add_row(f"{m.score:.2f}", m.id, place.label, m.matched_name, provinces, where)
    console.print(table)


@app.command("show")
def show(place_id: str = typer.Argument(..., help="A place id, e.g. prison:evin.")) -> None:
    """Show everything the gazetteer holds on one place."""
    try:
        place = get(place_id)
    except KeyError as exc:
        console.print(f"[red]{exc.args[0]}[/red]")
        raise typer.Exit(1) from None
    table = Table(show_header=False, box=None)
    rows = [
        ("id", place.id),
        ("kind", place.kind.value),
        ("Persian", place.persian or "-"),
        ("Latin", place.latin),
        ("variants", ", ".join(place.variants) or "-"),
        ("city", place.city or "-"),
        ("province 1988", place.province_1988 or "-"),
        ("province today", place.province_today or "-"),
        ("lat, lon", f"{place.lat}, {place.lon}" if place.lat is not None else "-"),
        ("coordinates from", place.coord_source or "-"),
        ("population", f"{place.population:,}" if place.population else "-"),
        ("notes", place.notes or "-"),
    ]
    for key, value in rows:
        table.add_row(f"[bold]{key}[/bold]", value)
    console.print(table)
