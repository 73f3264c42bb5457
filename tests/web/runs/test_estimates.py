"""The estimates dashboard: numbers from registered runs, linked to them, only for the cleared."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from inquest.errors import InputError
from inquest.hashing import table_sha256
from inquest.web.access.levels import Level
from inquest.web.runs.estimates import (
    clusters_table,
    dashboard,
    estimate_from_linkage,
    register_estimate_dir,
)
from inquest.web.runs.models import Artefact, EstimateRun, RunStatus

from ..factories import make_source
from ..personas import Personas
from .estimate_fixture import write_estimate_dir


@pytest.fixture(scope="module")
def estimate_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_estimate_dir(tmp_path_factory.mktemp("estimate"))


@pytest.fixture
def fresh_dir(estimate_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "estimate"
    shutil.copytree(estimate_dir, copy)
    return copy


def test_register_keeps_provenance_results_and_files(
    personas: Personas, estimate_dir: Path
) -> None:
    doc = json.loads((estimate_dir / "estimate.json").read_text("utf-8"))
    made = register_estimate_dir(personas.analyst, estimate_dir, level=Level.CONFIDENTIAL)
    assert made.created
    (run,) = made.runs
    assert run.method == "loglinear" and run.status == RunStatus.SUCCEEDED
    assert run.input_sha256 == doc["provenance"]["input_hash"]
    assert run.code_version == doc["provenance"]["inquest_version"]
    assert run.seed == doc["methods"]["loglinear"]["result"]["seed"]
    assert run.confidentiality == Level.CONFIDENTIAL
    assert run.results["result"]["estimate"] == doc["methods"]["loglinear"]["result"]["estimate"]
    assert set(run.results["strata"]) == {"north", "south"}
    kinds = set(run.artefacts.values_list("kind", flat=True))
    assert {"estimate_json", "report", "plot:overlap", "plot:comparison"} <= kinds
    again = register_estimate_dir(personas.analyst, estimate_dir)
    assert not again.created and [r.pk for r in again.runs] == [run.pk]
    assert EstimateRun.objects.count() == 1


def test_register_needs_the_estimate_right(personas: Personas, fresh_dir: Path) -> None:
    with pytest.raises(PermissionDenied):
        register_estimate_dir(personas.researcher, fresh_dir)
    assert not EstimateRun.objects.exists()


def test_register_names_the_file_and_field_of_a_bad_document(
    personas: Personas, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match=r"estimate\.json"):
        register_estimate_dir(personas.analyst, tmp_path)
    (tmp_path / "estimate.json").write_text('{"provenance": {}, "input": {}}', "utf-8")
    with pytest.raises(InputError) as caught:
        register_estimate_dir(personas.analyst, tmp_path)
    assert caught.value.field == "methods" and caught.value.path.endswith("estimate.json")


def test_a_method_without_result_is_a_failed_run(personas: Personas, fresh_dir: Path) -> None:
    path = fresh_dir / "estimate.json"
    doc = json.loads(path.read_text("utf-8"))
    doc["methods"]["dga"] = {"result": None, "strata": {}}
    doc["warnings"] = ["dga failed: the model does not fit"]
    path.write_text(json.dumps(doc), "utf-8")
    runs = {r.method: r for r in register_estimate_dir(personas.analyst, fresh_dir).runs}
    assert runs["dga"].status == RunStatus.FAILED
    assert "does not fit" in runs["dga"].error
    (batch,) = dashboard(personas.analyst)
    assert [r.run.method for r in batch.methods] == ["loglinear"]
    assert [r.method for r in batch.failed] == ["dga"]


def test_dashboard_shows_numbers_linked_to_their_run(
    client: Client, personas: Personas, estimate_dir: Path
) -> None:
    (run,) = register_estimate_dir(personas.analyst, estimate_dir, level=Level.CONFIDENTIAL).runs
    result = run.results["result"]
    client.force_login(personas.analyst)
    page = client.get("/estimates/").content.decode()
    assert f'href="/runs/estimate/{run.uid}/">{round(result["estimate"])}</a>' in page
    assert f">{result['n_observed']}<" in page
    assert "north" in page and "south" in page
    assert "Closed population" in page  # an assumption, in words
    assert run.input_sha256[:16] in page
    plot = Artefact.objects.get(estimate_run=run, kind="plot:overlap")
    assert f"/estimates/files/{plot.uid}/" in page
    image = client.get(f"/estimates/files/{plot.uid}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
    report = client.get(
        f"/estimates/files/{Artefact.objects.get(estimate_run=run, kind='report').uid}/"
    )
    assert report["Content-Disposition"] == 'attachment; filename="report.html"'


def test_dashboard_and_files_hidden_from_roles_not_cleared(
    client: Client, personas: Personas, estimate_dir: Path
) -> None:
    (run,) = register_estimate_dir(personas.analyst, estimate_dir, level=Level.CONFIDENTIAL).runs
    plot = Artefact.objects.get(estimate_run=run, kind="plot:overlap")
    client.force_login(personas.researcher)  # cleared to internal only
    page = client.get("/estimates/").content.decode()
    assert "No estimate runs you may see." in page
    assert run.input_sha256[:16] not in page
    assert client.get(f"/estimates/files/{plot.uid}/").status_code == 404
    client.logout()
    assert client.get(f"/estimates/files/{plot.uid}/").status_code == 404


def test_a_changed_file_is_not_served(client: Client, personas: Personas, fresh_dir: Path) -> None:
    (run,) = register_estimate_dir(personas.analyst, fresh_dir).runs
    plot = Artefact.objects.get(estimate_run=run, kind="plot:overlap")
    Path(plot.path).write_bytes(b"\x89PNG tampered")
    client.force_login(personas.analyst)
    assert client.get(f"/estimates/files/{plot.uid}/").status_code == 409


def test_dashboard_in_persian_digits_and_jalali(
    client: Client, personas: Personas, estimate_dir: Path
) -> None:
    (run,) = register_estimate_dir(personas.analyst, estimate_dir).runs
    client.force_login(personas.analyst)
    client.post("/i18n/setlang/", {"language": "fa", "next": "/"})
    page = client.get("/estimates/").content.decode()
    persian = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    digits = str(run.results["result"]["n_observed"]).translate(persian)
    assert digits in page
    assert 'dir="rtl"' in page


def _linked_world(personas: Personas, tmp_path: Path) -> Any:
    """Three synthetic sources and persons found on one, two or three of them."""
    from inquest.web.registry import services as registry
    from inquest.web.runs import services as runs_services

    user = personas.analyst
    sources = {c: make_source(user, c, level=Level.CONFIDENTIAL) for c in "ABC"}
    rows = {c: 0 for c in "ABC"}
    patterns = {"A": 30, "B": 25, "C": 20, "AB": 10, "AC": 8, "BC": 6, "ABC": 4}
    run = runs_services.start_linkage_run(
        user, sources=list(sources.values()), parameters={}, input_sha256="ef" * 32
    )
    for pattern, count in patterns.items():
        for _ in range(count):
            records = []
            for code in pattern:
                rows[code] += 1
                records += registry.add_records(
                    user,
                    sources[code],
                    [registry.RowIn(row_number=rows[code], raw={"full_name": "synthetic"})],
                )
            registry.create_person(user, records=records, linkage_run_id=run.pk)
    return run


def test_estimate_from_a_linkage_runs_persons(personas: Personas, tmp_path: Path) -> None:
    run = _linked_world(personas, tmp_path)
    with pytest.raises(PermissionDenied):
        estimate_from_linkage(personas.researcher, run, tmp_path / "no")
    made = estimate_from_linkage(
        personas.analyst,
        run,
        tmp_path / "est",
        methods=["loglinear"],
        seed=3,
        options={"loglinear": {"n_boot": 20}},
    )
    (estimate,) = made.runs
    assert estimate.linkage_run == run
    assert estimate.confidentiality == Level.CONFIDENTIAL
    assert estimate.results["result"]["n_observed"] == 103
    assert estimate.results["input"]["list_sizes"] == {"A": 52, "B": 45, "C": 38}
    # the engine hashed the persons it was handed in memory: no CSV of them was written
    assert estimate.input_sha256 == table_sha256(clusters_table(personas.analyst, run))
    assert not list((tmp_path / "est").rglob("*.csv"))


def test_showing_a_protected_estimate_is_audited(
    client: Client, personas: Personas, estimate_dir: Path
) -> None:
    from inquest.web.audit.models import AuditEntry

    (run,) = register_estimate_dir(personas.investigator, estimate_dir, level=Level.PROTECTED).runs
    client.force_login(personas.investigator)
    client.get("/estimates/")
    entry = AuditEntry.objects.filter(action="view").latest("id")
    assert entry.detail["where"] == "/estimates/"
    assert f"runs.EstimateRun:{run.pk}" in entry.detail["objects"]
    plot = Artefact.objects.get(estimate_run=run, kind="plot:overlap")
    client.get(f"/estimates/files/{plot.uid}/")
    assert AuditEntry.objects.filter(action="view").latest("id").detail["objects"] == [
        f"runs.Artefact:{plot.pk}"
    ]


def test_a_fixed_linkage_estimate_says_it_ignores_linkage_error(
    client: Client, personas: Personas, estimate_dir: Path
) -> None:
    register_estimate_dir(personas.analyst, estimate_dir, level=Level.CONFIDENTIAL)
    client.force_login(personas.analyst)
    page = " ".join(client.get("/estimates/").content.decode().split())
    assert "ignore linkage error" in page and "Linkage-aware estimates" not in page
    client.post("/i18n/setlang/", {"language": "fa", "next": "/"})
    page = client.get("/estimates/").content.decode()
    assert "پیوند ثابت" in page


def test_a_linkage_aware_estimate_shows_both_intervals_quality_and_a_newer_run(
    client: Client, personas: Personas, tmp_path: Path
) -> None:
    import importlib.util

    from django.utils import timezone

    from inquest.estimate.linkage_aware import run_linkage_aware
    from inquest.web.runs import services as runs_services

    where = Path(__file__).parents[2] / "estimate" / "test_linkage_aware.py"
    spec = importlib.util.spec_from_file_location("linkage_aware_world", where)
    assert spec is not None and spec.loader is not None
    world = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(world)
    DGA, _world = world.DGA, world._world

    folder = _world(tmp_path / "run", p_true=0.8, p_false=0.1)
    run_linkage_aware(
        folder, tmp_path / "out", methods=["dga"], options=DGA, partition_options=DGA, n_draws=4
    )
    user = personas.analyst
    source = make_source(user, "A", level=Level.CONFIDENTIAL)
    old = runs_services.start_linkage_run(
        user, sources=[source], parameters={}, input_sha256="a" * 64
    )
    LinkageRunModel = type(old)
    LinkageRunModel.objects.filter(pk=old.pk).update(
        status=RunStatus.SUCCEEDED, finished_at=timezone.now() - timezone.timedelta(days=1)
    )
    old.refresh_from_db()
    (estimate,) = register_estimate_dir(
        user, tmp_path / "out", linkage_run=old, level=Level.CONFIDENTIAL
    ).runs
    client.force_login(user)
    page = " ".join(client.get("/estimates/").content.decode().split())
    assert "Linkage-aware estimates" in page and "Linkage quality" in page
    assert "A newer linkage run" not in page
    aware = estimate.results["linkage_result"]["result"]
    assert f"{round(aware['lower'])} – {round(aware['upper'])}" in page
    assert "uncertain pairs await review" in page
    newer = runs_services.start_linkage_run(
        user, sources=[source], parameters={}, input_sha256="b" * 64
    )
    LinkageRunModel.objects.filter(pk=newer.pk).update(
        status=RunStatus.SUCCEEDED, finished_at=timezone.now()
    )
    page = " ".join(client.get("/estimates/").content.decode().split())
    assert "A newer linkage run of these sources exists" in page
