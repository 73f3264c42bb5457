"""Tests for inquest.linkage.posterior: draws of partitions follow the pairwise target."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from inquest.errors import InputError
from inquest.linkage.posterior import (
    PosteriorSettings,
    draw_histories,
    draw_partitions,
    effective_sample_size,
    histories_of_draw,
    load_run_for_posterior,
)
from inquest.linkage.run_record import LinkageRunRecord, PriorSummary


def pairs(rows: list[tuple[int, int, float]]) -> pa.Table:
    left, right, p = zip(*rows, strict=True) if rows else ((), (), ())
    return pa.table(
        {
            "unique_id_l": pa.array(left, pa.int64()),
            "unique_id_r": pa.array(right, pa.int64()),
            "match_probability": pa.array(p, pa.float64()),
        }
    )


def partition_counts(labels: np.ndarray) -> Counter[tuple[int, ...]]:
    """Draws as canonical partitions (labels by first appearance)."""
    out: Counter[tuple[int, ...]] = Counter()
    for row in labels:
        seen: dict[int, int] = {}
        out[tuple(seen.setdefault(int(x), len(seen)) for x in row)] += 1
    return out


def exact_partitions(k: int, weight: dict[tuple[int, int], float]) -> dict[tuple[int, ...], float]:
    """Oracle: every partition of k records (brute force) and its probability."""
    out: dict[tuple[int, ...], float] = {}
    for labels in itertools.product(range(k), repeat=k):
        seen: dict[int, int] = {}
        canon = tuple(seen.setdefault(x, len(seen)) for x in labels)
        if canon in out:
            continue
        w = 1.0
        for a, b in itertools.combinations(range(k), 2):
            if canon[a] == canon[b]:
                w *= weight[(a, b)]
        out[canon] = w
    total = sum(out.values())
    return {key: v / total for key, v in out.items()}


@pytest.mark.parametrize("p", [0.15, 0.5, 0.85])
def test_a_lone_pair_is_joined_in_p_of_the_draws(p: float) -> None:
    n = 4000
    d = draw_partitions(pairs([(0, 1, p)]), 3, n_draws=n, seed=11)
    share = d.together(0, 1)
    assert abs(share - p) < 4 * np.sqrt(p * (1 - p) / n)
    assert d.n_persons().min() >= 2 and d.n_persons().max() <= 3
    # the third record is alone in every draw
    assert d.fixed_labels[2] >= 0


@pytest.mark.parametrize("p", [0.3, 0.7])
def test_a_lone_pair_is_joined_in_p_of_the_draws_by_the_chain(p: float) -> None:
    n = 3000
    d = draw_partitions(
        pairs([(0, 1, p)]), 2, n_draws=n, seed=5, settings=PosteriorSettings(exact_max_units=0)
    )
    assert d.components.count("mcmc") == 1
    # chain draws are correlated: allow for an ESS well below n
    assert abs(d.together(0, 1) - p) < 4 * np.sqrt(p * (1 - p) / (n / 4))


CHAIN = [(0, 1, 0.9), (1, 2, 0.8), (0, 2, 0.3)]


@pytest.mark.parametrize("exact_max_units", [8, 0])
def test_a_three_record_chain_matches_exact_enumeration(exact_max_units: int) -> None:
    weight = {(a, b): p / (1 - p) for a, b, p in CHAIN}
    truth = exact_partitions(3, weight)
    n = 4000
    d = draw_partitions(
        pairs(CHAIN),
        3,
        n_draws=n,
        seed=3,
        settings=PosteriorSettings(exact_max_units=exact_max_units),
    )
    counts = partition_counts(d.label_matrix())
    assert set(counts) <= set(truth)
    for part, prob in truth.items():
        tolerance = 5 * np.sqrt(prob * (1 - prob) / (n / 3)) + 0.005
        assert abs(counts[part] / n - prob) < tolerance, (part, counts[part] / n, prob)


def test_split_merge_chain_matches_exact_enumeration_on_two_groups() -> None:
    # two groups of three with strong links inside and weak ones across: single moves alone
    # mix slowly between "one person" and "two persons"
    rows = []
    for a, b in itertools.combinations(range(6), 2):
        inside = (a < 3) == (b < 3)
        rows.append((a, b, 0.95 if inside else 0.6))
    weight = {(a, b): p / (1 - p) for a, b, p in rows}
    truth = exact_partitions(6, weight)
    n = 3000
    d = draw_partitions(
        pairs(rows), 6, n_draws=n, seed=8, settings=PosteriorSettings(exact_max_units=0)
    )
    lab = d.label_matrix()
    joined = np.mean(lab[:, 0] == lab[:, 3])
    expected = sum(pr for part, pr in truth.items() if part[0] == part[3])
    assert abs(joined - expected) < 0.05
    exact = draw_partitions(pairs(rows), 6, n_draws=n, seed=8)
    assert exact.components.count("exact") == 1
    lab = exact.label_matrix()
    assert abs(np.mean(lab[:, 0] == lab[:, 3]) - expected) < 0.04


def test_decisions_are_never_violated() -> None:
    rows = [(0, 1, 0.6), (1, 2, 0.6), (0, 2, 0.6), (2, 3, 0.5), (3, 4, 0.4), (1, 4, 0.3)]
    rows += [(4, 5, 0.5), (5, 6, 0.5), (6, 7, 0.5), (7, 8, 0.5), (8, 9, 0.5), (9, 10, 0.5)]
    must = [(0, 3), (5, 9)]
    cannot = [(1, 2), (4, 6), (0, 10)]
    for exact in (0, 20):
        d = draw_partitions(
            pairs(rows),
            11,
            n_draws=500,
            seed=2,
            must_link=must,
            cannot_link=cannot,
            settings=PosteriorSettings(exact_max_units=exact),
        )
        lab = d.label_matrix()
        for a, b in must:
            assert np.all(lab[:, a] == lab[:, b])
        for a, b in cannot:
            assert np.all(lab[:, a] != lab[:, b])


def test_the_same_list_rule_holds_as_in_the_clustering() -> None:
    # 0 and 1 are of list 0, 2 of list 1: 0-1 is below the same-list minimum
    rows = [(0, 2, 0.7), (1, 2, 0.7), (0, 1, 0.3)]
    src = np.array([0, 0, 1])
    d = draw_partitions(pairs(rows), 3, n_draws=1000, seed=4, source=src)
    lab = d.label_matrix()
    assert np.all(lab[:, 0] != lab[:, 1])
    assert 0.3 < np.mean(lab[:, 0] == lab[:, 2]) < 0.7
    # a reviewer's match wins over the rule
    d = draw_partitions(pairs(rows), 3, n_draws=200, seed=4, source=src, must_link=[(0, 1)])
    lab = d.label_matrix()
    assert np.all(lab[:, 0] == lab[:, 1])


def test_a_certain_world_gives_the_fixed_clustering_in_every_draw() -> None:
    # persons {0,1,2}, {3,4}, {5}; every pair inside near 1, across near 0 or absent
    rows = [(0, 1, 0.999999), (1, 2, 0.999999), (0, 2, 0.9999999), (3, 4, 0.99999)]
    rows += [(2, 3, 1e-7), (4, 5, 1e-8)]
    d = draw_partitions(pairs(rows), 6, n_draws=300, seed=1)
    # certain components are drawn once: nothing is sampled
    assert d.components.count("fixed") == 2
    assert d.components.count("exact") == d.components.count("mcmc") == 0
    assert len(d.members) == 0 and d.local.shape == (300, 0)
    lab = d.label_matrix()
    assert np.all(lab == lab[0])
    assert lab[0, 0] == lab[0, 1] == lab[0, 2] != lab[0, 3] == lab[0, 4] != lab[0, 5]
    assert np.all(d.n_persons() == 3)


def test_same_seed_same_draws_and_the_inputs_are_hashed() -> None:
    rows = [(a, b, 0.5) for a, b in itertools.combinations(range(10), 2)]
    one = draw_partitions(pairs(rows), 10, n_draws=50, seed=9)
    two = draw_partitions(pairs(rows), 10, n_draws=50, seed=9)
    other = draw_partitions(pairs(rows), 10, n_draws=50, seed=10)
    assert np.array_equal(one.label_matrix(), two.label_matrix())
    assert not np.array_equal(one.label_matrix(), other.label_matrix())
    assert one.input_hash == other.input_hash and one.seed == 9
    changed = draw_partitions(pairs(rows[:-1]), 10, n_draws=50, seed=9)
    assert changed.input_hash != one.input_hash
    summary = one.summary()
    assert summary["components"]["mcmc"] == 1 and summary["input_hash"] == one.input_hash


def test_histories_count_persons_per_pattern_of_lists() -> None:
    # lists: 0 = A, 1 = B; records 0 (A) and 1 (B) join at 0.5; 2 (A) alone
    d = draw_partitions(
        pairs([(0, 1, 0.5)]),
        3,
        n_draws=200,
        seed=6,
        source=np.array([0, 1, 0]),
        lists=("A", "B"),
    )
    seen = set()
    for d_i, h in enumerate(draw_histories(d)):
        assert h.lists == ("A", "B")
        table = {tuple(p): int(c) for p, c in zip(h.patterns.tolist(), h.counts, strict=True)}
        joined = d.labels(d_i)[0] == d.labels(d_i)[1]
        assert table == ({(1, 0): 1, (1, 1): 1} if joined else {(1, 0): 2, (0, 1): 1})
        assert h.n_observed == d.n_persons()[d_i]
        seen.add(joined)
    assert seen == {True, False}
    assert histories_of_draw(d, 3).n_observed == d.n_persons()[3]


def test_effective_sample_size() -> None:
    rng = np.random.default_rng(0)
    assert 700 < effective_sample_size(rng.normal(size=1000)) <= 1000
    walk = np.cumsum(rng.normal(size=1000))
    assert effective_sample_size(walk) < 100
    assert np.isnan(effective_sample_size(np.ones(50)))


def test_bad_input_is_refused() -> None:
    with pytest.raises(InputError, match="outside"):
        draw_partitions(pairs([(0, 5, 0.5)]), 3, n_draws=10, seed=1)
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        draw_partitions(pairs([(0, 1, 1.5)]), 3, n_draws=10, seed=1)
    with pytest.raises(InputError, match="itself"):
        draw_partitions(pairs([(1, 1, 0.5)]), 3, n_draws=10, seed=1)
    with pytest.raises(InputError, match="draw"):
        draw_partitions(pairs([(0, 1, 0.5)]), 3, n_draws=0, seed=1)
    with pytest.raises(InputError, match="lack"):
        draw_partitions(pa.table({"a": [1]}), 3, n_draws=1, seed=1)
    with pytest.raises(InputError, match="cannot-link keeps apart"):
        draw_partitions(
            pairs([(0, 1, 0.5), (1, 2, 0.5)]),
            3,
            n_draws=1,
            seed=1,
            must_link=[(0, 1), (1, 2)],
            cannot_link=[(0, 2)],
        )


def _run(folder: Path, *, predictions: bool = True, records_in_run: int = 3) -> Path:
    clusters = pa.table(
        {
            "list": ["A", "B", "A"],
            "record_id": ["1", "1", "2"],
            "person_id": ["P1", "P1", "P2"],
            "confidence": [1.0, 1.0, 1.0],
            "cluster_size": [2, 2, 1],
        }
    )
    LinkageRunRecord(
        clusters=clusters,
        records=records_in_run,
        persons=2,
        pairs_kept=2,
        components_split=0,
        pairs_rescored=0,
        prior=PriorSummary(trained=0.01, refit=0.02, iterations=1),
    ).to_dir(folder)
    if predictions:
        pq.write_table(
            pa.table(
                {
                    "list_l": ["A", "A"],
                    "record_id_l": ["1", "2"],
                    "list_r": ["B", "B"],
                    "record_id_r": ["1", "1"],
                    "match_probability": [0.9, 0.2],
                    "match_weight": [3.0, -2.0],
                }
            ),
            folder / "predictions.parquet",
        )
    return folder


def test_a_run_folder_is_read_with_its_decisions(tmp_path: Path) -> None:
    folder = _run(tmp_path / "run")
    decisions = tmp_path / "decisions.csv"
    decisions.write_text(
        "list_l,record_id_l,list_r,record_id_r,decision\nA,2,B,1,non-match\n", encoding="utf-8"
    )
    run = load_run_for_posterior(folder, decisions=decisions)
    assert run.n_records == 3 and run.lists == ("A", "B")
    assert run.cannot_link == [(1, 2)]
    assert run.pairs.num_rows == 2
    assert run.prior_odds == pytest.approx(0.02 / 0.98)
    assert any("component_pairs" in note for note in run.notes)
    d = run.draw(500, seed=1)
    lab = d.label_matrix()
    assert np.all(lab[:, 1] != lab[:, 2])
    assert 0.8 < np.mean(lab[:, 0] == lab[:, 1]) < 0.97
    assert d.records is not None and set(run.notes) <= set(d.notes)


def test_a_run_folder_without_pair_probabilities_is_an_error(tmp_path: Path) -> None:
    folder = _run(tmp_path / "run", predictions=False)
    with pytest.raises(InputError, match=r"predictions\.parquet is missing") as err:
        load_run_for_posterior(folder)
    assert "predictions.parquet" in str(err.value)


def test_clusters_from_another_tool_are_an_error(tmp_path: Path) -> None:
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "clusters.csv").write_text("list,record_id,person_id\nA,1,P1\n", encoding="utf-8")
    pq.write_table(pa.table({"x": [1]}), alone / "predictions.parquet")
    with pytest.raises(InputError, match=r"run\.json"):
        load_run_for_posterior(alone)
    (alone / "run.json").write_text(json.dumps({"records": 1}), encoding="utf-8")
    with pytest.raises(InputError, match="confidence") as err:  # not a run record's clusters
        load_run_for_posterior(alone)
    assert err.value.path is not None and err.value.path.endswith("clusters.csv")
    scored = _run(tmp_path / "scored")
    pq.write_table(pa.table({"x": [1]}), scored / "predictions.parquet")
    with pytest.raises(InputError, match="not pair probabilities"):
        load_run_for_posterior(scored)
    other = _run(tmp_path / "other", records_in_run=5)
    with pytest.raises(InputError, match="not this run's"):
        load_run_for_posterior(other)
    with pytest.raises(InputError, match="no such run folder"):
        load_run_for_posterior(tmp_path / "nowhere")


def test_the_draws_command_writes_one_column_per_draw(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from inquest.cli import app

    folder = _run(tmp_path / "run")
    out = tmp_path / "draws.parquet"
    result = CliRunner().invoke(
        app, ["draws", str(folder), "--draws", "30", "--seed", "4", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.column_names[:2] == ["list", "record_id"] and table.num_columns == 32
    meta = json.loads(table.schema.metadata[b"inquest.posterior"])
    assert meta["seed"] == 4 and meta["draws"] == 30
    assert (out.stat().st_mode & 0o777) == 0o600
    bad = CliRunner().invoke(app, ["draws", str(tmp_path), "--out", str(out)])
    assert bad.exit_code == 2 and "clusters.csv" in bad.output


@pytest.mark.parametrize("exact_max_units", [8, 0])
def test_the_prior_paid_per_join_matches_exact_enumeration(exact_max_units: int) -> None:
    r = 0.01
    # Bayes factors p / (1 - p) / r; each record that joins a cluster pays r once
    weight = {(a, b): p / (1 - p) / r for a, b, p in CHAIN}
    raw = {}
    for part, prob in exact_partitions(3, weight).items():
        raw[part] = prob * r ** (3 - len(set(part)))
    total = sum(raw.values())
    n = 4000
    d = draw_partitions(
        pairs(CHAIN),
        3,
        n_draws=n,
        seed=12,
        settings=PosteriorSettings(exact_max_units=exact_max_units, prior_odds=r),
    )
    counts = partition_counts(d.label_matrix())
    for part, w in raw.items():
        prob = w / total
        tolerance = 5 * np.sqrt(prob * (1 - prob) / (n / 3)) + 0.005
        assert abs(counts[part] / n - prob) < tolerance, (part, counts[part] / n, prob)
    # a lone pair is still joined in p of the draws
    lone = draw_partitions(
        pairs([(0, 1, 0.4)]), 2, n_draws=n, seed=1, settings=PosteriorSettings(prior_odds=r)
    )
    assert abs(lone.together(0, 1) - 0.4) < 4 * np.sqrt(0.24 / n)
