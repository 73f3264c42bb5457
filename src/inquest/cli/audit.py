"""``inquest audit``: check the workbench's tamper-evident audit log.

``verify`` recomputes the hash chain, names every altered, removed or reordered entry, and
compares the chain's end with the head anchored in the data folder (entries removed from the
end); ``head`` prints the chain's last hash, to keep somewhere the server cannot rewrite and
pass back as ``verify --head``; ``anchor --accept-current`` anchors the current chain afresh
when the head file was signed with another key, altered or lost (an audited act).
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


@app.command("anchor")
def anchor(
    accept_current: bool = typer.Option(
        False,
        "--accept-current",
        help="Set the unusable head file aside and anchor the current chain under this key.",
    ),
    by: str | None = typer.Option(None, "--by", help="Who re-anchors (default: your login)."),
    reason: str = typer.Option("", "--reason", help="Why, for the audit log."),
    database_url: str | None = _URL_OPTION,
) -> None:
    """Re-anchor the head after it was signed with another key, altered or lost; recorded in
    the audit log with the old head file. Refused while the chain's links do not verify."""
    if not accept_current:
        err.print("nothing done: pass --accept-current to re-anchor the current chain")
        raise typer.Exit(2)
    _setup(database_url)
    from inquest.web.audit.anchor import AnchorError
    from inquest.web.audit.reanchor import ReanchorRefused
    from inquest.web.audit.reanchor import accept_current as reanchor

    try:
        done = reanchor(by=by, reason=reason)
    except (ReanchorRefused, AnchorError) as exc:
        err.print(f"[red]not re-anchored[/red]: {exc}", highlight=False)
        raise typer.Exit(1) from None
    console.print(
        f"[green]re-anchored[/green]: {done.head.describe()}; set aside: {done.set_aside} "
        f"(recorded as audit entry {done.entry.pk})",
        highlight=False,
    )


@app.command("head")
def head(database_url: str | None = _URL_OPTION) -> None:
    """Print the number of entries and the last entry's hash (keep it off the server)."""
    _setup(database_url)
    from inquest.web.audit.verify import verify_all

    result = verify_all()
    console.print(f"{result.checked} {result.head}", highlight=False)
