"""``inquest db``: set up, check and serve the workbench database (Django, ``inquest.web``).

Settings come from the environment (``INQUEST_DATABASE_URL``, ``INQUEST_DATA_DIR``, ...; see
docs/deployment/workbench.md); ``--database-url`` overrides the first for one command.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help=(
        "Workbench database: migrate, status, import lists and estimates, load the gazetteer, "
        "grant roles, expire abandoned uploads, serve."
    ),
    no_args_is_help=True,
)
console = Console()
err = Console(stderr=True)

_URL_OPTION = typer.Option(
    None,
    "--database-url",
    envvar="INQUEST_DATABASE_URL",
    help="sqlite:///path or postgresql://user@host:5432/name (default: SQLite in the data dir).",
)


def _setup(database_url: str | None) -> None:
    """Point Django at the workbench settings and start it; settings errors exit with 2."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inquest.web.settings")
    if database_url:
        os.environ["INQUEST_DATABASE_URL"] = database_url
    import django
    from django.core.exceptions import ImproperlyConfigured
    from rich.markup import escape

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        err.print(f"[red]settings:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def _where() -> str:
    from django.db import connection

    return f"{connection.vendor} {connection.settings_dict['NAME']}"


@app.command("migrate")
def migrate(database_url: str | None = _URL_OPTION) -> None:
    """Create or update the workbench's tables (safe to run again).

    A migration that needs a setting it lacks (the field key, to seal existing TOTP secrets)
    stops with the error saying what to set; migrations done before it stay done.
    """
    _setup(database_url)
    from django.core.management import call_command

    from inquest.errors import ConfigError

    console.print(f"migrating [bold]{_where()}[/bold]")
    try:
        call_command("migrate", interactive=False, verbosity=1)
    except ConfigError as exc:
        err.print(f"[red]migration stopped:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    console.print("[green]database is up to date[/green]")


@app.command("status")
def status(database_url: str | None = _URL_OPTION) -> None:
    """Show the database in use and which migrations are not applied yet."""
    _setup(database_url)
    from django.conf import settings
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    table = Table(show_header=False, box=None)
    table.add_row("[bold]database[/bold]", _where())
    table.add_row("[bold]data folder[/bold]", str(settings.DATA_DIR))
    table.add_row("[bold]debug[/bold]", "on" if settings.DEBUG else "off")
    table.add_row(
        "[bold]pending migrations[/bold]",
        ", ".join(f"{m.app_label}.{m.name}" for m, _ in pending) or "none",
    )
    console.print(table)
    if pending:
        raise typer.Exit(1)


@app.command("grant")
def grant(
    username: str = typer.Argument(..., help="An existing user's name."),
    role: str = typer.Argument(..., help="A role of the access matrix, e.g. 'analyst'."),
    revoke: bool = typer.Option(False, "--revoke", help="Take the role back instead."),
    database_url: str | None = _URL_OPTION,
) -> None:
    """Give a user a role (or take it back), as the operator; the audit log records it."""
    _setup(database_url)
    from django.contrib.auth import get_user_model

    from inquest.errors import InputError
    from inquest.web.access.services import grant_role, revoke_role

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        err.print(
            f"[red]no user {username!r}[/red] (create one: inquest db manage createsuperuser)"
        )
        raise typer.Exit(1)
    try:
        if revoke:
            ended = revoke_role(None, user, role)
            console.print(f"revoked {role} from {username} ({ended} grant(s) ended)")
        else:
            grant_role(None, user, role)
            console.print(f"granted {role} to {username}")
    except InputError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None


@app.command("import")
def import_(
    path: Annotated[
        Path, typer.Argument(help="A list in the standard format (.csv, .xlsx, .parquet).")
    ],
    user: str = typer.Option(..., "--user", help="The account the import is made as (audited)."),
    origin: str = typer.Option(..., "--origin", help="Who compiled or published the list."),
    level: str = typer.Option(
        "confidential", "--level", help="public, internal, confidential or protected."
    ),
    code: str | None = typer.Option(None, "--code", help="Short source code (default: list name)."),
    name: str | None = typer.Option(None, "--name", help="Source name (default: list name)."),
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="Column mapping file (.yaml/.csv).")
    ] = None,
    obtained_how: str = typer.Option("", "--obtained-how", help="How the list was obtained."),
    obtained_on: str | None = typer.Option(None, "--obtained-on", help="When (YYYY-MM-DD)."),
    description: str = typer.Option("", "--description", help="What the list is."),
    edition_of: str | None = typer.Option(
        None,
        "--edition-of",
        help="Code of the source this file is a newer edition of: records matched by record "
        "id, new ones added, changed ones versioned.",
    ),
    database_url: str | None = _URL_OPTION,
) -> None:
    """Import a list as a source with its records, all or nothing; the same file again: no-op."""
    _setup(database_url)
    from django.contrib.auth import get_user_model
    from django.core.exceptions import PermissionDenied

    from inquest.errors import InputError, InputErrors
    from inquest.io import load_mapping
    from inquest.web.access.levels import Level
    from inquest.web.registry.imports import import_list
    from inquest.web.registry.models import Source

    account = get_user_model().objects.filter(username=user).first()
    if account is None:
        err.print(f"[red]no user {user!r}[/red]")
        raise typer.Exit(1)
    target = None
    if edition_of is not None:
        target = Source.objects.visible_to(account).filter(code=edition_of).first()
        if target is None:
            err.print(f"[red]no source {edition_of!r} that {user} may see[/red]")
            raise typer.Exit(1)
    try:
        chosen = Level.from_name(level)
        when = dt.date.fromisoformat(obtained_on) if obtained_on else None
    except (KeyError, ValueError):
        err.print(f"[red]bad --level or --obtained-on:[/red] {level!r}, {obtained_on!r}")
        raise typer.Exit(2) from None
    try:
        with console.status(f"importing {path.name}"):
            result = import_list(
                account,
                path,
                origin=origin,
                level=chosen,
                code=code,
                name=name,
                mapping=load_mapping(mapping) if mapping else None,
                obtained_how=obtained_how,
                obtained_on=when,
                description=description,
                edition_of=target,
            )
    except InputErrors as exc:
        err.print(f"[red]nothing imported:[/red] {exc}")
        raise typer.Exit(1) from None
    except (InputError, PermissionDenied) as exc:
        err.print(f"[red]nothing imported:[/red] {exc}")
        raise typer.Exit(1) from None
    source = result.source
    if result.edition is not None:
        e = result.edition
        console.print(
            f"new edition of source [bold]{source.code}[/bold]: {e.added} records added, "
            f"{e.changed} changed, {e.unchanged} unchanged; {e.missing} of the source's "
            "records are not in this edition (kept)"
        )
    elif result.created:
        console.print(
            f"imported [bold]{result.n_records}[/bold] records as source [bold]{source.code}[/bold]"
            f" ({source.get_confidentiality_display()})"
        )
    else:
        console.print(
            f"already imported as source [bold]{source.code}[/bold] "
            f"({result.n_records} records); nothing changed"
        )


