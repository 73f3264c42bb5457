"""Record linkage: from many lists to one registry of persons (Splink 5 behind a thin adapter).

``link_records`` runs prepare → train → predict → cluster → ids on the records of
``inquest.io.read_lists``; ``write_run`` writes ``clusters.csv``, predictions, the model and
``run.json``; ``score_clusters`` / ``evaluate_files`` give pairwise and B-cubed scores.
The steps live one per module (prepare, settings, train, predict, cluster, ids, review,
evaluate, blocking, report, engine); the model is data (``inquest/data/linkage/model.yaml``).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["evaluate_files", "link_records", "load_model", "score_clusters", "write_run"]

_WHERE = {
    "link_records": "inquest.linkage.pipeline",
    "write_run": "inquest.linkage.pipeline",
    "load_model": "inquest.linkage.settings",
    "evaluate_files": "inquest.linkage.evaluate",
    "score_clusters": "inquest.linkage.evaluate",
}


def __getattr__(name: str) -> Any:
    """Load the pipeline (Splink, DuckDB) only when it is used."""
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'inquest.linkage' has no attribute {name!r}")
