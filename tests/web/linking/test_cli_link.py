"""``inquest db link`` on a fresh SQLite file, in a child process (Django is set up once)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from inquest.simulate import load_scenario, simulate, write_world

DRIVER = r"""
import json, sys
from typer.testing import CliRunner
from inquest.cli import app

runner = CliRunner()
lists = sys.argv[1:]
steps = [
    ["db", "migrate"],
    ["db", "manage", "createsuperuser", "--noinput", "--username", "synthetic-linker",
     "--email", "linker@example.test"],
    ["db", "grant", "synthetic-linker", "analyst"],
    *[["db", "import", p, "--user", "synthetic-linker", "--origin", "synthetic world",
       "--level", "internal"] for p in lists],
    ["db", "link", "families", "ngo", "--user", "synthetic-linker"],
    ["db", "link", "families", "ngo", "--user", "synthetic-linker"],
    ["db", "link", "nosuchlist", "--user", "synthetic-linker"],
    ["db", "verify-audit"],
]
out = []
for args in steps:
    result = runner.invoke(app, args)
    out.append({"args": args, "code": result.exit_code, "output": result.output})
json.dump(out, sys.stdout)
"""


@pytest.mark.slow
def test_db_link(tmp_path: Path) -> None:
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text("base: small\nname: tiny\npopulation: 60\n", encoding="utf-8")
    files = write_world(simulate(load_scenario(scenario), 5), tmp_path / "world")
    lists = sorted(str(p) for p in files if p.parent.name == "lists")
    env = {
        **os.environ,
        "INQUEST_DATA_DIR": str(tmp_path),
        "INQUEST_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "COLUMNS": "200",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, *lists],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    steps = json.loads(done.stdout)
    first, second, unknown, audit = steps[-4:]
    assert first["code"] == 0, first["output"]
    assert "persons (" in first["output"] and " new, 0 kept" in first["output"]
    assert second["code"] == 0, second["output"]
    assert "(0 new," in second["output"] and "0 records moved" in second["output"]
    assert unknown["code"] == 1 and "nosuchlist" in unknown["output"]
    assert audit["code"] == 0