@app.command("import-estimate")
def import_estimate(
    directory: Annotated[Path, typer.Argument(help="A folder written by `inquest estimate`.")],
    user: str = typer.Option(..., "--user", help="The account the runs are recorded as."),
    linkage_run: int | None = typer.Option(
        None, "--linkage-run", help="Id of the linkage run whose persons were estimated from."
    ),
    level: str | None = typer.Option(
        None, "--level", help="public, internal, confidential or protected (default: internal)."
    ),
    database_url: str | None = _URL_OPTION,
) -> None:
    """Record the estimate runs in a folder (estimate.json, plots, report); again: no-op."""
    _setup(database_url)
    from django.contrib.auth import get_user_model
    from django.core.exceptions import PermissionDenied

    from inquest.errors import InputError
    from inquest.web.access.levels import Level
    from inquest.web.runs.estimates import register_estimate_dir
    from inquest.web.runs.models import LinkageRun

    account = get_user_model().objects.filter(username=user).first()
    if account is None:
        err.print(f"[red]no user {user!r}[/red]")
        raise typer.Exit(1)
    try:
        chosen = Level.from_name(level) if level else None
    except KeyError:
        err.print(f"[red]bad --level:[/red] {level!r}")
        raise typer.Exit(2) from None
    run = None
    if linkage_run is not None:
        run = LinkageRun.objects.visible_to(account).filter(pk=linkage_run).first()
        if run is None:
            err.print(f"[red]no linkage run {linkage_run} that {user} may see[/red]")
            raise typer.Exit(1)
    try:
        made = register_estimate_dir(account, directory, linkage_run=run, level=chosen)
    except (InputError, PermissionDenied) as exc:
        err.print(f"[red]nothing recorded:[/red] {exc}")
        raise typer.Exit(1) from None
    runs = ", ".join(f"#{r.pk} {r.method} ({r.status})" for r in made.runs)
    if made.created:
        console.print(f"recorded estimate runs {runs}")
    else:
        console.print(f"already recorded as estimate runs {runs}; nothing changed")


