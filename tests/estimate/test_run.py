"""End-to-end runs: estimate.json, plots, report, strata and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from inquest.cli import app
from inquest.errors import EstimationError, InputError
from inquest.estimate.provenance import sha256_file
from inquest.estimate.run import resolve_methods, run_estimation

DATA = Path(__file__).parent / "data"


def test_loglinear_run_writes_json_plots_and_report(tmp_path: Path) -> None:
    src = DATA / "uk_2013_5list.csv"
    run = run_estimation(src, tmp_path, options={"loglinear": {"n_boot": 40}}, seed=3)
    doc = json.loads((tmp_path / "estimate.json").read_text(encoding="utf-8"))
    res = doc["methods"]["loglinear"]["result"]
    assert round(res["estimate"]) == 11313
    assert res["input_hash"] == sha256_file(src) == doc["provenance"]["input_hash"]
    assert res["seed"] == 3 and res["inquest_version"]
    assert res["undocumented"] == pytest.approx(res["estimate"] - 2744)
    assert doc["input"]["n_observed"] == 2744
    for rel in doc["files"]["plots"]["overlap"] + doc["files"]["plots"]["posterior"]:
        assert (tmp_path / rel).stat().st_size > 5000
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Closed population" in html and "Perfect linkage" in html
    assert "11,313" in html
    assert run.combined["loglinear"].estimate == pytest.approx(res["estimate"])


def _stratified_csv(tmp_path: Path) -> Path:
    """Two strata of synthetic counts, plus one stratum with a single list."""
    rng = np.random.default_rng(5)
    lines = ["A,B,C,prison,count"]
    for prison, n in (("P1", 900), ("P2", 500)):
        p = np.array([0.3, 0.4, 0.25])
        caught = rng.random((n, 3)) < p
        caught = caught[caught.any(axis=1)]
        codes, counts = np.unique(caught.astype(int), axis=0, return_counts=True)
        lines += [f"{a},{b},{c},{prison},{k}" for (a, b, c), k in zip(codes, counts, strict=True)]
    lines.append("1,0,0,P3,4")
    path = tmp_path / "strata.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_strata_are_estimated_checked_and_summed(tmp_path: Path) -> None:
    src = _stratified_csv(tmp_path)
    run = run_estimation(
        src, tmp_path / "out", strata="prison", options={"loglinear": {"n_boot": 60}}
    )
    parts = run.outputs["loglinear"]
    assert set(parts) == {"P1", "P2"}
    total = run.combined["loglinear"]
    assert total.stratum == "combined"
    # the single-list stratum is not estimated but its 4 persons are counted
    assert total.estimate == pytest.approx(sum(o.result.estimate for o in parts.values()) + 4)
    assert total.n_observed == run.histories.n_observed
    assert any("P3" in w and "not estimated" in w for w in run.document["warnings"])
    assert total.lower < total.estimate < total.upper
    doc = json.loads((tmp_path / "out" / "estimate.json").read_text(encoding="utf-8"))
    assert set(doc["methods"]["loglinear"]["strata"]) == {"P1", "P2"}
    assert "By prison" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_strata_without_draws_are_reported_not_combined(tmp_path: Path) -> None:
    src = _stratified_csv(tmp_path)
    run = run_estimation(src, tmp_path / "o", strata="prison", options={"loglinear": {"n_boot": 0}})
    assert set(run.outputs["loglinear"]) == {"P1", "P2"}
    assert "loglinear" not in run.combined
    assert any("strata not combined" in w for w in run.document["warnings"])
    assert not (tmp_path / "o" / "report.html").exists()
    assert (tmp_path / "o" / "estimate.json").is_file()


def test_table_without_overlap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "no_overlap.csv"
    path.write_text("A,B,C,count\n1,0,0,5\n0,1,0,4\n0,0,1,3\n", encoding="utf-8")
    with pytest.raises(EstimationError, match="no person is on two lists"):
        run_estimation(path, tmp_path / "o")


def test_resolve_methods() -> None:
    methods, notes = resolve_methods("all")
    assert methods[0] == "loglinear" and set(methods) <= {"loglinear", "dga", "lcmcr"}
    assert len(methods) + len(notes) == 3
    with pytest.raises(InputError, match="unknown method"):
        resolve_methods("bayes")
    assert resolve_methods("dga, loglinear,dga") == (["dga", "loglinear"], [])


def test_dga_joins_the_comparison(tmp_path: Path) -> None:
    methods, _ = resolve_methods("all")
    if "dga" not in methods:
        pytest.skip("dga module not installed")
    run = run_estimation(
        DATA / "kosovo_4list.csv",
        tmp_path,
        methods=["loglinear", "dga"],
        options={"loglinear": {"n_boot": 30}},
    )
    assert run.combined["dga"].estimate == pytest.approx(12595, abs=1)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Model dependence: the methods' estimates range from 12,595 to" in html
    assert "14,342" in html  # log-linear beside dga
    assert "disagree by more than 25%" not in html  # 14,342 / 12,595 = 1.14


def test_cli_estimate(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    result = CliRunner().invoke(
        app,
        ["estimate", str(DATA / "western_us_5list.csv"), "--out", str(out), "--n-boot", "30"],
    )
    assert result.exit_code == 0, result.output
    assert "2,483" in result.output
    assert (out / "estimate.json").is_file() and (out / "report.html").is_file()


def test_cli_reports_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("A,B,C,count\n1,0,2,5\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["estimate", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "row 1" in result.output and "'C'" in result.output


def test_run_from_linkage_clusters(tmp_path: Path) -> None:
    """A quoted clusters.csv (as pyarrow writes it) of synthetic persons, stratified by prison."""
    rng = np.random.default_rng(11)
    lines = ['"list","record_id","person_id","confidence","prison"']
    rid = 0
    for person in range(1500):
        prison = "P1" if person % 3 else "P2"
        for lst, p in (("families", 0.4), ("ngo", 0.35), ("cemetery", 0.3)):
            if rng.random() < p:
                rid += 1
                lines.append(f'"{lst}","r{rid}","SYN-{person}",0.97,"{prison}"')
    path = tmp_path / "clusters.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = run_estimation(
        path, tmp_path / "out", strata="prison", options={"loglinear": {"n_boot": 30}}
    )
    assert run.histories.lists == ("families", "ngo", "cemetery")
    res = run.combined["loglinear"]
    assert set(run.outputs["loglinear"]) == {"P1", "P2"}
    # independent lists with p = (0.4, 0.35, 0.3): N = 1500 within the wide interval
    assert res.lower < 1500 < res.upper
    assert abs(res.estimate - 1500) < 200


def test_strata_combine_dga_draws(tmp_path: Path) -> None:
    methods, _ = resolve_methods("all")
    if "dga" not in methods:
        pytest.skip("dga module not installed")
    src = _stratified_csv(tmp_path)
    run = run_estimation(src, tmp_path / "out", methods=["dga"], strata="prison")
    parts = run.outputs["dga"]
    total = run.combined["dga"]
    assert total.point == "median" and total.stratum == "combined"
    # the median of a sum lies near the sum of the medians for near-symmetric posteriors
    assert total.estimate == pytest.approx(
        sum(o.result.estimate for o in parts.values()) + 4, rel=0.03
    )
    assert total.lower < total.estimate < total.upper
    assert run.combined_draws["dga"].size == max(o.draws.size for o in parts.values())


def test_cli_refuses_unknown_selection(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["estimate", str(DATA / "kosovo_4list.csv"), "--out", str(tmp_path), "--selection", "x"],
    )
    assert result.exit_code == 2
    assert "unknown --selection" in result.output


def test_cli_passes_sampler_and_prior_options(tmp_path: Path) -> None:
    out = tmp_path / "opts"
    args = ["estimate", str(DATA / "kosovo_4list.csv"), "--out", str(out), "-m", "lcmcr,dga"]
    args += ["--K", "6", "--thinning", "3", "--max-unobserved", "50000", "--chains", "2"]
    args += ["--samples", "100", "--burnin", "200", "--prior-n", "uniform", "--seed", "4"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "estimate.json").read_text(encoding="utf-8"))
    by_method = {name: m["result"] for name, m in doc["methods"].items()}
    lcmcr = by_method["lcmcr"]["settings"]
    assert (lcmcr["K"], lcmcr["thinning"], lcmcr["max_unobserved"]) == (6, 3, 50000)
    assert (lcmcr["chains"], lcmcr["samples"], lcmcr["burnin"]) == (2, 100, 200)
    assert "uniform" in json.dumps(by_method["dga"]["settings"])
    bad = CliRunner().invoke(app, [*args[:4], "--prior-n", "nope"])
    assert bad.exit_code == 2 and "unknown --prior-n" in bad.output
