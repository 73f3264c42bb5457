"""The result every estimation method returns: estimate, interval, method, assumptions,
diagnostics and what is needed to reproduce it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class EstimateResult:
    """One method's estimate of the total population N from capture histories.

    ``n_observed`` persons were recorded by at least one list; ``estimate`` is the point
    estimate of N (posterior median for Bayesian methods, MLE for log-linear ones) with a
    ``level`` (default 95%) interval ``[lower, upper]``. ``undocumented`` is
    ``estimate - n_observed`` with its interval.
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

    @property
    def undocumented(self) -> float:
        return self.estimate - self.n_observed

    @property
    def undocumented_interval(self) -> tuple[float, float]:
        return (self.lower - self.n_observed, self.upper - self.n_observed)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``estimate.json`` holds one per method)."""
        out = asdict(self)
        out["undocumented"] = self.undocumented
        out["undocumented_lower"], out["undocumented_upper"] = self.undocumented_interval
        out["assumptions"] = list(self.assumptions)
        out["warnings"] = list(self.warnings)
        out["lists"] = list(self.lists)
        return out
