"""The prior (the share of all record pairs that match), estimated again from the scored pairs.

Training starts from a prior Splink estimates with deterministic rules and an assumed recall
(``training.deterministic_recall``): a guess, far too small on lists whose names are diverse
or spelt in many ways (a rare, agreeing name then never outweighs it). With m and u fixed,
the prior that makes the model consistent with the data is the fixed point of the EM update
for a two-class mixture:

    prior = sum over pairs of P(match | pair, prior) / number of pairs.

The sum runs over the kept pairs (candidates at or above the keep threshold). The pairs left
out bias the refit low: a little when matches score far above non-matches, more when they do
not (a model whose matches score no better than ten bits above the prior would drift towards
no matches at all; tests/linkage/test_prior.py). What it did on simulated worlds is in
docs/methodology/linkage.md. The pairs' match weights are first counted in bins of 1/128 bit
(one SQL pass; the iterations then run on a few thousand bins, whatever the number of pairs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from inquest.linkage.engine import Engine

__all__ = ["PriorFit", "apply_prior", "refit_prior", "weight_histogram"]

_BINS_PER_BIT = 128


@dataclass(frozen=True)
class PriorFit:
    """The prior training gave, the refitted one, and the shift of every weight in bits."""

    trained: float
    refit: float
    iterations: int

    @property
    def shift_bits(self) -> float:
        """What each pair's match weight gains (negative: loses) with the refitted prior."""
        return _logit2(self.refit) - _logit2(self.trained)


def _logit2(p: float) -> float:
    return math.log2(p / (1.0 - p))


def refit_prior(
    weights: np.ndarray[Any, Any],
    counts: np.ndarray[Any, Any],
    *,
    trained: float,
    pairs: float,
    tolerance: float = 1e-6,
    max_iterations: int = 500,
) -> PriorFit:
    """The fixed point of ``prior = sum(count * P(match)) / pairs``.

    ``weights`` are match weights (log2 odds) scored with the ``trained`` prior, ``counts``
    how many pairs have each; ``pairs`` is the number of record pairs in all.
    """
    if not 0.0 < trained < 1.0:
        raise ValueError(f"the trained prior must be in (0, 1), not {trained}")
    if pairs <= 0:
        raise ValueError("no record pairs")
    base = np.asarray(weights, dtype=np.float64) - _logit2(trained)
    n = np.asarray(counts, dtype=np.float64)
    prior = trained
    for i in range(1, max_iterations + 1):
        expected = float(np.sum(n / (1.0 + np.exp2(-(base + _logit2(prior))))))
        # never 0 or 1: a model with no matching pair left is a fault of the data, not a prior
        new = min(max(expected / pairs, 1e-12), 0.5)
        if abs(new - prior) <= tolerance * prior:
            return PriorFit(trained, new, i)
        prior = new
    return PriorFit(trained, prior, max_iterations)


def weight_histogram(
    engine: Engine, predictions: Any
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The kept pairs' match weights in bins of 1/128 bit: bin centres and counts."""
    scale = _BINS_PER_BIT
    sql = (
        f"SELECT CAST(round(match_weight * {scale}) AS BIGINT) AS w, count(*) AS n "  # noqa: S608 (Splink's table)
        f"FROM {predictions.physical_name} GROUP BY 1"
    )
    table = engine.sql_arrow(sql)
    weights = np.asarray(table.column("w").to_numpy(), dtype=np.float64) / scale
    return weights, np.asarray(table.column("n").to_numpy(), dtype=np.float64)


def apply_prior(engine: Engine, predictions: Any, fit: PriorFit, threshold: float) -> Any:
    """A view of the predictions scored with the refitted prior, those at ``threshold`` or
    above. Every match weight shifts by the same number of bits; probabilities follow."""
    shift = fit.shift_bits
    weight = f"(match_weight + {shift!r})"
    probability = f"(1.0 / (1.0 + pow(2.0, -{weight})))"
    source = predictions.physical_name
    name = engine.new_table_name("inquest_predictions_refit")
    select = (
        f"SELECT {weight} AS match_weight, {probability} AS match_probability, "  # noqa: S608 (Splink's table, a number)
        f"* EXCLUDE (match_weight, match_probability) FROM {source} "
        f"WHERE {probability} >= {threshold!r}"
    )
    # A view: the shift is computed as the pairs are read, so the kept pairs (a run's largest
    # table at scale) are not copied; the scored table stays beneath it.
    if engine.name == "duckdb":
        engine.db_api._con.execute(f"CREATE VIEW {name} AS {select}")
        return engine.db_api.register(name, table_name=name)
    engine.db_api.spark.sql(select.replace("EXCLUDE", "EXCEPT")).createOrReplaceTempView(name)
    return engine.db_api.register(name, table_name=f"{name}_sdf")
