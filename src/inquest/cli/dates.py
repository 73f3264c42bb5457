"""``inquest dates``: read a date or an age as the engine does, and show the interval."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from inquest.dates import DateInterval, parse_age, parse_date
from inquest.errors import InputError

app = typer.Typer(help="Parse Jalali, Hijri and Gregorian dates and ages.", no_args_is_help=True)
console = Console()


def _rows(d: DateInterval) -> list[tuple[str, str]]:
    rows = [
        ("text", d.text),
        ("calendar", d.calendar.value if d.calendar else "-"),
        ("as written", d.native or "-"),
        ("precision", d.precision.value + (f" ({d.part.value})" if d.part else "")),
        ("earliest", d.earliest.isoformat()),
        ("latest", d.latest.isoformat()),
        ("days", str(d.days)),
        ("EDTF", d.edtf),
        ("approximate", "yes" if d.approximate else "no"),
        ("ambiguous", "yes" if d.ambiguous else "no"),
    ]
    for alt in d.alternatives:
        cal = alt.calendar.value if alt.calendar else "-"
        rows.append(("also possible", f"{cal} {alt.native}: {alt.earliest} .. {alt.latest}"))
    rows.extend(("warning", w) for w in d.warnings)
    return rows


@app.command("parse")
def parse(
    text: str = typer.Argument(..., help="The date as written, e.g. 'Mordad 1367' or '۶۷/۵/۱۲'."),
    calendar: str | None = typer.Option(
        None, "--calendar", "-c", help="jalali, hijri or gregorian, when the text does not say."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the interval as JSON."),
) -> None:
    """Show the Gregorian interval, calendar, precision and EDTF of a date."""
    try:
        interval = parse_date(text, calendar)
    except InputError as exc:
        console.print(f"[red]not a date:[/red] {exc}")
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(interval.to_dict(), ensure_ascii=False, indent=2))
        return
    table = Table(show_header=False, box=None)
    for key, value in _rows(interval):
        table.add_row(f"[bold]{key}[/bold]", value)
    console.print(table)


@app.command("age")
def age(text: str = typer.Argument(..., help="The age as written, e.g. '۲۵ ساله'.")) -> None:
    """Show the range of completed years an age means."""
    try:
        result = parse_age(text)
    except InputError as exc:
        console.print(f"[red]not an age:[/red] {exc}")
        raise typer.Exit(1) from None
    span = (
        f"{result.minimum}"
        if result.minimum == result.maximum
        else (f"{result.minimum}-{result.maximum}")
    )
    console.print(f"{span} years" + (" (approximate)" if result.approximate else ""))
