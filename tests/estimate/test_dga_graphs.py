"""Decomposable graph enumeration: counts, chordality by a naive oracle, cliques, separators."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from inquest.estimate.dga._graphs import (
    DecomposableGraph,
    decomposable_graphs,
    graph_design,
    graph_labels,
)


def _has_chordless_cycle(p: int, edges: set[tuple[int, int]]) -> bool:
    """Naive oracle: some set of >= 4 vertices induces a cycle (each has degree 2, connected)."""
    for size in range(4, p + 1):
        for subset in combinations(range(p), size):
            inner = [e for e in edges if e[0] in subset and e[1] in subset]
            degree = dict.fromkeys(subset, 0)
            for a, b in inner:
                degree[a] += 1
                degree[b] += 1
            if len(inner) == size and all(d == 2 for d in degree.values()):
                seen, stack = {subset[0]}, [subset[0]]
                while stack:
                    v = stack.pop()
                    for a, b in inner:
                        for u, w in ((a, b), (b, a)):
                            if u == v and w not in seen:
                                seen.add(w)
                                stack.append(w)
                if len(seen) == size:
                    return True
    return False


@pytest.mark.parametrize(("p", "count"), [(2, 2), (3, 8), (4, 61), (5, 822)])
def test_graph_counts_match_dga(p: int, count: int) -> None:
    assert len(decomposable_graphs(p)) == count


@pytest.mark.parametrize("p", [3, 4, 5])
def test_enumeration_is_exactly_the_chordal_graphs(p: int) -> None:
    found = {g.edges for g in decomposable_graphs(p)}
    all_edges = list(combinations(range(p), 2))
    expected = set()
    for code in range(1 << len(all_edges)):
        edges = tuple(e for k, e in enumerate(all_edges) if code >> k & 1)
        if not _has_chordless_cycle(p, set(edges)):
            expected.add(edges)
    assert found == expected


def _is_clique(graph: DecomposableGraph, vertices: tuple[int, ...]) -> bool:
    return all(e in graph.edges for e in combinations(vertices, 2))


@pytest.mark.parametrize("p", [3, 4, 5])
def test_cliques_and_separators_form_a_junction_forest(p: int) -> None:
    for graph in decomposable_graphs(p):
        # cliques are maximal, cover every vertex and edge
        assert all(_is_clique(graph, c) for c in graph.cliques)
        for c in graph.cliques:
            for v in set(range(p)) - set(c):
                assert not _is_clique(graph, tuple(sorted((*c, v))))
        assert {v for c in graph.cliques for v in c} == set(range(p))
        assert all(any(set(e) <= set(c) for c in graph.cliques) for e in graph.edges)
        # a junction forest: each vertex counted once, components = cliques - separators
        sizes = sum(len(c) for c in graph.cliques) - sum(len(s) for s in graph.separators)
        assert sizes == p
        assert all(len(s) > 0 for s in graph.separators)
        assert graph.n_components == _components(p, graph.edges)


def _spanning_tree_oracle(
    p: int, edges: tuple[tuple[int, int], ...]
) -> tuple[list[int], list[int]]:
    """Independent oracle: maximal cliques by brute force, separators from a junction tree.

    Any maximum-weight spanning tree of the clique intersection graph of a chordal graph is a
    junction tree (Jensen & Jensen 1994); its non-empty edge labels are the separators. (The
    module uses maximum cardinality search instead.)
    """
    closed = [1 << v for v in range(p)]
    for a, b in edges:
        closed[a] |= 1 << b
        closed[b] |= 1 << a
    members = [[v for v in range(p) if s >> v & 1] for s in range(1 << p)]
    is_clique = [s > 0 and all(closed[v] & s == s for v in members[s]) for s in range(1 << p)]
    cliques = [
        s
        for s in range(1, 1 << p)
        if is_clique[s] and not any(is_clique[s | 1 << v] for v in range(p) if not s >> v & 1)
    ]
    pairs = sorted(
        ((bin(x & y).count("1"), i, j) for (i, x), (j, y) in combinations(enumerate(cliques), 2)),
        reverse=True,
    )
    root = list(range(len(cliques)))

    def find(x: int) -> int:
        while root[x] != x:
            x = root[x]
        return x

    separators = []
    for weight, i, j in pairs:
        if weight > 0 and find(i) != find(j):
            root[find(i)] = find(j)
            separators.append(cliques[i] & cliques[j])
    return cliques, separators


@pytest.mark.parametrize("p", [3, 4, 5])
def test_cliques_and_separators_agree_with_a_spanning_tree_oracle(p: int) -> None:
    def as_sets(masks: list[int]) -> list[tuple[int, ...]]:
        return sorted(tuple(v for v in range(p) if m >> v & 1) for m in masks)

    for graph in decomposable_graphs(p):
        cliques, separators = _spanning_tree_oracle(p, graph.edges)
        assert as_sets(cliques) == sorted(graph.cliques)
        assert as_sets(separators) == sorted(graph.separators)


def _components(p: int, edges: tuple[tuple[int, int], ...]) -> int:
    parent = list(range(p))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in edges:
        parent[find(a)] = find(b)
    return len({find(v) for v in range(p)})


def test_three_list_graphs_and_labels() -> None:
    labels = set(graph_labels(3, ("A", "B", "C")))
    assert labels == {
        "[A][B][C]",
        "[A,B][C]",
        "[A,C][B]",
        "[A][B,C]",
        "[A,B][A,C]",
        "[A,B][B,C]",
        "[A,C][B,C]",
        "[A,B,C]",
    }
    chain = next(g for g in decomposable_graphs(3) if g.label() == "[L1,L2][L2,L3]")
    assert chain.separators == ((1,),)


def test_design_rows_encode_cliques_separators_and_components() -> None:
    design = graph_design(4).toarray()
    for g, graph in enumerate(decomposable_graphs(4)):
        row = np.zeros(17)
        for c in graph.cliques:
            row[sum(1 << v for v in c) - 1] += 1
        for s in graph.separators:
            row[sum(1 << v for v in s) - 1] -= 1
        row[15], row[16] = graph.n_components, 1
        np.testing.assert_array_equal(design[g], row)


def test_bad_vertex_count_is_refused() -> None:
    with pytest.raises(ValueError, match="2 to 6"):
        decomposable_graphs(7)


@pytest.mark.slow
def test_six_vertices_give_18154_graphs() -> None:
    # OEIS A058862 (labelled chordal graphs): 1, 2, 8, 61, 822, 18154
    graphs = decomposable_graphs(6)
    assert len(graphs) == 18_154
    design = graph_design(6)
    assert design.shape == (18_154, 65)
    assert all(g.n_components == _components(6, g.edges) for g in graphs[::97])


@pytest.mark.parametrize("p", [3, 4, 5])
def test_the_complete_graph_comes_last(p: int) -> None:
    last = decomposable_graphs(p)[-1]
    assert last.cliques == (tuple(range(p)),) and len(last.edges) == p * (p - 1) // 2
