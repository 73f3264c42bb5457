"""A thin adapter over Splink's database APIs: DuckDB (embedded, default) or Spark.

Only this module knows which engine runs. Spark is imported lazily and says what to install.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import pyarrow as pa

from inquest.errors import ConfigError

__all__ = ["DEFAULT_DUCKDB_MEMORY", "Engine", "EngineName", "make_engine", "size_bytes"]

EngineName = Literal["duckdb", "spark"]

#: DuckDB's memory limit unless the caller gives one (it spills to disk beyond it).
DEFAULT_DUCKDB_MEMORY = "6GB"

_SIZE = re.compile(r"\s*([0-9]+(?:\.[0-9]*)?)\s*([kmgt]?i?b)?\s*", re.IGNORECASE)
_UNIT = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12}
_UNIT |= {"kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def size_bytes(size: str) -> float:
    """Bytes in a memory size as DuckDB writes it (``6GB``, ``5.5 GiB``, ``512 MiB``)."""
    found = _SIZE.fullmatch(size)
    if found is None:
        raise ValueError(f"not a memory size: {size!r}")
    return float(found.group(1)) * _UNIT[(found.group(2) or "b").lower()]


@dataclass
class Engine:
    """A Splink database API plus the few operations inquest needs from it."""

    name: EngineName
    db_api: Any
    #: the memory limit the engine was started with (DuckDB reports it rounded)
    memory_limit: str | None = None
    #: DuckDB's spill folder, removed by :meth:`close` or when the process exits
    spill_dir: str | None = None
    _tables: int = field(default=0)

    def close(self) -> None:
        """Close DuckDB's database and remove its spill folder (Spark: nothing to do)."""
        if self.name != "duckdb":
            return
        self.db_api._con.close()
        self._remove_spill()
        atexit.unregister(self._remove_spill)

    def _remove_spill(self) -> None:
        if self.spill_dir is not None:
            shutil.rmtree(self.spill_dir, ignore_errors=True)

    def new_table_name(self, prefix: str = "inquest_t") -> str:
        """A table name not used before in this engine."""
        self._tables += 1
        return f"{prefix}{self._tables}"

    def register(self, table: pa.Table, name: str | None = None) -> Any:
        """Register an Arrow table as a Splink dataframe."""
        table_name = name or self.new_table_name()
        if self.name == "spark":
            spark = self.db_api.spark
            frame = spark.createDataFrame(table)  # Spark 4 reads Arrow directly
            frame.createOrReplaceTempView(table_name)
            return self.db_api.register(table_name, table_name=f"{table_name}_sdf")
        return self.db_api.register(table, table_name=table_name)

    @contextmanager
    def memory_held_to(self, limit: str) -> Iterator[None]:
        """Inside, DuckDB keeps at most ``limit`` in memory (never more than its own limit).

        Its tables move to the spill folder as far as they must and come back when read;
        the limit is restored on leaving. Spark's memory is fixed when it starts: no change.
        """
        if self.name != "duckdb":
            yield
            return
        con = self.db_api._con
        now = str(con.sql("SELECT current_setting('memory_limit')").fetchall()[0][0])
        before = self.memory_limit or now
        lower = size_bytes(limit) < size_bytes(now)
        if lower:
            con.execute("SET memory_limit = ?", [limit])
        try:
            yield
        finally:
            if lower:
                con.execute("SET memory_limit = ?", [before])

    def to_arrow(self, splink_df: Any) -> pa.Table:
        """A Splink dataframe as an Arrow table."""
        if self.name == "duckdb":
            con = self.db_api._con
            table: pa.Table = con.sql(f"SELECT * FROM {splink_df.physical_name}").to_arrow_table()  # noqa: S608
            return table
        return self.sql_arrow(f"SELECT * FROM {splink_df.physical_name}")  # noqa: S608

    def write_parquet(self, splink_df: Any, path: str | os.PathLike[str]) -> None:
        """Write a Splink dataframe to one Parquet file (DuckDB streams it; Spark collects)."""
        if self.name == "duckdb":
            target = str(path).replace("'", "''")
            self.db_api._con.execute(
                f"COPY (SELECT * FROM {splink_df.physical_name}) TO '{target}' (FORMAT parquet)"  # noqa: S608
            )
            return
        import pyarrow.parquet as pq

        pq.write_table(self.to_arrow(splink_df), str(path))

    def sql_arrow(self, sql: str) -> pa.Table:
        """Run SQL on the engine and return Arrow (DuckDB: in process; Spark: collected)."""
        if self.name == "duckdb":
            out: pa.Table = self.db_api._con.sql(sql).to_arrow_table()
            return out
        arrow: pa.Table = self.db_api.spark.sql(sql).toArrow()
        return arrow


def _duckdb(threads: int | None, memory_limit: str | None) -> Engine:
    import duckdb
    from splink import DuckDBAPI

    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    # DuckDB's default limit is 80% of the machine; Python holds the records and edges too.
    limit = memory_limit or DEFAULT_DUCKDB_MEMORY
    con.execute("SET memory_limit = ?", [limit])
    # Spill to a fresh temporary folder, not ./.tmp in whatever folder the run started from.
    spill = tempfile.mkdtemp(prefix="inquest-duckdb-")
    con.execute("SET temp_directory = ?", [spill])
    con.execute("SET preserve_insertion_order = false")
    engine = Engine("duckdb", DuckDBAPI(connection=con), memory_limit=limit, spill_dir=spill)
    # A run that ends in an error leaves DuckDB's spilled blocks behind (tens of GB at a
    # million records); the folder goes when the process exits (not on SIGKILL).
    atexit.register(engine._remove_spill)
    return engine


def _spark(threads: int | None, memory_limit: str | None) -> Engine:
    try:
        from pyspark.sql import SparkSession
        from splink import SparkAPI
        from splink.backends.spark import similarity_jar_location
    except ImportError as exc:
        raise ConfigError(
            "the Spark engine needs pyspark: pip install 'inquest[spark]' (and Java 17)",
            key="engine",
        ) from exc
    # The executors' Python (prepare runs there) is this one, with inquest installed, unless
    # the user chose another; PySpark reads it from the environment when the context starts.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    checkpoints = tempfile.mkdtemp(prefix="inquest-spark-")
    builder = (
        SparkSession.builder.master(f"local[{threads or os.cpu_count() or 2}]")
        .appName("inquest")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", str(2 * (threads or 2)))
        .config("spark.default.parallelism", str(2 * (threads or 2)))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    if memory_limit:
        builder = builder.config("spark.driver.memory", memory_limit)
    spark = builder.getOrCreate()
    spark.sparkContext.setCheckpointDir(checkpoints)
    spark.sparkContext.setLogLevel("ERROR")
    return Engine("spark", SparkAPI(spark_session=spark))  # type: ignore[no-untyped-call]


def make_engine(
    name: EngineName = "duckdb", *, threads: int | None = None, memory_limit: str | None = None
) -> Engine:
    """Start an engine: ``duckdb`` (embedded) or ``spark`` (local mode)."""
    if name == "duckdb":
        return _duckdb(threads, memory_limit)
    if name == "spark":
        return _spark(threads, memory_limit)
    raise ConfigError(f"unknown engine {name!r}; use duckdb or spark", key="engine")
