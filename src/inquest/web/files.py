"""Hash files the workbench records (imported lists, run artefacts)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha256(path: Path) -> tuple[str, int]:
    """The SHA-256 (hex) and size in bytes of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
