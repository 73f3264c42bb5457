"""The result every estimation method returns: estimate, interval, method, assumptions,
diagnostics, draws of N, method-specific details and what is needed to reproduce it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt


class MethodDetails:
    """What one method knows beyond the summary (posterior grids, chains), for plots.

    A method subclasses this (as a frozen dataclass) and overrides what it can draw; the
    run asks every result's details the same questions, whatever the method.
    """

    def contributions(self) -> tuple[npt.NDArray[Any], npt.NDArray[Any]] | None:
        """(values of N, one posterior over them per entry of the result's ``models``)."""
        return None

    def chain_traces(self) -> Mapping[str, npt.NDArray[Any]] | None:
        """Per-chain traces of sampled quantities (arrays of shape (chains, draws)), or None."""
        return None


@dataclass(frozen=True)
class EstimateResult:
    """One method's estimate of the total population N from capture histories.

    ``n_observed`` persons were recorded by at least one list; ``estimate`` is the point
    estimate of N (posterior median for Bayesian methods, MLE for log-linear ones) with a
    ``level`` (default 95%) interval ``[lower, upper]``. ``undocumented`` is
    ``estimate - n_observed`` with its interval. ``draws`` are draws of N (posterior draws or
    bootstrap replicates; strata are combined by summing them) and ``details`` the method's
    own data for plots; neither goes to ``to_dict``.
    """

    method: str
    n_observed: int
    estimate: float
    lower: float
    upper: float
    level: float = 0.95
    point: str = "median"  # "median", "mle", "mode" ...
    interval: str = "credible"  # "credible", "profile-likelihood", "bootstrap" ...
    assumptions: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    diagnostics: dict[str, Any] = field(default_factory=dict)
    models: list[dict[str, Any]] = field(default_factory=list)  # model/graph weights
    settings: dict[str, Any] = field(default_factory=dict)  # priors, K, chains, seed ...
    seed: int | None = None
    input_hash: str | None = None
    inquest_version: str | None = None
    lists: tuple[str, ...] = ()
    stratum: str | None = None
    draws: npt.NDArray[Any] = field(default_factory=lambda: np.empty(0), compare=False, repr=False)
    details: MethodDetails | None = field(default=None, compare=False, repr=False)

    @property
    def undocumented(self) -> float:
        return self.estimate - self.n_observed

    @property
    def undocumented_interval(self) -> tuple[float, float]:
        return (self.lower - self.n_observed, self.upper - self.n_observed)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``estimate.json`` holds one per method)."""
        out = asdict(replace(self, draws=np.empty(0), details=None))
        del out["draws"], out["details"]
        out["undocumented"] = self.undocumented
        out["undocumented_lower"], out["undocumented_upper"] = self.undocumented_interval
        out["assumptions"] = list(self.assumptions)
        out["warnings"] = list(self.warnings)
        out["lists"] = list(self.lists)
        return out
