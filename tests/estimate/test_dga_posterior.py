"""The dga likelihood against a literal transcription of R's bma.cr, priors and tail mass."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import gammaln

from inquest.errors import ConfigError
from inquest.estimate.dga._graphs import decomposable_graphs, graph_design
from inquest.estimate.dga._posterior import (
    grid_posterior,
    log_upper_tail,
    log_weights,
    table_stats,
)
from inquest.estimate.dga._priors import MadiganYorkPrior, resolve_prior


def _bma_cr_oracle(
    Y: np.ndarray, n_missing: np.ndarray, delta: float, logprior: np.ndarray
) -> np.ndarray:
    """R's ``bma.cr`` written out loop by loop on the R-style array (list 1 = first axis).

    ``Y`` is dga's column-major vector; weights are (graphs x n_missing), normalised.
    """
    p = int(np.log2(Y.size))
    arr = Y.astype(float).reshape((2,) * p, order="F").copy()
    arr[(0,) * p] = 0.0
    n = arr.sum()
    out = np.empty((len(decomposable_graphs(p)), n_missing.size))
    for g, graph in enumerate(decomposable_graphs(p)):
        for t, nm in enumerate(n_missing):

            def comp(vertices: tuple[int, ...], nm: float = nm) -> float:
                other = tuple(a for a in range(p) if a not in vertices)
                D = arr.sum(axis=other).flatten(order="F")
                D[0] += nm
                alpha = delta * 2 ** (p - len(vertices))
                return float(np.sum(gammaln(D + alpha)) - D.size * gammaln(alpha))

            clique = sum(comp(c) for c in graph.cliques)
            sep = sum(comp(s) for s in graph.separators)
            nsub = len(graph.cliques) - len(graph.separators)
            A = delta * Y.size
            out[g, t] = clique - sep + nsub * (gammaln(A) - gammaln(nm + n + A))
    multicoef = gammaln(n_missing + n + 1) - np.sum(gammaln(Y[1:] + 1)) - gammaln(n_missing + 1)
    out += multicoef + logprior
    out = np.exp(out - out.max())
    return out / out.sum()


def _full_table(Y: list[int]) -> np.ndarray:
    # dga's vector index sum x_i 2^(i-1) is inquest's table index: the same array
    return np.asarray(Y, dtype=np.int64)


MY3 = [0, 60, 49, 4, 247, 112, 142, 12]


@pytest.mark.parametrize(
    ("Y", "delta"),
    [
        (MY3, 1.0),
        (MY3, 2.0**-3),
        ([0, 3, 0, 1, 5, 0, 2, 0, 7, 1, 0, 0, 2, 0, 0, 1], 0.25),  # sparse, 4 lists
    ],
)
def test_weights_match_the_transcribed_r_code(Y: list[int], delta: float) -> None:
    table = _full_table(Y)
    grid = np.arange(1.0, 41.0)
    n = table[1:].sum()
    N = n + grid
    logprior = -np.log(N)
    expected = _bma_cr_oracle(table, grid, delta, logprior)
    stats = table_stats(table, delta)
    p = int(np.log2(len(Y)))
    lw = log_weights(stats, graph_design(p), grid, lambda x: -np.log(x))
    got = np.exp(lw - lw.max())
    np.testing.assert_allclose(got / got.sum(), expected, rtol=1e-9, atol=1e-15)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(0, 40), min_size=15, max_size=15),
    st.permutations(range(4)),
    st.sampled_from([2.0**-4, 0.5, 1.0]),
)
def test_posterior_of_n_ignores_the_order_of_the_lists(
    cells: list[int], order: list[int], delta: float
) -> None:
    table = np.asarray([0, *cells], dtype=np.int64)
    if table.sum() == 0:
        return
    permuted = np.zeros_like(table)
    for k in range(16):
        bits = [(k >> i) & 1 for i in range(4)]
        permuted[sum(bits[order[i]] << i for i in range(4))] = table[k]
    grid = np.arange(0.0, 200.0)
    design = graph_design(4)
    a = grid_posterior(table_stats(table, delta), design, grid, lambda x: -np.log(x))
    b = grid_posterior(table_stats(permuted, delta), design, grid, lambda x: -np.log(x))
    np.testing.assert_allclose(a.probabilities, b.probabilities, rtol=1e-8, atol=1e-14)
    np.testing.assert_allclose(
        np.sort(a.graph_weights), np.sort(b.graph_weights), rtol=1e-8, atol=1e-14
    )


def test_chunked_grid_equals_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    import inquest.estimate.dga._posterior as post

    stats = table_stats(_full_table(MY3), 1.0)
    grid = np.arange(0.0, 500.0)
    design = graph_design(3)
    whole = grid_posterior(stats, design, grid, lambda x: -np.log(x))
    monkeypatch.setattr(post, "_CHUNK_CELLS", 8 * 37)
    chunked = grid_posterior(stats, design, grid, lambda x: -np.log(x))
    np.testing.assert_allclose(chunked.probabilities, whole.probabilities, rtol=1e-12)
    np.testing.assert_allclose(chunked.graph_weights, whole.graph_weights, rtol=1e-12)


def test_madigan_york_prior_is_a_negative_binomial_pmf() -> None:
    prior = MadiganYorkPrior(13.14, 55.17)
    N = np.arange(0.0, 20_000.0)
    assert np.exp(prior(N)).sum() == pytest.approx(1.0, abs=1e-9)
    with pytest.raises(ConfigError):
        MadiganYorkPrior(0.0, 1.0)


def test_rissanen_prior_uses_log_star() -> None:
    log_prior, described = resolve_prior("rissanen")
    # log*(16) = 4 + 2 + 1 = 7; log*(2) = 1; log*(65536) = 16 + 4 + 2 + 1 = 23
    got = log_prior(np.array([16.0, 2.0, 65536.0]))
    np.testing.assert_allclose(got, -np.log(2.0) * np.array([7.0, 1.0, 23.0]))
    assert described == {"name": "rissanen"}


def test_named_and_custom_priors() -> None:
    inverse, _ = resolve_prior("inverse")
    uniform, _ = resolve_prior("uniform")
    np.testing.assert_allclose(inverse(np.array([1.0, np.e])), [0.0, -1.0])
    np.testing.assert_array_equal(uniform(np.array([3.0, 9.0])), [0.0, 0.0])
    fn, described = resolve_prior(lambda N: -2 * np.log(N))
    assert described["name"] == "custom"
    assert fn(np.array([np.e]))[0] == pytest.approx(-2.0)
    with pytest.raises(ConfigError, match="unknown prior"):
        resolve_prior("jeffreys")


def test_upper_tail_of_a_power_law_is_exact_in_the_limit() -> None:
    # density N^-3 on N > 0: mass above x is x^-2 / 2
    points = np.geomspace(10.0, 1e6, 400) - 1.0
    log_density = -3.0 * np.log(points + 1.0)
    tails = np.exp(log_upper_tail(log_density, points))
    np.testing.assert_allclose(tails[[0, 100, 300]], (points[[0, 100, 300]] + 1) ** -2 / 2, 1e-3)
    # a tail heavier than 1/N has infinite mass
    assert np.isinf(log_upper_tail(-0.5 * np.log(points + 1.0), points)[0])
