"""MCMC convergence diagnostics: rank-normalised split R-hat and bulk/tail effective sample
size, as defined by Vehtari, Gelman, Simpson, Carpenter & Buerkner (2021), "Rank-normalization,
folding, and localization: an improved R-hat for assessing convergence of MCMC", *Bayesian
Analysis* 16:667-718 (the definitions Stan and ArviZ use).

Every function takes draws of one scalar as a (chains, draws) array.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtri
from scipy.stats import rankdata

__all__ = ["autocorrelation", "ess", "ess_bulk", "ess_tail", "split_rhat"]


def _as_chains(draws: ArrayLike) -> NDArray[np.float64]:
    arr = np.asarray(draws, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise ValueError(f"draws must be a (chains, draws) array, got shape {arr.shape}")
    return arr


def _split(arr: NDArray[np.float64]) -> NDArray[np.float64]:
    """Split each chain into its first and second half (dropping a middle draw if odd)."""
    half = arr.shape[1] // 2
    return np.concatenate([arr[:, :half], arr[:, arr.shape[1] - half :]], axis=0)


def _rank_normalise(arr: NDArray[np.float64]) -> NDArray[np.float64]:
    """Replace draws by normal scores of their pooled ranks (average ranks for ties)."""
    ranks = rankdata(arr, method="average").reshape(arr.shape)
    out: NDArray[np.float64] = ndtri((ranks - 3.0 / 8.0) / (arr.size + 1.0 / 4.0))
    return out


def _constant(arr: NDArray[np.float64]) -> bool:
    return bool(np.all(arr == arr.flat[0])) or not np.all(np.isfinite(arr))


def autocorrelation(x: ArrayLike) -> NDArray[np.float64]:
    """The sample autocorrelation of a 1-D series at every lag (biased estimator, via FFT)."""
    arr = np.asarray(x, dtype=np.float64)
    n = arr.shape[-1]
    centred = arr - arr.mean(axis=-1, keepdims=True)
    size = 1 << (2 * n - 1).bit_length()
    spec = np.fft.rfft(centred, n=size, axis=-1)
    acov = np.fft.irfft(spec * np.conjugate(spec), n=size, axis=-1)[..., :n] / n
    with np.errstate(invalid="ignore", divide="ignore"):
        out: NDArray[np.float64] = acov / acov[..., :1]
    return out


def _rhat_basic(arr: NDArray[np.float64]) -> float:
    m, n = arr.shape
    if n < 2 or m < 2 or _constant(arr):
        return float("nan")
    between = n * np.var(arr.mean(axis=1), ddof=1)
    within = np.mean(np.var(arr, axis=1, ddof=1))
    return float(np.sqrt((between / within + n - 1) / n))


def split_rhat(draws: ArrayLike) -> float:
    """Rank-normalised split R-hat: the larger of the bulk and the folded (tail) R-hat.

    Values above about 1.01 mean the chains have not mixed. NaN for constant draws or fewer
    than two draws per half-chain.
    """
    arr = _split(_as_chains(draws))
    if arr.shape[1] < 2 or _constant(arr):
        return float("nan")
    bulk = _rhat_basic(_rank_normalise(arr))
    folded = np.abs(arr - np.median(arr))
    tail = _rhat_basic(_rank_normalise(folded)) if not _constant(folded) else float("nan")
    return float(np.nanmax([bulk, tail]))


def ess(draws: ArrayLike) -> float:
    """Effective sample size of the draws as given (no splitting, no rank normalisation),
    with Geyer's initial monotone sequence estimator of the integrated autocorrelation time
    over the combined chains."""
    arr = _as_chains(draws)
    m, n = arr.shape
    if n < 4 or _constant(arr):
        return float("nan")
    centred = arr - arr.mean(axis=1, keepdims=True)
    size = 1 << (2 * n - 1).bit_length()
    spec = np.fft.rfft(centred, n=size, axis=1)
    acov = np.fft.irfft(spec * np.conjugate(spec), n=size, axis=1)[:, :n] / n
    chain_var = acov[:, 0] * n / (n - 1.0)
    mean_var = float(np.mean(chain_var))
    var_plus = mean_var * (n - 1.0) / n
    if m > 1:
        var_plus += float(np.var(arr.mean(axis=1), ddof=1))
    rho = 1.0 - (mean_var - acov.mean(axis=0)) / var_plus
    rho[0] = 1.0
    # Geyer's initial positive sequence: sum pairs while the pair sum stays positive
    kept = np.zeros(n)
    kept[0], kept[1] = rho[0], rho[1]
    t = 1
    even, odd = rho[0], rho[1]
    while t < n - 3 and even + odd > 0.0:
        even, odd = rho[t + 1], rho[t + 2]
        if even + odd >= 0.0:
            kept[t + 1], kept[t + 2] = even, odd
        t += 2
    max_t = t - 2
    if even > 0.0:
        kept[max_t + 1] = even
    # Geyer's initial monotone sequence
    t = 1
    while t <= max_t - 2:
        if kept[t + 1] + kept[t + 2] > kept[t - 1] + kept[t]:
            kept[t + 1] = kept[t + 2] = (kept[t - 1] + kept[t]) / 2.0
        t += 2
    total = m * n
    tau = -1.0 + 2.0 * float(np.sum(kept[: max_t + 1])) + float(np.sum(kept[max_t + 1 : max_t + 2]))
    tau = max(tau, 1.0 / np.log10(total))
    return float(total / tau)


def ess_bulk(draws: ArrayLike) -> float:
    """Bulk effective sample size: ESS of the rank-normalised split chains."""
    arr = _split(_as_chains(draws))
    if arr.shape[1] < 4 or _constant(arr):
        return float("nan")
    return ess(_rank_normalise(arr))


def ess_tail(draws: ArrayLike) -> float:
    """Tail effective sample size: the smaller ESS of the indicators of the 5% and 95%
    quantiles, on split chains."""
    arr = _split(_as_chains(draws))
    if arr.shape[1] < 4 or _constant(arr):
        return float("nan")
    q05, q95 = np.quantile(arr, [0.05, 0.95])
    values = []
    for ind in (arr <= q05, arr <= q95):
        values.append(ess(ind.astype(np.float64)) if not _constant(ind.astype(float)) else np.nan)
    return float(np.nanmin(values)) if not np.all(np.isnan(values)) else float("nan")
