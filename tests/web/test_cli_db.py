"""``inquest db`` commands, in order, on a fresh SQLite file.

Django can be set up once per process and this test process already runs the test
settings, so the commands run in one child process against a throw-away data folder.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

DRIVER = r"""
import json, sys
from typer.testing import CliRunner
from inquest.cli import app

runner = CliRunner()
LIST, BAD = sys.argv[1], sys.argv[2]
steps = [
    ["db", "status"],
    ["db", "migrate"],
    ["db", "status"],
    ["db", "manage", "createsuperuser", "--noinput", "--username", "synthetic-operator",
     "--email", "operator@example.test"],
    ["db", "grant", "synthetic-operator", "analyst"],
    ["db", "grant", "synthetic-operator", "wizard"],
    ["db", "grant", "nobody", "analyst"],
    ["db", "verify-audit"],
    ["db", "import", LIST, "--user", "synthetic-operator", "--origin", "synthetic fixture",
     "--level", "internal", "--code", "A", "--obtained-on", "2026-01-02"],
    ["db", "import", LIST, "--user", "synthetic-operator", "--origin", "synthetic fixture"],
    ["db", "import", BAD, "--user", "synthetic-operator", "--origin", "synthetic fixture",
     "--level", "internal"],
    ["db", "gazetteer", "--user", "synthetic-operator"],
    ["db", "gazetteer", "--user", "synthetic-operator"],
    ["db", "grant", "synthetic-operator", "analyst", "--revoke"],
    ["audit", "verify"],
]
out = []
for args in steps:
    result = runner.invoke(app, args)
    out.append({"args": args, "code": result.exit_code, "output": result.output})
from inquest.web.access.policy import clearance
from django.contrib.auth.models import User
out.append({"clearance": clearance(User.objects.get(username="synthetic-operator")).name})
json.dump(out, sys.stdout)
"""


def test_db_commands(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "INQUEST_DATA_DIR": str(tmp_path),
        "INQUEST_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "COLUMNS": "200",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    good = tmp_path / "synthetic_list.csv"
    good.write_text("record_id,full_name\nr1,علی نمونه\nr2,Maryam Azmayeshi\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("record_id,full_name\nr1,x\nr1,y\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(good), str(bad)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    *steps, final = json.loads(done.stdout)
    codes = [s["code"] for s in steps]
    assert codes == [1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0], steps
    assert "access.0001_initial" in steps[0]["output"]
    assert "pending migrations  none" in steps[2]["output"]
    assert "granted analyst to synthetic-operator" in steps[4]["output"]
    assert "unknown role 'wizard'" in steps[5]["output"]
    assert "no user 'nobody'" in steps[6]["output"]
    assert "audit log intact: 1 entries" in steps[7]["output"]  # the former name still works
    assert "imported 2 records as source A (internal)" in steps[8]["output"]
    assert "already imported as source A (2 records)" in steps[9]["output"]
    assert "nothing imported" in steps[10]["output"]
    assert "record_id 'r1' repeats row 1" in steps[10]["output"]
    assert re.search(r"places: [1-9][0-9]* added, 0 updated, 0 unchanged", steps[11]["output"])
    assert re.search(r"places: 0 added, 0 updated, [1-9][0-9]* unchanged", steps[12]["output"])
    assert "1 grant(s) ended" in steps[13]["output"]
    assert "audit log intact: 6 entries" in steps[14]["output"]
    assert "anchored head: 6 entries" in steps[14]["output"]
    assert final == {"clearance": "PUBLIC"}
    assert (tmp_path / "secret_key").exists()
