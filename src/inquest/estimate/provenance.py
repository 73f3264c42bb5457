"""What an estimate run needs to be reproduced: hashes of its inputs, the inquest version, the
seed (the shared ``inquest.provenance``, as ``estimate.json``'s ``provenance`` block)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from inquest.hashing import sha256_file
from inquest.provenance import input_hash, make_provenance

__all__ = ["input_hash", "run_manifest", "sha256_file"]


def run_manifest(
    paths: Sequence[str | Path], *, seed: int | None, **settings: Any
) -> dict[str, Any]:
    """The provenance block of ``estimate.json`` over the files ``paths``."""
    return dict(make_provenance(paths, seed=seed, settings=settings).to_dict())