@app.command("link")
def link(
    sources: Annotated[list[str], typer.Argument(help="Codes of the sources to link.")],
    user: str = typer.Option(..., "--user", help="The account the run is made as (audited)."),
    database_url: str | None = _URL_OPTION,
) -> None:
    """Link sources with the engine and write the persons back (ids kept where records stay)."""
    _setup(database_url)
    from django.contrib.auth import get_user_model
    from django.core.exceptions import PermissionDenied

    from inquest.errors import InputError
    from inquest.web.linking.link import link_sources
    from inquest.web.registry.models import Source

    account = get_user_model().objects.filter(username=user).first()
    if account is None:
        err.print(f"[red]no user {user!r}[/red]")
        raise typer.Exit(1)
    chosen = list(Source.objects.visible_to(account).filter(code__in=sources))
    missing = sorted(set(sources) - {s.code for s in chosen})
    if missing:
        err.print(f"[red]no source {', '.join(missing)} that {user} may see[/red]")
        raise typer.Exit(1)
    try:
        with console.status(f"linking {', '.join(sorted(sources))}"):
            outcome = link_sources(account, chosen)
    except (InputError, PermissionDenied) as exc:
        err.print(f"[red]not linked:[/red] {exc}")
        raise typer.Exit(1) from None
    r = outcome.results
    console.print(
        f"linkage run [bold]#{outcome.run.pk}[/bold]: {r['records']} records -> "
        f"{r['persons']} persons ({r['persons_created']} new, {r['persons_kept']} kept, "
        f"{r['persons_merged']} merged); {r['records_moved']} records moved"
    )
    console.print(f"reviewers' decisions applied: {r['decisions_applied']}")
    if r["decisions_orphaned"]:
        console.print(
            f"[yellow]{len(r['decisions_orphaned'])} decision(s) kept but not applied: "
            "their records are not in these sources[/yellow]"
        )


