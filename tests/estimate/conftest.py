"""Reference capture tables (copies of ../shared/mse-reference) for the estimation tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest

DATA = Path(__file__).parent / "data"

Table = tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64], list[str]]


def _load_table(name: str) -> Table:
    frame = pd.read_csv(DATA / f"{name}.csv")
    lists = [c for c in frame.columns if c != "count"]
    return (
        frame[lists].to_numpy(dtype=np.uint8),
        frame["count"].to_numpy(dtype=np.int64),
        lists,
    )


@pytest.fixture(scope="session")
def reference_table() -> Callable[[str], Table]:
    """``reference_table("uk_2013_5list")`` -> (patterns, counts, list names)."""
    return _load_table
