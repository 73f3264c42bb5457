"""The canary crawl for files: after every command that writes, no file or folder it made is
open to another account on the machine.

The commands run end to end, as a user types them, in child processes (Django is set up once
per process) with umask 022 and with inquest's own umask tightening switched off, so what is
checked is that every writer sets its modes itself; the tightened umask of the real commands
can only take bits away. One child makes a workbench (migrate, a user, a synthetic world
simulated, imported, linked in the database and estimated from, an upload staged, field key
and backup key files kept in the data folder, a backup), and runs the engine's commands
(``link --out``, ``review export``, ``estimate --out``); another restores the backup into a
new data folder. Then every path under the data folders and output folders is walked: a file
may have no group or other bit, a folder none either.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from inquest.web.ops import backup

NESTED = "INQUEST_TEST_DATABASE_URL" in os.environ
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(NESTED, reason="makes its own SQLite databases; no rerun needed"),
]

# The child's preamble: the usual umask, and inquest's own tightening of it turned off.
LOOSE_UMASK = r"""
import os, sys
os.umask(0o022)
import inquest.private
inquest.private.restrict_umask = lambda: 0o022
"""

MAKE = (
    LOOSE_UMASK
    + r"""
import json
from pathlib import Path
from typer.testing import CliRunner
from inquest.cli import app

scenario, outs, archive = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
data = Path(os.environ["INQUEST_DATA_DIR"])
runner = CliRunner()
steps = []

def run(*args):
    result = runner.invoke(app, [str(a) for a in args])
    steps.append({"args": [str(a) for a in args], "code": result.exit_code,
                  "output": result.output + repr(result.exception or "")})

world = outs / "world"
run("simulate", scenario, "--seed", 5, "--out", world)
lists = sorted((world / "lists").glob("*.csv"))
user = "synthetic-operator"
run("db", "migrate")
run("db", "manage", "createsuperuser", "--noinput", "--username", user,
    "--email", "operator@example.test")
run("db", "grant", user, "analyst")
for path in lists:
    run("db", "import", path, "--user", user, "--origin", "synthetic world",
        "--level", "confidential")
run("db", "link", *[p.stem for p in lists], "--user", user)
run("db", "estimate", "--out", outs / "db-estimate", "--user", user)
run("link", *lists, "--out", outs / "link")
run("review", "export", outs / "link", "--out", outs / "review.csv")
run("estimate", outs / "link" / "clusters.csv", "--out", outs / "estimate")
run("security", "new-key", "--out", data / "field.key")
run("security", "new-key", "--out", data / "backup.key")

from django.core.files.uploadedfile import SimpleUploadedFile
from inquest.web.registry import staging
staged = staging.stage_upload(
    SimpleUploadedFile("synthetic.csv", b"record_id,full_name\nr1,Synthetic Name\n"))

os.environ["INQUEST_BACKUP_KEY_FILE"] = str(data / "backup.key")
run("backup", "--out", archive)
json.dump({"steps": steps, "upload": staged.token}, sys.stdout)
"""
)

RESTORE = (
    LOOSE_UMASK
    + r"""
import json
from typer.testing import CliRunner
from inquest.cli import app

result = CliRunner().invoke(app, ["restore", sys.argv[1], "--yes", "--key-file", sys.argv[2]])
json.dump({"code": result.exit_code, "output": result.output}, sys.stdout)
"""
)


@dataclass(frozen=True)
class Made:
    """What the two children did and where: folders to crawl, outputs, the archive."""

    tmp: Path
    data_a: Path
    data_b: Path
    outs: Path
    archive: Path
    backup_key: Path
    made: dict[str, Any]
    restored: dict[str, Any]


def _child(script: str, env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _env(data: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("INQUEST_") and k != "DJANGO_SETTINGS_MODULE"
    }
    return {
        **env,
        "INQUEST_DATA_DIR": str(data),
        "INQUEST_DATABASE_URL": f"sqlite:///{data / 'inquest.sqlite3'}",
        "INQUEST_FIELD_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "COLUMNS": "200",
    }


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    # Folders the test makes for the commands are the usual 0755: the commands must close
    # what they write inside them.
    tmp = tmp_path_factory.mktemp("file-modes")
    os.chmod(tmp, 0o755)
    data_a, data_b, outs = tmp / "data-a", tmp / "data-b", tmp / "outs"
    scenario = tmp / "tiny.yaml"
    scenario.write_text("base: small\nname: tiny\npopulation: 60\n", encoding="utf-8")
    archive = tmp / "workbench.inquest-backup"
    made = _child(MAKE, _env(data_a), str(scenario), str(outs), str(archive))
    for step in made["steps"]:
        assert step["code"] == 0, step
    backup_key = data_a / "backup.key"
    restored = _child(RESTORE, _env(data_b), str(archive), str(backup_key))
    assert restored["code"] == 0, restored["output"]
    return Made(tmp, data_a, data_b, outs, archive, backup_key, made, restored)


def _open_to_others(root: Path) -> list[str]:
    """Every path under ``root`` (itself included) with a group or other permission bit."""
    found = []
    for path in [root, *sorted(root.rglob("*"))]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if not path.is_symlink() and mode & 0o077:
            found.append(f"{path} ({mode:o})")
    return found


def test_nothing_any_command_wrote_is_open_to_others(made: Made) -> None:
    crawled = [made.data_a, made.data_b, made.outs]
    written = [p for root in crawled for p in root.rglob("*") if p.is_file()]
    # the crawl saw what it should: the database, runs of both kinds, the upload, keys
    names = {p.name for p in written}
    assert {"inquest.sqlite3", "secret_key", "field.key", "backup.key"} <= names
    assert {"clusters.csv", "predictions.parquet", "report.html", "estimate.json"} <= names
    assert {"review.csv", "overlap.png", "synthetic.csv", "scenario.json"} <= names
    assert (made.data_a / "uploads" / made.made["upload"] / "synthetic.csv").is_file()
    assert (made.data_b / "uploads" / made.made["upload"] / "synthetic.csv").is_file()
    assert any(p.parent.name.startswith("linkage-") for p in written)
    open_ = [p for root in crawled for p in _open_to_others(root)]
    open_ += _open_to_others(made.archive)
    assert open_ == [], "open to group or others:\n" + "\n".join(open_)


def test_backup_leaves_every_key_out_and_says_so(made: Made) -> None:
    backup_step = made.made["steps"][-1]
    assert backup_step["args"][0] == "backup"
    said = " ".join(backup_step["output"].split())
    assert "keys left out of the archive: backup.key, field.key, secret_key" in said
    key = backup.key_from_file(made.backup_key)
    with backup.open_archive(made.archive, key=key) as opened:
        members = {entry["path"] for entry in opened.manifest["files"]}
        assert opened.manifest["keys_left_out"] == ["backup.key", "field.key", "secret_key"]
    assert not {"files/secret_key", "files/field.key", "files/backup.key"} & members
    assert any(m.startswith("files/uploads/") for m in members)
    # restored without them: data-b keeps its own secret key and gets no field key
    assert (made.data_b / "secret_key").read_bytes() != (made.data_a / "secret_key").read_bytes()
    assert not (made.data_b / "field.key").exists()
    assert "restored and verified" in made.restored["output"]
