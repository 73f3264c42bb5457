"""Files only their owner may use: folders 0700, files 0600, and the process umask.

Lists, runs, the workbench's database and its keys name victims, witnesses and unpublished
findings; another account on the same machine must not read them. Writers of such data make
their folders with :func:`private_folder` and set their files with :func:`private_files`, so
the modes hold whatever umask the caller has; the command line and the workbench also
tighten the process umask (:func:`restrict_umask`) so that files written by libraries
(SQLite's journals, DuckDB, matplotlib) are private too.
"""

from __future__ import annotations

import os
import shlex
import stat
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "FILE_MODE",
    "FOLDER_MODE",
    "OTHERS",
    "chmod_fix",
    "exposed_bits",
    "private_file",
    "private_files",
    "private_folder",
    "restrict_umask",
]

FOLDER_MODE = 0o700
FILE_MODE = 0o600
#: Every permission bit of the group and of others.
OTHERS = 0o077


def restrict_umask() -> int:
    """Take every group and other bit out of the process umask; returns the umask before.

    Process-wide: every file and folder the process creates afterwards, by any library, is
    its owner's alone.
    """
    before = os.umask(OTHERS)
    os.umask(before | OTHERS)
    return before


def private_folder(path: Path) -> Path:
    """Make ``path`` a folder only its owner may enter, if it is missing, and return it.

    Every missing folder on the way is made 0700. A folder that exists is left as it is: it
    is the user's, not the writer's (``--out /tmp`` must not close /tmp to everyone); the
    files written into it are 0600 all the same, and the workbench refuses an open data
    folder (``inquest.web.ops.config.check_private``).
    """
    missing: list[Path] = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            pass  # made by another process meanwhile
        else:
            os.chmod(folder, FOLDER_MODE)  # mkdir's mode is subject to the umask
    return path


def private_file(path: Path) -> Path:
    """Set ``path`` to 0600 (a file rewritten in place keeps its old mode) and return it."""
    os.chmod(path, FILE_MODE)
    return path


def private_files(paths: Iterable[Path]) -> None:
    """Set every file of ``paths`` to 0600."""
    for path in paths:
        private_file(path)


def exposed_bits(path: Path) -> int:
    """The group and other permission bits of ``path`` (0 when only its owner has any)."""
    return stat.S_IMODE(path.stat().st_mode) & OTHERS


def chmod_fix(path: Path) -> str:
    """The command that closes ``path`` to everyone but its owner."""
    mode = "700" if path.is_dir() else "600"
    return f"chmod {mode} {shlex.quote(str(path))}"
