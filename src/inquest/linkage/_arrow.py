"""Apply a Python function to the distinct values of an Arrow string array (names repeat).

Inside :func:`distinct_values_in_parallel`, a column with many distinct values is mapped by
forked worker processes, a share of the values each: parsing names, dates and places is
Python, one core's work otherwise.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["PARALLEL_MIN_VALUES", "distinct_values_in_parallel", "map_distinct", "usable_cores"]

#: Fewer distinct values than this are mapped in this process (a place can take 10 ms).
PARALLEL_MIN_VALUES = 32

_POOL: ContextVar[tuple[Any, int] | None] = ContextVar("inquest_map_distinct_pool", default=None)


def usable_cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


@contextmanager
def distinct_values_in_parallel(workers: int) -> Iterator[None]:
    """Within the block, :func:`map_distinct` spreads big columns over ``workers`` forked
    processes (a no-op for one worker, or where processes cannot be forked). The functions
    mapped must then be picklable (module-level functions or partials of them)."""
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield
        return
    # Objects that exist before the fork are left to the parent: a worker's garbage
    # collector never finalises them (an engine's connection, say).
    gc.collect()
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            token = _POOL.set((pool, workers))
            try:
                yield
            finally:
                _POOL.reset(token)
    finally:
        gc.unfreeze()


def _apply(fn: Callable[[str], Any], values: list[str | None]) -> list[Any]:
    return [None if v is None else fn(v) for v in values]


def map_distinct(arr: Any, fn: Callable[[str], Any], out_type: pa.DataType) -> Any:
    """``fn`` over each distinct non-null value of ``arr``, spread back to every row."""
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    uniq = pc.unique(arr)
    values = uniq.to_pylist()
    pool = _POOL.get()
    if pool is not None and len(values) >= PARALLEL_MIN_VALUES:
        executor, workers = pool
        step = -(-len(values) // (2 * workers))  # two shares per worker evens out slow values
        shares = [(fn, values[i : i + step]) for i in range(0, len(values), step)]
        mapped_values = list(itertools.chain.from_iterable(executor.starmap(_apply, shares)))
    else:
        mapped_values = _apply(fn, values)
    mapped = pa.array(mapped_values, out_type)
    return pc.take(mapped, pc.index_in(arr, value_set=uniq))


def null_if_empty(arr: Any) -> Any:
    """Empty strings as nulls."""
    return pc.if_else(pc.equal(arr, pa.scalar("")), pa.scalar(None, arr.type), arr)
