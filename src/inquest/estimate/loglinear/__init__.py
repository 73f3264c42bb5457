"""Log-linear (Poisson GLM) multiple systems estimation, registered as ``loglinear``.

The method lives in ``model`` (loaded on first use); this package holds its options and the
registry entry, which import nothing numerical.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from inquest.estimate._lazy import forward
from inquest.estimate.registry import Step, keywords, option, register

if TYPE_CHECKING:
    from inquest.estimate.histories import CaptureHistories
    from inquest.estimate.loglinear.model import (
        ASSUMPTIONS,
        STUDY_COVERAGE,
        LoglinearEstimate,
        coverage_warning,
        estimate_loglinear,
        fit_loglinear,
    )
    from inquest.estimate.result import EstimateResult

__all__ = [
    "ASSUMPTIONS",
    "STUDY_COVERAGE",
    "LoglinearEstimate",
    "LoglinearOptions",
    "coverage_warning",
    "estimate_loglinear",
    "fit_loglinear",
]


def _pairs(text: str) -> tuple[tuple[int, int], ...]:
    """``"0:1,1:2"`` (0-based list indices) as ((0, 1), (1, 2))."""
    out = []
    for item in text.split(","):
        a, sep, b = item.partition(":")
        if not sep:
            raise ValueError("expected pairs of list indices such as 0:1,1:2")
        out.append((int(a), int(b)))
    return tuple(out)


@dataclass(frozen=True)
class LoglinearOptions:
    """Options of the log-linear method: keyword arguments of ``fit_loglinear``."""

    selection: Literal["stepwise", "independence", "aic", "bic", "fixed"] = option(
        "stepwise",
        "Model: stepwise (SparseMSE), independence, aic, bic, or fixed (with terms).",
        flag="--selection",
    )
    n_boot: int = option(
        1000,
        "Bootstrap resamples (0: none); each repeats the selection (with bic/aic on 5 lists "
        "that is ~1,000 model fits per resample: use a few hundred).",
        flag="--n-boot",
    )
    interval: Literal["bootstrap", "bootstrap-bca", "profile", "wald-log"] = option(
        "bootstrap", "Headline interval: bootstrap, bootstrap-bca, profile or wald-log."
    )
    pthresh: float = option(0.02, "Stepwise: add a two-list term while its p-value is below.")
    terms: tuple[tuple[int, int], ...] | None = option(
        None, "Fixed model: two-list terms as 0-based index pairs, e.g. 0:1,1:2.", parse=_pairs
    )


@dataclass(frozen=True)
class LoglinearEstimator:
    """The registry entry of the log-linear method."""

    name: str = "loglinear"
    description: str = (
        "Poisson log-linear models with two-list interactions (SparseMSE stepwise, AIC/BIC); "
        "bootstrap that repeats the selection."
    )
    options_type: type[LoglinearOptions] = LoglinearOptions
    requires: tuple[str, ...] = ("numpy", "scipy")

    def run(
        self,
        histories: CaptureHistories,
        options: LoglinearOptions,
        *,
        seed: int,
        level: float,
        progress: Step | None,
    ) -> EstimateResult:
        """Fit the chosen model; the bootstrap replicates are the result's draws."""
        from inquest.estimate.loglinear.model import fit_loglinear

        def tick(advance: int) -> None:
            if progress is not None:
                progress("bootstrap", advance, options.n_boot)

        return fit_loglinear(
            histories.patterns,
            histories.counts,
            lists=histories.lists,
            level=level,
            seed=seed,
            progress=tick,
            **keywords(options),
        ).result


register(LoglinearEstimator())
__getattr__ = forward(__name__, "inquest.estimate.loglinear.model")
