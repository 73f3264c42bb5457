"""``inquest db import-estimate``: record a folder written by ``inquest estimate``, once.

Runs in a child process against a throw-away SQLite file (this process already runs the
test settings; Django is set up once per process).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .site.estimate_fixture import write_estimate_dir

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
        [sys.executable, "-c", DRIVER, str(folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    *steps, runs = json.loads(done.stdout)
    assert [s["code"] for s in steps] == [0, 0, 1, 0, 1, 0, 0], steps
    assert "not allowed" in steps[2]["output"]
    assert "no linkage run 9" in steps[4]["output"]
    assert "recorded estimate runs #1 loglinear (succeeded)" in steps[5]["output"]
    assert "already recorded as estimate runs #1" in steps[6]["output"]
    assert len(runs) == 1 and runs[0][:2] == ["loglinear", 2] and runs[0][2] >= 4
