"""An estimate run's record: written to a folder and read back equal; schema versions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from inquest import __version__
from inquest.errors import InputError
from inquest.estimate.histories import read_histories
from inquest.estimate.run import estimate, run_estimation
from inquest.estimate.run_record import EstimateRunRecord

DATA = Path(__file__).parent / "data"


def _strata_csv(tmp_path: Path) -> Path:
    rng = np.random.default_rng(11)
    lines = ["A,B,C,prison,count"]
    for prison, n in (("P1", 700), ("P2", 400)):
        caught = rng.random((n, 3)) < np.array([0.35, 0.4, 0.3])
        caught = caught[caught.any(axis=1)]
        codes, counts = np.unique(caught.astype(int), axis=0, return_counts=True)
        lines += [f"{a},{b},{c},{prison},{k}" for (a, b, c), k in zip(codes, counts, strict=True)]
    path = tmp_path / "strata.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_estimate_run_round_trips_through_its_folder(tmp_path: Path) -> None:
    src = _strata_csv(tmp_path)
    run = run_estimation(
        src,
        tmp_path / "out",
        methods=["loglinear", "dga"],
        strata="prison",
        seed=4,
        options={"loglinear": {"n_boot": 20}},
        write_plots=False,
    )
    again = EstimateRunRecord.from_dir(tmp_path / "out")
    assert again == run.record
    assert set(again.methods) == {"loglinear", "dga"}
    assert set(again.methods["loglinear"].strata) == {"P1", "P2"}
    assert again.provenance.seed == 4 and again.provenance.inquest_version == __version__
    assert again.provenance.settings["strata"] == "prison"
    # draws stay with the run in memory; the record from the file has none
    assert run.record.methods["loglinear"].result is not None
    assert run.record.methods["loglinear"].result.draws.size > 0
    doc = json.loads((tmp_path / "out" / "estimate.json").read_text("utf-8"))
    assert doc["schema_version"] == 1
    assert doc == again.to_document()


def test_estimate_takes_histories_and_returns_the_typed_record() -> None:
    histories = read_histories(DATA / "uk_2013_5list.csv")
    run = estimate(histories, ["loglinear"], {"loglinear": {"n_boot": 0}}, seed=2)
    record = run.record
    result = record.methods["loglinear"].result
    assert result is not None and round(result.estimate) == 11313
    assert record.input.n_observed == 2744
    assert record.provenance.seed == 2
    assert result.input_hash == record.provenance.input_hash
    assert record.provenance.settings["methods"] == ["loglinear"]


def test_a_newer_schema_version_is_refused_naming_file_and_field(tmp_path: Path) -> None:
    run_estimation(
        DATA / "uk_2013_5list.csv",
        tmp_path,
        options={"loglinear": {"n_boot": 0}},
        write_plots=False,
    )
    path = tmp_path / "estimate.json"
    doc = json.loads(path.read_text("utf-8"))
    doc["schema_version"] = 2
    path.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(InputError) as caught:
        EstimateRunRecord.from_dir(tmp_path)
    assert (caught.value.path, caught.value.field) == (str(path), "schema_version")
    # a file written before versions were kept reads as version 1
    del doc["schema_version"]
    path.write_text(json.dumps(doc), "utf-8")
    assert EstimateRunRecord.from_dir(tmp_path).schema_version == 1
    # a malformed result names its field
    doc["methods"]["loglinear"]["result"]["n_observed"] = "many"
    path.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(InputError) as caught:
        EstimateRunRecord.from_dir(tmp_path)
    assert caught.value.field == "methods.loglinear.result.n_observed"
