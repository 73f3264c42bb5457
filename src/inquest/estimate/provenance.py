"""What a run needs to be reproduced: hashes of its inputs, the inquest version, the seed."""

from __future__ import annotations

import hashlib
import platform
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from inquest import __version__
from inquest.hashing import sha256_file


def input_hash(paths: Sequence[str | Path]) -> str:
    """One SHA-256 over the input files (each file's hash, in the given order)."""
    if len(paths) == 1:
        return sha256_file(paths[0])
    digest = hashlib.sha256()
    for p in paths:
        digest.update(sha256_file(p).encode())
    return digest.hexdigest()


def run_manifest(
    paths: Sequence[str | Path], *, seed: int | None, **settings: Any
) -> dict[str, Any]:
    """The provenance block of ``estimate.json``."""
    return {
        "inputs": [{"path": str(p), "sha256": sha256_file(p)} for p in paths],
        "input_hash": input_hash(paths),
        "inquest_version": __version__,
        "seed": seed,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "created_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "settings": settings,
    }
