"""Linkage benchmark: inquest beside a generic Splink set-up, measured in the same run.

Datasets (pass names as arguments; default: all):
- ``default``: the simulated ``default`` preset (``inquest simulate --preset default --seed 1``),
  Persian and Latin-script lists of one synthetic population, with truth.
- ``historical_50k``: Splink's historical_50k (Latin script), with truth.
- ``febrl3``: FEBRL dataset 3 (Latin script), with truth.

The generic baseline is what a competent user writes without Persian knowledge, following
Splink's own examples (historical_50k, febrl3): Jaro-Winkler levels on lower-cased names (and
the two names swapped), dates compared as strings (exact, Levenshtein, date differences where
the string parses), exact matches with term frequencies on the rest; blocking on the names and
the date of birth; prior from deterministic rules, u by random sampling, m by EM over two
blocking rules (names, then date of birth) so that every comparison is trained. Beside it, the
same comparisons trained on the truth (true prior, m from every true pair, best clustering
threshold): an upper bound for any training of the generic set-up.
Both set-ups first run once, untimed, on a tenth of the records (imports, data tables, compiled
kernels). Then each is timed three times (``--repeat N``), in turns, and the figures are the
medians; inquest's caches of computed values are emptied before each of its timed runs.
Figures go to ``benchmarks/results/linkage.json``; wall and CPU time (with child processes)
and the load average are reported.
"""

from __future__ import annotations

import functools
import gc
import inspect
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from inquest.io import read_lists, standard_schema
from inquest.linkage.blocking import blocking_recall
from inquest.linkage.evaluate import score_clusters
from inquest.linkage.pipeline import cpu_seconds, link_records

ROOT = Path(__file__).resolve().parent.parent
#: The reference data sets (``INQUEST_LINKAGE_REFERENCE`` names another folder, e.g. from a
#: worktree, whose parent folder has no ``shared``).
REF = Path(
    os.environ.get("INQUEST_LINKAGE_REFERENCE", ROOT.parent / "shared" / "linkage-reference")
)
OUT = ROOT / "benchmarks" / "results" / "linkage.json"


def _clock() -> tuple[float, float]:
    return time.perf_counter(), cpu_seconds()


def _since(t: tuple[float, float]) -> dict[str, float]:
    return {
        "wall_s": round(time.perf_counter() - t[0], 2),
        "cpu_s": round(cpu_seconds() - t[1], 2),
    }


def _forget_values() -> int:
    """Empty inquest's caches of computed values (parsed names, dates, places, word scores),
    keeping only its loaded data tables (zero-argument loaders: lexicon, gazetteer ...)."""
    cleared = 0
    for obj in gc.get_objects():
        if not isinstance(obj, functools._lru_cache_wrapper):
            continue
        ours = str(getattr(obj, "__module__", "")).startswith("inquest")
        if ours and inspect.signature(obj.__wrapped__).parameters:  # type: ignore[attr-defined]
            obj.cache_clear()
            cleared += 1
    return cleared


#: Timed runs of each set-up (``--repeat N``); the figures are their medians.
REPEAT = 3


def _median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    """The median wall and CPU seconds of several runs."""
    return {k: round(float(np.median([r[k] for r in runs])), 2) for k in ("wall_s", "cpu_s")}


def _warm_up(records: pa.Table, df: pd.DataFrame, spec: Generic) -> dict[str, float]:
    """Run both set-ups once on a tenth of the records, untimed for the comparison: each then
    starts timing with its modules imported, data tables loaded and kernels compiled, and
    neither keeps a computed value (see :func:`_forget_values`)."""
    rows = np.arange(0, records.num_rows, 10)
    t = _clock()
    link_records(records.take(rows))
    ours = _since(t)["wall_s"]
    t = _clock()
    generic_labels(df.iloc[rows], spec)
    generic = _since(t)["wall_s"]
    _forget_values()
    return {"inquest_wall_s": ours, "generic_wall_s": generic}


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


@dataclass(frozen=True)
class Generic:
    """The columns of a generic Splink set-up (names lower-cased, dates kept as strings)."""

    first: str
    last: str
    dob: str
    #: strptime format of the dates of birth that parse (others compare only as strings)
    dob_format: str
    names: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()


def _generic_rules(spec: Generic) -> list[str]:
    """Blocking: both names (either way round), one name and the date of birth, name prefixes."""
    f, s, d = (f'"{c}"' for c in (spec.first, spec.last, spec.dob))
    return [
        f"l.{f} = r.{f} AND l.{s} = r.{s}",
        f"l.{f} = r.{s} AND l.{s} = r.{f}",
        f"l.{s} = r.{s} AND l.{d} = r.{d}",
        f"l.{f} = r.{f} AND l.{d} = r.{d}",
        f"substr(l.{f}, 1, 3) = substr(r.{f}, 1, 3) AND substr(l.{s}, 1, 4) = substr(r.{s}, 1, 4)",
    ]


