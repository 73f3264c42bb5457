"""Clerical review in the workbench: the queue of uncertain pairs, their evidence, decisions.

The queue comes from the latest linkage run the user may see: pairs whose match probability
lies in the run's review band, plus, for every record held in its person with a confidence
below the band's top, its strongest pair inside that person. Only pairs whose two records the
user may see and review are listed.

Decisions use optimistic concurrency: a reviewer's form carries the decision they saw
(``seen``). If another reviewer decided the pair since, ``decide`` raises ``ReviewConflict``
with that decision instead of writing; the database refuses a second successor of one
decision too, so a race between the check and the insert ends the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.db import IntegrityError, transaction

from inquest.errors import InputError
from inquest.linkage.review import (
    Judgement,
    ReviewBand,
    WaterfallStep,
    pair_waterfall,
    review_queue,
)
from inquest.linkage.run_record import LinkageRunRecord, read_model, read_predictions
from inquest.web.access.actions import Action
from inquest.web.access.levels import Level
from inquest.web.access.policy import AnyUser, require, user_id
from inquest.web.audit import services as audit
from inquest.web.linking.models import ReviewDecision
from inquest.web.registry.models import Record
from inquest.web.runs.models import LinkageRun, RunStatus
from inquest.web.runs.queries import linkage_runs_for

_PAIR_COLUMNS = ("record_id_l", "record_id_r", "match_probability", "match_weight")
_CHART_WIDTH = 240.0


class ReviewConflict(Exception):
    """Another reviewer decided the pair after this reviewer loaded it."""

    def __init__(self, current: ReviewDecision) -> None:
        super().__init__(f"pair already decided by decision {current.pk}")
        self.current = current


@dataclass(frozen=True)
class Bar:
    """One step of the engine's match-weight waterfall, placed on a chart ``_CHART_WIDTH``
    wide."""

    step: WaterfallStep
    x: float
    width: float


@dataclass(frozen=True)
class Evidence:
    """The evidence for and against one pair: waterfall steps, probability and zero line."""

    bars: list[Bar]
    probability: float
    match_weight: float
    zero_x: float
    width: float = _CHART_WIDTH


def latest_run(user: AnyUser) -> LinkageRun | None:
    """The newest succeeded linkage run the user may see that kept its predictions."""
    return (
        linkage_runs_for(user)
        .filter(status=RunStatus.SUCCEEDED, artefacts__kind="predictions")
        .order_by("-finished_at", "-id")
        .first()
    )


def _artefact(run: LinkageRun, kind: str) -> tuple[str, str]:
    artefact = run.artefacts.filter(kind=kind).first()
    if artefact is None:
        raise InputError(f"linkage run {run.pk} has no {kind} artefact", field=kind)
    return artefact.path, artefact.sha256


# Each reads a file of the run folder through the run record's module, cached by the
# artefact's path and hash: a file of a finished run never changes, a new run's has another.
@lru_cache(maxsize=8)
def _predictions(path: str, sha256: str) -> pa.Table:
    """A run's predictions (read once per file and hash)."""
    return read_predictions(Path(path).parent)


@lru_cache(maxsize=8)
def _clusters(path: str, sha256: str) -> pa.Table:
    """A run's persons per record, from its run record (``clusters.csv`` and ``run.json``)."""
    return LinkageRunRecord.from_dir(Path(path).parent).clusters


@lru_cache(maxsize=8)
def _model(path: str, sha256: str) -> dict[str, Any]:
    return dict(read_model(Path(path).parent))


def _candidates(run: LinkageRun) -> dict[tuple[int, int], tuple[float, float, str]]:
    """Pair -> (probability, match weight, reason) from the run's files, before access: the
    engine's queue (``inquest.linkage.review.review_queue``) over record primary keys."""
    predictions = _predictions(*_artefact(run, "predictions"))
    clusters = _clusters(*_artefact(run, "clusters"))
    band = ReviewBand(
        float(run.parameters.get("review_low", 0.05)),
        float(run.parameters.get("review_high", 0.5)),
    )
    as_keys = pa.int64()
    queued = review_queue(
        predictions.select(list(_PAIR_COLUMNS))
        .set_column(0, "record_id_l", predictions["record_id_l"].cast(as_keys))
        .set_column(1, "record_id_r", predictions["record_id_r"].cast(as_keys)),
        clusters.set_column(
            clusters.column_names.index("record_id"),
            "record_id",
            clusters["record_id"].cast(as_keys),
        ),
        band,
    )
    return {
        (int(c.left), int(c.right)): (c.probability, c.match_weight, c.reason.value) for c in queued
    }


