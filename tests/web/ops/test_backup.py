"""``inquest backup`` / ``inquest restore``: a round trip loses nothing, and an archive that
was tampered with, or opened with the wrong key, restores nothing.

Django is set up once per process, so each side runs in a child process: one makes a
workbench (users, roles, a source with records, a witness with a sealed identity, files in
the data folder) and backs it up; the other restores into a new, empty database and data
folder. On SQLite always; on PostgreSQL too when it is reachable (127.0.0.1:5432).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

NESTED = "INQUEST_TEST_DATABASE_URL" in os.environ
POSTGRES = os.environ.get("INQUEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
pytestmark = pytest.mark.skipif(NESTED, reason="makes its own databases; no rerun needed")

MAKE = r"""
import json, os, sys
from pathlib import Path
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from django.contrib.auth.models import User
from django.db import connection
from typer.testing import CliRunner
from inquest.cli import app
from inquest.web.access.levels import Level
from inquest.web.access.services import grant_role
from inquest.web.registry import services
from inquest.web.witnesses import services as witnesses
from inquest.web.ops.backup import _live_fingerprints
from inquest.web.audit.verify import verify_all

user = User.objects.create_user(username="synthetic-investigator", password=None)
grant_role(None, user, "investigator")
source = services.create_source(user, code="A", name="Synthetic list A",
                                origin="synthetic test fixture", level=Level.CONFIDENTIAL)
services.add_records(user, source, [
    services.RowIn(row_number=i + 1, raw={"given_name": f"نمونه {i}", "family_name": "آزمایشی"})
    for i in range(25)
])
witnesses.create_witness(user, pseudonym="W-backup",
                         identity=witnesses.Identity(real_name="SYNTHETIC-backup-name"))
data = Path(os.environ["INQUEST_DATA_DIR"])
(data / "uploads" / "tok").mkdir(parents=True)
(data / "uploads" / "tok" / "list.csv").write_text("given_name\nنمونه\n", encoding="utf-8")
(data / "runs" / "linkage-1").mkdir(parents=True)
(data / "runs" / "linkage-1" / "model.json").write_bytes(os.urandom(3_000_000))
args = ["backup", "--out", sys.argv[1]]
result = CliRunner().invoke(app, args)
tables = _live_fingerprints()
json.dump({"code": result.exit_code, "output": result.output, "tables": tables,
           "head": verify_all().head}, sys.stdout)
"""

RESTORE = r"""
import hashlib, json, os, sys
from pathlib import Path
import django
django.setup()
from django.db import connection
from typer.testing import CliRunner
from inquest.cli import app

archive, tampered = sys.argv[1], sys.argv[2]
runner = CliRunner()
out = {}

def db_state():
    from inquest.web.ops.backup import _live_fingerprints
    return _live_fingerprints()

before = db_state()
for label, path in (("tampered", tampered), ("wrong_key", archive)):
    env = {"INQUEST_BACKUP_KEY": os.environ["WRONG_KEY"]} if label == "wrong_key" else {}
    result = runner.invoke(app, ["restore", path, "--yes"], env=env)
    out[label] = {"code": result.exit_code, "output": result.output,
                  "unchanged": db_state() == before,
                  "no_files": not (Path(os.environ["INQUEST_DATA_DIR"]) / "uploads").exists()}
result = runner.invoke(app, ["restore", archive, "--yes"])
out["restore"] = {"code": result.exit_code, "output": result.output}
connection.close()
from inquest.web.audit.verify import verify_all
from inquest.web.witnesses.models import Witness
from inquest.web.witnesses import services as witnesses
from django.contrib.auth.models import User
out["tables"] = db_state()
out["audit"] = {"intact": verify_all().intact, "head": verify_all().head}
user = User.objects.get(username="synthetic-investigator")
out["identity"] = witnesses.reveal(user, Witness.objects.get(pseudonym="W-backup")).real_name
data = Path(os.environ["INQUEST_DATA_DIR"])
out["files"] = {
    str(p.relative_to(data)): hashlib.sha256(p.read_bytes()).hexdigest()
    for p in sorted(data.rglob("*")) if p.is_file() and p.parts[-2:] != ("static",)
    and p.name in ("list.csv", "model.json")
}
json.dump(out, sys.stdout)
"""


TAMPERED = r"""
import json, os, sys
from pathlib import Path
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from django.contrib.auth.models import User
from django.db import connection
from typer.testing import CliRunner
from inquest.cli import app
from inquest.web.access.services import grant_role
from inquest.web.audit.models import AuditEntry
from inquest.web.ops.backup import key_from_env, open_archive

