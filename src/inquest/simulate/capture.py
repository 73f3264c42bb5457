"""Capture model: which synthetic people each source records, heterogeneously and dependently.

For person i and source j (in scenario order)::

    logit p_ij = a_j + b_j·visibility_i + c_j[prison_i] + d_j[residence_i] + s_j[sex_i]
                 + sum over earlier sources k of e_jk·y_ik

where visibility is a latent standard normal shared by all sources (heterogeneity, and
positive dependence between sources with b > 0), y_ik is whether source k recorded person i
(explicit dependence, positive or negative), and a_j is solved so that the mean of p_ij over
the population equals the source's ``rate``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit

from inquest.simulate.population import Covariates, draw_covariates, streams
from inquest.simulate.scenario import Scenario, Source

__all__ = ["CaptureSample", "draw_captures", "simulate_captures"]


@dataclass(frozen=True)
class CaptureSample:
    """A world's captures without names: true N, the n×J capture matrix and covariates."""

    n: int
    lists: tuple[str, ...]
    captures: np.ndarray
    probabilities: np.ndarray
    intercepts: np.ndarray
    covariates: Covariates

    def observed(self) -> np.ndarray:
        """Capture histories (rows) of the people at least one source recorded."""
        return np.asarray(self.captures[self.captures.any(axis=1)])

    def history_counts(self) -> dict[tuple[int, ...], int]:
        """Number of people with each observed capture history (1 = recorded by that list)."""
        obs = self.observed().astype(np.int64)
        if obs.size == 0:
            return {}
        codes = obs @ (1 << np.arange(obs.shape[1], dtype=np.int64))
        values, counts = np.unique(codes, return_counts=True)
        j = obs.shape[1]
        return {
            tuple(int((v >> b) & 1) for b in range(j)): int(c)
            for v, c in zip(values, counts, strict=True)
        }


def _linear_part(scenario: Scenario, source: Source, cov: Covariates) -> np.ndarray:
    cap = source.capture
    x = cap.visibility * cov.visibility
    if cap.prison:
        effect = np.array([cap.prison.get(p.id, 0.0) for p in scenario.prisons])
        x = x + effect[cov.prison]
    if cap.residence:
        effect = np.array([cap.residence.get(c.id, 0.0) for c in scenario.cities])
        x = x + effect[cov.residence]
    if cap.sex:
        x = x + np.where(cov.male, cap.sex.get("male", 0.0), cap.sex.get("female", 0.0))
    return np.asarray(x, dtype=np.float64)


def _intercept(x: np.ndarray, rate: float) -> float:
    """The a with mean(expit(a + x)) == rate (monotone in a, so a bracketing root)."""

    def gap(a: float) -> float:
        return float(expit(a + x).mean()) - rate

    lo, hi = -40.0, 40.0
    return float(brentq(gap, lo, hi, xtol=1e-10))


def draw_captures(
    scenario: Scenario, cov: Covariates, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Capture matrix (n×J bool), probabilities (n×J) and solved intercepts (J)."""
    n = len(cov)
    j_total = len(scenario.sources)
    caps = np.zeros((n, j_total), dtype=bool)
    probs = np.zeros((n, j_total), dtype=np.float64)
    intercepts = np.zeros(j_total)
    names = [s.name for s in scenario.sources]
    for j, src in enumerate(scenario.sources):
        x = _linear_part(scenario, src, cov)
        for other, e in src.capture.depends_on.items():
            x = x + e * caps[:, names.index(other)]
        a = _intercept(x, src.capture.rate)
        p = expit(a + x)
        caps[:, j] = rng.random(n) < p
        probs[:, j] = p
        intercepts[j] = a
    return caps, probs, intercepts


def simulate_captures(scenario: Scenario, seed: int) -> CaptureSample:
    """Draw a world's people and captures without names or files (fast, for coverage studies).

    Same scenario and seed give the same people and captures as :func:`inquest.simulate.simulate`.
    """
    rngs = streams(seed, len(scenario.sources))
    cov = draw_covariates(scenario, rngs[0])
    caps, probs, intercepts = draw_captures(scenario, cov, rngs[2])
    return CaptureSample(
        n=scenario.population,
        lists=tuple(s.name for s in scenario.sources),
        captures=caps,
        probabilities=probs,
        intercepts=intercepts,
        covariates=cov,
    )
