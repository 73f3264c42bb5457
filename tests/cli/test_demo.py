"""The demo runs the whole pipeline on a synthetic world and puts estimates beside the truth."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from inquest.cli import app


@pytest.mark.slow
def test_demo_runs_simulate_link_evaluate_estimate(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(app, ["demo", "--out", str(out), "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert (out / "world" / "truth.csv").exists()
    assert (out / "linkage" / "clusters.csv").exists()
    doc = json.loads((out / "estimate" / "estimate.json").read_text("utf-8"))
    results = {m: r["result"] for m, r in doc["methods"].items() if r["result"]}
    assert set(results) == {"loglinear", "dga", "lcmcr"}
    for res in results.values():
        assert res["lower"] <= res["estimate"] <= res["upper"]
        assert res["n_observed"] > 0
    assert "Estimates beside the truth" in result.output
