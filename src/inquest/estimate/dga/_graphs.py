"""All decomposable (chordal) graphs on p labelled vertices, with cliques and separators.

The dga method averages over every decomposable graphical model of the lists' dependence.
For p lists there are 2 (p = 2), 8 (p = 3), 61 (p = 4), 822 (p = 5) and 18,154 (p = 6) such
graphs. We enumerate them once per p by running maximum cardinality search on each of the
2^(p(p-1)/2) graphs (which tests chordality and gives a clique tree at once), and cache the
result in memory: no data file is needed (p = 6 takes about a second).

A graph's clique/separator structure is summarised for the likelihood as a signed count over
vertex subsets (bit ``i`` of a subset is vertex ``i``): +1 per maximal clique, -1 per non-empty
separator of a junction tree, plus its number of connected components (``graph_design``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import combinations
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

MAX_VERTICES = 6


@dataclass(frozen=True)
class DecomposableGraph:
    """One decomposable graph on vertices ``0..p-1``.

    ``cliques`` are the maximal cliques; ``separators`` the non-empty separators of a junction
    tree (a multiset: the same separator can occur more than once), each a sorted tuple of
    vertices.
    """

    p: int
    edges: tuple[tuple[int, int], ...]
    cliques: tuple[tuple[int, ...], ...]
    separators: tuple[tuple[int, ...], ...]

    @property
    def n_components(self) -> int:
        """Connected components: cliques minus non-empty separators (junction forest)."""
        return len(self.cliques) - len(self.separators)

    def label(self, names: Sequence[str] | None = None) -> str:
        """The cliques written as generators, e.g. ``[L1,L2][L3]``."""
        names = [f"L{i + 1}" for i in range(self.p)] if names is None else list(names)
        return "".join("[" + ",".join(names[v] for v in c) + "]" for c in self.cliques)


def _clique_tree(p: int, adjacency: list[int]) -> tuple[list[int], list[int]] | None:
    """Maximal cliques and junction-tree separators (bit masks), or None if not chordal.

    Maximum cardinality search (Tarjan & Yannakakis 1984; Blair & Peyton 1993): visit next
    the vertex with most visited neighbours. The graph is chordal iff each vertex's visited
    neighbours form a clique. A vertex with no more visited neighbours than its predecessor
    starts a new clique, and those neighbours (if any) are that clique's separator; otherwise
    it joins the current clique.
    """
    closed = [adjacency[u] | 1 << u for u in range(p)]
    weight = [0] * p
    visited = 0
    previous = -1
    cliques: list[int] = []
    separators: list[int] = []
    for _ in range(p):
        v = max((u for u in range(p) if not visited >> u & 1), key=weight.__getitem__)
        earlier = adjacency[v] & visited
        if any(closed[u] & earlier != earlier for u in _BITS[earlier]):
            return None
        size = len(_BITS[earlier])
        if size <= previous or not cliques:
            cliques.append(earlier | 1 << v)
            if earlier:
                separators.append(earlier)
        else:
            cliques[-1] |= 1 << v
        previous = size
        visited |= 1 << v
        for u in _BITS[adjacency[v] & ~visited]:
            weight[u] += 1
    return cliques, separators


_BITS = tuple(tuple(i for i in range(MAX_VERTICES) if m >> i & 1) for m in range(1 << MAX_VERTICES))


def _bits(mask: int) -> tuple[int, ...]:
    """The vertices in a subset (bit mask), in increasing order."""
    return _BITS[mask]


def _sort_key(mask: int) -> tuple[int, ...]:
    return tuple(_bits(mask))


@cache
def decomposable_graphs(p: int) -> tuple[DecomposableGraph, ...]:
    """Every decomposable graph on ``p`` vertices (2 <= p <= 6), fewest edges first."""
    if not 2 <= p <= MAX_VERTICES:
        raise ValueError(f"decomposable graphs are enumerated for 2 to {MAX_VERTICES} vertices")
    all_edges = list(combinations(range(p), 2))
    graphs = []
    for code in range(1 << len(all_edges)):
        edges = tuple(e for k, e in enumerate(all_edges) if code >> k & 1)
        adjacency = [0] * p
        for a, b in edges:
            adjacency[a] |= 1 << b
            adjacency[b] |= 1 << a
        tree = _clique_tree(p, adjacency)
        if tree is None:
            continue
        cliques = sorted(tree[0], key=_sort_key)
        separators = sorted(tree[1], key=_sort_key)
        graphs.append(
            DecomposableGraph(
                p=p,
                edges=edges,
                cliques=tuple(tuple(_bits(c)) for c in cliques),
                separators=tuple(tuple(_bits(s)) for s in separators),
            )
        )
    graphs.sort(key=lambda g: (len(g.edges), g.edges))
    return tuple(graphs)


@cache
def graph_design(p: int) -> Any:
    """The graphs' likelihood structure as a sparse (graphs x 2^p + 1) matrix.

    Column s - 1 (for each non-empty subset s of the vertices) holds the number of cliques of
    the graph equal to s minus the number of its separators equal to s; column 2^p - 1 holds
    its number of connected components and column 2^p a one. Times the per-subset terms, the
    normalising term and the terms common to all graphs (stacked as rows), it gives every
    graph's log posterior in one sparse product. Shared between calls: do not modify.
    """
    graphs = decomposable_graphs(p)
    size = 1 << p
    design = np.zeros((len(graphs), size + 1))
    for g, graph in enumerate(graphs):
        for c in graph.cliques:
            design[g, sum(1 << v for v in c) - 1] += 1.0
        for s in graph.separators:
            design[g, sum(1 << v for v in s) - 1] -= 1.0
        design[g, size - 1] = graph.n_components
        design[g, size] = 1.0
    return csr_matrix(design)


@lru_cache(maxsize=64)
def graph_labels(p: int, names: tuple[str, ...]) -> tuple[str, ...]:
    """Every graph's label with these list names, in ``decomposable_graphs(p)`` order."""
    return tuple(g.label(names) for g in decomposable_graphs(p))
