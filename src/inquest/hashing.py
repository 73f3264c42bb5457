"""Hashes of files: the one way the engine and the workbench fingerprint what they read and
write (imported lists, run artefacts, backups)."""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["file_sha256", "sha256_file"]

_CHUNK = 1 << 20


def file_sha256(path: str | Path) -> tuple[str, int]:
    """The SHA-256 (hex) and size in bytes of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    size = 0
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def sha256_file(path: str | Path) -> str:
    """The SHA-256 (hex) of a file."""
    return file_sha256(path)[0]
