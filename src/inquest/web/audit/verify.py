"""Check the whole audit chain and say, for every entry that is wrong, what is wrong.

Three kinds of tampering leave different marks:

- **altered**: an entry's content no longer matches its own hash;
- **removed**: an entry's ``prev_hash`` names no entry present (the one it followed is gone,
  or that one was altered and its hash recomputed, which removes the old hash just the same);
- **reordered**: an entry's ``prev_hash`` names an entry that is present but not the one stored
  before it.

Removing the newest entries leaves no mark inside the chain: compare the head (the last hash,
``inquest audit head``) with one kept elsewhere, via ``verify_all(expected_head=...)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from inquest.web.audit.models import GENESIS, AuditEntry


class Tampering(StrEnum):
    """What a problem found in the chain looks like."""

    ALTERED = "altered"
    REMOVED = "removed"
    REORDERED = "reordered"
    TRUNCATED = "truncated"


@dataclass(frozen=True)
class Problem:
    """One wrong entry: its id (None for the chain's end), the kind, and where, in words."""

    entry_id: int | None
    kind: Tampering
    message: str


@dataclass(frozen=True)
class Verification:
    """The entries checked, the last hash, and every problem found (empty: intact)."""

    checked: int
    head: str
    problems: tuple[Problem, ...]

    @property
    def intact(self) -> bool:
        """True if no problem was found."""
        return not self.problems


@dataclass(frozen=True)
class _Row:
    id: int
    action: str
    prev_hash: str
    hash: str
    self_ok: bool


def verify_all(expected_head: str | None = None) -> Verification:
    """Recompute every entry's hash and link, in id order; list every problem found.

    ``expected_head``: a hash recorded earlier (e.g. printed by ``inquest audit head`` and kept
    off the server). It must still be in the chain, or entries at the end were removed.
    """
    rows = [
        _Row(e.pk, e.action, e.prev_hash, e.hash, e.compute_hash() == e.hash)
        for e in AuditEntry.objects.order_by("id").iterator(chunk_size=2000)
    ]
    position = {row.hash: i for i, row in enumerate(rows)}
    problems: list[Problem] = []
    for i, row in enumerate(rows):
        before = rows[i - 1] if i else None
        if not row.self_ok:
            problems.append(
                Problem(
                    row.id,
                    Tampering.ALTERED,
                    f"entry {row.id} ({row.action}): its content does not match its hash "
                    "(edited after it was written)",
                )
            )
        expected = before.hash if before is not None else GENESIS
        if row.prev_hash == expected:
            continue
        after = f"entry {before.id}" if before is not None else "the start"
        if row.prev_hash == GENESIS or row.prev_hash in position:
            follows = (
                "the start of the chain"
                if row.prev_hash == GENESIS
                else f"entry {rows[position[row.prev_hash]].id}"
            )
            problems.append(
                Problem(
                    row.id,
                    Tampering.REORDERED,
                    f"entry {row.id} ({row.action}) was written after {follows} "
                    f"but is stored after {after} (entries were reordered)",
                )
            )
        else:
            problems.append(
                Problem(
                    row.id,
                    Tampering.REMOVED,
                    f"entry {row.id} ({row.action}): the entry it was written after is missing "
                    f"(removed between {after} and entry {row.id}, or {after} was altered "
                    "and its hash recomputed)",
                )
            )
    head = rows[-1].hash if rows else GENESIS
    if expected_head is not None and expected_head != GENESIS and expected_head not in position:
        problems.append(
            Problem(
                None,
                Tampering.TRUNCATED,
                f"the recorded head {expected_head[:16]}… is not in the chain "
                f"(entries after entry {rows[-1].id if rows else 0} were removed, or it was "
                "altered)",
            )
        )
    return Verification(checked=len(rows), head=head, problems=tuple(problems))
