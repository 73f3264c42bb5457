"""End-to-end: a small simulated list (Splink's fake_1000, 80 clusters) through the pipeline."""

from __future__ import annotations

import threading
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from inquest.hashing import table_sha256
from inquest.io import read_list
from inquest.linkage.evaluate import evaluate_files
from inquest.linkage.pipeline import link_records, write_run
from inquest.linkage.posterior import load_run_for_posterior
from inquest.linkage.run_record import LinkageRunRecord

DATA = Path(__file__).parent / "data"


@pytest.mark.slow
def test_link_write_evaluate_and_stable_ids(tmp_path: Path) -> None:
    records = read_list(DATA / "fake_1000_part.csv")
    result = link_records(records)
    paths = write_run(result, tmp_path / "run")
    assert all(p.exists() for p in paths.values())
    scores = evaluate_files(DATA / "fake_1000_part_truth.csv", paths["clusters"])
    assert scores.pairwise_precision > 0.9
    assert scores.bcubed_f1 > 0.8
    # the pairs scored while clustering are written, and the run can be drawn from
    inside = pq.read_table(paths["component_pairs"])
    assert inside.num_rows == result.clustering.n_rescored_pairs
    run = load_run_for_posterior(tmp_path / "run")
    assert run.notes == ()
    assert run.pairs.num_rows == result.edges.num_rows + inside.num_rows
    assert run.draw(20, seed=1).n_records == records.num_rows
    # the run's record reads back from its folder as it was made
    record = result.run_record()
    assert LinkageRunRecord.from_dir(tmp_path / "run") == record
    assert record.records == records.num_rows and record.provenance is not None
    assert record.provenance.input_hash == table_sha256(records)
    assert record.carried_over == frozenset()
    # a second run with the first as previous keeps every person id, and says so
    previous = pacsv.read_csv(paths["clusters"])
    again = link_records(records, previous=previous)
    kept = again.run_record()
    assert kept.carried_over == set(previous.column("person_id").to_pylist())
    assert not any(kept.is_new(p) for p in kept.clusters.column("person_id").to_pylist())
    first = dict(
        zip(
            result.clusters.column("record_id").to_pylist(),
            result.clusters.column("person_id").to_pylist(),
            strict=True,
        )
    )
    second = dict(
        zip(
            again.clusters.column("record_id").to_pylist(),
            again.clusters.column("person_id").to_pylist(),
            strict=True,
        )
    )
    assert first == second


@pytest.mark.slow
def test_rescoring_in_chunks_scores_the_same_and_leaves_no_tables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import numpy as np

    from inquest.linkage import pipeline

    records = read_list(DATA / "fake_1000_part.csv")
    result = link_records(records)
    con = result.engine.db_api._con
    rng = np.random.default_rng(3)
    left = rng.integers(0, records.num_rows, 50)
    right = (left + rng.integers(1, 40, 50)) % records.num_rows
    objects = "SELECT (SELECT count(*) FROM duckdb_tables()), (SELECT count(*) FROM duckdb_views())"
    before = con.execute(objects).fetchall()
    whole = pipeline._rescorer(result.linker, result.engine)(left, right)
    monkeypatch.setattr(pipeline, "RESCORE_CHUNK", 7)
    chunked = pipeline._rescorer(result.linker, result.engine)(left, right)
    assert con.execute(objects).fetchall() == before
    assert np.allclose(whole, chunked) and whole.max() > 0


def test_a_failed_training_leaves_no_candidate_pairs_behind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from inquest.linkage import pipeline
    from inquest.linkage.engine import make_engine

    def fail(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("training failed")

    monkeypatch.setattr(pipeline, "train", fail)
    eng = make_engine("duckdb")
    with pytest.raises(RuntimeError, match="training failed"):
        link_records(read_list(DATA / "fake_1000_part.csv"), engine=eng)
    for thread in threading.enumerate():
        if thread.name == "inquest-blocking":
            thread.join()
    tables = eng.db_api._con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    assert not [t for (t,) in tables if t.startswith("inquest_blocked")]


@pytest.mark.slow
def test_a_rare_name_links_alone_and_a_common_one_does_not(tmp_path: Path) -> None:
    """A name found twice among thousands of records is evidence enough by itself; a name
    that fifty people share is not (issue 17)."""
    import csv

    from inquest.io import read_lists
    from inquest.simulate import load_scenario, simulate, write_world

    files = write_world(simulate(load_scenario("small"), 17), tmp_path / "world")
    ngo, cemetery = (tmp_path / "world" / "lists" / f"{n}.csv" for n in ("ngo", "cemetery"))

    def append(path: Path, rows: list[dict[str, str]]) -> None:
        with path.open(encoding="utf-8") as f:
            header = next(csv.reader(f))
        with path.open("a", encoding="utf-8", newline="") as f:
            csv.DictWriter(f, header).writerows(rows)

    append(ngo, [{"record_id": "RARE-1", "full_name": "Varjavand Khoshnevisan"}])
    append(cemetery, [{"record_id": "RARE-2", "full_name": "Khoshnevisan, Varjavand"}])
    # fifty different people of one name (each born another year), and a record of that
    # name alone on another list
    append(
        ngo,
        [
            {"record_id": f"MANY-{i}", "full_name": "Mohammad Ahmadi", "age": str(20 + i)}
            for i in range(50)
        ],
    )
    append(cemetery, [{"record_id": "MANY-X", "full_name": "Ahmadi, Mohammad"}])
    lists = sorted(p for p in files if p.parent.name == "lists")
    result = link_records(read_lists(lists))
    person = dict(
        zip(
            result.clusters.column("record_id").to_pylist(),
            result.clusters.column("person_id").to_pylist(),
            strict=True,
        )
    )
    assert person["RARE-1"] == person["RARE-2"]
    namesakes = {person[f"MANY-{i}"] for i in range(50)}
    assert person["MANY-X"] not in namesakes
    assert len(namesakes) == 50
    # by the pairs' own probabilities, not only because clustering breaks up the namesakes
    uid = dict(
        zip(
            result.prepared.column("record_id").to_pylist(),
            result.prepared.column("unique_id").to_pylist(),
            strict=True,
        )
    )
    link = result.model.clustering.link_threshold
    p = {
        frozenset((e["unique_id_l"], e["unique_id_r"])): e["match_probability"]
        for e in result.edges.to_pylist()
    }
    assert p.get(frozenset((uid["RARE-1"], uid["RARE-2"])), 0.0) >= link
    many_x = uid["MANY-X"]
    assert max(p.get(frozenset((many_x, uid[f"MANY-{i}"])), 0.0) for i in range(50)) < link
