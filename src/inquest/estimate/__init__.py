"""Multiple systems estimation: how many victims did no list record?

Entry points take observed capture patterns ((m, J) 0/1 array) and their counts and return
an ``EstimateResult`` (or a small wrapper holding it with draws of N):

* ``estimate_loglinear`` / ``fit_loglinear``: Poisson log-linear models (SparseMSE stepwise,
  AIC/BIC search, fixed), with existence/identifiability checks, profile and bootstrap intervals;
* ``estimate_dga``: Bayesian model averaging over decomposable graphs (loaded on first use);
* ``estimate_lcmcr``: the latent-class model of Manrique-Vallier (loaded on first use).

``read_histories`` reads a capture-history CSV or a linkage ``clusters.csv``;
``run_estimation`` runs methods per stratum and writes ``estimate.json``, plots and a report.
"""

from __future__ import annotations

from typing import Any

from inquest.estimate.histories import CaptureHistories, read_histories
from inquest.estimate.loglinear import LoglinearEstimate, estimate_loglinear, fit_loglinear
from inquest.estimate.result import EstimateResult
from inquest.estimate.run import EstimationRun, run_estimation

__all__ = [
    "CaptureHistories",
    "EstimateResult",
    "EstimationRun",
    "LoglinearEstimate",
    "estimate_dga",
    "estimate_lcmcr",
    "estimate_loglinear",
    "fit_loglinear",
    "read_histories",
    "run_estimation",
]

_LAZY = {"estimate_dga": "inquest.estimate.dga", "estimate_lcmcr": "inquest.estimate.lcmcr"}


def __getattr__(name: str) -> Any:
    """Load dga and LCMCR (numba) only when they are used."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'inquest.estimate' has no attribute {name!r}")
