"""Tests for inquest.linkage.engine: DuckDB's settings and Parquet output."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from inquest.linkage.engine import make_engine


def _setting(engine: object, name: str) -> str:
    con = engine.db_api._con  # type: ignore[attr-defined]
    return str(con.execute(f"SELECT current_setting('{name}')").fetchall()[0][0])


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


def test_sizes_read_as_duckdb_writes_them() -> None:
    import pytest

    from inquest.linkage.engine import size_bytes

    assert size_bytes("6GB") == 6e9
    assert size_bytes("5.5 GiB") == 5.5 * 2**30
    assert size_bytes("512 MiB") == 2**29
    assert size_bytes("100") == 100
    with pytest.raises(ValueError, match="not a memory size"):
        size_bytes("lots")


def test_memory_held_to_moves_tables_to_the_spill_folder_and_back() -> None:
    eng = make_engine("duckdb", memory_limit="2GB")
    con = eng.db_api._con
    con.execute("CREATE TABLE t AS SELECT range AS a, md5(range::VARCHAR) AS s FROM range(3000000)")

    def usage() -> tuple[float, float]:
        row = con.execute(
            "SELECT sum(memory_usage_bytes), sum(temporary_storage_bytes) FROM duckdb_memory()"
        ).fetchall()[0]
        return float(row[0]), float(row[1])

    held, spilled = usage()
    assert held > 100e6 and spilled == 0
    before = _setting(eng, "memory_limit")
    with eng.memory_held_to("64MB"):
        assert _setting(eng, "memory_limit").replace(" ", "") in {"61.0MiB", "64MB"}
        held, spilled = usage()
        assert held <= 64e6 and spilled > 60e6
        assert con.execute("SELECT count(*) FROM t").fetchall()[0][0] == 3_000_000
    assert _setting(eng, "memory_limit") == before
    with eng.memory_held_to("20GB"):  # never above the engine's own limit
        assert _setting(eng, "memory_limit") == before


def test_close_removes_the_spill_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    import atexit

    unregistered: list[object] = []
    monkeypatch.setattr(atexit, "unregister", unregistered.append)
    eng = make_engine("duckdb")
    spill = Path(_setting(eng, "temp_directory"))
    assert spill.is_dir() and eng.spill_dir == str(spill)
    eng.close()
    assert not spill.exists()
    assert unregistered == [eng._remove_spill]  # and no handler waits for the exit
