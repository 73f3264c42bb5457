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


@pytest.mark.spark
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("java") is None, reason="needs Java")
@pytest.mark.skipif(
    os.environ.get("INQUEST_SPARK_TESTS") != "1",
    reason="about 3 minutes on 2 cores: set INQUEST_SPARK_TESTS=1 (CI's Spark job)",
)
def test_spark_agrees_with_duckdb() -> None:
    records = read_list(DATA / "fake_1000_part.csv")
    duck = link_records(records, engine="duckdb")
    spark = link_records(records, engine="spark")
    agreement = score_clusters(spark.clustering.labels, duck.clustering.labels)
    assert agreement.bcubed_f1 > 0.95
