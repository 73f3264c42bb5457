"""Train: the prior, u by random sampling, m by EM, and optionally m from clerical labels."""

from __future__ import annotations

import logging
from typing import Any

import pyarrow as pa

from inquest.linkage.engine import Engine
from inquest.linkage.settings import LinkageModel

__all__ = ["train"]

log = logging.getLogger(__name__)


def _rule(sql: str) -> dict[str, str]:
    return {"blocking_rule": sql, "sql_dialect": "duckdb"}


def train(
    linker: Any,
    model: LinkageModel,
    *,
    engine: Engine | None = None,
    labels: pa.Table | None = None,
) -> None:
    """Estimate the Splink model's parameters in place.

    The prior comes from the deterministic rules at the stated recall, u from random pairs
    (seeded), m from one EM session per ``training.em_blocking`` rule. ``labels`` (columns
    ``unique_id_l, unique_id_r, clerical_match_score``) add m estimates from clerical
    decisions after EM.
    """
    t = model.training
    linker.training.estimate_probability_two_random_records_match(
        [_rule(r) for r in t.deterministic_rules], recall=t.deterministic_recall
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=t.u_max_pairs, seed=t.u_seed)
    for rule in t.em_blocking:
        linker.training.estimate_parameters_using_expectation_maximisation(
            _rule(rule), estimate_without_term_frequencies=True
        )
    if labels is not None and labels.num_rows and engine is not None:
        registered = engine.register(labels, "inquest_labels")
        linker.training.estimate_m_from_pairwise_labels(registered)
