"""Numba kernels of the LCMCR Gibbs sampler (Manrique-Vallier 2016), one chain per call.

Private: ``inquest.estimate.lcmcr`` validates input and drives these. The updates follow the
reference implementation (R package LCMCR, ``NPLCM_CR_Basic_Freq.cpp``) step for step, on the
tabulated data: the latent classes of the ``freq[m]`` people sharing observed pattern ``m``
are drawn as one multinomial, and so are those of the ``n0`` unobserved people, so a sweep
costs O(patterns x K x J), not O(N).

One JIT policy: every kernel is compiled by :data:`JIT` (``nopython``, cached on disk,
releasing the GIL so that chains run in parallel threads). Random numbers come from a
xoshiro256+ generator whose four-word state ``rng`` each chain owns, so a chain's draws depend
on its seed alone, whichever thread runs it. The variates are exact samplers written here
(ziggurat normal, Marsaglia-Tsang gamma, BTRD binomial, PTRS Poisson), the algorithms GSL and
NumPy use, because numba's own are slower and tied to a hidden per-thread generator.

State layout (arrays the caller owns and the kernels update in place):

- ``lam`` (J, K): capture probability of list j in class k.
- ``nu``, ``log_nu`` (K,): class weights from the truncated stick-breaking process.
- ``count_mk`` (M, K): how many people of observed pattern m are in class k.
- ``count0_k`` (K,): how many unobserved people are in class k.
- ``scal`` (4,) float64: alpha, n0, probability of not being captured, occupied classes.
- ``rng`` (4,) uint64: the generator's state.
- ``events`` (2,) int64: n0 draws rejected by the cap; n0 draws pinned at the cap after
  :data:`MAX_REJECTIONS` rejections in a row.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

JIT = numba.njit(cache=True, nogil=True)
"""The one JIT policy of the LCMCR kernels."""

MAX_REJECTIONS = 10_000
"""Rejections of the capped n0 draw after which n0 is pinned at the cap (and counted)."""

FEW = 8
"""In a multinomial draw, the number of people left below which each is placed by one
categorical draw rather than by a binomial per class."""

NO_CAP = 2**40
"""The cap used when none is asked for: a numerical guard far above any real population."""

POISSON_LIMIT = 1e15
"""Poisson rates above this are rejected without a draw (they exceed every cap <= NO_CAP)."""

ALPHA, N0, PROB_ZERO, OCCUPIED = 0, 1, 2, 3


_U64 = np.uint64
_TWO_POW_M53 = 1.0 / 9007199254740992.0


@JIT
def _uniform(rng: NDArray[np.uint64]) -> float:
    """A uniform double in [0, 1) from xoshiro256+ (Blackman & Vigna 2021), whose state is
    the four words of ``rng`` (updated in place). The top 53 bits make the double."""
    s0, s1, s2, s3 = rng[0], rng[1], rng[2], rng[3]
    result = s0 + s3
    t = s1 << _U64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = (s3 << _U64(45)) | (s3 >> _U64(19))
    rng[0], rng[1], rng[2], rng[3] = s0, s1, s2, s3
    return float(result >> _U64(11)) * _TWO_POW_M53


def seed_state(seed_words: ArrayLike) -> NDArray[np.uint64]:
    """A xoshiro256+ state from four 64-bit seed words (e.g. ``SeedSequence.generate_state(4,
    np.uint64)``); an all-zero state, the generator's one fixed point, is refused."""
    state = np.ascontiguousarray(seed_words, dtype=np.uint64).copy()
    if state.shape != (4,) or not state.any():
        raise ValueError("a xoshiro256+ state is four 64-bit words, not all zero")
    return state


