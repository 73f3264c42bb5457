"""Check the whole audit chain and say, for every entry that is wrong, what is wrong.

The one verifier of the audit log: ``inquest audit verify``, ``inquest backup`` and
``inquest restore`` all call ``verify_all``. Three kinds of tampering leave different marks:

- **altered**: an entry's content no longer matches its own hash;
- **removed**: an entry's ``prev_hash`` names no entry present (the one it followed is gone,
  or that one was altered and its hash recomputed, which removes the old hash just the same);
- **reordered**: an entry's ``prev_hash`` names an entry that is present but not the one stored
  before it.

Removing the newest entries leaves no mark inside the chain; it shows against a head kept
outside the database:

- **truncated**: the head anchored in the data folder (``inquest.web.audit.anchor``), or one
  passed as ``expected_head`` (``inquest audit head``, kept off the server), is not in the
  chain, or the chain has fewer entries than were anchored;
- **anchor**: the anchored head is missing while the log has entries, or cannot be trusted
  (altered, or signed with another key).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum

from inquest.web.audit import anchor as anchoring
from inquest.web.audit.anchor import AnchorError, Head
from inquest.web.audit.models import GENESIS, AuditEntry


class Tampering(StrEnum):
    """What a problem found in the chain looks like."""

    ALTERED = "altered"
    REMOVED = "removed"
    REORDERED = "reordered"
    TRUNCATED = "truncated"
    ANCHOR = "anchor"


class AnchorSource(Enum):
    """Where ``verify_all`` takes the anchored head from when none is passed."""

    FILE = "the head file in the data folder"


@dataclass(frozen=True)
class Problem:
    """One wrong entry: its id (None for the chain's end), the kind, and where, in words."""

    entry_id: int | None
    kind: Tampering
    message: str


@dataclass(frozen=True)
class Verification:
    """The entries checked, the last entry's id and hash, the anchored head compared with
    (None if there was none), and every problem found (empty: intact)."""

    checked: int
    last_id: int
    head: str
    anchor: Head | None
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


def verify_all(
    expected_head: str | None = None, *, anchor: Head | AnchorSource | None = AnchorSource.FILE
) -> Verification:
    """Recompute every entry's hash and link, in id order, and compare the end with the
    anchored head; list every problem found.

    ``anchor``: by default the head file in the data folder (a missing one is a problem once
    the log has entries); a ``Head`` from elsewhere (a backup's); None to compare with none.
    ``expected_head``: a hash recorded earlier (e.g. printed by ``inquest audit head`` and kept
    off the server). It must still be in the chain, or entries at the end were removed.
    """
    problems: list[Problem] = []
    from_file = anchor is AnchorSource.FILE
    if anchor is AnchorSource.FILE:
        try:
            anchor = anchoring.read_head()
        except AnchorError as exc:
            from_file, anchor = False, None
            problems.append(
                Problem(
                    None,
                    Tampering.ANCHOR,
                    f"the anchored head: {exc}; the head does not advance until this is "
                    "resolved (once the cause is known: inquest audit anchor --accept-current)",
                )
            )
    rows = [
        _Row(e.pk, e.action, e.prev_hash, e.hash, e.compute_hash() == e.hash)
        for e in AuditEntry.objects.order_by("id").iterator(chunk_size=2000)
    ]
    position = {row.hash: i for i, row in enumerate(rows)}
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
    last_id = rows[-1].id if rows else 0
    if expected_head is not None and expected_head != GENESIS and expected_head not in position:
        problems.append(
            Problem(
                None,
                Tampering.TRUNCATED,
                f"the recorded head {expected_head[:16]}… is not in the chain "
                f"(entries after entry {last_id} were removed, or it was altered)",
            )
        )
    if isinstance(anchor, Head):
        problems.extend(_against_anchor(anchor, rows, position))
    elif from_file and rows:
        problems.append(
            Problem(
                None,
                Tampering.ANCHOR,
                f"no anchored head at {anchoring.head_path()} though the log has {len(rows)} "
                "entries: the file was removed, or the log predates anchoring (the next "
                "audited write anchors it)",
            )
        )
    return Verification(
        checked=len(rows),
        last_id=last_id,
        head=head,
        anchor=anchor if isinstance(anchor, Head) else None,
        problems=tuple(problems),
    )


def _against_anchor(anchor: Head, rows: list[_Row], position: dict[str, int]) -> list[Problem]:
    """The chain must still hold the anchored entry, and at least as many entries."""
    end = f"entry {rows[-1].id}" if rows else "no entry"
    if anchor.entries == 0:
        return []
    if anchor.last_hash not in position:
        return [
            Problem(
                None,
                Tampering.TRUNCATED,
                f"the anchored head ({anchor.describe()}) is not in the chain, which has "
                f"{len(rows)} entries ending at {end}: entries at the end were removed, or the "
                "anchored entry was altered",
            )
        ]
    if len(rows) < anchor.entries:
        return [
            Problem(
                None,
                Tampering.REMOVED,
                f"the chain has {len(rows)} entries, {anchor.entries - len(rows)} fewer than "
                f"anchored ({anchor.describe()}): entries were removed",
            )
        ]
    found = rows[position[anchor.last_hash]]
    if found.id != anchor.last_id:
        return [
            Problem(
                found.id,
                Tampering.REORDERED,
                f"the anchored entry {anchor.last_id} is stored as entry {found.id} "
                "(entries were renumbered)",
            )
        ]
    return []