for name in ("one", "two", "three"):
    user = User.objects.create_user(username=f"synthetic-{name}", password=None)
    grant_role(None, user, "researcher")
table = AuditEntry._meta.db_table
newest = AuditEntry.objects.order_by("id").last().pk
with connection.cursor() as cursor:  # as someone with rights over the database could
    cursor.execute(f"DROP TRIGGER {table}_no_delete")
    cursor.execute(f"DELETE FROM {table} WHERE id = %s", [newest])
refused, forced = Path(sys.argv[1]), Path(sys.argv[2])
runner = CliRunner()
out = {}
result = runner.invoke(app, ["backup", "--out", str(refused)])
out["refused"] = {"code": result.exit_code, "output": result.output, "written": refused.exists()}
result = runner.invoke(app, ["backup", "--out", str(forced), "--allow-broken-audit"])
out["forced"] = {"code": result.exit_code, "output": result.output, "stderr": result.stderr}
with open_archive(forced, key=key_from_env()) as opened:
    out["manifest"] = opened.manifest["audit"]
json.dump(out, sys.stdout)
"""


RESEALED = r"""
import json, os, sys
from pathlib import Path
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from django.contrib.auth.models import User
from typer.testing import CliRunner
from inquest.cli import app
from inquest.web.access.services import grant_role
from inquest.web.ops.backup import key_from_env, open_archive, write_archive

grant_role(None, User.objects.create_user(username="synthetic-one", password=None), "researcher")
made, resealed = Path(sys.argv[1]), Path(sys.argv[2])
runner = CliRunner()
assert runner.invoke(app, ["backup", "--out", str(made)]).exit_code == 0
key = key_from_env()
with open_archive(made, key=key) as opened:  # as someone holding the backup key could
    manifest = {k: v for k, v in opened.manifest.items() if k not in ("files", "version")}
    manifest["audit"]["anchor"]["head"]["last_hash"] = "f" * 64
    entries = [(f["path"], opened.folder / f["path"]) for f in opened.manifest["files"]]
    write_archive(resealed, key, entries, manifest)
