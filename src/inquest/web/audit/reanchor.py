"""Anchor the audit head afresh at the current chain, as an audited act.

For a head file that can no longer be used: signed with another key (``INQUEST_AUDIT_KEY`` set
for one process and not for another), altered, unreadable or missing. Refused while the chain's
own links do not verify, and while the head verifies under this server's key but the chain no
longer holds it (the log was changed after it was anchored: restore from a backup). The entry
written records the old head file (its content and SHA-256), why it was set aside, and who
re-anchored; the new head is signed with this server's key.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from inquest.errors import InquestError
from inquest.web.access.levels import Level
from inquest.web.audit import anchor
from inquest.web.audit import services as audit
from inquest.web.audit.models import AuditEntry
from inquest.web.audit.verify import verify_all

ACTION = "audit.reanchor"
#: The old head file is small; anything longer is kept cut off (its SHA-256 is whole).
_KEPT = 4000


class ReanchorRefused(InquestError):
    """The head cannot be set aside: says why."""


@dataclass(frozen=True)
class Reanchored:
    """The entry recording the re-anchoring, the head now anchored, and why the old one was
    set aside."""

    entry: AuditEntry
    head: anchor.Head
    set_aside: str


def accept_current(by: str | None = None, reason: str = "") -> Reanchored:
    """Anchor the current chain under this server's key, recording the old head in the log.

    ``by``: who re-anchors (default: the login running the command, always recorded too).
    """
    try:
        old = anchor.read_raw()
    except anchor.AnchorError as exc:
        raise ReanchorRefused(str(exc)) from None
    set_aside = _why_unusable(old)
    key_id = anchor.key_id()  # fails before anything is written if there is no key
    try:
        login = getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment nor the user database
        login = "unknown"
    detail: dict[str, Any] = {
        "by": by or login,
        "login": login,
        "reason": reason,
        "set_aside": set_aside,
        "old_head_sha256": hashlib.sha256(old).hexdigest() if old is not None else None,
        "old_head": _kept(old),
        "key_id": key_id,
    }
    made: list[anchor.Head] = []
    with transaction.atomic():
        audit.serialise_writers(transaction.get_connection())
        chain = verify_all(anchor=None)
        if not chain.intact:
            raise ReanchorRefused(
                f"the chain's own links do not verify ({len(chain.problems)} problem(s), "
                "see inquest audit verify): not re-anchored"
            )
        # Registered before the entry's own callback, which then finds the new head in place.
        transaction.on_commit(lambda: anchor.replace_if_unchanged(old, made[0]))
        entry = audit.record(None, ACTION, AuditEntry, level=Level.INTERNAL, detail=detail)
        made.append(
            anchor.Head(
                entries=AuditEntry.objects.filter(id__lte=entry.pk).count(),
                last_id=entry.pk,
                last_hash=entry.hash,
                at=dt.datetime.now(dt.UTC).isoformat(),
            )
        )
    return Reanchored(entry=entry, head=made[0], set_aside=set_aside)


def _why_unusable(old: bytes | None) -> str:
    """Why the head file in ``old`` cannot be used; ``ReanchorRefused`` if it still can."""
    where = str(anchor.head_path())
    if old is None:
        return f"{where}: no head file"
    try:
        head = anchor.from_document(json.loads(old), where=where)
    except ValueError:
        return f"{where}: not JSON"
    except anchor.AnchorError as exc:
        return str(exc)
    departed = anchor.departs_from(head)
    if departed is None:
        raise ReanchorRefused(
            f"{where} verifies under this server's key and the chain holds it: nothing to re-anchor"
        )
    raise ReanchorRefused(
        f"{where} verifies under this server's key but {departed}: the log was changed "
        "after it was anchored; restore from a backup (docs/security/backups.md)"
    )


def _kept(old: bytes | None) -> Any:
    """The old head file as JSON if it is, else as text; cut off past ``_KEPT`` characters."""
    if old is None:
        return None
    text = old.decode("utf-8", errors="replace")
    if len(text) <= _KEPT:
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text[:_KEPT] + "…"
