"""Priors on the population size N for dga: named ones, Madigan & York's, or a callable.

A prior is a function from an array of N values to log p(N) up to a constant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import gammaln

from inquest.errors import ConfigError
from inquest.estimate.dga import PRIOR_NAMES

FloatArray = npt.NDArray[np.float64]
LogPrior = Callable[[FloatArray], FloatArray]


@dataclass(frozen=True)
class MadiganYorkPrior:
    """Madigan & York's (1997) negative-binomial-type prior on N.

    log p(N) = N log b - (N + a) log(1 + b) + lgamma(N + a) - lgamma(N + 1) - lgamma(a); their
    spina-bifida example uses a = 13.14, b = 55.17.
    """

    a: float
    b: float

    def __post_init__(self) -> None:
        if not (self.a > 0 and self.b > 0):
            raise ConfigError("a and b must both be positive", key="prior_n")

    def __call__(self, N: FloatArray) -> FloatArray:
        a, b = self.a, self.b
        out: FloatArray = (
            N * np.log(b) - (N + a) * np.log1p(b) + gammaln(N + a) - gammaln(N + 1.0) - gammaln(a)
        )
        return out


def _inverse(N: FloatArray) -> FloatArray:
    """p(N) proportional to 1/N: dga's default (``bma.cr`` with ``logprior = NULL``)."""
    out: FloatArray = -np.log(N)
    return out


def _uniform(N: FloatArray) -> FloatArray:
    """A flat prior on N (improper: the posterior may be too, so watch the grid-edge mass)."""
    return np.zeros_like(N, dtype=np.float64)


def _rissanen(N: FloatArray) -> FloatArray:
    """Rissanen's (1983) universal prior for integers: p(N) proportional to 2^-log*(N).

    log*(N) = log2 N + log2 log2 N + ..., summing only the positive terms.
    """
    total = np.zeros_like(N, dtype=np.float64)
    term = np.log2(np.maximum(N, 1.0))
    while np.any(term > 0):
        positive = term > 0
        total += np.where(positive, term, 0.0)
        term = np.where(positive, np.log2(np.where(positive, term, 1.0)), 0.0)
    out: FloatArray = -np.log(2.0) * total
    return out


_NAMED: dict[str, LogPrior] = {"inverse": _inverse, "uniform": _uniform, "rissanen": _rissanen}


def resolve_prior(prior_n: str | MadiganYorkPrior | LogPrior) -> tuple[LogPrior, dict[str, Any]]:
    """The log-prior function and a JSON-ready description of it for the result's settings."""
    if isinstance(prior_n, str):
        if prior_n not in _NAMED:
            raise ConfigError(
                f"unknown prior on N {prior_n!r}; choose one of {', '.join(PRIOR_NAMES)}, "
                "a MadiganYorkPrior(a, b) or a callable returning log p(N)",
                key="prior_n",
            )
        return _NAMED[prior_n], {"name": prior_n}
    if isinstance(prior_n, MadiganYorkPrior):
        return prior_n, {"name": "madigan-york", "a": prior_n.a, "b": prior_n.b}
    if callable(prior_n):
        name = getattr(prior_n, "__qualname__", type(prior_n).__name__)
        return prior_n, {"name": "custom", "callable": str(name)}
    raise ConfigError("prior_n must be a name, a MadiganYorkPrior or a callable", key="prior_n")
