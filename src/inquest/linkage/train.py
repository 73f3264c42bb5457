"""Train: the prior, u by random sampling, m by EM, and optionally m from clerical labels."""

from __future__ import annotations

import json
import logging
from typing import Any

import pyarrow as pa

from inquest.linkage.engine import Engine
from inquest.linkage.settings import LinkageModel

__all__ = ["calibrate", "train"]

log = logging.getLogger(__name__)


def _rule(sql: str) -> dict[str, str]:
    return {"blocking_rule": sql, "sql_dialect": "duckdb"}


def train(
    linker: Any,
    model: LinkageModel,
    *,
    frame: Any,
    engine: Engine | None = None,
    labels: pa.Table | None = None,
) -> tuple[Any, list[str]]:
    """Estimate the Splink model's parameters; returns the trained linker and skipped sessions.

    The prior comes from the deterministic rules at the stated recall, u from random pairs
    (seeded), m from one EM session per ``training.em_blocking`` rule. ``labels`` (columns
    ``unique_id_l, unique_id_r, clerical_match_score``) add m estimates from clerical
    decisions after EM. Splink refuses an EM session that drives some m to 0 (leaving the
    model broken) or whose rule finds no pairs; such a session is rolled back (the linker is
    rebuilt on ``frame`` from the model before it) and reported.
    """
    from splink import Linker
    from splink.internals.exceptions import EMTrainingException

    t = model.training
    skipped: list[str] = []
    linker.training.estimate_probability_two_random_records_match(
        [_rule(r) for r in t.deterministic_rules], recall=t.deterministic_recall
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=t.u_max_pairs, seed=t.u_seed)
    for rule in t.em_blocking:
        before = linker.misc.save_model_to_json()
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                _rule(rule), estimate_without_term_frequencies=True
            )
        except (ValueError, EMTrainingException) as exc:
            # e.g. a list without fathers' names gives the father-name session no pairs
            log.warning("EM session on %s rolled back: %s", rule, exc)
            skipped.append(f"{rule}: {exc}")
            linker = Linker(frame, before, log_level=logging.WARNING, validate_settings=False)
    if labels is not None and labels.num_rows and engine is not None:
        registered = engine.register(labels, "inquest_labels")
        linker.training.estimate_m_from_pairwise_labels(registered)
    return linker, skipped


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
