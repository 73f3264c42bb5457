"""Cells and design matrices of hierarchical log-linear models with two-list terms.

A table over ``J`` lists has ``2**J`` cells; cell ``c`` holds the persons whose capture
pattern has bit ``i`` set for each list ``i`` they are on (list 1 is bit 0, as in dga). Cell 0,
the persons on no list, is never observed. A model is its set of two-list terms, each a pair
``(i, j)`` with ``i < j``; main effects and the intercept are always present.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import combinations

import numpy as np
import numpy.typing as npt

Term = tuple[int, int]
Model = tuple[Term, ...]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def all_pairs(n_lists: int) -> Model:
    """Every two-list term, in lexicographic order."""
    return tuple(combinations(range(n_lists), 2))


def canonical(terms: Iterable[Term]) -> Model:
    """A model as a sorted tuple of ordered pairs (so that it can key a cache)."""
    return tuple(sorted({(min(a, b), max(a, b)) for a, b in terms}))


@lru_cache(maxsize=32)
def cell_bits(n_lists: int) -> npt.NDArray[np.uint8]:
    """(2**J, J) matrix: row ``c`` is the capture pattern of cell ``c`` (read-only)."""
    codes = np.arange(2**n_lists)
    out = ((codes[:, None] >> np.arange(n_lists)[None, :]) & 1).astype(np.uint8)
    out.flags.writeable = False
    return out


@lru_cache(maxsize=32)
def pair_cells(n_lists: int) -> BoolArray:
    """(n_pairs, 2**J) mask: cells holding both lists of each pair (``all_pairs`` order)."""
    bits = cell_bits(n_lists).astype(bool)
    out = np.stack([bits[:, i] & bits[:, j] for i, j in all_pairs(n_lists)])
    out.flags.writeable = False
    return out


def codes_of(patterns: npt.ArrayLike) -> IntArray:
    """Cell index of each capture pattern (rows of 0/1)."""
    arr = np.asarray(patterns, dtype=np.int64)
    weights = np.int64(1) << np.arange(arr.shape[1], dtype=np.int64)
    return np.asarray(arr @ weights, dtype=np.int64)


def dense_table(patterns: npt.ArrayLike, counts: npt.ArrayLike, n_lists: int) -> IntArray:
    """Counts of all ``2**J`` cells (cell 0 is 0); repeated patterns are summed."""
    table = np.zeros(2**n_lists, dtype=np.int64)
    np.add.at(table, codes_of(patterns), np.asarray(counts, dtype=np.int64))
    return table


def overlaps(table: IntArray, n_lists: int) -> dict[Term, int]:
    """Number of persons on both lists of each pair, whatever other lists they are on."""
    sums = pair_cells(n_lists) @ table
    return {pair: int(v) for pair, v in zip(all_pairs(n_lists), sums, strict=True)}


def retained_cells(n_lists: int, structural_zero_terms: Sequence[Term]) -> BoolArray:
    """Observable cells (not cell 0) that contain no pair of a model term with empty overlap.

    A term whose two lists share nobody is handled as in SparseMSE (Chan, Silverman &
    Vincent 2021): its parameter is -inf, so the cells holding both lists are dropped.
    """
    bits = cell_bits(n_lists)
    keep = np.ones(2**n_lists, dtype=bool)
    keep[0] = False
    for i, j in structural_zero_terms:
        keep &= ~(bits[:, i].astype(bool) & bits[:, j].astype(bool))
    return keep


def design_matrix(n_lists: int, terms: Sequence[Term]) -> FloatArray:
    """(2**J, 1 + J + len(terms)) design over every cell: intercept, main effects, terms.

    Read-only (cached): index or copy it before changing it.
    """
    return _design(n_lists, tuple(terms))


@lru_cache(maxsize=4096)
def _design(n_lists: int, terms: Model) -> FloatArray:
    bits = cell_bits(n_lists).astype(np.float64)
    cols = [np.ones((bits.shape[0], 1)), bits]
    if terms:
        cols.append(np.stack([bits[:, i] * bits[:, j] for i, j in terms], axis=1))
    out = np.concatenate(cols, axis=1)
    out.flags.writeable = False
    return out


def term_names(lists: Sequence[str], terms: Sequence[Term]) -> list[str]:
    """``"A:B"`` names of two-list terms."""
    return [f"{lists[i]}:{lists[j]}" for i, j in terms]
