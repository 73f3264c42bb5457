"""Runs record parameters, input hash, code version, results and hashed artefacts."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from inquest import __version__
from inquest.errors import InputError
from inquest.web.access.levels import Level
from inquest.web.runs import queries, services
from inquest.web.runs.models import Artefact, EstimateRun, LinkageRun, RunStatus

from ..factories import make_source
from ..personas import Personas


def test_linkage_run_traces_inputs_results_and_artefacts(
    personas: Personas, tmp_path: Path
) -> None:
    a = make_source(personas.analyst, "A")
    b = make_source(personas.analyst, "B", level=Level.CONFIDENTIAL)
    run = services.start_linkage_run(
        personas.analyst,
        sources=[a, b],
        parameters={"threshold": 0.9},
        input_sha256="cd" * 32,
        seed=7,
    )
    assert run.confidentiality == Level.CONFIDENTIAL
    assert run.code_version == __version__
    model = tmp_path / "model.json"
    model.write_text('{"link_type": "dedupe_only"}', encoding="utf-8")
    services.finish_run(
        personas.analyst, run, results={"clusters": 3}, artefacts={"splink_model": model}
    )
    stored = LinkageRun.objects.get(pk=run.pk)
    assert stored.status == RunStatus.SUCCEEDED
    assert stored.results == {"clusters": 3}
    assert stored.finished_at is not None
    artefact = Artefact.objects.get(linkage_run=run)
    assert artefact.sha256 == hashlib.sha256(model.read_bytes()).hexdigest()
    assert artefact.size_bytes == model.stat().st_size
    with pytest.raises(InputError, match="not running"):
        services.finish_run(personas.analyst, run, results={})


def test_estimate_runs_hide_with_their_linkage_run(personas: Personas) -> None:
    source = make_source(personas.investigator, "A", level=Level.PROTECTED)
    linkage = services.start_linkage_run(
        personas.investigator, sources=[source], parameters={}, input_sha256="00" * 32
    )
    estimate = services.start_estimate_run(
        personas.investigator,
        method="loglinear",
        parameters={},
        input_sha256="11" * 32,
        linkage_run=linkage,
    )
    assert estimate.confidentiality == Level.PROTECTED
    EstimateRun.objects.filter(pk=estimate.pk).update(confidentiality=Level.PUBLIC)
    assert not queries.estimate_runs_for(personas.analyst).exists()
    assert queries.estimate_runs_for(personas.investigator).get() == estimate


def test_failed_run_keeps_the_error(personas: Personas) -> None:
    run = services.start_estimate_run(
        personas.analyst, method="dga", parameters={"prior": 1}, input_sha256="22" * 32
    )
    services.fail_run(personas.analyst, run, error="the MLE does not exist")
    stored = EstimateRun.objects.get(pk=run.pk)
    assert stored.status == RunStatus.FAILED
    assert stored.error == "the MLE does not exist"


def test_runs_need_the_right(personas: Personas, tmp_path: Path) -> None:
    source = make_source(personas.researcher)
    with pytest.raises(PermissionDenied):
        services.start_linkage_run(
            personas.researcher, sources=[source], parameters={}, input_sha256="00" * 32
        )
    run = services.start_linkage_run(
        personas.analyst, sources=[source], parameters={}, input_sha256="00" * 32
    )
    with pytest.raises(InputError, match="no such artefact"):
        services.finish_run(personas.analyst, run, results={}, artefacts={"x": tmp_path / "no"})
    assert LinkageRun.objects.get(pk=run.pk).status == RunStatus.RUNNING
