"""Start, finish and fail runs; attach the files they wrote, hashed. Each is audited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from inquest import __version__
from inquest.errors import InputError
from inquest.hashing import file_sha256
from inquest.web.access.actions import Action
from inquest.web.access.levels import Level
from inquest.web.access.policy import AnyUser, require, user_id
from inquest.web.audit import services as audit
from inquest.web.registry.models import Source
from inquest.web.runs.models import Artefact, EstimateRun, LinkageRun, RunStatus


@transaction.atomic
def start_linkage_run(
    user: AnyUser,
    *,
    sources: Sequence[Source],
    parameters: Mapping[str, Any],
    input_sha256: str,
    seed: int | None = None,
    code_version: str = __version__,
) -> LinkageRun:
    """Open a linkage run over ``sources``; its level is the highest of theirs."""
    if not sources:
        raise InputError("a linkage run needs at least one source", field="sources")
    level = Level(max(s.confidentiality for s in sources))
    require(user, Action.LINK, level)
    run = LinkageRun.objects.create(
        parameters=dict(parameters),
        input_sha256=input_sha256,
        code_version=code_version,
        seed=seed,
        started_by_id=user_id(user),
        confidentiality=level,
    )
    run.sources.set(sources)
    audit.record(
        user,
        "linkage_run.start",
        run,
        level=level,
        detail={"sources": [s.pk for s in sources], "input_sha256": input_sha256},
    )
    return run


@transaction.atomic
def start_estimate_run(
    user: AnyUser,
    *,
    method: str,
    parameters: Mapping[str, Any],
    input_sha256: str,
    linkage_run: LinkageRun | None = None,
    level: Level | None = None,
    seed: int | None = None,
    code_version: str = __version__,
) -> EstimateRun:
    """Open an estimate run, from a linkage run's capture histories or an outside table."""
    run_level = Level(
        max(
            int(level if level is not None else Level.INTERNAL),
            linkage_run.confidentiality if linkage_run is not None else 0,
        )
    )
    require(user, Action.ESTIMATE, run_level)
    run = EstimateRun.objects.create(
        method=method,
        linkage_run=linkage_run,
        parameters=dict(parameters),
        input_sha256=input_sha256,
        code_version=code_version,
        seed=seed,
        started_by_id=user_id(user),
        confidentiality=run_level,
    )
    audit.record(user, "estimate_run.start", run, level=run_level, detail={"method": method})
    return run


def _action(run: LinkageRun | EstimateRun) -> Action:
    return Action.LINK if isinstance(run, LinkageRun) else Action.ESTIMATE


@transaction.atomic
def finish_run(
    user: AnyUser,
    run: LinkageRun | EstimateRun,
    *,
    results: Mapping[str, Any],
    artefacts: Mapping[str, Path] | None = None,
) -> None:
    """Close a running run with its results and the files it wrote (hashed now)."""
    require(user, _action(run), run.confidentiality)
    if run.status != RunStatus.RUNNING:
        raise InputError(f"the run is {run.status}, not running", field="status")
    for kind, path in (artefacts or {}).items():
        if not path.is_file():
            raise InputError(f"no such artefact file: {path}", field=kind)
        digest, size = file_sha256(path)
        Artefact.objects.create(
            linkage_run=run if isinstance(run, LinkageRun) else None,
            estimate_run=run if isinstance(run, EstimateRun) else None,
            kind=kind,
            path=str(path),
            sha256=digest,
            size_bytes=size,
            confidentiality=run.confidentiality,
        )
    run.results = dict(results)
    run.status = RunStatus.SUCCEEDED
    run.finished_at = timezone.now()
    run.save(update_fields=["results", "status", "finished_at"])
    audit.record(
        user,
        f"{run._meta.model_name}.finish",
        run,
        level=run.confidentiality,
        detail={"artefacts": sorted((artefacts or {}).keys())},
    )


@transaction.atomic
def fail_run(user: AnyUser, run: LinkageRun | EstimateRun, *, error: str) -> None:
    """Close a running run as failed, keeping the error text."""
    require(user, _action(run), run.confidentiality)
    if run.status != RunStatus.RUNNING:
        raise InputError(f"the run is {run.status}, not running", field="status")
    run.status = RunStatus.FAILED
    run.error = error
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
    audit.record(
        user,
        f"{run._meta.model_name}.fail",
        run,
        level=run.confidentiality,
        detail={"error": error},
    )
