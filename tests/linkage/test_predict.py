"""Tests for inquest.linkage.predict: inquest's own blocking scores what Splink's would."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from inquest.io import read_list
from inquest.linkage.caps import cap_blocks
from inquest.linkage.engine import Engine, make_engine
from inquest.linkage.predict import (
    blocked_pairs_sql,
    edges,
    find_pairs_in_background,
    predict,
)
from inquest.linkage.prepare import prepare
from inquest.linkage.settings import load_model, splink_settings
from inquest.linkage.train import calibrate, train

DATA = Path(__file__).parent / "data"


def _records() -> pa.Table:
    return pa.table(
        {
            "unique_id": pa.array(range(6), pa.int64()),
            "a": pa.array(["x", "x", "x", "y", "y", None]),
            "b": pa.array([1, 1, 2, 2, 2, 2], pa.int64()),
        }
    )


def _blocked(sql: str, table: pa.Table) -> list[tuple[str, int, int]]:
    con = duckdb.connect()
    con.register("t", table)
    rows = con.execute(f"SELECT match_key, join_key_l, join_key_r FROM ({sql})").fetchall()
    return sorted((str(k), int(a), int(b)) for k, a, b in rows)


def test_blocked_pairs_are_distinct_with_the_first_rule_that_finds_them() -> None:
    rules = ["l.a = r.a", "l.b = r.b"]
    got = _blocked(blocked_pairs_sql("t", rules), _records())
    # by a: (0,1) (0,2) (1,2) (3,4); by b, not already found: (2,3) (2,4) (2,5) (3,5) (4,5)
    assert got == [
        ("0", 0, 1),
        ("0", 0, 2),
        ("0", 1, 2),
        ("0", 3, 4),
        ("1", 2, 3),
        ("1", 2, 4),
        ("1", 2, 5),
        ("1", 3, 5),
        ("1", 4, 5),
    ]
    # chunks of the left-hand records partition the pairs
    chunks = [_blocked(blocked_pairs_sql("t", rules, (i, 3)), _records()) for i in range(3)]
    assert sorted(p for c in chunks for p in c) == got
    assert all(a % 3 == i for i, c in enumerate(chunks) for _, a, _ in c)


def _trained_on_fake_1000() -> tuple[Any, Engine, Any, dict[str, Any]]:
    """Caps, engine, records frame and the calibrated trained model on fake_1000_part."""
    from splink import Linker

    records = prepare(read_list(DATA / "fake_1000_part.csv"))
    caps = cap_blocks(records, load_model())
    eng = make_engine("duckdb")
    frame = eng.register(caps.table, "inquest_records")
    linker = Linker(frame, splink_settings(caps.model), log_level=logging.WARNING)
    linker, _ = train(linker, caps.model, frame=frame, engine=eng)
    return caps, eng, frame, calibrate(linker.misc.save_model_to_json())


@pytest.mark.slow
def test_own_blocking_scores_the_pairs_splink_blocking_scores() -> None:
    from splink import Linker

    caps, eng, frame, trained = _trained_on_fake_1000()
    splinks = edges(eng, predict(Linker(frame, trained, log_level=logging.WARNING), 0.01))
    lean = {**trained, "blocking_rules_to_generate_predictions": []}
    rules = list(caps.model.blocking)
    for chunks in (1, 3):
        ours = edges(
            eng,
            predict(
                Linker(frame, lean, log_level=logging.WARNING),
                0.01,
                engine=eng,
                records=frame,
                rules=rules,
                candidate_pairs=chunks * 25_000_000 - 1,
            ),
        )
        key = ["unique_id_l", "unique_id_r"]
        assert ours.num_rows == splinks.num_rows > 0
        assert ours.sort_by([(k, "ascending") for k in key]).equals(
            splinks.sort_by([(k, "ascending") for k in key])
        )
    # the same pairs found beforehand on a second connection (as while Splink trains)
    pending = find_pairs_in_background(eng, caps.table, rules, 1)
    assert pending is not None
    early = edges(
        eng, predict(Linker(frame, lean, log_level=logging.WARNING), 0.01, pending=pending)
    )
    assert early.sort_by([(k, "ascending") for k in key]).equals(
        splinks.sort_by([(k, "ascending") for k in key])
    )
    assert pending.wall_s > 0
    tables = {
        r[0] for r in eng.db_api._con.sql("SELECT table_name FROM duckdb_tables()").fetchall()
    }
    assert pending.name not in tables  # dropped once scored
    # Once inquest's pairs are scored, the linker forgets them: a plain predict() blocks on
    # the settings' own rules again (it used to find the dropped pairs table registered).
    linker = Linker(frame, trained, log_level=logging.WARNING)
    predict(linker, 0.01, engine=eng, records=frame, rules=rules, candidate_pairs=1)
    again = edges(eng, linker.inference.predict(threshold_match_probability=0.01))
    assert again.num_rows == splinks.num_rows


@pytest.mark.slow
def test_lean_scoring_with_values_is_splinks_full_output() -> None:
    from splink import Linker

    from inquest.linkage.predict import levels_from_weights, with_values

    caps, eng, frame, trained = _trained_on_fake_1000()
    own = {**trained, "blocking_rules_to_generate_predictions": []}
    blocking = {"engine": eng, "records": frame, "rules": list(caps.model.blocking)}
    full = eng.to_arrow(
        predict(Linker(frame, own, log_level=logging.WARNING), 0.01, **blocking)  # type: ignore[arg-type]
    )
    lean_linker = Linker(
        frame, {**own, "retain_matching_columns": False}, log_level=logging.WARNING
    )
    levels = levels_from_weights(lean_linker)
    assert levels is not None and set(levels) == {c["name"] for c in caps.model.comparisons}
    lean = predict(lean_linker, 0.01, **blocking)  # type: ignore[arg-type]
    assert not any(c.startswith("gamma_") for c in eng.to_arrow(lean).column_names)
    columns = caps.model.scored_columns(c for c in caps.table.column_names if c != "unique_id")
    columns = [c for c in columns if c not in ("list", "record_id")]
    ours = eng.to_arrow(with_values(eng, lean, frame, columns, levels))
    key = [("unique_id_l", "ascending"), ("unique_id_r", "ascending")]
    full, ours = full.sort_by(key), ours.sort_by(key)
    assert full.num_rows == ours.num_rows > 0
    assert set(full.column_names) <= set(ours.column_names)
    for name in full.column_names:
        assert ours.column(name).equals(full.column(name)), name
    # a level without its own weight cannot be read back from the weights
    tied = json.loads(json.dumps(trained))
    levels_of_sex = tied["comparisons"][
        [c["output_column_name"] for c in tied["comparisons"]].index("sex")
    ]
    for lv in levels_of_sex["comparison_levels"]:
        if not lv.get("is_null_level"):
            lv["m_probability"], lv["u_probability"] = 0.5, 0.5
    assert levels_from_weights(Linker(frame, tied, log_level=logging.WARNING)) is None


def test_pairs_found_in_background_only_in_one_chunk_on_duckdb() -> None:
    eng = make_engine("duckdb")
    table = _records()
    assert find_pairs_in_background(eng, table, ["l.a = r.a"], 25_000_001) is None
    assert find_pairs_in_background(eng, table, [], 10) is None
    pending = find_pairs_in_background(eng, table, ["l.a = r.a", "l.b = r.b"], 10)
    assert pending is not None
    rows = eng.db_api._con.sql(
        f"SELECT match_key, join_key_l, join_key_r FROM {pending.table()}"
    ).fetchall()
    assert sorted((str(k), int(a), int(b)) for k, a, b in rows) == _blocked(
        blocked_pairs_sql("t", ["l.a = r.a", "l.b = r.b"]), table
    )
    pending.discard()
    tables = eng.db_api._con.sql("SELECT table_name FROM duckdb_tables()").fetchall()
    assert (pending.name,) not in tables


def test_an_error_finding_pairs_in_background_reaches_the_caller() -> None:
    eng = make_engine("duckdb")
    pending = find_pairs_in_background(eng, _records(), ["l.no_such_column = r.a"], 10)
    assert pending is not None
    with pytest.raises(duckdb.BinderException, match="no_such_column"):
        pending.table()
    pending.discard()  # waits and drops nothing: no error of its own
