"""LCMCR: the latent-class model of Manrique-Vallier (2016), registered as ``lcmcr``.

The Gibbs sampler lives in ``model`` and its numba kernels in ``_kernels`` (loaded on first
use); this package holds the options and the registry entry, which import nothing numerical.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from inquest.estimate._lazy import forward
from inquest.estimate.registry import Step, keywords, option, register, running

if TYPE_CHECKING:
    from inquest.estimate.histories import CaptureHistories
    from inquest.estimate.lcmcr.model import (
        LcmcrChains,
        LcmcrEstimate,
        default_k,
        estimate_lcmcr,
    )
    from inquest.estimate.result import EstimateResult

__all__ = ["LcmcrChains", "LcmcrEstimate", "LcmcrOptions", "default_k", "estimate_lcmcr"]


@dataclass(frozen=True)
class LcmcrOptions:
    """Options of LCMCR: keyword arguments of ``estimate_lcmcr``."""

    K: int | None = option(
        None, "Truncation: latent classes (default min(2^J - 1, 15)).", flag="--K"
    )
    chains: int = option(4, "Chains (run in parallel threads).", flag="--chains")
    samples: int = option(2500, "Kept draws per chain.", flag="--samples")
    burnin: int = option(10_000, "Burn-in sweeps per chain.", flag="--burnin")
    thinning: int = option(
        50, "Sweeps per kept draw (N mixes slowly: see the docs).", flag="--thinning"
    )
    max_unobserved: int | None = option(
        None,
        "Cap on the unobserved count (default none; LCMCR_Strat's N_Max_factor times the "
        "observed count is the R package's). A cap that rejects draws binds.",
        flag="--max-unobserved",
    )
    a_alpha: float = option(0.25, "Shape of the Gamma prior on the concentration alpha.")
    b_alpha: float = option(0.25, "Rate of the Gamma prior on the concentration alpha.")
    workers: int | None = option(
        None, "Threads (default min(chains, cores)); the draws do not depend on it."
    )


@dataclass(frozen=True)
class LcmcrEstimator:
    """The registry entry of LCMCR."""

    name: str = "lcmcr"
    description: str = (
        "Latent-class model (Manrique-Vallier; the R package LCMCR): heterogeneity of capture "
        "in hidden groups, Gibbs sampler."
    )
    options_type: type[LcmcrOptions] = LcmcrOptions
    requires: tuple[str, ...] = ("numpy", "numba")

    def run(
        self,
        histories: CaptureHistories,
        options: LcmcrOptions,
        *,
        seed: int,
        level: float,
        progress: Step | None,
    ) -> EstimateResult:
        """Sample the posterior; its draws and chains are in the result."""
        from inquest.estimate.lcmcr.model import estimate_lcmcr

        shown = progress is not None  # the sampler's own bar, beside the run's
        return running(
            progress,
            lambda: estimate_lcmcr(
                histories.patterns,
                histories.counts,
                lists=histories.lists,
                seed=seed,
                level=level,
                progress=shown,
                **keywords(options),
            ),
        ).result


register(LcmcrEstimator())
__getattr__ = forward(__name__, "inquest.estimate.lcmcr.model")
