"""Tests for inquest.linkage.train: training on both cores gives what one core gives."""

from __future__ import annotations

import dataclasses
import logging
import tempfile
from pathlib import Path
from typing import Any

import pytest

from inquest.io import read_list
from inquest.linkage.caps import cap_blocks
from inquest.linkage.engine import make_engine
from inquest.linkage.prepare import prepare
from inquest.linkage.settings import LinkageModel, load_model, splink_settings
from inquest.linkage.train import train

DATA = Path(__file__).parent / "data"


def _trained(
    model: LinkageModel, *, beside: bool, labels: Any = None
) -> tuple[dict[str, Any], list[str]]:
    """The trained model JSON on fake_1000_part, on both cores (``beside``) or on one."""
    from splink import Linker

    caps = cap_blocks(prepare(read_list(DATA / "fake_1000_part.csv")), model)
    eng = make_engine("duckdb")
    frame = eng.register(caps.table, "inquest_records")
    linker = Linker(frame, splink_settings(caps.model), log_level=logging.WARNING)
    records = caps.table if beside else None
    linker, skipped = train(
        linker, caps.model, frame=frame, engine=eng, records=records, labels=labels
    )
    return linker.misc.save_model_to_json(), skipped


def _probabilities(model_json: dict[str, Any], key: str) -> dict[tuple[str, int], float]:
    return {
        (c["output_column_name"], i): lv[key]
        for c in model_json["comparisons"]
        for i, lv in enumerate(c["comparison_levels"])
        if lv.get(key) is not None
    }


@pytest.mark.slow
def test_training_beside_gives_the_same_u_and_m_within_em_tolerance() -> None:
    model = load_model()
    assert model.training.u_sampled_beside and model.training.em_sessions_in_parallel
    one, skipped_one = _trained(model, beside=False)
    spills = set(Path(tempfile.gettempdir()).glob("inquest-duckdb-*"))
    both, skipped_both = _trained(model, beside=True)
    # the databases beside are closed and their spill folders gone: only the main one's stays
    assert len(set(Path(tempfile.gettempdir()).glob("inquest-duckdb-*")) - spills) == 1
    assert skipped_one == skipped_both
    # u: the same sample, split by comparison: exactly the same values
    assert _probabilities(both, "u_probability") == _probabilities(one, "u_probability")
    assert one["probability_two_random_records_match"] == pytest.approx(
        both["probability_two_random_records_match"]
    )
    # m: the later EM sessions start from the model before EM, not from the first session
    m_one, m_both = _probabilities(one, "m_probability"), _probabilities(both, "m_probability")
    assert m_one.keys() == m_both.keys()
    assert max(abs(m_one[k] - m_both[k]) for k in m_one) < 0.02
    # (the sessions did run beside each other: one after another gives exactly the same m)
    assert sum(m_one[k] != m_both[k] for k in m_one) > 0


@pytest.mark.slow
def test_a_session_beside_that_finds_no_pairs_is_reported() -> None:
    model = load_model()
    never = "l.birth_lo = r.birth_lo AND l.birth_lo > 99999999"
    training = dataclasses.replace(model.training, em_blocking=(*model.training.em_blocking, never))
    _, skipped = _trained(dataclasses.replace(model, training=training), beside=True)
    assert [s for s in skipped if s.startswith(never)]


@pytest.mark.slow
def test_a_big_run_trains_on_the_main_database_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    from inquest.linkage import train as training

    model = load_model()
    one, _ = _trained(model, beside=False)
    monkeypatch.setattr(training, "BESIDE_MAX_RECORDS", 10)
    big, _ = _trained(model, beside=True)
    # one after another, as on one core (DuckDB's parallel sums differ in the last digit
    # from run to run; EM beside the first session moves m by up to 0.02)
    m_big, m_one = _probabilities(big, "m_probability"), _probabilities(one, "m_probability")
    assert m_big == pytest.approx(m_one, rel=1e-9, abs=1e-12)


@pytest.mark.slow
def test_a_reviewers_non_matches_do_not_train_m_as_matches() -> None:
    """Splink reads every labelled pair as a match; the non-matches must not reach it."""
    import pyarrow as pa

    model = load_model()
    plain, _ = _trained(model, beside=False)
    non_matches = pa.table(
        {
            "unique_id_l": pa.array([0, 2, 4], pa.int64()),
            "unique_id_r": pa.array([150, 200, 250], pa.int64()),
            "clerical_match_score": pa.array([0.0, 0.0, 0.0]),
        }
    )
    labelled, _ = _trained(model, beside=False, labels=non_matches)
    # equal up to float rounding: DuckDB may sum EM's expectations in another order
    assert _probabilities(labelled, "m_probability") == pytest.approx(
        _probabilities(plain, "m_probability"), rel=1e-9
    )


def test_silent_comparisons_are_those_no_record_informs() -> None:
    import pyarrow as pa
    from splink import Linker

    from inquest.linkage.train import silent_comparisons

    model = load_model()
    caps = cap_blocks(prepare(read_list(DATA / "fake_1000_part.csv")), model)
    table, model = caps.table, caps.model
    for column in ("father_key", "father_skel"):
        at = table.column_names.index(column)
        table = table.set_column(at, column, pa.nulls(table.num_rows, pa.string()))
    eng = make_engine("duckdb")
    frame = eng.register(table, "inquest_records")
    linker = Linker(frame, splink_settings(model), log_level=logging.WARNING)
    silent = silent_comparisons(linker, frame, table)
    assert "father" in silent
    assert "name" not in silent and "birth" not in silent
    # one record with a father's name: pairs can reach the father's levels again
    at = table.column_names.index("father_skel")
    fathers = pa.array(["HSN"] + [None] * (table.num_rows - 1), pa.string())
    informed = table.set_column(at, "father_skel", fathers)
    frame = eng.register(informed, "inquest_records_informed")
    linker = Linker(frame, splink_settings(model), log_level=logging.WARNING)
    assert "father" not in silent_comparisons(linker, frame, informed)
