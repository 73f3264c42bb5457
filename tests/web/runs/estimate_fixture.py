"""A small estimate folder written by the real engine (``inquest estimate``'s code path)."""

from __future__ import annotations

from pathlib import Path

from inquest.estimate.run import run_estimation

# Synthetic capture histories: three lists, two strata; counts per pattern.
_HISTORIES = """A,B,C,region,count
1,0,0,north,60
0,1,0,north,50
0,0,1,north,40
1,1,0,north,20
1,0,1,north,15
0,1,1,north,12
1,1,1,north,8
1,0,0,south,70
0,1,0,south,45
0,0,1,south,52
1,1,0,south,18
1,0,1,south,22
0,1,1,south,10
1,1,1,south,9
"""


def write_estimate_dir(root: Path) -> Path:
    """Run log-linear estimation by region on the synthetic histories; return the folder."""
    histories = root / "histories.csv"
    histories.write_text(_HISTORIES, encoding="utf-8")
    out = root / "estimate"
    run_estimation(
        histories,
        out,
        methods=["loglinear"],
        strata="region",
        seed=11,
        options={"loglinear": {"n_boot": 30}},
    )
    return out
