"""The estimator registry: a toy method (Lincoln–Petersen on two lists) registers and runs end
to end through ``run_estimation``, the in-memory entry points and the command line; options are
read and checked against each method's dataclass."""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from typer.testing import CliRunner

from inquest.cli import app
from inquest.errors import ConfigError, InputError
from inquest.estimate import registry
from inquest.estimate.dga import DgaOptions
from inquest.estimate.histories import CaptureHistories, histories_from_clusters, read_histories
from inquest.estimate.lcmcr import LcmcrOptions
from inquest.estimate.registry import Step, option
from inquest.estimate.result import EstimateResult
from inquest.estimate.run import estimate, run_estimation
from inquest.hashing import sha256_file, table_sha256

DATA = Path(__file__).parent / "data"
KOSOVO = DATA / "kosovo_4list.csv"


@dataclass(frozen=True)
class PetersenOptions:
    first: int = option(0, "Index of the first list.")
    second: int = option(1, "Index of the second list.")
    n_draws: int = option(2000, "Normal draws of N (to combine strata).")


@dataclass(frozen=True)
class LincolnPetersen:
    """Chapman's form of the Lincoln–Petersen estimator on two of the lists."""

    name: str = "petersen"
    description: str = "Lincoln–Petersen (Chapman) on two lists; a toy for the tests."
    options_type: type[PetersenOptions] = PetersenOptions
    requires: tuple[str, ...] = ("numpy",)

    def run(
        self,
        histories: CaptureHistories,
        options: PetersenOptions,
        *,
        seed: int,
        level: float,
        progress: Step | None,
    ) -> EstimateResult:
        a = histories.patterns[:, options.first] == 1
        b = histories.patterns[:, options.second] == 1
        n1, n2 = int(histories.counts[a].sum()), int(histories.counts[b].sum())
        m = int(histories.counts[a & b].sum())
        n_hat, sd = chapman(n1, n2, m)
        z = 1.959963984540054
        draws = np.random.default_rng(seed).normal(n_hat, sd, options.n_draws)
        if progress is not None:
            progress("done", 1, 1)
        return EstimateResult(
            method=self.name,
            n_observed=histories.n_observed,
            estimate=n_hat,
            lower=n_hat - z * sd,
            upper=n_hat + z * sd,
            level=level,
            point="mle",
            interval="wald",
            assumptions=("The two lists are independent and everyone is alike.",),
            settings={"lists": [histories.lists[options.first], histories.lists[options.second]]},
            seed=seed,
            lists=histories.lists,
            draws=draws,
        )


def chapman(n1: int, n2: int, m: int) -> tuple[float, float]:
    """Chapman's estimate of N and its standard error (Seber 1982)."""
    n_hat = (n1 + 1) * (n2 + 1) / (m + 1) - 1
    var = (n1 + 1) * (n2 + 1) * (n1 - m) * (n2 - m) / ((m + 1) ** 2 * (m + 2))
    return n_hat, math.sqrt(var)


@pytest.fixture
def toy() -> Iterator[LincolnPetersen]:
    est = LincolnPetersen()
    registry.register(est)
    yield est
    registry.unregister(est.name)


def _kosovo_by_hand(first: int, second: int) -> tuple[float, float]:
    """Chapman's figures from the CSV read here, not through inquest."""
    n1 = n2 = m = 0
    with KOSOVO.open(encoding="utf-8") as fh:
        for row in csv.reader(list(fh)[1:]):
            on, count = [int(v) for v in row[:-1]], int(row[-1])
            n1 += count * on[first]
            n2 += count * on[second]
            m += count * (on[first] and on[second])
    return chapman(n1, n2, m)


def test_the_builtin_methods_register_themselves_in_order() -> None:
    assert list(registry.estimators())[:3] == ["loglinear", "dga", "lcmcr"]
    assert registry.get("lcmcr").options_type is LcmcrOptions
    with pytest.raises(InputError, match="unknown method 'nope'"):
        registry.get("nope")


def test_a_toy_estimator_runs_end_to_end(toy: LincolnPetersen, tmp_path: Path) -> None:
    assert "petersen" in registry.estimators()
    assert registry.resolve_methods("all")[0][-1] == "petersen"
    run = run_estimation(
        KOSOVO,
        tmp_path,
        methods=["loglinear", "petersen"],
        options={"loglinear": {"n_boot": 20}, "petersen": {"second": "2"}},
    )
    expected, sd = _kosovo_by_hand(0, 2)
    doc = json.loads((tmp_path / "estimate.json").read_text(encoding="utf-8"))
    res = doc["methods"]["petersen"]["result"]
    assert res["estimate"] == pytest.approx(expected)
    assert res["upper"] - res["estimate"] == pytest.approx(1.959963984540054 * sd)
    assert res["settings"]["lists"] == ["EXH", "OSCE"]
    assert res["seed"] == 1000  # the second method: seed + 1000
    assert res["input_hash"] == doc["provenance"]["input_hash"]
    assert doc["provenance"]["settings"]["options"]["petersen"] == {
        "first": 0,
        "second": 2,
        "n_draws": 2000,
    }
    assert run.combined_draws["petersen"].shape == (2000,)
    assert (tmp_path / "report.html").is_file()
    assert (tmp_path / "plots" / "posterior_n.png").is_file()


