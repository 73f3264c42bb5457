"""dga: Bayesian model averaging over decomposable graphs, registered as ``dga``.

The method lives in ``model`` (loaded on first use); this package holds its options and the
registry entry, which import nothing numerical.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from inquest.estimate._lazy import forward
from inquest.estimate.registry import Step, keywords, option, register, running

if TYPE_CHECKING:
    from inquest.estimate.dga.model import DgaEstimate, DgaPosterior, estimate_dga
    from inquest.estimate.histories import CaptureHistories
    from inquest.estimate.result import EstimateResult

# The method's other names (posterior_weights, MadiganYorkPrior ...) are read from ``model``
# on first use.
__all__ = [
    "PRIOR_NAMES",
    "DgaEstimate",
    "DgaEstimator",
    "DgaOptions",
    "DgaPosterior",
    "estimate_dga",
]

#: The priors on N that have a name (``estimate_dga`` also takes a callable).
PRIOR_NAMES = ("inverse", "uniform", "rissanen")


@dataclass(frozen=True)
class DgaOptions:
    """Options of dga: keyword arguments of ``estimate_dga``."""

    delta: float | None = option(
        None, "Hyper-Dirichlet prior weight per cell (default 2^-J).", flag="--delta"
    )
    prior_n: Literal["inverse", "uniform", "rissanen"] = option(
        "inverse", "Prior on N: inverse (1/N), uniform or rissanen.", flag="--prior-n"
    )
    n_missing_min: int = option(0, "Smallest missing count on the grid.")
    n_missing_max: int | None = option(
        None, "Largest missing count on the grid (default: where the posterior has ended)."
    )
    sensitivity: tuple[float, ...] | None = option(
        None, "Other deltas to rerun with, comma-separated (default 2^-J and 1; empty: none)."
    )
    top_graphs: int = option(10, "Graphs summarised in the result.")
    n_draws: int = option(10_000, "Draws of N taken from the posterior (to combine strata).")


@dataclass(frozen=True)
class DgaEstimator:
    """The registry entry of dga."""

    name: str = "dga"
    description: str = (
        "Bayesian model averaging over decomposable graphical models (Madigan & York; the R "
        "package dga)."
    )
    options_type: type[DgaOptions] = DgaOptions
    requires: tuple[str, ...] = ("numpy", "scipy")

    def run(
        self,
        histories: CaptureHistories,
        options: DgaOptions,
        *,
        seed: int,
        level: float,
        progress: Step | None,
    ) -> EstimateResult:
        """The model-averaged posterior; its draws and grid are in the result."""
        from inquest.estimate.dga.model import estimate_dga

        patterns, counts, lists = histories.patterns, histories.counts, histories.lists
        kwargs = keywords(options)
        return running(
            progress,
            lambda: estimate_dga(patterns, counts, lists=lists, level=level, seed=seed, **kwargs),
        ).result


register(DgaEstimator())
__getattr__ = forward(__name__, "inquest.estimate.dga.model")
