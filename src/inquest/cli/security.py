"""``inquest security``: the field key (make one, rotate to a new one).

The field key seals witness identities and authenticator (TOTP) secrets. The current key
comes from ``INQUEST_FIELD_KEY`` or ``INQUEST_FIELD_KEY_FILE`` (docs/security/witnesses.md).
Rotation re-seals every identity field and every TOTP secret under the new key in one
transaction; afterwards point the variable at the new key.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from inquest.cli.db import _URL_OPTION, _setup

app = typer.Typer(
    help="The field key (witness identities, TOTP secrets): make one, rotate to a new one.",
    no_args_is_help=True,
)
console = Console()
err = Console(stderr=True)


@app.command("new-key")
def new_key(
    out: Annotated[Path, typer.Option("--out", help="Where to write the key (must not exist).")],
) -> None:
    """Write a new random 256-bit key (base64) to a file readable by its owner only."""
    from inquest.web.witnesses.crypto import FieldKey

    key = FieldKey.generate()
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        err.print(f"[red]cannot write {out}:[/red] {exc.strerror}")
        raise typer.Exit(1) from None
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.encoded() + "\n")
    console.print(f"wrote key {key.key_id} to {out}", highlight=False)


@app.command("rotate-key")
def rotate_key(
    new_key_file: Annotated[
        Path,
        typer.Option("--new-key-file", help="The new key (from `inquest security new-key`)."),
    ],
    database_url: str | None = _URL_OPTION,
) -> None:
    """Re-seal every witness identity field and TOTP secret with a new key, all or nothing.

    The old key is the current one (INQUEST_FIELD_KEY or INQUEST_FIELD_KEY_FILE). Then set
    the variable to the new key and restart the workbench. Running it again is harmless.
    Audited.
    """
    _setup(database_url)
    from django.db import transaction

    from inquest.errors import ConfigError
    from inquest.web.accounts.devices import rotate_key as rotate_devices
    from inquest.web.witnesses.crypto import SealError, key_from_env, read_key_file
    from inquest.web.witnesses.services import rotate_key as rotate

    try:
        old, new = key_from_env(), read_key_file(new_key_file)
    except ConfigError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    if old.key_id == new.key_id:
        err.print("[red]the new key is the current key[/red]")
        raise typer.Exit(2)
    try:
        with transaction.atomic():
            result = rotate(old, new)
            devices = rotate_devices(old, new)
    except SealError as exc:
        err.print(f"[red]nothing changed:[/red] {exc}")
        raise typer.Exit(1) from None
    console.print(f"re-sealed {devices} TOTP secret(s)", highlight=False)
    console.print(
        f"re-sealed {result.values} value(s) of {result.witnesses} witness(es): "
        f"key {result.old_key_id} → {result.new_key_id}. Now set INQUEST_FIELD_KEY_FILE="
        f"{new_key_file} (or INQUEST_FIELD_KEY) and restart the workbench.",
        highlight=False,
    )
