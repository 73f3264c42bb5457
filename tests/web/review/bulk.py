"""A linkage run with many uncertain pairs, written in bulk (tests and the queue benchmark).

Records go straight to the tables (``bulk_create``; no services, no audit entries) and the
run's files are written as a linkage run writes them: predictions (Parquet), clusters (CSV)
and model (JSON). Every name is synthetic.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.contrib.auth.models import User
from django.utils import timezone

from inquest.linkage.run_record import (
    CLUSTERS_FILE,
    MODEL_FILE,
    PREDICTIONS_FILE,
    RUN_FILE,
    LinkageRunRecord,
)
from inquest.web.access.levels import Level
from inquest.web.registry.models import Record, RecordVersion, Source
from inquest.web.runs.models import Artefact, LinkageRun, RunStatus

GIVEN = ("علی", "مریم", "حسن", "Ali", "Maryam", "Hasan", "رضا", "Reza")
FAMILY = ("نمونه", "آزمایشی", "Nemuneh", "Azmayeshi", "ساختگی", "Sakhtegi")


def _records(source: Source, n: int, level: Level) -> list[int]:
    """``n`` synthetic records of ``source`` with one version each; their primary keys."""
    Record.objects.bulk_create(
        [Record(source=source, row_number=i + 1, confidentiality=level) for i in range(n)],
        batch_size=5000,
    )
    pks = list(
        Record.objects.filter(source=source).order_by("row_number").values_list("pk", flat=True)
    )
    RecordVersion.objects.bulk_create(
        [
            RecordVersion(
                record_id=pk,
                number=1,
                raw={
                    "given_name": GIVEN[i % len(GIVEN)],
                    "family_name": f"{FAMILY[i % len(FAMILY)]} {i}",
                    "father_name": GIVEN[(i + 3) % len(GIVEN)],
                    "death_date": f"{1981 + i % 8}",
                },
                reason="imported",
                confidentiality=level,
            )
            for i, pk in enumerate(pks)
        ],
        batch_size=5000,
    )
    return pks


def _artefact(run: LinkageRun, kind: str, path: Path) -> None:
    data = path.read_bytes()
    Artefact.objects.create(
        linkage_run=run,
        kind=kind,
        path=str(path),
        sha256=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
        confidentiality=run.confidentiality,
    )


def seed_pending_pairs(
    user: User, n_pairs: int, folder: Path, *, level: Level = Level.INTERNAL
) -> LinkageRun:
    """Two lists of ``n_pairs`` records each and a succeeded run pairing row i of one with
    row i of the other, every pair inside the review band and undecided."""
    first, second = (
        Source.objects.create(
            code=code, name=f"Synthetic list {code}", origin="synthetic", confidentiality=level
        )
        for code in ("QA", "QB")
    )
    left, right = _records(first, n_pairs, level), _records(second, n_pairs, level)
    return pending_pairs_over(user, left, right, [first, second], folder, level=level)


def pending_pairs_over(
    user: User,
    left: list[int],
    right: list[int],
    sources: list[Source],
    folder: Path,
    *,
    level: Level = Level.INTERNAL,
) -> LinkageRun:
    """A succeeded run over ``sources`` pairing record ``left[i]`` with ``right[i]`` (primary
    keys of records already written), every pair inside the review band and undecided."""
    folder.mkdir(parents=True, exist_ok=True)
    n_pairs = len(left)
    probability = [0.06 + 0.43 * (i % 997) / 997 for i in range(n_pairs)]
    predictions = pa.table(
        {
            "record_id_l": [str(pk) for pk in left],
            "record_id_r": [str(pk) for pk in right],
            "match_probability": probability,
            "match_weight": [-4.0 + 4.0 * p for p in probability],
            "gamma_name": [2] * n_pairs,
            "mw_name": [3.5] * n_pairs,
            "mw_tf_adj_name": [0.0] * n_pairs,
            "gamma_death_date": [0] * n_pairs,
            "mw_death_date": [-2.0 - p for p in probability],
            "mw_tf_adj_death_date": [0.0] * n_pairs,
        }
    )
    pq.write_table(predictions, folder / PREDICTIONS_FILE)
    LinkageRunRecord(
        clusters=pa.table(
            {
                "list": ["QA"] * n_pairs + ["QB"] * n_pairs,
                "record_id": [str(pk) for pk in left + right],
                "person_id": [f"p{pk}" for pk in left + right],
                "confidence": [1.0] * (2 * n_pairs),
                "cluster_size": [1] * (2 * n_pairs),
            }
        ),
        records=2 * n_pairs,
        persons=2 * n_pairs,
        pairs_kept=n_pairs,
        components_split=0,
        pairs_rescored=0,
    ).to_dir(folder)
    (folder / MODEL_FILE).write_text(json.dumps({"comparisons": []}), encoding="utf-8")
    run = LinkageRun.objects.create(
        parameters={"review_low": 0.05, "review_high": 0.5},
        input_sha256="0" * 64,
        code_version="synthetic",
        status=RunStatus.SUCCEEDED,
        finished_at=timezone.now(),
        started_by=user,
        confidentiality=level,
    )
    run.sources.set(sources)
    for kind, name in (
        ("predictions", PREDICTIONS_FILE),
        ("clusters", CLUSTERS_FILE),
        ("model", MODEL_FILE),
        ("run", RUN_FILE),
    ):
        _artefact(run, kind, folder / name)
    return run
