"""Apply a Python function to the distinct values of an Arrow string array (names repeat)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc


def map_distinct(arr: Any, fn: Callable[[str], Any], out_type: pa.DataType) -> Any:
    """``fn`` over each distinct non-null value of ``arr``, spread back to every row."""
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    uniq = pc.unique(arr)
    values = [None if v is None else fn(v) for v in uniq.to_pylist()]
    mapped = pa.array(values, out_type)
    return pc.take(mapped, pc.index_in(arr, value_set=uniq))


def null_if_empty(arr: Any) -> Any:
    """Empty strings as nulls."""
    return pc.if_else(pc.equal(arr, pa.scalar("")), pa.scalar(None, arr.type), arr)
