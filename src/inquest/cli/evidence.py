"""``inquest evidence``: add files and folders as items of evidence, capture a web page, and
verify the store.

All go through the workbench's services (``inquest.web.evidence.services``), so every
item gets its custody entries and audit entry as in the browser. ``capture`` makes a WACZ
and a screenshot (``inquest.evidence.capture``) and adds both as items in one step.
``verify`` exits 1 and names every item whose original changed or vanished: run it on a
schedule (docs/deployment/workbench.md, Evidence).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from inquest.cli.db import _URL_OPTION, _setup

app = typer.Typer(
    help="Evidence: add files and folders as items (write-once store), verify every original.",
    no_args_is_help=True,
)
console = Console()
err = Console(stderr=True)


@app.command("add")
def add(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (walked) to add.")],
    user: str = typer.Option(..., "--user", help="The account the items are added as (audited)."),
    acquired_by: str = typer.Option(..., "--acquired-by", help="Who acquired the items."),
    method: str = typer.Option(
        ..., "--method", help="How: from_witness, from_family, open_source, leak, ..."
    ),
    consent: str = typer.Option(
        "not_required", "--consent", help="given, given_with_restrictions, not_required, ..."
    ),
    acquired_at: str | None = typer.Option(
        None, "--acquired-at", help="When (ISO 8601 with a time zone; default: now)."
    ),
    restriction: Annotated[
        list[str] | None,
        typer.Option("--restriction", help="A restriction of the source's consent (repeatable)."),
    ] = None,
    source: str = typer.Option("", "--source", help="Who handed the items over."),
    description: str = typer.Option("", "--description", help="What the items are."),
    level: str = typer.Option(
        "confidential", "--level", help="public, internal, confidential or protected."
    ),
    database_url: str | None = _URL_OPTION,
) -> None:
    """Add files and folders, all or nothing; the same bytes again: the item already held
    (its receipt recorded)."""
    _setup(database_url)
    from django.contrib.auth import get_user_model
    from django.core.exceptions import PermissionDenied

    from inquest.errors import InputError, InputErrors
    from inquest.evidence.intake import Acquisition
    from inquest.evidence.vocabulary import AcquisitionMethod, ConsentStatus
    from inquest.web.access.levels import Level
    from inquest.web.evidence import services

    account = get_user_model().objects.filter(username=user).first()
    if account is None:
        err.print(f"[red]no user {escape(user)!r}[/red]")
        raise typer.Exit(1)
    try:
        chosen = Level.from_name(level)
        when = dt.datetime.fromisoformat(acquired_at) if acquired_at else dt.datetime.now(dt.UTC)
        acquisition = Acquisition(
            acquired_by=acquired_by,
            acquired_at=when,
            method=AcquisitionMethod(method),
            consent=ConsentStatus(consent),
            restrictions=tuple(restriction or ()),
            source=source,
            description=description,
        )
    except (KeyError, ValueError) as exc:
        err.print(f"[red]bad option:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    try:
        with console.status(f"adding {len(paths)} path(s)"):
            added = services.add_paths(account, paths, acquisition, level=chosen)
    except (InputErrors, InputError, PermissionDenied) as exc:
        err.print(f"[red]nothing added:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    for one in added:
        what = "added" if one.created else "already held"
        name = one.item.display_name if one.visible else "(an item you may not see)"
        console.print(f"{what} {one.item.sha256} {escape(name)}", highlight=False, soft_wrap=True)
        for copy in one.possible_copies:
            console.print(
                f"  possible copy of {copy.item.sha256} (distance {copy.distance})",
                highlight=False,
                soft_wrap=True,
            )
    new = sum(1 for one in added if one.created)
    console.print(f"[green]{new} new item(s), {len(added) - new} already held[/green]")


@app.command("capture")
def capture_url(
    url: str = typer.Argument(..., help="The http(s) URL to capture."),
    user: str = typer.Option(..., "--user", help="The account the items are added as (audited)."),
    acquired_by: str = typer.Option(..., "--acquired-by", help="Who made the capture."),
    description: str = typer.Option("", "--description", help="Why it was captured."),
    level: str = typer.Option(
        "confidential", "--level", help="public, internal, confidential or protected."
    ),
    screenshot: bool = typer.Option(
        True, "--screenshot/--no-screenshot", help="Also save a PNG by headless Chromium."
    ),
    timeout: float = typer.Option(30.0, "--timeout", help="Seconds to wait for the server."),
    database_url: str | None = _URL_OPTION,
) -> None:
    """Capture URL into a WACZ (and a PNG screenshot) and add both as items, all or nothing;
    with no network, says so and adds nothing."""
    import tempfile

    _setup(database_url)
    from django.contrib.auth import get_user_model
    from django.core.exceptions import PermissionDenied

    from inquest.errors import InputError, InputErrors
    from inquest.evidence.capture import CaptureError, capture
    from inquest.evidence.intake import MAX_FIELD_CHARS, Acquisition
    from inquest.evidence.vocabulary import AcquisitionMethod, ConsentStatus
    from inquest.web.access.levels import Level
    from inquest.web.evidence import services

    account = get_user_model().objects.filter(username=user).first()
    if account is None:
        err.print(f"[red]no user {escape(user)!r}[/red]")
        raise typer.Exit(1)
    try:
        chosen = Level.from_name(level)
    except (KeyError, ValueError) as exc:
        err.print(f"[red]bad option:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    with tempfile.TemporaryDirectory(prefix="inquest-capture-") as tmp:
        try:
            with console.status(f"capturing {url}"):
                got = capture(url, Path(tmp), timeout=timeout, screenshot=screenshot)
            text = got.description() + (f"\n{description}" if description else "")
            acquisition = Acquisition(
                acquired_by=acquired_by,
                acquired_at=got.captured_at,
                method=AcquisitionMethod.OPEN_SOURCE,
                consent=ConsentStatus.NOT_REQUIRED,
                source=url[:MAX_FIELD_CHARS],
                description=text,
            )
            files = [got.wacz] + ([got.screenshot] if got.screenshot is not None else [])
            added = services.add_paths(account, files, acquisition, level=chosen)
        except (CaptureError, InputErrors, InputError, PermissionDenied, ValueError) as exc:
            err.print(
                f"[red]nothing captured or added:[/red] {escape(str(exc))}",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(1) from None
    console.print(
        f"captured {escape(url)} at {got.captured_at.isoformat()}: HTTP {got.final.status}"
        + (f" (final URL {escape(got.final.url)})" if got.final.url != url else ""),
        highlight=False,
        soft_wrap=True,
    )
    for one in added:
        what = "added" if one.created else "already held"
        console.print(
            f"{what} {one.item.sha256} {escape(one.item.display_name)}",
            highlight=False,
            soft_wrap=True,
        )
    if got.screenshot is None:
        err.print(
            f"[yellow]no screenshot:[/yellow] {escape(got.screenshot_error)}",
            highlight=False,
            soft_wrap=True,
        )


@app.command("verify")
def verify(database_url: str | None = _URL_OPTION) -> None:
    """Re-hash every original against its item; exit 1 and name every item whose original
    changed, vanished or could not be read. Each item gets a ``verified`` custody entry."""
    _setup(database_url)
    from inquest.web.evidence import services

    result = services.verify_all(None)
    report = result.report
    summary = f"{report.checked} original(s), {report.bytes_read:,} bytes in {report.seconds:.1f} s"
    if report.unexpected:
        console.print(
            f"{len(report.unexpected)} original(s) in the store that no item names "
            "(stored by an add that did not finish)",
            highlight=False,
            soft_wrap=True,
        )
    if result.intact:
        console.print(
            f"[green]every original intact[/green]: {summary}", highlight=False, soft_wrap=True
        )
        return
    reasons = {c.sha256: c.reason for c in report.changed}
    for item in result.changed:
        reason = reasons[item.sha256]
        err.print(
            f"[red]changed[/red] item {item.uid} {item.sha256}: {reason}",
            highlight=False,
            soft_wrap=True,
        )
    for item in result.vanished:
        err.print(
            f"[red]vanished[/red] item {item.uid} {item.sha256}", highlight=False, soft_wrap=True
        )
    for problem in report.unreadable:
        err.print(
            f"[red]unreadable[/red] {problem.sha256}: {problem.error}",
            highlight=False,
            soft_wrap=True,
        )
    raise typer.Exit(1)
