"""The ``inquest`` command line: one entry point, one thin module per command group.

Each command module defines a Typer app or command and is registered here; the modules
call the engine and print with rich, and hold no logic of their own. Every command runs with
a umask that leaves group and others no permission: runs, lists, backups and the
workbench's database are private to the user who made them.
"""

from __future__ import annotations

import typer

from inquest import __version__
from inquest.cli import audit as _audit
from inquest.cli import backup as _backup
from inquest.cli import dates as _dates
from inquest.cli import db as _db
from inquest.cli import demo as _demo
from inquest.cli import estimate as _estimate
from inquest.cli import evidence as _evidence
from inquest.cli import link as _link
from inquest.cli import lists as _lists
from inquest.cli import names as _names
from inquest.cli import places as _places
from inquest.cli import security as _security
from inquest.cli import simulate as _simulate
from inquest.private import restrict_umask

app = typer.Typer(
    name="inquest",
    help=(
        "inquest: link victim lists into one registry of persons, estimate how many victims "
        "no list recorded, and document burial sites and case files.\n\n"
        "Every command has --help."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"inquest {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """inquest command line."""
    restrict_umask()


# Command groups: each module holds its commands; they are registered here.
app.add_typer(_names.app, name="names")
app.add_typer(_dates.app, name="dates")
app.add_typer(_places.app, name="places")
app.add_typer(_lists.app, name="lists")
app.command("simulate")(_simulate.simulate_command)
app.command("link")(_link.link)
app.command("draws")(_link.draws)
app.command("evaluate")(_link.evaluate)
app.add_typer(_link.review_app, name="review")
app.command("estimate")(_estimate.estimate)
app.add_typer(_db.app, name="db")
app.add_typer(_audit.app, name="audit")
app.add_typer(_evidence.app, name="evidence")
app.add_typer(_security.app, name="security")
app.command("backup")(_backup.backup)
app.command("restore")(_backup.restore)
app.command("demo")(_demo.demo)


def main() -> None:
    """Console-script entry point."""
    app()
