"""``inquest names``: compare two names, or normalise a column of names in a CSV file."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from inquest.errors import InputError
from inquest.text import compare_names, normalize, parse_name, skeleton

app = typer.Typer(
    help="Names across scripts: parse, normalise, key and compare.", no_args_is_help=True
)
console = Console()


def _verdict(score: float) -> str:
    if score >= 0.88:
        return "[green]likely the same name[/green] (>= 0.88, the benchmarked threshold)"
    if score >= 0.75:
        return "[yellow]possibly the same name[/yellow] (0.75-0.88: review)"
    return "[red]different names[/red] (< 0.75)"


@app.command()
def compare(
    a: Annotated[str, typer.Argument(help="First name")],
    b: Annotated[str, typer.Argument(help="Second name")],
) -> None:
    """Show both parses, normal forms, skeleton keys and the similarity, with reasons."""
    c = compare_names(a, b)
    table = Table(title="Name comparison", show_lines=True)
    table.add_column("")
    table.add_column("A", overflow="fold")
    table.add_column("B", overflow="fold")
    pa_, pb = c.a, c.b
    rows = [
        ("original", pa_.original, pb.original),
        ("script", pa_.script.value, pb.script.value),
        ("display", normalize(a), normalize(b)),
        ("key (name proper)", normalize(pa_.name, "key"), normalize(pb.name, "key")),
        ("skeleton (name proper)", skeleton(pa_.name), skeleton(pb.name)),
        ("titles", ", ".join(pa_.titles), ", ".join(pb.titles)),
        ("particles", ", ".join(pa_.particles), ", ".join(pb.particles)),
        ("given", pa_.given or "", pb.given or ""),
        ("family", pa_.family or "", pb.family or ""),
        ("father", pa_.father or "", pb.father or ""),
        ("gender (lexicon)", pa_.gender, pb.gender),
        ("warnings", "; ".join(pa_.warnings), "; ".join(pb.warnings)),
    ]
    for label, x, y in rows:
        table.add_row(label, x, y)
    console.print(table)
    pairs = Table(title="Word pairs")
    pairs.add_column("A")
    pairs.add_column("B")
    pairs.add_column("score", justify="right")
    pairs.add_column("why")
    for p in c.pairs:
        pairs.add_row(p.a, p.b, f"{p.score:.3f}", p.reason)
    for w in c.unmatched:
        pairs.add_row(w, "", "", "no partner (score lowered)")
    console.print(pairs)
    console.print(f"similarity [bold]{c.score:.3f}[/bold]: {_verdict(c.score)}")


@app.command("normalize")
def normalize_csv(
    path: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="CSV file (UTF-8, with a header)")
    ],
    column: Annotated[str, typer.Option("--column", "-c", help="Column holding the names")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output CSV: input plus parsed columns")],
) -> None:
    """Add display, key, skeleton, given, family, father, titles and warnings to a CSV."""
    from inquest.io.cells import write_csv

    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        if column not in fields:
            raise InputError(
                f"no column {column!r} (columns: {fields})", path=str(path), field=column
            )
        rows = list(reader)
    extra = [
        f"{column}_{x}"
        for x in ("display", "key", "skeleton", "given", "family", "father", "titles", "warnings")
    ]
    warned = 0
    for row in rows:
        value = row.get(column) or ""
        p = parse_name(value)
        warned += bool(p.warnings)
        row.update(
            dict(
                zip(
                    extra,
                    [
                        p.display,
                        normalize(p.name, "key"),
                        skeleton(p.name),
                        p.given or "",
                        p.family or "",
                        p.father or "",
                        "|".join(p.titles + p.particles),
                        "; ".join(p.warnings),
                    ],
                    strict=True,
                )
            )
        )
    header = fields + extra
    with out.open("w", encoding="utf-8", newline="") as fh:
        write_csv(fh, header, ([row.get(h) for h in header] for row in rows))
    console.print(
        f"wrote {len(rows)} rows to {out} ({warned} with warnings, see {column}_warnings)"
    )