@app.command("estimate")
def estimate(
    out: Annotated[Path, typer.Option("--out", help="Folder for estimate.json, plots and report.")],
    user: str = typer.Option(..., "--user", help="The account the runs are recorded as."),
    linkage_run: int | None = typer.Option(
        None, "--linkage-run", help="Id of the linkage run (default: the latest that succeeded)."
    ),
    method: str = typer.Option(
        "loglinear", "--method", help="A method, a comma-separated list of them, or all."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the estimators."),
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--option",
            "-O",
            help="An option of a method as METHOD.NAME=VALUE (repeatable), e.g. "
            "loglinear.n_boot=200; `inquest estimate --list-methods` shows every option.",
        ),
    ] = None,
    database_url: str | None = _URL_OPTION,
) -> None:
    """Estimate the total from a linkage run's persons and record the runs against it."""
    from inquest.errors import ConfigError, InputError
    from inquest.estimate import registry

    try:
        methods, notes = registry.resolve_methods(method)
        options = registry.parse_assignments(option or [])
        for name, values in options.items():
            registry.make_options(name, values)
    except (ConfigError, InputError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    _setup(database_url)
    from django.contrib.auth import get_user_model
    from django.core.exceptions import PermissionDenied

    from inquest.errors import EstimationError
    from inquest.web.runs.estimates import estimate_from_linkage
    from inquest.web.runs.models import LinkageRun, RunStatus

    account = get_user_model().objects.filter(username=user).first()
    if account is None:
        err.print(f"[red]no user {user!r}[/red]")
        raise typer.Exit(1)
    runs = LinkageRun.objects.visible_to(account).filter(status=RunStatus.SUCCEEDED)
    run = (
        runs.filter(pk=linkage_run).first()
        if linkage_run is not None
        else runs.order_by("-finished_at", "-id").first()
    )
    if run is None:
        which = f" {linkage_run}" if linkage_run is not None else ""
        err.print(f"[red]no finished linkage run{which} that {user} may see[/red]")
        raise typer.Exit(1)
    try:
        for note in notes:
            err.print(f"[yellow]{note}[/yellow]")
        with console.status(f"estimating from linkage run #{run.pk}"):
            made = estimate_from_linkage(
                account, run, out, methods=methods, seed=seed, options=options
            )
    except (InputError, EstimationError, PermissionDenied) as exc:
        err.print(f"[red]no estimate:[/red] {exc}")
        raise typer.Exit(1) from None
    for r in made.runs:
        result = (r.results or {}).get("result") or {}
        figure = (
            f"{result['estimate']:,.0f} ({result['lower']:,.0f}-{result['upper']:,.0f})"
            if result
            else r.error
        )
        console.print(f"estimate run #{r.pk} {r.method}: {figure}")


@app.command("gazetteer")
def load_gazetteer(
    user: str = typer.Option(..., "--user", help="The account the load is made as (audited)."),
    database_url: str | None = _URL_OPTION,
) -> None:
    """Load the packaged gazetteer into the workbench's places (again: updates only)."""
    _setup(database_url)
    from django.contrib.auth import get_user_model
    from django.core.exceptions import PermissionDenied

    from inquest.web.registry.gazetteer import sync_gazetteer

    account = get_user_model().objects.filter(username=user).first()
    if account is None:
        err.print(f"[red]no user {user!r}[/red]")
        raise typer.Exit(1)
    try:
        with console.status("loading the gazetteer"):
            result = sync_gazetteer(account)
    except PermissionDenied as exc:
        err.print(f"[red]nothing loaded:[/red] {exc}")
        raise typer.Exit(1) from None
    console.print(
        f"places: [bold]{result.created}[/bold] added, {result.updated} updated, "
        f"{result.unchanged} unchanged"
    )


@app.command("expire-uploads")
def expire_uploads(
    max_age_hours: int | None = typer.Option(
        None,
        "--max-age-hours",
        min=1,  # an upload being imported right now must not go
        help="Delete uploads older than this (default: INQUEST_UPLOAD_MAX_AGE_HOURS, 24).",
    ),
    database_url: str | None = _URL_OPTION,
) -> None:
    """Delete lists uploaded in the browser and left neither imported nor cancelled."""
    _setup(database_url)
    from inquest.web.registry.staging import expire_uploads as expire

    removed = expire(max_age=None if max_age_hours is None else max_age_hours * 3600.0)
    console.print(f"deleted {len(removed)} expired upload(s)")


@app.command("verify-audit", hidden=True)
def verify_audit(database_url: str | None = _URL_OPTION) -> None:
    """The former name of ``inquest audit verify``, kept for scripts that use it."""
    from inquest.cli.audit import verify

    verify(head=None, database_url=database_url)


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    database_url: str | None = _URL_OPTION,
) -> None:
    """Run the workbench on this machine with Django's development server.

    For one user on a local machine. It serves the static files itself even with debug off;
    production runs behind a WSGI server (see docs/deployment/workbench.md).
    """
    _setup(database_url)
    from django.core.management import call_command

    console.print(f"workbench on http://{host}:{port}/ using {_where()} (Ctrl-C to stop)")
    call_command("runserver", f"{host}:{port}", insecure_serving=True, use_reloader=False)


@app.command(
    "manage",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def manage(ctx: typer.Context, database_url: str | None = _URL_OPTION) -> None:
    """Run any Django management command, e.g. "inquest db manage createsuperuser"."""
    _setup(database_url)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["inquest db manage", *ctx.args])
