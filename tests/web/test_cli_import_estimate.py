"""``inquest db import-estimate``: record a folder written by ``inquest estimate``, once;
``inquest db estimate``: estimate from a linkage run's persons.

Runs in a child process against a throw-away SQLite file (this process already runs the
test settings; Django is set up once per process).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from .runs.estimate_fixture import write_estimate_dir

DRIVER = r"""
import json, sys
from typer.testing import CliRunner
from inquest.cli import app

runner = CliRunner()
FOLDER = sys.argv[1]
steps = [
    ["db", "migrate"],
    ["db", "manage", "createsuperuser", "--noinput", "--username", "synthetic-analyst",
     "--email", "analyst@example.test"],
    ["db", "import-estimate", FOLDER, "--user", "synthetic-analyst"],
    ["db", "grant", "synthetic-analyst", "analyst"],
    ["db", "import-estimate", FOLDER, "--user", "synthetic-analyst", "--linkage-run", "9"],
    ["db", "import-estimate", FOLDER, "--user", "synthetic-analyst", "--level", "confidential"],
    ["db", "import-estimate", FOLDER, "--user", "synthetic-analyst"],
]
out = [
    {"code": r.exit_code, "output": r.output}
    for r in (runner.invoke(app, args) for args in steps)
]
from inquest.web.runs.models import EstimateRun
out.append([[r.method, r.confidentiality, r.artefacts.count()] for r in EstimateRun.objects.all()])

# A linkage run over three synthetic sources whose persons are on one, two or three of them.
from django.contrib.auth.models import User
from inquest.web.access.levels import Level
from inquest.web.registry import services as registry
from inquest.web.runs import services as runs
analyst = User.objects.get(username="synthetic-analyst")
sources = {
    c: registry.create_source(analyst, code=c, name=c, origin="synthetic", level=Level.INTERNAL)
    for c in "ABC"
}
run = runs.start_linkage_run(
    analyst, sources=list(sources.values()), parameters={}, input_sha256="0" * 64
)
rows = dict.fromkeys("ABC", 0)
for pattern, count in {"A": 30, "B": 25, "C": 20, "AB": 10, "AC": 8, "BC": 6, "ABC": 4}.items():
    for _ in range(count):
        records = []
        for c in pattern:
            rows[c] += 1
            row = registry.RowIn(rows[c], {"full_name": "x"})
            records += registry.add_records(analyst, sources[c], [row])
        registry.create_person(analyst, records=records, linkage_run_id=run.pk)
runs.finish_run(analyst, run, results={})
later = [
    ["db", "estimate", "--out", sys.argv[2], "--user", "synthetic-analyst", "--seed", "5",
     "--option", "loglinear.n_boot=25"],
    ["db", "estimate", "--out", sys.argv[2], "--user", "synthetic-analyst", "--linkage-run", "99"],
    ["db", "estimate", "--out", sys.argv[2], "--user", "synthetic-analyst",
     "-O", "loglinear.n_bootstrap=25"],
]
for args in later:
    result = runner.invoke(app, args)
    out.append({"code": result.exit_code, "output": result.output})
last = EstimateRun.objects.order_by("-id").first()
out.append([
    last.linkage_run_id == run.pk,
    last.results["result"]["n_observed"],
    last.results["result"]["settings"]["n_boot"],
])
json.dump(out, sys.stdout)
"""


def test_import_estimate_command(tmp_path: Path) -> None:
    folder = write_estimate_dir(tmp_path)
    env = {
        **os.environ,
        "INQUEST_DATA_DIR": str(tmp_path),
        "INQUEST_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "COLUMNS": "200",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(folder), str(tmp_path / "from-run")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    *steps, runs, estimated, missing, bad_option, from_run = json.loads(done.stdout)
    assert [s["code"] for s in steps] == [0, 0, 1, 0, 1, 0, 0], steps
    assert "not allowed" in steps[2]["output"]
    assert "no linkage run 9" in steps[4]["output"]
    assert "recorded estimate runs #1 loglinear (succeeded)" in steps[5]["output"]
    assert "already recorded as estimate runs #1" in steps[6]["output"]
    assert len(runs) == 1 and runs[0][:2] == ["loglinear", 2] and runs[0][2] >= 4
    assert estimated["code"] == 0, estimated["output"]
    assert re.search(r"estimate run #2 loglinear: [\d,]+ \([\d,]+-[\d,]+\)", estimated["output"])
    assert missing["code"] == 1 and "no finished linkage run 99" in missing["output"]
    assert bad_option["code"] == 2 and "loglinear.n_bootstrap" in bad_option["output"]
    assert from_run == [True, 103, 25]
    # the persons are handed to the engine in memory, not written to a clusters.csv
    assert (tmp_path / "from-run" / "estimate.json").exists()
    assert not list((tmp_path / "from-run").glob("*.csv"))