def _ziggurat_tables(
    blocks: int = 128, r: float = 3.442619855899, v: float = 9.91256303526217e-3
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Layer edges x_i and ratios x_{i+1} / x_i of Doornik's (2005) 128-block normal ziggurat."""
    x = np.zeros(blocks + 1)
    f = np.exp(-0.5 * r * r)
    x[0] = v / f
    x[1] = r
    for i in range(2, blocks):
        x[i] = np.sqrt(-2.0 * np.log(v / x[i - 1] + f))
        f = np.exp(-0.5 * x[i] * x[i])
    return x, x[1:] / x[:-1]


_ZIG_X, _ZIG_R = _ziggurat_tables()
_ZIG_TAIL = 3.442619855899


@JIT
def _normal(rng: NDArray[np.uint64]) -> float:
    """A standard normal draw: Doornik's (2005) ziggurat, as GSL's ``gsl_ran_gaussian_ziggurat``
    (numba's own normal is a slower polar method). One uniform double gives the layer (7 bits)
    and the abscissa (46 bits)."""
    while True:
        w = _uniform(rng) * 128.0
        i = int(w)
        u = 2.0 * (w - i) - 1.0
        if abs(u) < _ZIG_R[i]:
            return float(u * _ZIG_X[i])
        if i == 0:  # the tail beyond R, by Marsaglia's method
            while True:
                t = np.log(1.0 - _uniform(rng)) / _ZIG_TAIL
                y = np.log(1.0 - _uniform(rng))
                if -2.0 * y >= t * t:
                    return float(t - _ZIG_TAIL if u < 0.0 else _ZIG_TAIL - t)
        z = u * _ZIG_X[i]
        f0 = np.exp(-0.5 * (_ZIG_X[i] * _ZIG_X[i] - z * z))
        f1 = np.exp(-0.5 * (_ZIG_X[i + 1] * _ZIG_X[i + 1] - z * z))
        if f1 + _uniform(rng) * (f0 - f1) < 1.0:
            return float(z)


@JIT
def _gamma(rng: NDArray[np.uint64], shape: float) -> float:
    """A Gamma(shape, 1) draw by Marsaglia & Tsang (2000), as GSL's ``gsl_ran_gamma``; shapes
    below 1 by the boost Gamma(shape) = Gamma(shape + 1) * U ** (1 / shape)."""
    if shape < 1.0:
        u = 1.0 - _uniform(rng)
        return float(_gamma(rng, 1.0 + shape) * u ** (1.0 / shape))
    d = shape - 1.0 / 3.0
    c = 1.0 / np.sqrt(9.0 * d)
    while True:
        z = _normal(rng)
        v = 1.0 + c * z
        if v <= 0.0:
            continue
        v = v * v * v
        u = 1.0 - _uniform(rng)
        z2 = z * z
        if u < 1.0 - 0.0331 * z2 * z2:
            return float(d * v)
        if np.log(u) < 0.5 * z2 + d * (1.0 - v + np.log(v)):
            return float(d * v)


@JIT
def _beta(rng: NDArray[np.uint64], a: float, b: float) -> float:
    """A Beta(a, b) draw: by inversion when a or b is 1, Cheng's BB when both exceed 1, else
    as a ratio of gammas."""
    if a == 1.0:
        return float(1.0 - (1.0 - _uniform(rng)) ** (1.0 / b))
    if b == 1.0:
        return float((1.0 - _uniform(rng)) ** (1.0 / a))
    if a > 1.0 and b > 1.0:
        return _beta_cheng(rng, a, b)
    g = _gamma(rng, a)
    return g / (g + _gamma(rng, b))


@JIT
def _beta_cheng(rng: NDArray[np.uint64], a0: float, b0: float) -> float:
    """A Beta(a0, b0) draw for a0, b0 > 1: Cheng's (1978) algorithm BB, as R's ``rbeta``
    (one pass costs about one log and one exp, against two gamma draws)."""
    a = min(a0, b0)
    b = max(a0, b0)
    alpha = a + b
    beta = np.sqrt((alpha - 2.0) / (2.0 * a * b - alpha))
    gamma = a + 1.0 / beta
    while True:
        u1 = _uniform(rng)
        u2 = _uniform(rng)
        if u1 <= 0.0 or u1 >= 1.0:
            continue
        v = beta * np.log(u1 / (1.0 - u1))
        w = a * np.exp(v)
        if not np.isfinite(w):
            continue
        z = u1 * u1 * u2
        r = gamma * v - 1.3862943611198906  # log 4
        s = a + r - w
        if s + 2.6094379124341003 >= 5.0 * z:  # 1 + log 5
            break
        t = np.log(z)
        if s > t:
            break
        if r + alpha * np.log(alpha / (b + w)) >= t:
            break
    return float(w / (b + w)) if a == a0 else float(b / (b + w))


_STIRLING_FC = np.array(
    [
        0.08106146679532726,
        0.04134069595540929,
        0.02767792568499834,
        0.02079067210376509,
        0.01664469118982119,
        0.01387612882307075,
        0.01189670994589177,
        0.01041126526197209,
        0.009255462182712733,
        0.008330563433362871,
    ]
)


@JIT
def _stirling_fc(k: float) -> float:
    """log(k!) - [(k + 1/2) log(k + 1) - (k + 1) + log(2 pi) / 2], the Stirling remainder."""
    if k < 10.0:
        return float(_STIRLING_FC[int(k)])
    r = 1.0 / (k + 1.0)
    r2 = r * r
    return (1.0 / 12.0 - (1.0 / 360.0 - r2 / 1260.0) * r2) * r


@JIT
def _binomial_inversion(rng: NDArray[np.uint64], n: int, p: float) -> int:
    """Binomial(n, p) by sequential inversion (small n p)."""
    q = 1.0 - p
    s = p / q
    a = (n + 1) * s
    while True:
        r = np.exp(n * np.log1p(-p))
        u = _uniform(rng)
        x = 0
        while u > r:
            u -= r
            x += 1
            if x > n:
                break
            r *= a / x - s
        if x <= n:
            return x


@JIT
def _binomial_btrd(rng: NDArray[np.uint64], n: int, p: float) -> int:
    """Binomial(n, p), p <= 1/2 and n p >= 10: Hoermann's (1993) transformed rejection with
    decomposition (BTRD), "The generation of binomial random variates", JSCS 46:101-110."""
    q = 1.0 - p
    m = np.floor((n + 1) * p)
    r = p / q
    nr = (n + 1) * r
    npq = n * p * q
    spq = np.sqrt(npq)
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = n * p + 0.5
    alpha = (2.83 + 5.1 / b) * spq
    v_r = 0.92 - 4.2 / b
    urvr = 0.86 * v_r
    h = np.nan
    while True:
        v = _uniform(rng)
        if v <= urvr:
            u = v / v_r - 0.43
            return int(np.floor((2.0 * a / (0.5 - abs(u)) + b) * u + c))
        if v >= v_r:
            u = _uniform(rng) - 0.5
        else:
            u = v / v_r - 0.93
            u = (0.5 if u > 0.0 else -0.5) - u
            v = _uniform(rng) * v_r
        us = 0.5 - abs(u)
        k = np.floor((2.0 * a / us + b) * u + c)
        if k < 0.0 or k > n:
            continue
        v = v * alpha / (a / (us * us) + b)
        km = abs(k - m)
        if km <= 15.0:
            # recursive evaluation of f(k) / f(m)
            f = 1.0
            if m < k:
                i = m + 1.0
                while i <= k:
                    f *= nr / i - r
                    i += 1.0
            elif m > k:
                i = k + 1.0
                while i <= m:
                    v *= nr / i - r
                    i += 1.0
            if v <= f:
                return int(k)
            continue
        # squeeze on log scale
        v = np.log(v)
        rho = (km / npq) * (((km / 3.0 + 0.625) * km + 1.0 / 6.0) / npq + 0.5)
        t = -km * km / (2.0 * npq)
        if v < t - rho:
            return int(k)
        if v > t + rho:
            continue
        nm = n - m + 1.0
        if np.isnan(h):
            h = (m + 0.5) * np.log((m + 1.0) / (r * nm)) + _stirling_fc(m) + _stirling_fc(n - m)
        nk = n - k + 1.0
        bound = (
            h
            + (n + 1.0) * np.log(nm / nk)
            + (k + 0.5) * np.log(nk * r / (k + 1.0))
            - _stirling_fc(k)
            - _stirling_fc(n - k)
        )
        if v <= bound:
            return int(k)


@JIT
def _binomial(rng: NDArray[np.uint64], n: int, p: float) -> int:
    """A Binomial(n, p) draw (exact): inversion when min(p, 1 - p) n < 10, else BTRD."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    if p > 0.5:
        return n - _binomial(rng, n, 1.0 - p)
    if n * p < 10.0:
        return _binomial_inversion(rng, n, p)
    return _binomial_btrd(rng, n, p)


@JIT
def _poisson(rng: NDArray[np.uint64], lam: float) -> int:
    """A Poisson(lam) draw (exact): inversion below 10, else Hoermann's (1993) transformed
    rejection PTRS (as NumPy's ``random_poisson_ptrs``)."""
    if lam <= 0.0:
        return 0
    if lam < 10.0:
        while True:
            x = 0
            p = np.exp(-lam)
            u = _uniform(rng)
            while u > p and x < 1000:
                u -= p
                x += 1
                p *= lam / x
            if x < 1000:
                return x
    slam = np.sqrt(lam)
    loglam = np.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2.0)
    while True:
        u = _uniform(rng) - 0.5
        v = _uniform(rng)
        us = 0.5 - abs(u)
        k = np.floor((2.0 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= vr:
            return int(k)
        if k < 0.0 or (us < 0.013 and v > us):
            continue
        if np.log(v) + np.log(invalpha) - np.log(a / (us * us) + b) <= (
            -lam + k * loglam - math.lgamma(k + 1.0)
        ):
            return int(k)


@JIT
def _multinomial(
    rng: NDArray[np.uint64], n: int, p: NDArray[np.float64], out: NDArray[np.int64]
) -> None:
    """``out`` ~ Multinomial(n, p / sum(p)) (``p`` unnormalised): conditional binomials class
    by class, and once at most :data:`FEW` people remain, one categorical draw each over the
    classes left (cheaper than a binomial per class; the same distribution)."""
    K = p.shape[0]
    total = 0.0
    for k in range(K):
        total += p[k]
        out[k] = 0
    remaining = n
    rest = total
    k = 0
    while remaining > FEW and k < K - 1:
        q = p[k] / rest if rest > 0.0 else 1.0
        x = remaining if q >= 1.0 else _binomial(rng, remaining, q)
        out[k] = x
        remaining -= x
        rest -= p[k]
        k += 1
    if k == K - 1:
        out[k] += remaining
        return
    for _ in range(remaining):
        u = _uniform(rng) * rest
        cum = 0.0
        j = k
        while j < K - 1:
            cum += p[j]
            if u < cum:
                break
            j += 1
        out[j] += 1


@JIT
def _log_gamma(rng: NDArray[np.uint64], shape: float) -> float:
    """log of a Gamma(shape, 1) draw, stable for small shapes (Robert & Casella 2004, p. 45)."""
    if shape < 0.5:
        return float(np.log(1.0 - _uniform(rng)) / shape + np.log(_gamma(rng, 1.0 + shape)))
    return float(np.log(_gamma(rng, shape)))


@JIT
def _log_sum(a: float, b: float) -> float:
    """log(exp(a) + exp(b)) without overflow."""
    if a < b:
        return float(b + np.log1p(np.exp(a - b)))
    return float(a + np.log1p(np.exp(b - a)))


@JIT
def _sample_n0(
    rng: NDArray[np.uint64], n: int, prob_zero: float, max_n0: int, events: NDArray[np.int64]
) -> int:
    """n0 ~ NegBin(n, 1 - prob_zero), truncated to n0 <= max_n0 by rejection.

    The negative binomial is the full conditional of the unobserved count under the prior
    p(N) proportional to 1/N (LCMCR's ``sam_n0``); it is drawn as a Poisson-gamma mixture.
    """
    q = prob_zero / (1.0 - prob_zero) if prob_zero < 1.0 else np.inf
    for _ in range(MAX_REJECTIONS):
        rate = _gamma(rng, float(n)) * q
        # beyond POISSON_LIMIT a Poisson draw cannot fall at or below any allowed cap
        if rate < POISSON_LIMIT:
            draw = _poisson(rng, rate)
            if draw <= max_n0:
                return draw
        events[0] += 1
    events[1] += 1
    return max_n0


@JIT
def _sweep(
    rng: NDArray[np.uint64],
    x: NDArray[np.int64],
    freq: NDArray[np.int64],
    n: int,
    lam: NDArray[np.float64],
    nu: NDArray[np.float64],
    log_nu: NDArray[np.float64],
    count_mk: NDArray[np.int64],
    count0_k: NDArray[np.int64],
    scal: NDArray[np.float64],
    events: NDArray[np.int64],
    update_alpha: bool,
    a_alpha: float,
    b_alpha: float,
    max_n0: int,
    probs: NDArray[np.float64],
    count_k: NDArray[np.int64],
    ones_jk: NDArray[np.int64],
) -> None:
    """One Gibbs sweep, in the reference order: z (observed), lambda, nu, n0, z (unobserved),
    alpha."""
    M, J = x.shape
    K = nu.shape[0]
    # 1. latent classes of the observed, one multinomial per pattern
    for m in range(M):
        for k in range(K):
            prod = nu[k]
            for j in range(J):
                prod *= lam[j, k] if x[m, j] == 1 else 1.0 - lam[j, k]
            probs[k] = prod
        _multinomial(rng, freq[m], probs, count_mk[m])
    # 2. lambda_jk ~ Beta(1 + captured, 1 + not captured); the unobserved are never captured
    for k in range(K):
        total = count0_k[k]
        for m in range(M):
            total += count_mk[m, k]
        count_k[k] = total
        for j in range(J):
            ones_jk[j, k] = 0
    for m in range(M):
        for j in range(J):
            if x[m, j] == 1:
                for k in range(K):
                    ones_jk[j, k] += count_mk[m, k]
    for j in range(J):
        for k in range(K):
            ones = ones_jk[j, k]
            lam[j, k] = _beta(rng, 1.0 + ones, 1.0 + count_k[k] - ones)
    # 3. stick-breaking weights: V_k ~ Beta(1 + n_k, alpha + sum_{l>k} n_l)
    alpha = scal[ALPHA]
    n_total = n + int(scal[N0])
    n_acc = 0
    l_acc = 0.0
    for k in range(K - 1):
        n_acc += count_k[k]
        g1 = _log_gamma(rng, 1.0 + count_k[k])
        g2 = _log_gamma(rng, alpha + float(n_total - n_acc))
        gs = _log_sum(g1, g2)
        log_nu[k] = g1 - gs + l_acc
        l_acc += g2 - gs
        nu[k] = np.exp(log_nu[k])
    log_nu[K - 1] = l_acc
    nu[K - 1] = np.exp(l_acc)
    # 4. probability of not being captured, n0, and the classes of the unobserved
    prob_zero = 0.0
    for k in range(K):
        prod = nu[k]
        for j in range(J):
            prod *= 1.0 - lam[j, k]
        probs[k] = prod
        prob_zero += prod
    n0 = _sample_n0(rng, n, prob_zero, max_n0, events)
    _multinomial(rng, n0, probs, count0_k)
    # 5. DP concentration: alpha ~ Gamma(a + K - 1, rate b - log nu_K)
    if update_alpha:
        scal[ALPHA] = _gamma(rng, a_alpha + K - 1.0) / (b_alpha - log_nu[K - 1])
    occupied = 0
    for k in range(K):
        c = count0_k[k]
        for m in range(M):
            c += count_mk[m, k]
        if c > 0:
            occupied += 1
    scal[N0] = float(n0)
    scal[PROB_ZERO] = prob_zero
    scal[OCCUPIED] = float(occupied)


@JIT
def run_block(
    x: NDArray[np.int64],
    freq: NDArray[np.int64],
    lam: NDArray[np.float64],
    nu: NDArray[np.float64],
    log_nu: NDArray[np.float64],
    count_mk: NDArray[np.int64],
    count0_k: NDArray[np.int64],
    scal: NDArray[np.float64],
    events: NDArray[np.int64],
    n_sweeps: int,
    thinning: int,
    update_alpha: bool,
    a_alpha: float,
    b_alpha: float,
    max_n0: int,
    rng: NDArray[np.uint64],
    trace: NDArray[np.float64],
) -> None:
    """Run ``n_sweeps`` sweeps from the given state; after every ``thinning``-th sweep write
    (N, alpha, occupied classes, probability of not being captured) to the next row of
    ``trace`` (``trace`` has ``n_sweeps // thinning`` rows; pass an empty (0, 4) array and
    ``thinning = n_sweeps + 1`` to keep nothing)."""
    K = nu.shape[0]
    J = x.shape[1]
    n = 0
    for m in range(freq.shape[0]):
        n += freq[m]
    probs = np.empty(K)
    count_k = np.empty(K, dtype=np.int64)
    ones_jk = np.empty((J, K), dtype=np.int64)
    row = 0
    for s in range(1, n_sweeps + 1):
        _sweep(
            rng,
            x,
            freq,
            n,
            lam,
            nu,
            log_nu,
            count_mk,
            count0_k,
            scal,
            events,
            update_alpha,
            a_alpha,
            b_alpha,
            max_n0,
            probs,
            count_k,
            ones_jk,
        )
        if s % thinning == 0 and row < trace.shape[0]:
            trace[row, 0] = n + scal[N0]
            trace[row, 1] = scal[ALPHA]
            trace[row, 2] = scal[OCCUPIED]
            trace[row, 3] = scal[PROB_ZERO]
            row += 1
