"""Speed of the log-linear MSE engine on the reference tables, beside a statsmodels baseline.

Figures (wall and CPU time, so that contention on the shared 2-core machine shows):
* one SparseMSE stepwise fit (selection with existence checks) per table;
* the same stepwise selection with every GLM fitted by statsmodels (the baseline);
* the exhaustive BIC search (1,024 models for five lists);
* the profile-likelihood interval of the chosen model;
* 1,000 bootstrap resamples that repeat the stepwise selection.
Writes ``benchmarks/results/mse_loglinear.json``.
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm

from inquest import __version__
from inquest.estimate._design import dense_table
from inquest.estimate._existence import _existence_lp, _rank_deficiency
from inquest.estimate._poisson import PoissonFit
from inquest.estimate.loglinear import _fit as _loglinear_fit
from inquest.estimate.loglinear import _select as _loglinear_select
from inquest.estimate.loglinear import fit_loglinear
from inquest.estimate.loglinear._intervals import profile_interval

DATA = Path(__file__).parents[1] / "tests" / "estimate" / "data"
RESULTS = Path(__file__).parent / "results" / "mse_loglinear.json"
TABLES = ("kosovo_4list", "uk_2013_5list", "uk_2013_6list", "western_us_5list")


def timed(fn: Callable[[], Any], repeat: int) -> dict[str, float]:
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return {"wall_ms": 1000 * float(np.median(walls)), "cpu_ms": 1000 * float(np.median(cpus))}


def clear_caches() -> None:
    _existence_lp.cache_clear()
    _rank_deficiency.cache_clear()


def statsmodels_fit(X: np.ndarray, y: np.ndarray, **_: Any) -> PoissonFit:
    res = sm.GLM(y, X, family=sm.families.Poisson()).fit()
    mu = np.asarray(res.mu)
    return PoissonFit(
        beta=np.asarray(res.params),
        mu=mu,
        cov=np.asarray(res.cov_params()),
        loglik=float(res.llf),
        deviance=float(res.deviance),
        iterations=int(res.fit_history["iteration"]),
    )


def main() -> None:
    out: dict[str, Any] = {"tables": {}}
    for name in TABLES:
        frame = pd.read_csv(DATA / f"{name}.csv")
        lists = [c for c in frame.columns if c != "count"]
        pat = frame[lists].to_numpy(np.uint8)
        cnt = frame["count"].to_numpy(np.int64)
        J = len(lists)
        table = dense_table(pat, cnt, J)
        row: dict[str, Any] = {"lists": J, "n_observed": int(cnt.sum())}

        def stepwise_cold(table: np.ndarray = table, J: int = J) -> None:
            clear_caches()
            _loglinear_select.stepwise(table, J)

        row["stepwise_cold"] = timed(stepwise_cold, 5)
        row["stepwise_warm"] = timed(lambda t=table, j=J: _loglinear_select.stepwise(t, j), 20)
        original = _loglinear_fit.fit_poisson
        _loglinear_fit.fit_poisson = statsmodels_fit  # type: ignore[assignment]
        try:
            row["stepwise_statsmodels_warm"] = timed(
                lambda t=table, j=J: _loglinear_select.stepwise(t, j), 5
            )
            row["estimate_statsmodels"] = _loglinear_select.stepwise(table, J).fit.estimate
        finally:
            _loglinear_fit.fit_poisson = original
        sel = _loglinear_select.stepwise(table, J)
        row["estimate"] = sel.fit.estimate
        if J <= 5:
            clear_caches()
            row["bic_search_cold"] = timed(
                lambda t=table, j=J: _loglinear_select.information_search(t, j), 1
            )
        row["profile_interval"] = timed(
            lambda f=sel.fit, t=table, j=J: profile_interval(f, j, t, 0.95), 3
        )
        clear_caches()
        row["bootstrap_1000"] = timed(
            lambda p=pat, c=cnt, names=lists: fit_loglinear(p, c, lists=names, n_boot=1000),
            1,
        )
        out["tables"][name] = row
        print(
            f"{name:18s} J={J} stepwise {row['stepwise_warm']['wall_ms']:7.2f} ms "
            f"(cold {row['stepwise_cold']['wall_ms']:7.1f}, statsmodels "
            f"{row['stepwise_statsmodels_warm']['wall_ms']:7.1f}) "
            f"profile {row['profile_interval']['wall_ms']:6.1f} ms "
            f"bootstrap x1000 {row['bootstrap_1000']['wall_ms'] / 1000:6.2f} s wall "
            f"{row['bootstrap_1000']['cpu_ms'] / 1000:6.2f} s CPU"
            + (
                f" BIC search {row['bic_search_cold']['wall_ms']:7.0f} ms"
                if "bic_search_cold" in row
                else ""
            )
        )
    out["inquest_version"] = __version__
    out["machine"] = platform.platform()
    out["note"] = (
        "median of repeats; 'cold' clears the existence-check caches; the statsmodels "
        "baseline runs the same selection with statsmodels GLM fits"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
