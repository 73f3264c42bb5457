"""Run pages: settings, provenance and results as labelled tables in the page's language and
digits, never JSON, and no place on the server (a file by its name, a folder not at all)."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from inquest.web.access.levels import Level
from inquest.web.runs import services as runs
from inquest.web.runs.models import EstimateRun, LinkageRun

from ..factories import make_source
from ..personas import Personas

# What a linkage run of the workbench records (inquest.web.linking.link), abridged.
LINKAGE_PARAMETERS = {
    "sources": ["PUB"],
    "engine": "duckdb",
    "review_low": 0.05,
    "review_high": 0.5,
    "link_threshold": 0.1,
}
LINKAGE_RESULTS = {
    "persons": 1753,
    "persons_created": 1753,
    "records": 3330,
    "pairs_kept": 3197,
    "decisions_orphaned": [],
    "warnings": ["Splink: a warning of the engine, in English."],
    "timings": {"prepare": {"wall_s": 10.177, "cpu_s": 2.57}, "cluster": {"wall_s": 17.1}},
}


def _estimate_parameters(folder: Path) -> dict[str, Any]:
    """What register_estimate_dir records for a run, with the server's folders in it."""
    return {
        "estimate_json_sha256": "cd" * 32,
        "directory": str(folder),
        "inputs": [{"path": str(folder / "clusters.csv"), "sha256": "ef" * 32}],
        "settings": {"methods": ["loglinear"], "strata": None, "level": 0.95},
        "level": 0.95,
        "created_utc": "1988-08-11T06:30:00Z",
    }


@pytest.fixture
def linkage(personas: Personas, tmp_path: Path) -> LinkageRun:
    source = make_source(personas.investigator, "PUB", level=Level.PUBLIC)
    run = runs.start_linkage_run(
        personas.investigator,
        sources=[source],
        parameters=LINKAGE_PARAMETERS,
        input_sha256="ab" * 32,
    )
    clusters = tmp_path / "server-only-folder" / "clusters.csv"
    clusters.parent.mkdir()
    clusters.write_text("list,record_id,person_id\n", encoding="utf-8")
    runs.finish_run(
        personas.investigator, run, results=LINKAGE_RESULTS, artefacts={"clusters": clusters}
    )
    return run


@pytest.fixture
def estimate(personas: Personas, tmp_path: Path, linkage: LinkageRun) -> EstimateRun:
    folder = tmp_path / "server-estimate-folder"
    run = runs.start_estimate_run(
        personas.investigator,
        method="loglinear",
        parameters=_estimate_parameters(folder),
        input_sha256="ef" * 32,
        linkage_run=linkage,
        level=Level.PUBLIC,
        seed=1988,
    )
    runs.finish_run(
        personas.investigator,
        run,
        results={"result": {"method": "loglinear", "n_observed": 1753, "estimate": 2190.46}},
        artefacts={},
    )
    return run


def _main(client: Client, url: str, lang: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    page = response.content.decode()
    return html.unescape(page[page.index("<main") : page.index("</main>")])


def _no_json(page: str) -> None:
    assert not re.search(r'"\w+":|[{}]', page), "JSON on the page"


def test_a_linkage_run_is_tables_of_labelled_values(
    client: Client, linkage: LinkageRun, tmp_path: Path
) -> None:
    page = _main(client, f"/runs/linkage/{linkage.uid}/", "en")
    _no_json(page)
    assert "<pre" not in page and 'class="facts"' in page
    assert '<th scope="row">Linked from match probability</th><td>0.1</td>' in page
    assert '<th scope="row">Records</th><td>3,330</td>' in page
    assert "Time taken" in page and "Preparing the records" in page and "10.177" in page
    assert 'lang="en">Splink: a warning of the engine, in English.</bdi>' in page
    assert str(tmp_path) not in page and "server-only-folder" not in page
    assert "clusters.csv" in page  # the artefact, by its name


def test_a_linkage_run_in_persian(client: Client, linkage: LinkageRun) -> None:
    page = _main(client, f"/runs/linkage/{linkage.uid}/", "fa")
    _no_json(page)
    assert "<td>۳٬۳۳۰</td>" in page and "3330" not in page and "3,330" not in page
    assert "Linked from match probability" not in page and "Time taken" not in page
    assert "<td>۰٫۱</td>" in page


def test_an_estimate_run_shows_no_server_folder(
    client: Client, estimate: EstimateRun, tmp_path: Path
) -> None:
    page = _main(client, f"/runs/estimate/{estimate.uid}/", "en")
    _no_json(page)
    assert str(tmp_path) not in page and "server-estimate-folder" not in page
    assert "<td>clusters.csv</td>" in page.replace('<bdi dir="ltr">', "").replace("</bdi>", "")
    assert '<th scope="row">Interval level</th><td>95%</td>' in page
    assert '<th scope="row">Estimated total</th><td>2,190.46</td>' in page
    assert "11 August 1988" in page  # when the estimate was made, in the user's calendar
    persian = _main(client, f"/runs/estimate/{estimate.uid}/", "fa")
    assert "<td>۹۵٪</td>" in persian and "۲۰ مرداد ۱۳۶۷" in persian
    assert "Interval level" not in persian and "Input files" not in persian
