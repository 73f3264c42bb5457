"""LinkageRun, EstimateRun and Artefact: what the engine was asked, on what, and what it made."""

from __future__ import annotations

import uuid
from pathlib import PureWindowsPath
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from inquest.web.access.models import Confidential

_USER = settings.AUTH_USER_MODEL


class RunStatus(models.TextChoices):
    """Where a run is."""

    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")


class Run(Confidential):
    """What every run records: parameters, input hash, code version, status and results.

    ``uid`` is the run's public id (pages and the API), so ids do not count the runs."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    parameters = models.JSONField(default=dict)
    input_sha256 = models.CharField(max_length=64)
    code_version = models.CharField(max_length=100)
    seed = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    results = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True


class LinkageRun(Run):
    """A linkage of some sources: the Splink model (JSON) travels in ``parameters``."""

    sources = models.ManyToManyField("registry.Source", related_name="linkage_runs")

    class Meta:
        ordering = ("-started_at", "-id")

    def __str__(self) -> str:
        return f"linkage run {self.pk} ({self.status})"


class EstimateRun(Run):
    """An estimate of the total from a linkage run's capture histories."""

    ACCESS_PARENTS: ClassVar[tuple[str, ...]] = ("linkage_run",)

    linkage_run = models.ForeignKey(
        LinkageRun, on_delete=models.PROTECT, null=True, blank=True, related_name="estimates"
    )
    method = models.CharField(max_length=64)

    class Meta:
        ordering = ("-started_at", "-id")

    def __str__(self) -> str:
        return f"estimate run {self.pk} {self.method} ({self.status})"


class Artefact(Confidential):
    """A file a run wrote (a model JSON, a chart, a table), with its hash and size."""

    ACCESS_PARENTS: ClassVar[tuple[str, ...]] = ("linkage_run", "estimate_run")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    linkage_run = models.ForeignKey(
        LinkageRun, on_delete=models.PROTECT, null=True, blank=True, related_name="artefacts"
    )
    estimate_run = models.ForeignKey(
        EstimateRun, on_delete=models.PROTECT, null=True, blank=True, related_name="artefacts"
    )
    kind = models.CharField(max_length=64)
    path = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("id",)
        constraints = (
            models.CheckConstraint(
                condition=models.Q(linkage_run__isnull=False, estimate_run__isnull=True)
                | models.Q(linkage_run__isnull=True, estimate_run__isnull=False),
                name="artefact_belongs_to_one_run",
            ),
        )

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name}"

    @property
    def file_name(self) -> str:
        """The file's name without the server folder it lies in."""
        return PureWindowsPath(self.path).name
