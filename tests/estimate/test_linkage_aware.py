"""Tests for inquest.estimate.linkage_aware: estimates pooled over draws of the linkage
posterior, beside the fixed-linkage ones."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import inquest.estimate.linkage_aware as la
from inquest.cli import app
from inquest.errors import InputError
from inquest.estimate.histories import CaptureHistories
from inquest.estimate.linkage_aware import detect_run, pool_over_histories, run_linkage_aware
from inquest.estimate.run_record import EstimateRunRecord
from inquest.linkage.run_record import LinkageRunRecord, PriorSummary

DGA = {"dga": {"n_draws": 4000, "sensitivity": None}}


def _world(folder: Path, *, p_true: float, p_false: float, seed: int = 3) -> Path:
    """A linkage run folder: 600 people, three lists; every true cross-list pair scored
    ``p_true``, and a false pair per person scored ``p_false``."""
    rng = np.random.default_rng(seed)
    lists = ("A", "B", "C")
    caught = rng.random((600, 3)) < np.array([0.5, 0.4, 0.45])
    rows: list[tuple[str, str, str]] = []
    for person, row in enumerate(caught):
        rows.extend((lists[j], f"{person}", f"P{person}") for j in range(3) if row[j])
    by_person: dict[str, list[tuple[str, str]]] = {}
    for lst, rid, pid in rows:
        by_person.setdefault(pid, []).append((lst, rid))
    pairs: list[tuple[str, str, str, str, float]] = []
    people = list(by_person.values())
    for k, recs in enumerate(people):
        pairs.extend(
            (a[0], a[1], b[0], b[1], p_true) for i, a in enumerate(recs) for b in recs[i + 1 :]
        )
        other = people[(k + 1) % len(people)]
        a, b = recs[0], other[0]
        if a[0] != b[0]:
            pairs.append((a[0], a[1], b[0], b[1], p_false))
    LinkageRunRecord(
        clusters=pa.table(
            {
                "list": [r[0] for r in rows],
                "record_id": [r[1] for r in rows],
                "person_id": [r[2] for r in rows],
                "confidence": [1.0] * len(rows),
                "cluster_size": [len(by_person[r[2]]) for r in rows],
            }
        ),
        records=len(rows),
        persons=len(by_person),
        pairs_kept=len(pairs),
        components_split=0,
        pairs_rescored=0,
        prior=PriorSummary(trained=0.001, refit=0.001, iterations=1),
    ).to_dir(folder)
    cols = list(zip(*pairs, strict=True))
    pq.write_table(
        pa.table(
            {
                "list_l": list(cols[0]),
                "record_id_l": list(cols[1]),
                "list_r": list(cols[2]),
                "record_id_r": list(cols[3]),
                "match_probability": [float(x) for x in cols[4]],
            }
        ),
        folder / "predictions.parquet",
    )
    return folder


def test_certain_linkage_gives_the_fixed_interval(tmp_path: Path) -> None:
    run = _world(tmp_path / "run", p_true=1 - 1e-9, p_false=1e-9)
    _, results, source = run_linkage_aware(
        run,
        tmp_path / "out",
        methods=["dga"],
        options=DGA,
        partition_options=DGA,
        n_draws=20,
        draws_per_partition=500,
        write_plots=False,
    )
    r = results["dga"]
    assert r.pooled.distinct_tables == 1 and r.pooled.partitions == 20
    assert r.linkage_share == 0.0
    assert source.persons_per_draw["mean"] == source.persons_fixed
    fixed, aware = r.fixed, r.pooled.result
    assert fixed is not None
    width = fixed.upper - fixed.lower
    # Monte Carlo error of quantiles of 10,000 draws from the same posterior
    assert abs(aware.lower - fixed.lower) < 0.1 * width
    assert abs(aware.upper - fixed.upper) < 0.1 * width
    assert abs(aware.estimate - fixed.estimate) < 0.05 * width


def test_uncertain_linkage_widens_the_interval_and_is_written(tmp_path: Path) -> None:
    run = _world(tmp_path / "run", p_true=0.7, p_false=0.2)
    fixed, results, source = run_linkage_aware(
        run,
        tmp_path / "out",
        methods=["dga"],
        options=DGA,
        partition_options=DGA,
        n_draws=15,
        seed=5,
        target="pairwise",
        write_plots=False,
    )
    # the linkage-aware sections are part of the run's record, and read back with it
    assert EstimateRunRecord.from_dir(tmp_path / "out") == fixed.record
    assert fixed.record.linkage_aware is True
    r = results["dga"]
    assert r.pooled.distinct_tables > 1 and r.linkage_share > 0
    assert r.width_ratio is not None and r.width_ratio > 1
    doc = json.loads((tmp_path / "out" / "estimate.json").read_text("utf-8"))
    assert doc["linkage_aware"] is True
    link = doc["linkage"]
    assert link["n_draws"] == 15 and link["seed"] == 5 and link["target"] == "pairwise"
    assert link["posterior_input_hash"] == source.posterior_input_hash
    assert len(link["run_hash"]) == 64 and link["settings"]["link_threshold"] == 0.1
    assert link["interval_includes"] and link["interval_leaves_out"]
    block = doc["methods"]["dga"]["linkage"]
    assert block["linkage_aware"]["interval"].startswith("linkage-aware")
    assert block["fixed_linkage"]["estimate"] == doc["methods"]["dga"]["result"]["estimate"]
    assert 0 < block["linkage_share_of_variance"] < 1
    assert sum(block["per_table_weights"]) == 15


def test_identical_histories_are_estimated_once(monkeypatch: pytest.MonkeyPatch) -> None:
    def table(extra: int) -> CaptureHistories:
        patterns = np.array(
            [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1], [0, 1, 1], [1, 1, 1]],
            dtype=np.uint8,
        )
        counts = np.array([120 + extra, 100, 110, 40, 45, 38, 15], dtype=np.int64)
        return CaptureHistories(lists=("A", "B", "C"), patterns=patterns, counts=counts)

    calls: list[int] = []
    real = la.estimate

    def spy(h: CaptureHistories, *args: object, **kwargs: object) -> object:
        calls.append(h.n_observed)
        return real(h, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(la, "estimate", spy)
    tables = [table(0), table(5), table(0), table(0), table(5)]
    pooled, warnings = pool_over_histories(tables, ["dga"], DGA, seed=1, draws_per_partition=100)
    assert sorted(calls) == [468, 473] and not warnings
    p = pooled["dga"]
    assert p.partitions == 5 and p.distinct_tables == 2
    assert sorted(p.weights.tolist()) == [2, 3]
    assert len(p.result.draws) == 500


def test_detect_run_and_bad_inputs(tmp_path: Path) -> None:
    run = _world(tmp_path / "run", p_true=0.9, p_false=0.05)
    assert detect_run(run) == "run"
    assert detect_run(run / "clusters.csv") == "file"
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "clusters.csv").write_text((run / "clusters.csv").read_text("utf-8"), "utf-8")
    assert detect_run(alone) == "clusters_only"
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="neither a linkage run"):
        detect_run(empty)
    with pytest.raises(InputError, match="predictions"):
        run_linkage_aware(alone, tmp_path / "o", methods=["dga"])
    with pytest.raises(InputError, match="target"):
        run_linkage_aware(run, tmp_path / "o", methods=["dga"], target="nope")  # type: ignore[arg-type]


def test_cli_linkage_aware_fixed_and_fallback(tmp_path: Path) -> None:
    run = _world(tmp_path / "run", p_true=0.8, p_false=0.1)
    common = ["--method", "dga", "--option", "dga.sensitivity=", "--option", "dga.n_draws=2000"]
    cli = CliRunner()
    aware = cli.invoke(
        app,
        ["estimate", str(run), "--out", str(tmp_path / "a"), "--draws", "8", *common],
        terminal_width=250,
    )
    assert aware.exit_code == 0, aware.output
    text = " ".join(aware.output.split())
    assert "linkage-aware interval includes" in text and "does not include" in text
    assert "(centred)" in text
    doc = json.loads((tmp_path / "a" / "estimate.json").read_text("utf-8"))
    assert doc["linkage_aware"] is True and doc["linkage"]["n_draws"] == 8

    fixed = cli.invoke(
        app, ["estimate", str(run), "--out", str(tmp_path / "f"), "--linkage", "fixed", *common]
    )
    assert fixed.exit_code == 0, fixed.output
    assert "ignore linkage error" in " ".join(fixed.output.split())
    doc = json.loads((tmp_path / "f" / "estimate.json").read_text("utf-8"))
    assert doc["linkage_aware"] is False and doc["linkage"]["reason"] == "--linkage fixed"

    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "clusters.csv").write_text((run / "clusters.csv").read_text("utf-8"), "utf-8")
    fallback = cli.invoke(app, ["estimate", str(alone), "--out", str(tmp_path / "b"), *common])
    assert fallback.exit_code == 0, fallback.output
    assert "falling back to FIXED linkage" in " ".join(fallback.output.split())
    doc = json.loads((tmp_path / "b" / "estimate.json").read_text("utf-8"))
    assert doc["linkage_aware"] is False

    for path in (alone, alone / "clusters.csv"):
        refused = cli.invoke(
            app, ["estimate", str(path), "--out", str(tmp_path / "c"), "--linkage", "aware"]
        )
        assert refused.exit_code == 2
        assert "linkage" in refused.output and not (tmp_path / "c" / "estimate.json").exists()


def test_the_command_knows_every_target() -> None:
    from inquest.cli.estimate import DEFAULT_TARGET, TARGET_CHOICES

    assert TARGET_CHOICES == la.TARGETS and la.TARGETS[0] == DEFAULT_TARGET


def test_the_centred_target_draws_as_many_persons_as_the_run(tmp_path: Path) -> None:
    from inquest.linkage.posterior import load_run_for_posterior

    run = load_run_for_posterior(_world(tmp_path / "run", p_true=0.3, p_false=0.2))
    settings = la.target_settings(run, "centred", seed=2)
    persons = len(np.unique(run.fixed_labels))
    assert settings.odds_scale > 1
    drawn = replace(run, settings=settings).draw(40, 3).n_persons().mean()
    assert abs(drawn - persons) < 0.02 * persons
    plain = la.target_settings(run, "pairwise").odds_scale
    assert plain == 1.0


def _decisions(run: Path, path: Path, per_kind: int) -> Path:
    """Decisions from the world's truth: ``per_kind`` true pairs matched, as many false
    pairs (different persons) refused."""
    record = LinkageRunRecord.from_dir(run)
    clusters = {(r["list"], r["record_id"]): r["person_id"] for r in record.clusters.to_pylist()}
    pairs = pq.read_table(run / "predictions.parquet").to_pylist()
    rows, kinds = [], {"match": 0, "non-match": 0}
    for p in pairs:
        a, b = (p["list_l"], p["record_id_l"]), (p["list_r"], p["record_id_r"])
        kind = "match" if clusters[a] == clusters[b] else "non-match"
        if kinds[kind] < per_kind:
            kinds[kind] += 1
            rows.append(f"{a[0]},{a[1]},{b[0]},{b[1]},{kind}")
    path.write_text(
        "list_l,record_id_l,list_r,record_id_r,decision\n" + "\n".join(rows) + "\n", "utf-8"
    )
    return path


def test_the_calibrated_target_recalibrates_on_decisions(tmp_path: Path) -> None:
    """Under-confident probabilities (true pairs at 0.3, false at 0.05): the pairwise draws
    split true persons; recalibrated on 60 reviewed pairs they hold about as many persons as
    the truth, and the calibration is recorded with its sample size."""
    run = _world(tmp_path / "run", p_true=0.3, p_false=0.05)
    decisions = _decisions(run, tmp_path / "decisions.csv", 30)
    common: dict[str, object] = {
        "methods": ["dga"],
        "options": DGA,
        "partition_options": DGA,
        "n_draws": 10,
        "draws_per_partition": 200,
        "write_plots": False,
        "decisions": decisions,
    }
    _, _, plain = run_linkage_aware(run, tmp_path / "p", target="pairwise", **common)  # type: ignore[arg-type]
    _, _, cal = run_linkage_aware(run, tmp_path / "c", target="calibrated", **common)  # type: ignore[arg-type]
    truth = plain.persons_fixed  # the world's clusters.csv is its truth
    assert plain.persons_per_draw["mean"] > 1.1 * truth
    assert abs(cal.persons_per_draw["mean"] - truth) < 0.02 * truth
    assert cal.calibration is not None and plain.calibration is None
    assert cal.calibration["n_labels"] == 60 and cal.calibration["n_matches"] == 30
    assert cal.calibration["slope"] > 0
    doc = json.loads((tmp_path / "c" / "estimate.json").read_text("utf-8"))
    assert doc["linkage"]["calibration"]["n_labels"] == 60
    with pytest.raises(InputError, match="reviewed pairs"):
        run_linkage_aware(
            run,
            tmp_path / "n",
            **(common | {"decisions": None, "target": "calibrated"}),  # type: ignore[arg-type]
        )


def test_the_calibrated_centred_target_joins_the_expected_number_of_pairs(
    tmp_path: Path,
) -> None:
    from inquest.linkage.posterior import load_run_for_posterior

    folder = _world(tmp_path / "run", p_true=0.3, p_false=0.05)
    decisions = _decisions(folder, tmp_path / "decisions.csv", 30)
    run, record = la.calibrated_run(load_run_for_posterior(folder, decisions=decisions))
    assert record["n_labels"] == 60
    settings = la.target_settings(run, "calibrated_centred", seed=1)
    assert settings.link_threshold < 0.02  # every kept pair may join
    left = run.pairs.column("unique_id_l").to_numpy()
    right = run.pairs.column("unique_id_r").to_numpy()
    expected = float(run.pairs.column("match_probability").to_numpy().sum())
    labels = replace(run, settings=settings).draw(20, 4).label_matrix()
    joined = (labels[:, left] == labels[:, right]).sum(axis=1).mean()
    assert abs(joined - expected) < 0.03 * expected


def test_estimate_json_is_written_once_and_clusters_hashed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import inquest.estimate.run_record as rr
    import inquest.hashing as hashing
    import inquest.provenance as prov

    run = _world(tmp_path / "run", p_true=0.8, p_false=0.1)
    writes: list[Path] = []
    real_to_dir = rr.EstimateRunRecord.to_dir

    def counting_to_dir(self: EstimateRunRecord, path: str | Path) -> Path:
        writes.append(Path(path))
        return real_to_dir(self, path)

    hashed: list[str] = []
    real_sha = hashing.sha256_file

    def counting_sha(path: str | Path) -> str:
        hashed.append(Path(path).name)
        return real_sha(path)

    monkeypatch.setattr(rr.EstimateRunRecord, "to_dir", counting_to_dir)
    monkeypatch.setattr(prov, "sha256_file", counting_sha)
    monkeypatch.setattr(la, "sha256_file", counting_sha)
    fixed, _, source = run_linkage_aware(
        run, tmp_path / "out", methods=["dga"], options=DGA, partition_options=DGA, n_draws=4
    )
    assert len(writes) == 1
    assert hashed.count("clusters.csv") == 1
    # the run's hash is the one hash over its files, as before
    expected = prov.input_hash(
        [run / "clusters.csv", run / "predictions.parquet", run / "run.json"]
    )
    assert source.run_hash == expected
    # the report, written once, says the estimate is linkage-aware and shows the quality
    html = (tmp_path / "out" / "report.html").read_text("utf-8")
    assert "Estimates that carry linkage uncertainty" in html
    assert "What they do not include" in html and "Linkage quality" in html
    assert fixed.record.linkage is not None and "quality" in fixed.record.linkage


def test_linkage_quality_is_in_estimate_json_for_both_paths(tmp_path: Path) -> None:
    run = _world(tmp_path / "run", p_true=0.8, p_false=0.1)
    run_linkage_aware(
        run, tmp_path / "out", methods=["dga"], options=DGA, partition_options=DGA, n_draws=4
    )
    doc = json.loads((tmp_path / "out" / "estimate.json").read_text("utf-8"))
    q = doc["linkage"]["quality"]
    pairs = pq.read_table(run / "predictions.parquet").to_pandas()
    linked = pairs[pairs["match_probability"] == 0.8]
    # every true pair is linked at 0.8 (20% of them expected false); the false pairs at 0.1
    # are left apart (10% of them expected missed)
    assert q["linked_pairs"] == len(linked)
    assert q["expected_false_links"] == pytest.approx(0.2 * len(linked))
    assert q["expected_missed_links"] == pytest.approx(0.1 * (len(pairs) - len(linked)))
    assert q["expected_precision"] == pytest.approx(0.8)
    assert q["awaiting_review"] == len(pairs) - len(linked)  # 0.1 lies in the band
    labelled = la.run_fixed_labelled(
        run / "clusters.csv",
        tmp_path / "fixed",
        "--linkage fixed",
        run_dir=run,
        methods=["dga"],
        options=DGA,
        write_plots=False,
    )
    assert labelled.record.linkage is not None
    assert labelled.record.linkage["quality"] == q
    html = (tmp_path / "fixed" / "report.html").read_text("utf-8")
    assert "IGNORE LINKAGE ERROR" in html and "Linkage quality" in html


def test_strata_are_refused_on_the_linkage_aware_path(tmp_path: Path) -> None:
    run = _world(tmp_path / "run", p_true=0.8, p_false=0.1)
    out = CliRunner().invoke(
        app,
        ["estimate", str(run), "--out", str(tmp_path / "s"), "--strata", "prison"],
        terminal_width=250,
    )
    assert out.exit_code == 2
    assert "--linkage fixed" in out.output and "not supported" in " ".join(out.output.split())
    assert not (tmp_path / "s").exists()


def test_the_demo_summary_heads_with_the_linkage_aware_interval(tmp_path: Path) -> None:
    from rich.console import Console

    from inquest.cli.demo import _summary

    run = _world(tmp_path / "run", p_true=0.8, p_false=0.1)
    run_linkage_aware(
        run, tmp_path / "estimate", methods=["dga"], options=DGA, partition_options=DGA, n_draws=4
    )
    (tmp_path / "world").mkdir()
    (tmp_path / "world" / "scenario.json").write_text(
        json.dumps({"true_population_size": 600}), "utf-8"
    )
    (tmp_path / "world" / "truth.csv").write_text("person_id\nP1\nP2\n", "utf-8")
    console = Console(width=300, record=True)
    console.print(_summary(tmp_path))
    text = console.export_text()
    aware = json.loads((tmp_path / "estimate" / "estimate.json").read_text("utf-8"))["methods"][
        "dga"
    ]["linkage"]["linkage_aware"]
    assert "linkage-aware N" in text and "ignores linkage error" in text
    assert f"{aware['lower']:,.0f}–{aware['upper']:,.0f}" in text
