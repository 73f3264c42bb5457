"""Backups carry the evidence store, under the data folder (the default) or outside it: a
round trip keeps every original bit-exact (one that looks like a key included), read-only,
with every item and custody event, and verification passes after.

Each side runs in a child process, as in ``tests/web/ops/test_backup.py``."""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    "INQUEST_TEST_DATABASE_URL" in os.environ, reason="makes its own databases"
)

MAKE = r"""
import hashlib, io, json, os, sys
from pathlib import Path
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from django.contrib.auth.models import User
from typer.testing import CliRunner
from inquest.cli import app
from inquest.web.access.levels import Level
from inquest.web.access.services import grant_role
from inquest.web.evidence import services
from inquest.web.evidence.models import CustodyEvent
from tests.web.evidence.helpers import acquisition, picture

user = User.objects.create_user(username="synthetic-investigator", password=None)
grant_role(None, user, "investigator")
import base64, secrets
for i in range(3):
    services.add_upload(user, io.BytesIO(picture(i) + os.urandom(100_000)), f"p{i}.png",
                        acquisition(), level=Level.PROTECTED)
# a leaked key as evidence: a backup must keep it, not leave it out as one of its own keys
key_like = base64.b64encode(secrets.token_bytes(32)) + b"\n"
services.add_upload(user, io.BytesIO(key_like), "leaked.key", acquisition())
services.verify_all(None)
store = Path(services.evidence_store().root)
objects = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
           for p in (store / "objects").rglob("*") if p.is_file()}
result = CliRunner().invoke(app, ["backup", "--out", sys.argv[1]])
json.dump({"code": result.exit_code, "output": result.output, "objects": objects,
           "custody": CustodyEvent.objects.count()}, sys.stdout)
"""

RESTORE = r"""
import hashlib, io, json, os, sys
from pathlib import Path
import django
django.setup()
from django.db import connection
from typer.testing import CliRunner
from inquest.cli import app

result = CliRunner().invoke(app, ["restore", sys.argv[1], "--yes"])
out = {"code": result.exit_code, "output": result.output}
connection.close()
from django.contrib.auth.models import User
from inquest.web.evidence import services
from inquest.web.evidence.models import CustodyEvent, EvidenceItem
from tests.web.evidence.helpers import acquisition, picture
store = Path(services.evidence_store().root)
files = [p for p in (store / "objects").rglob("*") if p.is_file()]
out["objects"] = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
out["modes"] = sorted({oct(p.stat().st_mode & 0o777) for p in files})
out["custody"] = CustodyEvent.objects.count()
out["items"] = sorted(EvidenceItem.objects.values_list("sha256", flat=True))
out["intact"] = services.verify_all(None).intact
try:
    user = User.objects.get(username="synthetic-investigator")
    services.add_upload(user, io.BytesIO(picture(9)), "after.png", acquisition())
    out["add_after"] = "ok"
except Exception as exc:
    out["add_after"] = f"{type(exc).__name__}: {exc}"
json.dump(out, sys.stdout)
"""


def _run(script: str, env: dict[str, str], *args: str) -> dict:
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        env={**env, "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root)])},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def _env(data: Path, url: str, key: str, store: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INQUEST_")}
    if store is not None:
        env["INQUEST_EVIDENCE_STORE"] = store.as_uri()
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "inquest.web.settings",
        "INQUEST_DATA_DIR": str(data),
        "INQUEST_DATABASE_URL": url,
        "INQUEST_BACKUP_KEY": key,
        "INQUEST_FIELD_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    }


@pytest.fixture(scope="module", params=["inside the data folder", "outside it"])
def round_trip(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict, dict]:
    tmp = tmp_path_factory.mktemp("evidence-backup")
    outside = request.param == "outside it"
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    archive = tmp / "workbench.inquest-backup"
    env_a = _env(
        tmp / "a", f"sqlite:///{tmp / 'a.sqlite3'}", key, tmp / "store-a" if outside else None
    )
    made = _run(MAKE, env_a, str(archive))
    assert made["code"] == 0, made["output"]
    env_b = _env(
        tmp / "b", f"sqlite:///{tmp / 'b.sqlite3'}", key, tmp / "store-b" if outside else None
    )
    restored = _run(RESTORE, env_b, str(archive))
    assert restored["code"] == 0, restored["output"]
    return made, restored


def test_originals_items_and_custody_survive_bit_exact(round_trip: tuple[dict, dict]) -> None:
    made, restored = round_trip
    assert len(made["objects"]) == 4
    assert restored["objects"] == made["objects"] and restored["modes"] == ["0o400"]
    assert sorted(made["objects"]) == restored["items"]
    assert restored["custody"] == made["custody"] and restored["intact"]


def test_the_restored_store_takes_new_originals(round_trip: tuple[dict, dict]) -> None:
    assert round_trip[1]["add_after"] == "ok"
