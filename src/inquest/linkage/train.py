"""Train: the prior, u by random sampling, m by EM, and optionally m from clerical labels.

On DuckDB, given the records as Arrow, training uses both cores (Splink's keeps about one
busy at up to a few hundred thousand records), each piece beside the main thread on a
DuckDB database of its own:

- u of the comparisons named in ``training.u_sampled_beside`` is sampled beside the others.
  Splink's sample is a hash of the record ids and the seed, so both parts see the same
  pairs, and u is exactly what one pass gives.
- with ``training.em_sessions_in_parallel``, every EM session after the first runs beside
  the first, from the same starting model. Each level's m is then the median of the
  sessions that trained it, as Splink merges sessions run one after another; only the
  starting values differ (one after another, a session starts from the sessions before it).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any

import pyarrow as pa

from inquest.linkage._threads import beside
from inquest.linkage.engine import Engine, make_engine
from inquest.linkage.settings import LinkageModel

__all__ = ["BESIDE_MAX_RECORDS", "BESIDE_MEMORY", "calibrate", "silent_comparisons", "train"]

log = logging.getLogger(__name__)

#: DuckDB's memory limit on each database that trains beside the main one.
BESIDE_MEMORY = "2GB"

#: Above this many records training runs on the main database alone: there DuckDB's own
#: queries keep both cores busy, and the databases beside cost memory for no time gained
#: (docs/methodology/linkage.md, "Measurements behind the settings").
BESIDE_MAX_RECORDS = 300_000


def _rule(sql: str) -> dict[str, str]:
    return {"blocking_rule": sql, "sql_dialect": "duckdb"}


@contextmanager
def _linker_beside(
    records: pa.Table, name: str, settings: dict[str, Any]
) -> Iterator[tuple[Any, Any]]:
    """A linker of ``settings`` on a DuckDB database of its own, over the same records
    (registered as ``name``), and the records' frame there; the database is closed after
    (the linker keeps its trained values)."""
    from splink import Linker

    engine = make_engine("duckdb", memory_limit=BESIDE_MEMORY)
    try:
        frame = engine.register(records, name)
        yield Linker(frame, settings, log_level=logging.WARNING, validate_settings=False), frame
    finally:
        engine.close()


def _levels(linker: Any) -> dict[str, list[Any]]:
    """Each comparison's levels (not the null level), by the comparison's output name."""
    return {
        c.output_column_name: c._comparison_levels_excluding_null
        for c in linker._settings_obj.comparisons
    }


def _take_trained(linker: Any, trained: Any, kind: str) -> None:
    """Add the m or u values ``trained`` (another linker) estimated to ``linker``'s record of
    trained values, comparison by comparison, level by level."""
    mine = _levels(linker)
    for name, levels in _levels(trained).items():
        for ours, theirs in zip(mine[name], levels, strict=True):
            getattr(ours, f"_trained_{kind}_probabilities").extend(
                getattr(theirs, f"_trained_{kind}_probabilities")
            )


def silent_comparisons(linker: Any, frame: Any, records: pa.Table) -> frozenset[str]:
    """The comparisons no pair of ``records`` can inform: every column they read is empty on
    every record (FEBRL has no father, prison or burial), and two such records fall in the
    null level. Every pair then falls there, so random pairs observe none of their levels,
    however many are sampled: sampling u for them changes no value and no score."""
    if records.num_rows < 2:
        return frozenset()
    con = linker._db_api._con
    out = set()
    for comp in linker._settings_obj.comparisons:
        columns = [c.input_name for c in comp._input_columns_used_by_case_statement]
        if not columns or any(
            c not in records.column_names or records.column(c).null_count < records.num_rows
            for c in columns
        ):
            continue
        one = f"(SELECT * FROM {frame.physical_name} LIMIT 1)"  # noqa: S608 (Splink's table)
        pair = ", ".join(f'l."{c}" AS "{c}_l", r."{c}" AS "{c}_r"' for c in columns)
        sql = f"SELECT {comp._case_statement} FROM (SELECT {pair} FROM {one} AS l, {one} AS r)"  # noqa: S608
        if con.execute(sql).fetchall()[0][0] == -1:
            out.add(comp.output_column_name)
    return frozenset(out)


def _u_in_two_parts(linker: Any, model: LinkageModel, frame: Any, records: pa.Table) -> None:
    """Sample u of ``training.u_sampled_beside`` beside the other comparisons' u (none of
    the :func:`silent_comparisons`)."""
    from splink import Linker

    t = model.training
    settings = linker.misc.save_model_to_json()
    silent = silent_comparisons(linker, frame, records)
    sampled = [c for c in settings["comparisons"] if c["output_column_name"] not in silent]
    chosen = [c for c in sampled if c["output_column_name"] in t.u_sampled_beside]
    others = [c for c in sampled if c not in chosen]

    def sample(part: Any) -> Any:
        part.training.estimate_u_using_random_sampling(max_pairs=t.u_max_pairs, seed=t.u_seed)
        return part

    def sample_beside() -> Any:
        only_chosen = {**settings, "comparisons": chosen}
        with _linker_beside(records, frame.templated_name, only_chosen) as (part, _):
            return sample(part)

    side = beside(sample_beside, "inquest-u") if chosen else None
    if others:
        here = Linker(
            frame,
            {**settings, "comparisons": others},
            log_level=logging.WARNING,
            validate_settings=False,
        )
        _take_trained(linker, sample(here), "u")
    if side is not None:
        _take_trained(linker, side.result(), "u")
    linker._populate_m_u_from_trained_values()


def _em_session(linker: Any, frame: Any, rule: str) -> tuple[Any, str | None]:
    """One EM session; Splink refuses one that drives some m to 0 (leaving the model broken)
    or whose rule finds no pairs: it is rolled back (the linker rebuilt on ``frame`` from the
    model before it) and its error returned."""
    from splink import Linker
    from splink.internals.exceptions import EMTrainingException

    before = linker.misc.save_model_to_json()
    try:
        linker.training.estimate_parameters_using_expectation_maximisation(
            _rule(rule), estimate_without_term_frequencies=True
        )
    except (ValueError, EMTrainingException) as exc:
        # e.g. a list without fathers' names gives the father-name session no pairs
        log.warning("EM session on %s rolled back: %s", rule, exc)
        rebuilt = Linker(frame, before, log_level=logging.WARNING, validate_settings=False)
        return rebuilt, f"{rule}: {exc}"
    return linker, None


def _em_beside(records: pa.Table, name: str, start: dict[str, Any], rule: str) -> Future[Any]:
    def run() -> tuple[Any, str | None]:
        with _linker_beside(records, name, start) as (linker, frame):
            return _em_session(linker, frame, rule)

    return beside(run, "inquest-em")


def train(
    linker: Any,
    model: LinkageModel,
    *,
    frame: Any,
    engine: Engine | None = None,
    labels: pa.Table | None = None,
    records: pa.Table | None = None,
) -> tuple[Any, list[str]]:
    """Estimate the Splink model's parameters; returns the trained linker and skipped sessions.

    The prior comes from the deterministic rules at the stated recall, u from random pairs
    (seeded), m from one EM session per ``training.em_blocking`` rule. ``labels`` (columns
    ``unique_id_l, unique_id_r, clerical_match_score``) add m estimates from clerical
    decisions after EM. A session Splink refuses is rolled back and reported. ``records``:
    the Arrow table ``frame`` was registered from; on DuckDB, up to
    :data:`BESIDE_MAX_RECORDS` records, it lets training run on both cores (see the module's
    docstring).
    """
    t = model.training
    skipped: list[str] = []
    in_parallel = (
        records is not None
        and records.num_rows <= BESIDE_MAX_RECORDS
        and engine is not None
        and engine.name == "duckdb"
    )
    linker.training.estimate_probability_two_random_records_match(
        [_rule(r) for r in t.deterministic_rules], recall=t.deterministic_recall
    )
    if in_parallel and t.u_sampled_beside and records is not None:
        _u_in_two_parts(linker, model, frame, records)
    else:
        linker.training.estimate_u_using_random_sampling(max_pairs=t.u_max_pairs, seed=t.u_seed)
    sessions = list(t.em_blocking)
    side: dict[str, Future[Any]] = {}
    if in_parallel and t.em_sessions_in_parallel and records is not None and len(sessions) > 1:
        start = linker.misc.save_model_to_json()
        side = {r: _em_beside(records, frame.templated_name, start, r) for r in sessions[1:]}
        sessions = sessions[:1]
    for rule in sessions:
        linker, error = _em_session(linker, frame, rule)
        if error:
            skipped.append(error)
    for rule in side:
        trained, error = side[rule].result()
        if error:
            skipped.append(error)
        else:
            _take_trained(linker, trained, "m")
    if side:
        linker._populate_m_u_from_trained_values()
    matches = _matches(labels)
    if matches is not None and matches.num_rows and engine is not None:
        # Splink reads every labelled pair as a match (it ignores clerical_match_score), so
        # a reviewer's non-matches are left out here; they act as cannot-links.
        registered = engine.register(matches, "inquest_labels")
        linker.training.estimate_m_from_pairwise_labels(registered)
    return linker, skipped


def _matches(labels: pa.Table | None) -> pa.Table | None:
    """The labelled pairs a reviewer called a match (``clerical_match_score`` 1)."""
    if labels is None or "clerical_match_score" not in labels.column_names:
        return labels
    import pyarrow.compute as pc

    return labels.filter(pc.equal(labels.column("clerical_match_score"), pa.scalar(1.0)))


def calibrate(model_json: dict[str, Any], floor: float = 1e-3) -> dict[str, Any]:
    """Keep every trained m at least ``floor`` (then renormalise per comparison).

    EM can drive an m probability to 0 for a level its blocked pairs never show (e.g. "birth
    dates within 31 days" when training blocked on equal dates). A zero m makes one
    comparison veto any pair with a weight of -100 or worse; a floor keeps every level's
    evidence finite, so other comparisons can still outweigh it.
    """
    out: dict[str, Any] = json.loads(json.dumps(model_json))
    for comp in out["comparisons"]:
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        # u comes from random sampling: tiny values there are real (rare agreements) and
        # must stay; only m is floored.
        for key in ("m_probability",):
            trained = [lv for lv in levels if lv.get(key) is not None]
            if not trained:
                continue
            for lv in trained:
                lv[key] = max(float(lv[key]), floor)
            total = sum(lv[key] for lv in trained)
            for lv in trained:
                lv[key] = lv[key] / total
    return out
