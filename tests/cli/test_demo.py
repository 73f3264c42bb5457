"""The demo runs the whole pipeline on a synthetic world, puts estimates beside the truth,
and loads the world into a workbench database (served unless ``--no-serve``).

It runs as a user runs it, in a process of its own: the demo sets Django up for its own
workbench, which a test session that set Django up for the web tests could not.
"""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_demo_runs_simulate_link_evaluate_estimate_and_loads_the_workbench(
    tmp_path: Path,
) -> None:
    out = tmp_path / "demo"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-m", "inquest", "demo", "--out", str(out), "--seed", "7", "--no-serve"],
        env=env | {"COLUMNS": "200"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert (out / "world" / "truth.csv").exists()
    assert (out / "linkage" / "clusters.csv").exists()
    doc = json.loads((out / "estimate" / "estimate.json").read_text("utf-8"))
    results = {m: r["result"] for m, r in doc["methods"].items() if r["result"]}
    assert set(results) == {"loglinear", "dga", "lcmcr"}
    for res in results.values():
        assert res["lower"] <= res["estimate"] <= res["upper"]
        assert res["n_observed"] > 0
    assert "Estimates beside the truth" in result.stdout
    # The workbench: every simulated list imported, linked, estimated from its persons.
    lists = sorted(p.stem for p in (out / "world" / "lists").glob("*.csv"))
    with sqlite3.connect(out / "workbench" / "inquest.sqlite3") as db:
        sources = [r[0] for r in db.execute("SELECT code FROM registry_source ORDER BY code")]
        n_records = db.execute("SELECT count(*) FROM registry_record").fetchone()[0]
        n_members = db.execute("SELECT count(*) FROM registry_personrecord").fetchone()[0]
        estimates = db.execute(
            "SELECT method, status, linkage_run_id FROM runs_estimaterun ORDER BY method"
        ).fetchall()
        users = [r[0] for r in db.execute("SELECT username FROM auth_user")]
        prisons = db.execute("SELECT count(*) FROM registry_place WHERE kind = 'prison'")
        n_prisons = prisons.fetchone()[0]
    assert sources == lists
    assert n_prisons > 0  # the gazetteer is loaded: the search's prison filter has choices
    assert n_records == n_members > 0  # every record belongs to a person
    assert [e[0] for e in estimates] == ["dga", "lcmcr", "loglinear"]
    assert all(e[1] == "succeeded" and e[2] is not None for e in estimates)
    assert users == ["demo-analyst"]
    assert "demo-analyst" in result.stdout and "authenticator key" in result.stdout