def _generic_linker(df: pd.DataFrame, spec: Generic) -> tuple[Any, pd.DataFrame]:
    """The settings Splink's own examples write (historical_50k, febrl3), over ``spec``'s columns.

    Forename/surname comparison (exact with term frequencies on the full name, columns
    swapped, Jaro-Winkler 0.92 / 0.88 on both, surname or forename only), other names with
    Splink's name comparison (Jaro-Winkler 0.92 / 0.88 / 0.7), the date of birth with Splink's
    date-of-birth comparison over the strings (exact, Levenshtein 1, then date differences
    where the string parses), other dates by Levenshtein on the strings, exact matches with
    term frequencies on the rest. Blocking on names and date of birth (including the swapped
    names), as in the tutorials.
    """
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator

    first, last, dob = spec.first, spec.last, spec.dob
    data = df.copy()
    data["unique_id"] = np.arange(len(data))
    for c in (spec.first, spec.last, *spec.names, *spec.exact):
        data[c] = data[c].astype("string").str.strip().str.lower().replace("", pd.NA)
    data["first_last"] = data[spec.first] + " " + data[spec.last]
    data = data.astype(object).where(data.notna(), None)
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        blocking_rules_to_generate_predictions=_generic_rules(spec),
        comparisons=[
            cl.ForenameSurnameComparison(
                first, last, forename_surname_concat_col_name="first_last"
            ),
            *[cl.NameComparison(c) for c in spec.names],
            cl.DateOfBirthComparison(
                dob,
                input_is_string=True,
                datetime_format=spec.dob_format,
                invalid_dates_as_null=False,
            ),
            *[cl.LevenshteinAtThresholds(c, [1, 2]) for c in spec.dates],
            *[cl.ExactMatch(c).configure(term_frequency_adjustments=True) for c in spec.exact],
        ],
        retain_intermediate_calculation_columns=True,
    )
    db = DuckDBAPI()
    return Linker(db.register(data), settings, log_level=logging.ERROR), data


def generic_labels(df: pd.DataFrame, spec: Generic) -> Any:
    """Generic Splink 5, trained as Splink's tutorials train: cluster labels per record.

    The prior from deterministic rules (same names and date of birth, either way round) at
    the tutorials' guessed recall of 0.6; u from 1e6 random pairs (inquest's own budget); m by
    EM blocked on the names and then on the date of birth, so every comparison is trained;
    predictions clustered at 0.95.
    """
    from splink import block_on

    linker, data = _generic_linker(df, spec)
    first, last, dob = spec.first, spec.last, spec.dob
    linker.training.estimate_probability_two_random_records_match(
        [
            block_on(first, last, dob),
            f'l."{first}" = r."{last}" AND l."{last}" = r."{first}" AND l."{dob}" = r."{dob}"',
        ],
        recall=0.6,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for rule in (block_on(first, last), block_on(dob)):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
        except ValueError as exc:
            print("baseline EM session failed:", exc)
    pred = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, 0.95)
    out = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]
    return data[["unique_id"]].merge(out, on="unique_id", how="left")["cluster_id"].to_numpy()


def _generic_bound(df: pd.DataFrame, spec: Generic, truth: np.ndarray) -> dict[str, Any]:
    """What the generic comparisons could reach if training were perfect (uses the truth).

    The same settings with the true prior and m from the truth (every true pair), clustered
    at the threshold that gives the best pairwise F1: an upper bound for any training of
    the generic set-up, not a set-up anyone could run.
    """
    true_id = pd.factorize(pd.Series(truth))[0]
    linker, data = _generic_linker(df.assign(true_id=true_id), spec)
    n = len(data)
    counts = np.bincount(true_id)
    true_pairs = float((counts * (counts - 1) / 2).sum())
    linker._settings_obj._probability_two_random_records_match = true_pairs / (n * (n - 1) / 2)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_m_from_label_column("true_id")
    pred = linker.inference.predict(threshold_match_probability=0.01)
    best: dict[str, Any] = {}
    for threshold in (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99):
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, threshold)
        out = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]
        labels = data[["unique_id"]].merge(out, on="unique_id", how="left")["cluster_id"]
        scores = score_clusters(labels.to_numpy(), truth).as_dict()
        if not best or scores["pairwise_f1"] > best["pairwise_f1"]:
            best = {**scores, "cluster_threshold": threshold}
    return best


