"""``inquest evidence``: add files and folders as items of evidence, capture a web page,
verify the store, make redacted copies and copies without metadata, timestamp items and renew
their timestamps, expunge an original, export a bundle for a prosecutor.

All go through the workbench's services (``inquest.web.evidence.services``), so every
item gets its custody entries and audit entry as in the browser. ``capture`` makes a WACZ
and a screenshot (``inquest.evidence.capture``) and adds both as items in one step.
``verify`` exits 1 and names every item whose original changed or vanished: run it on a
schedule (docs/deployment/workbench.md, Evidence).
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from inquest.cli.db import _URL_OPTION, _setup

app = typer.Typer(
    help="Evidence: add, verify, redact, strip, timestamp, retimestamp, expunge, export.",
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
    max_resources: int = typer.Option(
        1000, "--max-resources", min=1, help="Most resources the page's load may record."
    ),
    max_total_mb: int = typer.Option(
        2048, "--max-total-mb", min=1, help="Most MiB all the page's resources may record."
    ),
    database_url: str | None = _URL_OPTION,
) -> None:
    """Capture URL into a WACZ (the page and every resource Chromium loads
    with it) and a PNG screenshot, and add both as items, all or nothing; with no network,
    says so and adds nothing."""
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
                got = capture(
                    url,
                    Path(tmp),
                    timeout=timeout,
                    screenshot=screenshot,
                    max_resources=max_resources,
                    max_total_bytes=max_total_mb * 1024**2,
                )
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
    if got.resources:
        console.print(f"{len(got.resources)} resource(s) of the page recorded", highlight=False)
    for refused in got.not_recorded:
        err.print(
            f"[yellow]not recorded:[/yellow] {escape(refused)}", highlight=False, soft_wrap=True
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


def _account(username: str) -> Any:
    from django.contrib.auth import get_user_model

    account = get_user_model().objects.filter(username=username).first()
    if account is None:
        err.print(f"[red]no user {escape(username)!r}[/red]", highlight=False)
        raise typer.Exit(1)
    return account


def _item(account: Any, ref: str) -> Any:
    """The item ``ref`` names (its uid or SHA-256) among those ``account`` may see (all for
    the operator, None)."""
    from inquest.web.evidence import queries
    from inquest.web.evidence.models import EvidenceItem

    items = EvidenceItem.objects.all() if account is None else queries.items_for(account)
    ref = ref.strip().lower()
    try:
        found = items.filter(uid=uuid.UUID(ref)).first()
    except ValueError:
        found = items.filter(sha256=ref).first()
    if found is None:
        err.print(f"[red]no item {escape(ref)!r} that you may see[/red]", highlight=False)
        raise typer.Exit(1)
    return found


def _fail(what: str, exc: BaseException) -> NoReturn:
    err.print(f"[red]{what}:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
    raise typer.Exit(1) from None


@app.command("redact")
def redact(
    item: Annotated[str, typer.Argument(help="The item (its uid or SHA-256).")],
    user: str = typer.Option(..., "--user", help="The account that makes the copy (audited)."),
    reason: str = typer.Option(
        ..., "--reason", help="witness_protection, victim_privacy, source_protection, ..."
    ),
    pages: str = typer.Option("", "--pages", help="PDF pages to withdraw, from 1: '2,4-5'."),
    region: Annotated[
        list[str] | None,
        typer.Option(
            "--region",
            help="A region to remove: PAGE:x0,y0,x1,y1 (PDF points from the top left) or "
            "x0,y0,x1,y1 (image pixels); repeatable.",
        ),
    ] = None,
    note: str = typer.Option("", "--note", help="Why, in words (kept with the copy)."),
    level: str | None = typer.Option(
        None, "--level", help="The copy's level (default: the original's)."
    ),
    database_url: str | None = _URL_OPTION,
) -> None:
    """Make a redacted copy of a PDF or an image: the content is removed, not covered; the
    copy is an item linked to its original, with the reason and who made it."""
    _setup(database_url)
    from django.core.exceptions import PermissionDenied

    from inquest.errors import InquestError
    from inquest.evidence.redact import RedactionReason, parse_pages, parse_region
    from inquest.web.access.levels import Level
    from inquest.web.evidence import services

    account = _account(user)
    original = _item(account, item)
    try:
        why = RedactionReason(reason)
        chosen = None if level is None else Level.from_name(level)
        withdrawn = parse_pages(pages)
        regions = [parse_region(r, field="--region") for r in region or ()]
    except (KeyError, ValueError) as exc:
        err.print(f"[red]bad option:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    try:
        copy = services.redact_item(
            account,
            original,
            pages=withdrawn,
            regions=regions,
            reason=why,
            note=note,
            level=chosen,
            where="command line",
        )
    except (InquestError, PermissionDenied) as exc:
        _fail("no copy made", exc)
    console.print(f"redacted copy {copy.uid} {copy.sha256} of {original.sha256}", highlight=False)


@app.command("strip")
def strip(
    item: Annotated[str, typer.Argument(help="The item (its uid or SHA-256).")],
    user: str = typer.Option(..., "--user", help="The account that makes the copy (audited)."),
    level: str | None = typer.Option(
        None, "--level", help="The copy's level (default: the original's)."
    ),
    database_url: str | None = _URL_OPTION,
) -> None:
    """Make a copy of a PDF or an image without its metadata, an item linked to its original."""
    _setup(database_url)
    from django.core.exceptions import PermissionDenied

    from inquest.errors import InquestError
    from inquest.web.access.levels import Level
    from inquest.web.evidence import services

    account = _account(user)
    original = _item(account, item)
    try:
        chosen = None if level is None else Level.from_name(level)
    except (KeyError, ValueError) as exc:
        err.print(f"[red]bad option:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    try:
        copy = services.strip_item(account, original, level=chosen, where="command line")
    except (InquestError, PermissionDenied) as exc:
        _fail("no copy made", exc)
    console.print(
        f"copy without metadata {copy.uid} {copy.sha256} of {original.sha256}", highlight=False
    )


@app.command("timestamp")
def timestamp(
    items: Annotated[
        list[str] | None,
        typer.Argument(help="Items (uid or SHA-256); none: every item without a token."),
    ] = None,
    user: str | None = typer.Option(
        None, "--user", help="The account asking (default: the operator)."
    ),
    database_url: str | None = _URL_OPTION,
) -> None:
    """Ask every authority of INQUEST_TIMESTAMP_AUTHORITIES for an RFC 3161 token over each
    item; the tokens are stored with the item. Exit 1 if an authority failed."""
    _setup(database_url)
    from django.core.exceptions import PermissionDenied

    from inquest.errors import InquestError
    from inquest.web.evidence import services
    from inquest.web.evidence.models import EvidenceItem

    account = None if user is None else _account(user)
    if items:
        chosen = [_item(account, ref) for ref in items]
    else:
        chosen = list(
            EvidenceItem.objects.filter(timestamps__isnull=True, expunged_at__isnull=True).order_by(
                "pk"
            )
        )
    failed = False
    for one in chosen:
        try:
            run = services.timestamp_item(account, one, where="command line")
        except (InquestError, PermissionDenied) as exc:
            _fail("no timestamp", exc)
        console.print(f"{one.sha256}: {len(run.tokens)} token(s)", highlight=False)
        for failure in run.failures:
            failed = True
            err.print(
                f"[red]{escape(failure.authority)}[/red]: {escape(failure.reason)}",
                highlight=False,
                soft_wrap=True,
            )
    if failed:
        raise typer.Exit(1)


@app.command("retimestamp")
def retimestamp(
    older_than_days: int | None = typer.Option(
        None,
        "--older-than-days",
        help="Renew chains whose last token is older "
        "(default: INQUEST_TIMESTAMP_RENEW_AFTER_DAYS).",
    ),
    algorithm: Annotated[
        list[str] | None,
        typer.Option(
            "--algorithm",
            help="Renew chains whose last token uses this algorithm (repeatable): sha256, ...",
        ),
    ] = None,
    authority: str | None = typer.Option(
        None, "--authority", help="The authority to ask (default: the first configured)."
    ),
    database_url: str | None = _URL_OPTION,
) -> None:
    """Renew timestamp chains before their algorithm or authority's key ages: a new token
    over the last one and the item. Exit 1 if a chain could not be renewed."""
    _setup(database_url)
    import datetime as dt

    from inquest.errors import InquestError
    from inquest.evidence.timestamps import HashAlgorithm
    from inquest.web.evidence import services

    try:
        algorithms = [HashAlgorithm(a) for a in algorithm or ()]
    except ValueError as exc:
        err.print(f"[red]bad option:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    older = None if older_than_days is None else dt.timedelta(days=older_than_days)
    try:
        result = services.retimestamp_due(
            older_than=older, algorithms=algorithms, authority=authority
        )
    except InquestError as exc:
        _fail("nothing renewed", exc)
    console.print(f"{len(result.renewed)} chain(s) renewed", highlight=False)
    for token, why in result.failed:
        err.print(
            f"[red]not renewed[/red] {token.item.sha256}: {escape(why)}",
            highlight=False,
            soft_wrap=True,
        )
    if result.failed:
        raise typer.Exit(1)


@app.command("expunge")
def expunge(
    item: Annotated[str, typer.Argument(help="The item (its uid or SHA-256).")],
    reason: str = typer.Option(
        ...,
        "--reason",
        help="court_order, consent_withdrawn, unlawful_content, endangers_person, "
        "duplicate_of, ingested_in_error.",
    ),
    reference: str = typer.Option(
        "",
        "--reference",
        help="The order's number (or, for duplicate_of, the kept original's SHA-256).",
    ),
    actor: str = typer.Option(
        ..., "--actor", help="The account that expunges (needs expunge_evidence; audited)."
    ),
    note: str = typer.Option("", "--note", help="A note kept with the record."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
    database_url: str | None = _URL_OPTION,
) -> None:
    """Destroy an item's original for a listed reason (docs/methodology/evidence.md): the
    record, custody and tokens stay, marked expunged; custody event and audit entry."""
    _setup(database_url)
    from django.core.exceptions import PermissionDenied

    from inquest.errors import InquestError
    from inquest.evidence.vocabulary import ExpungeReason
    from inquest.web.evidence import services

    account = _account(actor)
    target = _item(account, item)
    try:
        why = ExpungeReason(reason)
    except ValueError as exc:
        err.print(f"[red]bad option:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    if not yes and not typer.confirm(f"Destroy the original {target.sha256} for {why.value}?"):
        raise typer.Exit(1)
    try:
        services.expunge_item(
            account, target, reason=why, reference=reference, note=note, where="command line"
        )
    except (InquestError, PermissionDenied, ValueError) as exc:
        _fail("not expunged", exc)
    console.print(f"expunged {target.sha256} ({why.value}); the record stays", highlight=False)


@app.command("export")
def export(
    items: Annotated[list[str], typer.Argument(help="Items (uid or SHA-256).")],
    out: Annotated[Path, typer.Option("--out", help="The bag's folder (must not exist).")],
    user: str = typer.Option(
        ..., "--user", help="The account that exports (needs export_evidence; audited)."
    ),
    title: str = typer.Option("Evidence bundle", "--title", help="The bundle's title."),
    database_url: str | None = _URL_OPTION,
) -> None:
    """Write a BagIt bundle for a prosecutor: the originals, their metadata, custody logs
    (listing this export) and timestamp tokens; check it with the commands in its README."""
    _setup(database_url)
    from django.core.exceptions import PermissionDenied

    from inquest.errors import InquestError
    from inquest.web.evidence import services

    account = _account(user)
    chosen = [_item(account, ref) for ref in items]
    try:
        bundle = services.export_bundle(account, chosen, out, title=title, where="command line")
    except (InquestError, PermissionDenied) as exc:
        _fail("nothing exported", exc)
    console.print(
        f"[green]{len(bundle.files)} item(s) exported[/green] to {escape(str(bundle.path))}",
        highlight=False,
    )
