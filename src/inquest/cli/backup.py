"""``inquest backup`` and ``inquest restore``: encrypted archives of the workbench.

The key: ``--key-file``, else ``INQUEST_BACKUP_KEY`` / ``INQUEST_BACKUP_KEY_FILE``, else a
passphrase (``--passphrase`` prompts; ``INQUEST_BACKUP_PASSPHRASE`` for scripts). See
docs/security/backups.md.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from inquest.cli.db import _URL_OPTION, _setup

if TYPE_CHECKING:
    from inquest.web.ops.backup import BackupKey

console = Console()
err = Console(stderr=True)

_KEY_FILE = typer.Option("--key-file", help="A file holding the base64 archive key.")
_PASSPHRASE = typer.Option(
    False, "--passphrase", help="Use a passphrase (prompted, or INQUEST_BACKUP_PASSPHRASE)."
)


def _key_and_passphrase(
    key_file: Path | None, passphrase: bool, *, confirm: bool
) -> tuple[BackupKey | None, str | None]:
    """The archive key, or a passphrase; exits 2 with the reason if neither is usable."""
    from inquest.errors import ConfigError
    from inquest.web.ops.backup import key_from_env, key_from_file

    try:
        key = key_from_file(key_file) if key_file is not None else key_from_env()
    except ConfigError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    phrase = None
    if passphrase or key is None:
        phrase = os.environ.get("INQUEST_BACKUP_PASSPHRASE") or typer.prompt(
            "Backup passphrase", hide_input=True, confirmation_prompt=confirm
        )
    return key, phrase


def backup(
    out: Annotated[Path, typer.Option("--out", help="The archive to write.")],
    key_file: Annotated[Path | None, _KEY_FILE] = None,
    passphrase: bool = _PASSPHRASE,
    allow_broken_audit: bool = typer.Option(
        False,
        "--allow-broken-audit",
        help="Write the archive even if the audit log does not verify (marked in it).",
    ),
    database_url: str | None = _URL_OPTION,
) -> None:
    """Write an encrypted archive of the database and the data folder's files (keys left out).

    Refused while the audit log does not verify, unless --allow-broken-audit.
    """
    _setup(database_url)
    from rich.markup import escape

    from inquest.errors import ConfigError
    from inquest.web.ops.backup import BackupError, key_from_passphrase, write_backup

    key, phrase = _key_and_passphrase(key_file, passphrase, confirm=True)
    try:
        chosen = key_from_passphrase(phrase) if phrase is not None else key
        assert chosen is not None
        result = write_backup(out, chosen, allow_broken_audit=allow_broken_audit)
    except (ConfigError, BackupError) as exc:
        err.print(f"[red]no backup written:[/red] {exc}")
        raise typer.Exit(1) from None
    if result.audit_problems:
        err.print(
            f"[bold red]WARNING: the audit log does not verify[/bold red]; the archive was "
            f"written anyway and its manifest records these {len(result.audit_problems)} "
            "problem(s):"
        )
        for problem in result.audit_problems:
            err.print(f"  [red]{problem}[/red]", highlight=False)
    console.print(
        f"wrote [bold]{out}[/bold]: database ({result.database_format}, {result.tables} tables, "
        f"{result.rows} rows, {result.audit_entries} audit entries) and {result.files} file(s)"
    )
    if result.evidence_not_in_archive:
        err.print(
            "[bold yellow]evidence originals not in the archive:[/bold yellow] the store "
            + escape(result.evidence_not_in_archive)
            + " is not a local folder; its bucket keeps the originals under object lock. Back "
            "it up by the bucket's replication (docs/security/backups.md); after a restore, "
            "`inquest evidence verify` checks every item against it.",
            highlight=False,
            soft_wrap=True,
        )
    if result.keys_left_out:
        err.print(
            "[bold yellow]keys left out of the archive:[/bold yellow] "
            + escape(", ".join(result.keys_left_out))
            + " (in the data folder). An archive never holds the keys that protect it: keep "
            "them apart from it. Restore does not need them; the workbench needs the field key "
            "to open witness identities, and without secret_key it makes a new one (everyone "
            "signs in again).",
            highlight=False,
        )


def restore(
    archive: Annotated[Path, typer.Argument(help="An archive written by `inquest backup`.")],
    key_file: Annotated[Path | None, _KEY_FILE] = None,
    passphrase: bool = _PASSPHRASE,
    yes: bool = typer.Option(False, "--yes", help="Do not ask before replacing the database."),
    database_url: str | None = _URL_OPTION,
) -> None:
    """Verify an archive completely, then replace the database and restore the files."""
    _setup(database_url)
    from inquest.errors import ConfigError
    from inquest.web.ops.backup import BackupError, restore_backup

    key, phrase = _key_and_passphrase(key_file, passphrase, confirm=False)
    if not yes:
        typer.confirm("This replaces the workbench's database and files. Go on?", abort=True)
    try:
        result = restore_backup(archive, key=key, passphrase=phrase)
    except (ConfigError, BackupError) as exc:
        err.print(f"[red]not restored:[/red] {exc}")
        raise typer.Exit(1) from None
    console.print(
        f"[green]restored and verified[/green]: {result.tables} tables, {result.rows} rows, "
        f"{result.files} file(s), audit chain intact ({result.audit_entries} entries)"
    )
