"""Linkage benchmark: inquest beside a generic Splink set-up, measured in the same run.

Datasets (pass names as arguments; default: all):
- ``default``: the simulated ``default`` preset (``inquest simulate --preset default --seed 1``),
  Persian and Latin-script lists of one synthetic population, with truth.
- ``historical_50k``: Splink's historical_50k (Latin script), with truth.
- ``febrl3``: FEBRL dataset 3 (Latin script), with truth.

The generic baseline is what a competent user writes without Persian knowledge: jaro-winkler
on lower-cased names, dates as strings (Splink's own example settings for historical_50k).
Figures go to ``benchmarks/results/linkage.json``; wall and CPU time are both reported.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from inquest.io import read_lists, standard_schema
from inquest.linkage.blocking import blocking_recall
from inquest.linkage.evaluate import score_clusters
from inquest.linkage.pipeline import link_records

ROOT = Path(__file__).resolve().parent.parent
REF = ROOT.parent / "shared" / "linkage-reference"
OUT = ROOT / "benchmarks" / "results" / "linkage.json"


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(t: tuple[float, float]) -> dict[str, float]:
    return {
        "wall_s": round(time.perf_counter() - t[0], 2),
        "cpu_s": round(time.process_time() - t[1], 2),
    }


def _standard(df: pd.DataFrame, columns: dict[str, str], list_name: str) -> pa.Table:
    n = len(df)
    data: dict[str, Any] = {"list": pa.array([list_name] * n)}
    for src, dst in columns.items():
        data[dst] = pa.array(df[src].astype(object).where(df[src].notna(), None), pa.string())
    data["row"] = pa.array(range(1, n + 1), pa.int64())
    for c in standard_schema().names:
        data.setdefault(c, pa.nulls(n, pa.string()))
    order = ["list", "record_id", "row", *[c for c in standard_schema().names if c != "record_id"]]
    return pa.table({c: data[c] for c in order})


def _generic(df: pd.DataFrame, first: str, last: str, dob: str, extra: list[str]) -> Any:
    """Generic Splink 5 set-up: JW on lower-cased names, dob as string, exact on the rest."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    db = DuckDBAPI()
    frame = db.register(df)
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        blocking_rules_to_generate_predictions=[block_on(first, last), block_on(last, dob)],
        comparisons=[
            cl.JaroWinklerAtThresholds(first).configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds(last).configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(dob, input_is_string=True),
            *[cl.ExactMatch(c) for c in extra],
        ],
    )
    linker = Linker(frame, settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on(first, last)], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for rule in (block_on(first, last), block_on(dob)):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        except ValueError as exc:
            print("baseline EM session failed:", exc)
    pred = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, 0.95)
    out = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]
    return df[["unique_id"]].merge(out, on="unique_id", how="left")["cluster_id"].to_numpy()


def _run(name: str, records: pa.Table, truth: np.ndarray, baseline: Any) -> dict[str, Any]:
    print(f"== {name}: {records.num_rows:,} records")
    t = _clock()
    result = link_records(records)
    ours_time = _since(t)
    ours = score_clusters(result.clustering.labels, truth).as_dict()
    recall = blocking_recall(result.prepared, truth, list(result.model.blocking))
    print("inquest", ours_time, {k: round(v, 4) for k, v in ours.items()})
    print("blocking recall", round(recall.recall, 4))
    t = _clock()
    base_labels = baseline()
    base_time = _since(t)
    base = score_clusters(base_labels, truth).as_dict()
    print("generic", base_time, {k: round(v, 4) for k, v in base.items()})
    return {
        "records": records.num_rows,
        "inquest": {
            **ours,
            **ours_time,
            "steps": result.timings,
            "blocking_recall": recall.recall,
            "warnings": result.warnings,
        },
        "generic_splink": {**base, **base_time},
        "time_ratio_wall": round(ours_time["wall_s"] / max(base_time["wall_s"], 1e-9), 2),
    }


def historical() -> dict[str, Any]:
    h = pd.read_parquet(REF / "splink" / "historical_figures_with_errors_50k.parquet")
    cols = {
        "unique_id": "record_id",
        "full_name": "full_name",
        "first_name": "given_name",
        "surname": "family_name",
        "dob": "birth_date",
        "birth_place": "birth_place",
        "postcode_fake": "residence",
        "gender": "sex",
    }
    records = _standard(h, cols, "historical_50k")

    def baseline() -> Any:
        return _generic(h, "first_name", "surname", "dob", ["postcode_fake", "birth_place"])

    return _run("historical_50k", records, h["cluster"].to_numpy(), baseline)


def febrl3() -> dict[str, Any]:
    df = pd.read_csv(
        REF / "febrl" / "dataset3.csv", skipinitialspace=True, dtype=str, keep_default_na=False
    ).replace("", None)
    df["unique_id"] = df["rec_id"]
    df["address"] = (df["street_number"].fillna("") + " " + df["address_1"].fillna("")).str.strip()
    cols = {
        "rec_id": "record_id",
        "given_name": "given_name",
        "surname": "family_name",
        "date_of_birth": "birth_date",
        "suburb": "residence",
        "address": "notes",
    }
    records = _standard(df, cols, "febrl3")
    truth = df["rec_id"].str.extract(r"^rec-(\d+)-", expand=False).to_numpy()

    def baseline() -> Any:
        return _generic(df, "given_name", "surname", "date_of_birth", ["suburb", "postcode"])

    return _run("febrl3", records, truth, baseline)


def simulated(preset: str = "default") -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix=f"inquest-bench-{preset}-"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "inquest",
            "simulate",
            "--preset",
            preset,
            "--seed",
            "1",
            "--out",
            str(folder),
        ],
        check=True,
        capture_output=True,
    )
    lists = sorted((folder / "lists").glob("*.csv"))
    records = read_lists(lists)
    truth_df = pd.read_csv(folder / "truth.csv", dtype=str)
    key = records.select(["list", "record_id"]).to_pandas()
    truth = key.merge(truth_df, on=["list", "record_id"], how="left")["person_id"].to_numpy()
    df = records.to_pandas()
    df["unique_id"] = np.arange(len(df))
    parts = df["full_name"].fillna("").str.lower().str.split()
    df["first"] = df["given_name"].str.lower().fillna(parts.str[0])
    df["last"] = df["family_name"].str.lower().fillna(parts.str[-1])
    df = df.replace("", None)

    def baseline() -> Any:
        return _generic(df, "first", "last", "birth_date", ["birth_place", "father_name"])

    return _run(f"simulated_{preset}", records, truth, baseline)


def main(argv: list[str]) -> None:
    wanted = argv or ["historical_50k", "febrl3", "default"]
    results = json.loads(OUT.read_text()) if OUT.exists() else {}
    runs = {"historical_50k": historical, "febrl3": febrl3, "default": simulated}
    for name in wanted:
        results[name] = runs[name]()
        OUT.write_text(json.dumps(results, indent=2, default=float))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main(sys.argv[1:])
