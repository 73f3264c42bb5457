"""Tests for inquest.linkage.engine: DuckDB's settings and Parquet output."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa
import pyarrow.parquet as pq

from inquest.linkage.engine import make_engine


def _setting(engine: object, name: str) -> str:
    con = engine.db_api._con  # type: ignore[attr-defined]
    return str(con.execute(f"SELECT current_setting('{name}')").fetchone()[0])


def test_duckdb_spills_to_a_temporary_folder_under_a_limit() -> None:
    eng = make_engine("duckdb", memory_limit="1GB")
    spill = _setting(eng, "temp_directory")
    assert Path(spill).name.startswith("inquest-duckdb-")
    assert not Path(spill).resolve().is_relative_to(Path(os.getcwd()).resolve())
    assert _setting(eng, "memory_limit").replace(" ", "") in {"1.0GiB", "953.6MiB", "1GB"}


def test_write_parquet_streams_a_table(tmp_path: Path) -> None:
    eng = make_engine("duckdb")
    table = pa.table({"unique_id_l": [1, 2], "match_probability": [0.5, 0.25]})
    eng.db_api._con.register("t_in", table)
    eng.write_parquet(SimpleNamespace(physical_name="t_in"), tmp_path / "o'dd.parquet")
    assert pq.read_table(tmp_path / "o'dd.parquet").equals(table)


def test_the_spill_folder_goes_when_a_run_fails() -> None:
    import subprocess
    import sys

    code = (
        "from pathlib import Path\n"
        "from inquest.linkage.engine import make_engine\n"
        "eng = make_engine('duckdb')\n"
        "con = eng.db_api._con\n"
        "spill = con.execute(\"SELECT current_setting('temp_directory')\").fetchall()[0][0]\n"
        "(Path(spill) / 'block.tmp').write_bytes(b'x')\n"
        "print(spill, flush=True)\n"
        "raise SystemExit('the run failed')\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    spill = Path(run.stdout.strip())
    assert run.returncode == 1 and spill.name.startswith("inquest-duckdb-")
    assert not spill.exists()