result = runner.invoke(app, ["restore", str(resealed), "--yes"])
json.dump({"code": result.exit_code, "output": result.output}, sys.stdout)
"""


def _run(script: str, env: dict[str, str], *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def _env(data: Path, database_url: str, backup_key: str, field_key: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("INQUEST_") and k != "DJANGO_SETTINGS_MODULE"
    }
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "inquest.web.settings",
        "INQUEST_DATA_DIR": str(data),
        "INQUEST_DATABASE_URL": database_url,
        "INQUEST_BACKUP_KEY": backup_key,
        "INQUEST_FIELD_KEY": field_key,
        "WRONG_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    }


def _files(data: Path) -> dict[str, str]:
    return {
        str(p.relative_to(data)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(data.rglob("*"))
        if p.is_file() and p.name in ("list.csv", "model.json")
    }


def _round_trip(tmp_path: Path, url_a: str, url_b: str) -> None:
    backup_key = base64.b64encode(secrets.token_bytes(32)).decode()
    field_key = base64.b64encode(secrets.token_bytes(32)).decode()
    archive = tmp_path / "workbench.inquest-backup"
    data_a, data_b = tmp_path / "a", tmp_path / "b"
    made = _run(MAKE, _env(data_a, url_a, backup_key, field_key), str(archive))
    assert made["code"] == 0, made["output"]
    assert archive.read_bytes()[:15] == b"INQUEST-BACKUP\n"
    assert b"SYNTHETIC-backup-name" not in archive.read_bytes()
    assert b"given_name" not in archive.read_bytes()

    blob = bytearray(archive.read_bytes())
    blob[len(blob) // 2] ^= 0x01  # one bit, in the middle of the encrypted payload
    tampered = tmp_path / "tampered.inquest-backup"
    tampered.write_bytes(bytes(blob))

    restored = _run(
        RESTORE, _env(data_b, url_b, backup_key, field_key), str(archive), str(tampered)
    )
    for label in ("tampered", "wrong_key"):
        assert restored[label]["code"] == 1, restored[label]["output"]
        assert "not restored" in restored[label]["output"]
        assert restored[label]["unchanged"] and restored[label]["no_files"]
    assert "fails authentication" in restored["tampered"]["output"]
    assert restored["restore"]["code"] == 0, restored["restore"]["output"]
    # Nothing lost: every table's row count and content hash, the files, the audit chain.
    assert restored["tables"] == made["tables"]
    counts = {t: v["rows"] for t, v in made["tables"].items()}
    assert counts["registry_record"] == 25 and counts["witnesses_witness"] == 1
    assert counts["audit_auditentry"] >= 4
    assert restored["audit"] == {"intact": True, "head": made["head"]}
    assert restored["identity"] == "SYNTHETIC-backup-name"
    assert restored["files"] == _files(data_a) and len(restored["files"]) == 2


def test_round_trip_sqlite(tmp_path: Path) -> None:
    _round_trip(
        tmp_path,
        f"sqlite:///{tmp_path / 'a.sqlite3'}",
        f"sqlite:///{tmp_path / 'b.sqlite3'}",
    )


def test_backup_refuses_a_log_that_does_not_verify(tmp_path: Path) -> None:
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    env = _env(tmp_path / "data", f"sqlite:///{tmp_path / 'db.sqlite3'}", key, key)
    refused, forced = tmp_path / "refused.inquest-backup", tmp_path / "forced.inquest-backup"
    out = _run(TAMPERED, env, str(refused), str(forced))
    assert out["refused"]["code"] == 1 and not out["refused"]["written"]
    assert "no backup written" in out["refused"]["output"]
    assert "does not verify" in out["refused"]["output"] and "truncated" in out["refused"]["output"]
    assert out["forced"]["code"] == 0, out["forced"]["output"]
    assert "WARNING: the audit log does not verify" in out["forced"]["stderr"]
    audit = out["manifest"]
    assert audit["intact"] is False and audit["written_despite_problems"] is True
    assert [p.split(":")[0] for p in audit["problems"]] == ["truncated"]
    assert audit["anchor"]["head"]["entries"] == audit["entries"] + 1


def test_restore_checks_the_chain_against_the_archived_head(tmp_path: Path) -> None:
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    env = _env(tmp_path / "data", f"sqlite:///{tmp_path / 'db.sqlite3'}", key, key)
    made, resealed = tmp_path / "made.inquest-backup", tmp_path / "resealed.inquest-backup"
    out = _run(RESEALED, env, str(made), str(resealed))
    assert out["code"] == 1
    assert "the audit chain does not verify" in out["output"]
    assert "anchored head" in out["output"]


@pytest.fixture
def two_postgres_databases() -> Iterator[tuple[str, str]]:
    try:
        admin = psycopg.connect(POSTGRES, autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {POSTGRES}: {exc}")
        pytest.skip(f"PostgreSQL is not reachable: {exc}")
    names = [f"inquest_backup_{os.getpid()}_{side}" for side in "ab"]
    base = POSTGRES.rsplit("/", 1)[0]
    with admin:
        for name in names:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")
            admin.execute(f"CREATE DATABASE {name}")
        try:
            yield f"{base}/{names[0]}", f"{base}/{names[1]}"
        finally:
            for name in names:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.postgres
@pytest.mark.slow
def test_round_trip_postgresql(tmp_path: Path, two_postgres_databases: tuple[str, str]) -> None:
    _round_trip(tmp_path, *two_postgres_databases)
