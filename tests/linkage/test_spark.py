"""The same model on Spark (local mode) gives the same clusters as DuckDB, within tolerance."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from inquest.io import read_list
from inquest.linkage.evaluate import score_clusters
from inquest.linkage.pipeline import link_records

DATA = Path(__file__).parent / "data"

pyspark = pytest.importorskip("pyspark")

pytestmark = [
    pytest.mark.spark,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("java") is None, reason="needs Java"),
    pytest.mark.skipif(
        os.environ.get("INQUEST_SPARK_TESTS") != "1",
        reason="starts Spark, about 3 minutes on 2 cores: set INQUEST_SPARK_TESTS=1 (CI's job)",
    ),
]


def test_spark_agrees_with_duckdb() -> None:
    records = read_list(DATA / "fake_1000_part.csv")
    duck = link_records(records, engine="duckdb")
    spark = link_records(records, engine="spark")
    agreement = score_clusters(spark.clustering.labels, duck.clustering.labels)
    assert agreement.bcubed_f1 > 0.95


def test_prepare_on_spark_is_prepare_whatever_the_partitions() -> None:
    import pyarrow as pa

    from inquest.linkage.engine import make_engine
    from inquest.linkage.prepare import prepare, prepare_on_spark

    spark = make_engine("spark").db_api.spark
    # 40 names the lexicon reads family first, then 40 garbled ones it cannot read: the
    # partitions holding only the garbled ones must still turn them, as prepare() does.
    names = ["کریمی حسین"] * 40 + ["رضانژاد سعود"] * 40
    table = pa.table(
        {
            "list": ["prison"] * len(names),
            "record_id": [str(i) for i in range(len(names))],
            "full_name": names,
            "row": pa.array(range(1, len(names) + 1), pa.int64()),
        }
    )
    from inquest.io import standard_schema

    for column in standard_schema().names:
        if column not in table.column_names:
            table = table.append_column(column, pa.nulls(table.num_rows, pa.string()))
    local = prepare(table)
    assert local.column("family_skel").to_pylist()[-1] == "RZNZD"  # turned round
    assert spark.createDataFrame(table).rdd.getNumPartitions() > 1
    assert prepare_on_spark(table, spark).equals(local)
    fake = read_list(DATA / "fake_1000_part.csv")
    assert prepare_on_spark(fake, spark).equals(prepare(fake))