def test_a_toy_estimator_combines_strata_by_summing_draws(toy: LincolnPetersen) -> None:
    h = read_histories(KOSOVO)
    strata = np.array(["a", "b"] * (len(h.counts) // 2) + ["a"] * (len(h.counts) % 2))
    run = estimate(
        CaptureHistories(h.lists, h.patterns, h.counts, strata=strata, stratum_column="half"),
        ["petersen"],
    )
    parts = run.outputs["petersen"]
    assert set(parts) == {"a", "b"}
    total = run.combined["petersen"]
    assert total.stratum == "combined"
    assert total.estimate == pytest.approx(sum(o.result.estimate for o in parts.values()))


def test_a_toy_estimator_runs_from_the_command_line(toy: LincolnPetersen, tmp_path: Path) -> None:
    out = tmp_path / "cli"
    args = ["estimate", str(KOSOVO), "--out", str(out), "-m", "petersen"]
    result = CliRunner().invoke(app, [*args, "--option", "petersen.second=3"])
    assert result.exit_code == 0, result.output
    expected, _ = _kosovo_by_hand(0, 3)
    assert f"{expected:,.0f}" in result.output
    doc = json.loads((out / "estimate.json").read_text(encoding="utf-8"))
    assert doc["methods"]["petersen"]["result"]["estimate"] == pytest.approx(expected)
    listed = CliRunner().invoke(app, ["estimate", "--list-methods"], terminal_width=200)
    assert "petersen.second" in listed.output and "Index of the second list." in listed.output
    bad = CliRunner().invoke(app, [*args, "-O", "petersen.third=1"])
    assert bad.exit_code == 2 and "petersen.third" in bad.output
    bad = CliRunner().invoke(app, [*args, "-O", "petersen.second=two"])
    assert bad.exit_code == 2 and "petersen.second" in bad.output
    assert "expected a whole number" in bad.output


def test_a_table_of_clusters_runs_as_its_file_does(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    rows = []
    for person in range(600):
        for lst, p in (("a", 0.5), ("b", 0.4), ("c", 0.3)):
            if rng.random() < p:
                rows.append((lst, f"{lst}{person}", person))
    table = pa.table(
        {
            "list": [r[0] for r in rows],
            "record_id": [r[1] for r in rows],
            "person_id": pa.array([r[2] for r in rows], pa.int64()),
        }
    )
    h = histories_from_clusters(table)
    run = run_estimation(table, tmp_path / "mem", options={"loglinear": {"n_boot": 10}})
    pacsv.write_csv(table, tmp_path / "clusters.csv")
    again = run_estimation(
        tmp_path / "clusters.csv", tmp_path / "file", options={"loglinear": {"n_boot": 10}}
    )
    assert h.sources == () and h.n_observed == len({r[2] for r in rows})
    # the same result; only the input's fingerprint differs (a table, a file)
    in_memory = run.combined["loglinear"].to_dict()
    from_file = again.combined["loglinear"].to_dict()
    assert in_memory.pop("input_hash") == table_sha256(table)
    assert from_file.pop("input_hash") == sha256_file(tmp_path / "clusters.csv")
    assert in_memory == from_file
    # the table is hashed, not written: the engine leaves no clusters.csv behind
    assert not list((tmp_path / "mem").glob("*.csv"))
    doc = json.loads((tmp_path / "mem" / "estimate.json").read_text(encoding="utf-8"))
    assert doc["provenance"]["inputs"] == [{"path": "<table>", "sha256": table_sha256(table)}]


def test_options_are_checked_against_the_dataclass() -> None:
    assert registry.make_options("lcmcr", {"K": "6", "max_unobserved": "none"}) == LcmcrOptions(K=6)
    assert registry.make_options("dga", {"sensitivity": "0.5,1"}).sensitivity == (0.5, 1.0)
    assert registry.make_options("dga", {"sensitivity": ""}).sensitivity == ()
    assert registry.make_options("dga", {"sensitivity": "none"}).sensitivity is None
    terms = registry.make_options("loglinear", {"selection": "fixed", "terms": "0:1,1:2"}).terms
    assert terms == ((0, 1), (1, 2))
    given = DgaOptions(delta=1.0)
    assert registry.make_options("dga", given) is given
    with pytest.raises(ConfigError, match=r"'lcmcr.K'.*whole number"):
        registry.make_options("lcmcr", {"K": 2.5})
    with pytest.raises(ConfigError, match=r"'lcmcr.max_classes'.*no such option"):
        registry.make_options("lcmcr", {"max_classes": 10})
    with pytest.raises(ConfigError, match=r"'loglinear.selection'.*choose one of"):
        registry.make_options("loglinear", {"selection": "best"})
    with pytest.raises(ConfigError, match=r"METHOD.NAME=VALUE"):
        registry.parse_assignments(["lcmcr.K"])
    with pytest.raises(ConfigError, match=r"'dga.prior_n'"):
        run_estimation(
            KOSOVO, Path("unused"), methods=["loglinear"], options={"dga": {"prior_n": 1}}
        )
