"""``inquest audit``: check the workbench's tamper-evident audit log.

``verify`` recomputes the hash chain, names every altered, removed or reordered entry, and
compares the chain's end with the head anchored in the data folder (entries removed from the
end); ``head`` prints the chain's last hash, to keep somewhere the server cannot rewrite and
pass back as ``verify --head``.
"""

from __future__ import annotations

import typer
from rich.console import Console

from inquest.cli.db import _URL_OPTION, _setup

app = typer.Typer(
    help="Audit log: verify the hash chain and its anchored head, print the head.",
    no_args_is_help=True,
)
console = Console()
err = Console(stderr=True)


@app.command("verify")
def verify(
    head: str | None = typer.Option(
        None, "--head", help="A head hash recorded earlier; it must still be in the chain."
    ),
    database_url: str | None = _URL_OPTION,
) -> None:
    """Recompute every entry's hash and link and compare the end with the anchored head;
    exit 1 and name each problem."""
    _setup(database_url)
    from inquest.web.audit.verify import verify_all

    result = verify_all(expected_head=head)
    if result.intact:
        anchored = (
            f"; anchored head: {result.anchor.describe()}" if result.anchor is not None else ""
        )
        console.print(
            f"[green]audit log intact[/green]: {result.checked} entries, head {result.head}"
            f"{anchored}",
            highlight=False,
        )
        return
    err.print(
        f"[red]audit log tampered[/red]: {len(result.problems)} problem(s) "
        f"in {result.checked} entries"
    )
    for problem in result.problems:
        err.print(f"  [bold]{problem.kind.value}[/bold]: {problem.message}", highlight=False)
    raise typer.Exit(1)


@app.command("head")
def head(database_url: str | None = _URL_OPTION) -> None:
    """Print the number of entries and the last entry's hash (keep it off the server)."""
    _setup(database_url)
    from inquest.web.audit.verify import verify_all

    result = verify_all()
    console.print(f"{result.checked} {result.head}", highlight=False)
