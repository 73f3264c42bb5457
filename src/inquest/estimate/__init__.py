"""Multiple systems estimation: how many victims did no list record?

Every method is an ``Estimator`` in the registry (``inquest.estimate.registry``): a name, an
options dataclass and a ``run`` returning an ``EstimateResult`` (estimate, interval,
diagnostics, draws of N and the method's own details). The built-in ones are packages:

* ``loglinear``: Poisson log-linear models (SparseMSE stepwise, AIC/BIC search, fixed), with
  existence/identifiability checks, profile and bootstrap intervals
  (``estimate_loglinear`` / ``fit_loglinear``);
* ``dga``: Bayesian model averaging over decomposable graphs (``estimate_dga``);
* ``lcmcr``: the latent-class model of Manrique-Vallier (``estimate_lcmcr``).

``read_histories`` reads a capture-history CSV or a linkage ``clusters.csv``;
on histories in memory and ``run_estimation`` runs them on a file and writes
``estimate.json``, plots and a report. Everything is loaded on first use, so importing the
registry costs no numerical library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inquest.estimate.dga.model import estimate_dga
    from inquest.estimate.histories import (
        CaptureHistories,
        histories_from_clusters,
        read_histories,
    )
    from inquest.estimate.lcmcr.model import estimate_lcmcr
    from inquest.estimate.loglinear.model import (
        LoglinearEstimate,
        estimate_loglinear,
        fit_loglinear,
    )
    from inquest.estimate.registry import Estimator, estimators, register
    from inquest.estimate.result import EstimateResult, MethodDetails
    from inquest.estimate.run import EstimationRun, estimate, run_estimation

__all__ = [
    "CaptureHistories",
    "EstimateResult",
    "EstimationRun",
    "Estimator",
    "LoglinearEstimate",
    "MethodDetails",
    "estimate",
    "estimate_dga",
    "estimate_lcmcr",
    "estimate_loglinear",
    "estimators",
    "fit_loglinear",
    "histories_from_clusters",
    "read_histories",
    "register",
    "run_estimation",
]

_HOME = {
    "CaptureHistories": "histories",
    "read_histories": "histories",
    "histories_from_clusters": "histories",
    "estimate_dga": "dga.model",
    "estimate_lcmcr": "lcmcr.model",
    "LoglinearEstimate": "loglinear.model",
    "estimate_loglinear": "loglinear.model",
    "fit_loglinear": "loglinear.model",
    "Estimator": "registry",
    "estimators": "registry",
    "register": "registry",
    "EstimateResult": "result",
    "MethodDetails": "result",
    "EstimationRun": "run",
    "estimate": "run",
    "run_estimation": "run",
}


def __getattr__(name: str) -> object:
    """Load each export's module only when it is used."""
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
