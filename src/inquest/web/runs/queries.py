"""Reads of runs, narrowed to what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from inquest.web.access.policy import AnyUser
from inquest.web.runs.models import EstimateRun, LinkageRun


def linkage_runs_for(user: AnyUser) -> QuerySet[LinkageRun]:
    """The linkage runs the user may see, newest first, with their artefacts."""
    return LinkageRun.objects.visible_to(user).prefetch_related("artefacts")


def estimate_runs_for(user: AnyUser) -> QuerySet[EstimateRun]:
    """The estimate runs the user may see, newest first, with their artefacts."""
    return EstimateRun.objects.visible_to(user).prefetch_related("artefacts")
