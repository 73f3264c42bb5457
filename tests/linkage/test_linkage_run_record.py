"""A linkage run's record: written to a folder and read back equal; old and newer folders."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from inquest.errors import InputError
from inquest.linkage.run_record import LinkageRunRecord, PriorSummary
from inquest.provenance import make_provenance


def _record() -> LinkageRunRecord:
    clusters = pa.table(
        {
            "list": ["b", "a", "a", "c"],
            "record_id": ["007", "1", "2", "x,1"],
            "person_id": ["Pb", "Pa", "Pa", "kept"],
            "confidence": [1.0, 0.9312, 0.9312, 0.5],
            "cluster_size": [1, 2, 2, 1],
        }
    )
    return LinkageRunRecord(
        clusters=LinkageRunRecord.ordered(clusters),
        records=4,
        persons=3,
        pairs_kept=5,
        components_split=1,
        pairs_rescored=2,
        prior=PriorSummary(trained=1e-4, refit=2.5e-4, iterations=7),
        timings={"prepare": {"wall_s": 0.25, "cpu_s": 0.5}},
        warnings=("EM session skipped: dob",),
        carried_over=frozenset({"kept"}),
        provenance=make_provenance(table=clusters, seed=None, settings={"engine": "duckdb"}),
    )


def test_a_linkage_run_round_trips_through_its_folder(tmp_path: Path) -> None:
    record = _record()
    paths = record.to_dir(tmp_path / "run")
    assert sorted(p.name for p in paths.values()) == ["clusters.csv", "run.json"]
    again = LinkageRunRecord.from_dir(tmp_path / "run")
    assert again == record
    # ids that look like numbers stay text; clusters are by person, then list
    assert again.clusters.column("record_id").to_pylist() == ["1", "2", "007", "x,1"]
    assert again.is_new("Pa") and not again.is_new("kept")


def test_a_newer_schema_version_is_refused_naming_file_and_field(tmp_path: Path) -> None:
    _record().to_dir(tmp_path / "run")
    run_json = tmp_path / "run" / "run.json"
    doc = json.loads(run_json.read_text("utf-8"))
    doc["schema_version"] = 99
    run_json.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(InputError) as caught:
        LinkageRunRecord.from_dir(tmp_path / "run")
    assert caught.value.path == str(run_json)
    assert caught.value.field == "schema_version"
    assert "99" in caught.value.reason and "upgrade" in caught.value.reason


def test_a_folder_written_before_records_reads_without_them(tmp_path: Path) -> None:
    _record().to_dir(tmp_path / "run")
    run_json = tmp_path / "run" / "run.json"
    doc = json.loads(run_json.read_text("utf-8"))
    for key in ("schema_version", "provenance", "carried_over"):
        del doc[key]
    run_json.write_text(json.dumps(doc), "utf-8")
    old = LinkageRunRecord.from_dir(tmp_path / "run")
    assert old.provenance is None and old.carried_over is None and old.persons == 3
    with pytest.raises(InputError, match="which persons are new"):
        old.is_new("Pa")


def test_a_malformed_run_json_names_the_field(tmp_path: Path) -> None:
    _record().to_dir(tmp_path / "run")
    run_json = tmp_path / "run" / "run.json"
    doc = json.loads(run_json.read_text("utf-8"))
    doc["pairs_kept"] = "many"
    run_json.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(InputError) as caught:
        LinkageRunRecord.from_dir(tmp_path / "run")
    assert (caught.value.path, caught.value.field) == (str(run_json), "pairs_kept")
    with pytest.raises(InputError, match=r"no run\.json"):
        LinkageRunRecord.from_dir(tmp_path / "nowhere")