def current_decision(a: int, b: int) -> ReviewDecision | None:
    """The latest decision on the pair (no other decision replaces it), if any."""
    return (
        ReviewDecision.objects.filter(record_a_id=a, record_b_id=b, superseded_by__isnull=True)
        .select_related("decided_by")
        .first()
    )


def pair_records(user: AnyUser, a: int, b: int) -> tuple[Record, Record]:
    """The two records of a pair, if the user may see and review both (else PermissionDenied)."""
    if a >= b:
        raise InputError("a pair names the lower record first", field="pair")
    records = {
        r.pk: r
        for r in Record.objects.visible_to(user).select_related("source").filter(pk__in=(a, b))
    }
    if len(records) != 2:
        raise Record.DoesNotExist(f"no such pair of records visible: {a}, {b}")
    require(user, Action.REVIEW, max(r.confidentiality for r in records.values()))
    return records[a], records[b]


def evidence(run: LinkageRun, a: int, b: int) -> Evidence | None:
    """The match-weight waterfall of the pair in ``run`` (None if the run did not score it):
    the engine's (``inquest.linkage.review.pair_waterfall``), laid out as a chart."""
    scored = pair_waterfall(
        _predictions(*_artefact(run, "predictions")),
        _model(*_artefact(run, "model")),
        str(a),
        str(b),
    )
    if scored is None:
        return None
    running = [0.0, *(step.total for step in scored.steps)]
    lo, hi = min(running), max(running)
    span = (hi - lo) or 1.0

    def at(v: float) -> float:
        return round((v - lo) / span * _CHART_WIDTH, 1)

    bars = [
        Bar(
            step,
            at(min(running[i], step.total)),
            max(round(abs(step.weight) / span * _CHART_WIDTH, 1), 0.5),
        )
        for i, step in enumerate(scored.steps)
    ]
    return Evidence(bars, scored.probability, scored.match_weight, at(0.0))


def history(a: int, b: int) -> list[ReviewDecision]:
    """Every decision on the pair, oldest first."""
    return list(
        ReviewDecision.objects.filter(record_a_id=a, record_b_id=b)
        .select_related("decided_by")
        .order_by("id")
    )


@transaction.atomic
def decide(
    user: AnyUser,
    a: int,
    b: int,
    *,
    judgement: str,
    note: str = "",
    seen: int | None,
    run: LinkageRun | None = None,
) -> ReviewDecision:
    """Record the user's decision on pair ``(a, b)``, given the decision they saw (``seen``).

    Raises ``ReviewConflict`` if the pair's latest decision is no longer ``seen``.
    """
    if judgement not in {j.value for j in Judgement}:
        raise InputError(f"unknown decision {judgement!r}", field="judgement")
    record_a, record_b = pair_records(user, a, b)
    level = Level(max(record_a.confidentiality, record_b.confidentiality))
    current = current_decision(a, b)
    if (current.pk if current else None) != seen:
        if current is None:
            raise InputError("the decision you saw is not one of this pair's", field="seen")
        raise ReviewConflict(current)
    probability = None
    if run is not None:
        scored = evidence(run, a, b)
        probability = scored.probability if scored else None
    try:
        with transaction.atomic():
            decision = ReviewDecision.objects.create(
                record_a=record_a,
                record_b=record_b,
                judgement=judgement,
                note=note.strip(),
                supersedes=current,
                linkage_run=run,
                match_probability=probability,
                decided_by_id=user_id(user),
                confidentiality=level,
            )
    except IntegrityError:
        latest = current_decision(a, b)
        if latest is None:
            raise
        raise ReviewConflict(latest) from None
    audit.record(
        user,
        "review.decide",
        decision,
        level=level,
        detail={
            "records": [a, b],
            "judgement": judgement,
            "supersedes": current.pk if current else None,
            "run": run.pk if run else None,
        },
    )
    return decision
