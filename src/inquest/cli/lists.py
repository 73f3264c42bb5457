"""``inquest lists``: the list formats read, and the columns a list's headers and first values
suggest (``inquest.io.sniff``), as a table or as a mapping file to edit and pass to ``link``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="Victim list files: formats and column suggestions.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


@app.command("formats")
def formats_command() -> None:
    """The list formats this installation reads, and their file suffixes."""
    from inquest.io import list_formats

    table = Table("name", "suffixes", "description")
    for fmt in list_formats().values():
        table.add_row(fmt.name, ", ".join(fmt.suffixes), fmt.description)
    console.print(table)


@app.command("columns")
def columns_command(
    path: Annotated[Path, typer.Argument(help="A list file (CSV, XLSX, Parquet, ...).")],
    mapping_out: Annotated[
        Path | None,
        typer.Option(
            "--mapping-out", help="Write the suggestions as a mapping file (YAML) to edit."
        ),
    ] = None,
) -> None:
    """Suggest the standard column of each of the list's columns, from its headers and its
    first values, with how sure and why."""
    import yaml

    from inquest.errors import InputErrors
    from inquest.io import sample_list
    from inquest.io.sniff import suggest_mapping
    from inquest.private import private_file

    try:
        sample = sample_list(path)
    except InputErrors as exc:
        err.print(f"[red]cannot read:[/red] {exc}")
        raise typer.Exit(1) from None
    suggestions = suggest_mapping(sample.headers, sample.values)
    table = Table("column in the file", "first values", "standard column", "sure", "why")
    for s in suggestions:
        values = [v for v in dict.fromkeys(sample.column(s.position)) if v][:3]
        table.add_row(
            s.header,
            " · ".join(v[:30] for v in values),
            s.column or "-",
            f"{s.confidence:.2f}" if s.column else "",
            s.reason if s.column else "",
        )
    console.print(table)
    if mapping_out is not None:
        doc = {
            "columns": {s.header: s.column for s in suggestions if s.column},
            "ignore": [s.header for s in suggestions if not s.column],
        }
        text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
        mapping_out.write_text(text, encoding="utf-8")
        private_file(mapping_out)
        console.print(f"mapping written to {mapping_out}; check it, then pass it with --mapping")
