"""Run pages: a figure traced to its run; no server folders in pages or the API."""

from __future__ import annotations

import hashlib
import html
from pathlib import Path

from django.test import Client

from inquest.web.access.levels import Level
from inquest.web.runs import services as runs

from ..factories import make_source
from ..personas import Personas


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_run_pages_trace_a_figure_to_its_run(
    client: Client, personas: Personas, tmp_path: Path
) -> None:
    source = make_source(personas.investigator, "PUB", level=Level.PUBLIC)
    linkage = runs.start_linkage_run(
        personas.investigator,
        sources=[source],
        parameters={"threshold": 0.92},
        input_sha256="ab" * 32,
        seed=1367,
    )
    model = tmp_path / "model.json"
    model.write_text("{}", encoding="utf-8")
    runs.finish_run(
        personas.investigator, linkage, results={"persons": 41}, artefacts={"model": model}
    )
    estimate = runs.start_estimate_run(
        personas.investigator,
        method="loglinear",
        parameters={},
        input_sha256="cd" * 32,
        linkage_run=linkage,
        level=Level.PUBLIC,
    )
    hidden = runs.start_estimate_run(
        personas.investigator,
        method="dga",
        parameters={},
        input_sha256="ef" * 32,
        level=Level.PROTECTED,
    )
    listing = _page(client, "/runs/")
    assert f"/runs/linkage/{linkage.uid}/" in listing
    assert f"/runs/estimate/{estimate.uid}/" in listing
    assert f"/runs/estimate/{hidden.uid}/" not in listing
    page = html.unescape(_page(client, f"/runs/linkage/{linkage.uid}/"))
    assert '<code dir="ltr">threshold</code></th><td>0.92</td>' in page  # a key without label
    assert '<th scope="row">Persons</th><td>41</td>' in page
    assert "ab" * 32 in page and "1367" in page
    assert hashlib.sha256(b"{}").hexdigest() in page
    assert client.get(f"/runs/estimate/{hidden.uid}/").status_code == 404
    assert client.get(f"/runs/other/{linkage.uid}/").status_code == 404


def test_run_pages_and_api_show_no_server_paths(
    client: Client, personas: Personas, tmp_path: Path
) -> None:
    source = make_source(personas.investigator, "PUB", level=Level.PUBLIC)
    folder = tmp_path / "server-folder-xyz"
    folder.mkdir()
    model = folder / "model.json"
    model.write_text("{}", encoding="utf-8")
    linkage = runs.start_linkage_run(
        personas.investigator,
        sources=[source],
        parameters={"directory": str(folder), "threshold": 0.9},
        input_sha256="ab" * 32,
    )
    runs.finish_run(
        personas.investigator,
        linkage,
        results={"written": [str(model)], "note": f"see {model} for the model"},
        artefacts={"model": model},
    )
    client.force_login(personas.investigator)
    page = html.unescape(_page(client, f"/runs/linkage/{linkage.uid}/"))
    answer = client.get(f"/api/linkage-runs/{linkage.uid}/").content.decode()
    for text in (page, answer):
        assert str(tmp_path) not in text and "server-folder-xyz/" not in text
        assert "model.json" in text
    assert '"directory": "server-folder-xyz"' in answer.replace('":"', '": "')
    assert "server-folder-xyz" not in page  # the page does not show the run's folder
