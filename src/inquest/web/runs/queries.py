"""Reads of runs, narrowed to what the user may see."""

from __future__ import annotations

import re
from pathlib import PureWindowsPath
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from inquest.web.access.policy import AnyUser
from inquest.web.runs.models import EstimateRun, LinkageRun, RunStatus


def linkage_runs_for(user: AnyUser) -> QuerySet[LinkageRun]:
    """The linkage runs the user may see, newest first, with their artefacts."""
    return LinkageRun.objects.visible_to(user).prefetch_related("artefacts")


def estimate_runs_for(user: AnyUser) -> QuerySet[EstimateRun]:
    """The estimate runs the user may see, newest first, with their artefacts."""
    return EstimateRun.objects.visible_to(user).prefetch_related("artefacts")


# An absolute path of two or more parts (POSIX, or Windows with a drive letter), in any text.
_SERVER_PATH = re.compile(r"(?<![\w:/\\.~-])(?:[A-Za-z]:)?(?:[/\\][^\s/\\'\"<>]+){2,}[/\\]?")


def without_server_paths(value: Any) -> Any:
    """``value`` (JSON-like) with every absolute path in its text cut to its last part.

    Run parameters, results and errors name the files and folders the engine used; where
    they lie on the server is no business of the reader (and tells an attacker the layout).
    """
    if isinstance(value, str):
        return _SERVER_PATH.sub(lambda m: PureWindowsPath(m.group(0).rstrip("/\\")).name, value)
    if isinstance(value, dict):
        return {key: without_server_paths(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [without_server_paths(item) for item in value]
    return value


def failed_runs(user: AnyUser, limit: int = 10) -> list[LinkageRun | EstimateRun]:
    """The newest failed linkage and estimate runs the user may see (at most ``limit``)."""
    failed: list[LinkageRun | EstimateRun] = [
        *LinkageRun.objects.visible_to(user)
        .filter(status=RunStatus.FAILED)
        .order_by("-id")[:limit],
        *EstimateRun.objects.visible_to(user)
        .filter(status=RunStatus.FAILED)
        .order_by("-id")[:limit],
    ]
    failed.sort(key=lambda run: run.started_at, reverse=True)
    return failed[:limit]


def stale_estimates(user: AnyUser, limit: int = 10) -> list[EstimateRun]:
    """Succeeded estimates the user may see whose persons have moved on: made from a linkage
    run older than the newest succeeded one, or before a later review decision."""
    from inquest.web.linking.models import ReviewDecision

    newest = (
        LinkageRun.objects.visible_to(user)
        .filter(status=RunStatus.SUCCEEDED)
        .order_by("-finished_at", "-id")
        .first()
    )
    if newest is None:
        return []
    decided = ReviewDecision.objects.filter(decided_at__gt=OuterRef("finished_at"))
    return list(
        EstimateRun.objects.visible_to(user)
        .filter(status=RunStatus.SUCCEEDED)
        .filter(~Q(linkage_run=newest) | Exists(decided))
        .select_related("linkage_run")
        .order_by("-finished_at", "-id")[:limit]
    )