def _run(
    name: str, records: pa.Table, truth: np.ndarray, df: pd.DataFrame, spec: Generic
) -> dict[str, Any]:
    print(f"== {name}: {records.num_rows:,} records")
    warm_up = _warm_up(records, df, spec)
    print("warm-up on a tenth of the records (not in the comparison)", warm_up)
    load = [round(x, 2) for x in os.getloadavg()]
    # Each set-up is timed REPEAT times, in turns (inquest, generic, inquest, ...), each
    # inquest run with its caches of computed values emptied: the machine's speed drifts by
    # 10-20% between runs a minute apart, so one run of each says little about their ratio.
    ours_runs: list[dict[str, float]] = []
    base_runs: list[dict[str, float]] = []
    for _ in range(REPEAT):
        _forget_values()
        t = _clock()
        result = link_records(records)
        ours_runs.append(_since(t))
        t = _clock()
        base_labels = generic_labels(df, spec)
        base_runs.append(_since(t))
    ours_time, base_time = _median_run(ours_runs), _median_run(base_runs)
    ours = score_clusters(result.clustering.labels, truth).as_dict()
    recall = blocking_recall(result.prepared, truth, list(result.model.blocking))
    print("inquest", ours_time, ours_runs, {k: round(v, 4) for k, v in ours.items()})
    print("blocking recall", round(recall.recall, 4))
    base = score_clusters(base_labels, truth).as_dict()
    base_recall = blocking_recall(_generic_linker(df, spec)[1], truth, _generic_rules(spec))
    print("generic", base_time, base_runs, {k: round(v, 4) for k, v in base.items()})
    print("generic blocking recall", round(base_recall.recall, 4))
    bound = _generic_bound(df, spec, truth)
    print("generic bound (trained on the truth)", {k: round(v, 4) for k, v in bound.items()})
    return {
        "records": records.num_rows,
        "warm_up": warm_up,
        "load_avg_before": load,
        "load_avg_after": [round(x, 2) for x in os.getloadavg()],
        "repeat": REPEAT,
        "inquest": {
            **ours,
            **ours_time,
            "runs": ours_runs,
            "steps": result.timings,
            "blocking_recall": recall.recall,
            "warnings": result.warnings,
        },
        "generic_splink": {
            **base,
            **base_time,
            "runs": base_runs,
            "blocking_recall": base_recall.recall,
        },
        "generic_splink_trained_on_truth": bound,
        "time_ratio_wall": round(ours_time["wall_s"] / max(base_time["wall_s"], 1e-9), 2),
        "time_ratio_cpu": round(ours_time["cpu_s"] / max(base_time["cpu_s"], 1e-9), 2),
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

    spec = Generic(
        "first_name", "surname", "dob", "%Y-%m-%d", exact=("postcode_fake", "birth_place", "gender")
    )
    return _run("historical_50k", records, h["cluster"].to_numpy(), h, spec)


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

    spec = Generic("given_name", "surname", "date_of_birth", "%Y%m%d", exact=("suburb", "postcode"))
    return _run("febrl3", records, truth, df, spec)


def simulated_generic_input(records: pa.Table) -> tuple[pd.DataFrame, Generic]:
    """A simulated world's records (from :func:`read_lists`) as the generic set-up reads them.

    Given and family names come from their columns, else from the full name ("Last, First"
    when it has a comma, else "First ... Last").
    """
    df = records.to_pandas()
    full = df["full_name"].fillna("").str.strip()
    comma = full.str.split(",", n=1)
    words = full.str.split()
    df["first"] = df["given_name"].fillna(
        comma.str[1].str.strip().where(comma.str.len() > 1, words.str[0])
    )
    df["last"] = df["family_name"].fillna(
        comma.str[0].str.strip().where(comma.str.len() > 1, words.str[-1])
    )
    spec = Generic(
        "first",
        "last",
        "birth_date",
        "%Y/%m/%d",
        names=("father_name",),
        dates=("death_date",),
        exact=("sex", "birth_place", "residence", "prison", "burial_place"),
    )
    return df, spec


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
    df, spec = simulated_generic_input(records)
    return _run(f"simulated_{preset}", records, truth, df, spec)


def main(argv: list[str]) -> None:
    global REPEAT
    if "--repeat" in argv:
        at = argv.index("--repeat")
        REPEAT = int(argv[at + 1])
        argv = argv[:at] + argv[at + 2 :]
    wanted = argv or ["historical_50k", "febrl3", "default"]
    results = json.loads(OUT.read_text()) if OUT.exists() else {}
    runs = {"historical_50k": historical, "febrl3": febrl3, "default": simulated}
    for name in wanted:
        results[name] = runs[name]()
        OUT.write_text(json.dumps(results, indent=2, default=float))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main(sys.argv[1:])
