"""``inquest evidence add`` and ``verify`` through the services."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from inquest.cli import app
from inquest.evidence.local import LocalStore
from inquest.web.audit.models import AuditEntry
from inquest.web.evidence.models import CustodyEvent, EvidenceItem

from ..personas import Personas
from .helpers import picture

pytestmark = pytest.mark.django_db

ADD = ["evidence", "add", "--acquired-by", "synthetic team", "--method", "leak"]


def _files(tmp_path: Path) -> Path:
    folder = tmp_path / "batch"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.png").write_bytes(picture(1))
    (folder / "sub" / "b.png").write_bytes(picture(2))
    (folder / "sub" / "c.txt").write_text("synthetic register page", encoding="utf-8")
    return folder


def test_add_a_folder_then_verify_finds_and_names_a_flipped_byte(
    personas: Personas, evidence_store: LocalStore, tmp_path: Path
) -> None:
    runner = CliRunner()
    folder = _files(tmp_path)
    result = runner.invoke(
        app, [*ADD, str(folder), "--user", personas.analyst.username, "--level", "internal"]
    )
    assert result.exit_code == 0, result.output
    assert "3 new item(s), 0 already held" in result.output
    items = {i.original_name: i for i in EvidenceItem.objects.all()}
    assert set(items) == {"batch/a.png", "batch/sub/b.png", "batch/sub/c.txt"}
    assert all(i.method == "leak" and i.created_by == personas.analyst for i in items.values())
    assert AuditEntry.objects.filter(action="evidence.add").count() == 3

    again = runner.invoke(app, [*ADD, str(folder / "a.png"), "--user", personas.analyst.username])
    assert again.exit_code == 0 and "0 new item(s), 1 already held" in again.output

    ok = runner.invoke(app, ["evidence", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "every original intact" in ok.output

    bad = items["batch/sub/b.png"]
    path = evidence_store.path(bad.sha256)
    path.chmod(0o600)
    data = bytearray(path.read_bytes())
    data[100] ^= 0x80
    path.write_bytes(bytes(data))
    failed = runner.invoke(app, ["evidence", "verify"])
    assert failed.exit_code == 1
    assert f"changed item {bad.uid} {bad.sha256}" in failed.output
    assert items["batch/a.png"].sha256 not in failed.output
    assert CustodyEvent.objects.filter(action="verified", item=bad).count() == 2


def test_add_is_all_or_nothing_and_names_the_bad_file(
    personas: Personas, evidence_store: LocalStore, tmp_path: Path
) -> None:
    folder = _files(tmp_path)
    (folder / "empty.pdf").write_bytes(b"")
    result = CliRunner().invoke(app, [*ADD, str(folder), "--user", personas.analyst.username])
    assert result.exit_code == 1
    assert "nothing added" in result.output and "empty.pdf" in result.output
    assert "zero bytes" in result.output
    assert not EvidenceItem.objects.exists() and not list(evidence_store.addresses())


def test_add_refusals(personas: Personas, evidence_store: LocalStore, tmp_path: Path) -> None:
    folder = _files(tmp_path)
    runner = CliRunner()
    no_user = runner.invoke(app, [*ADD, str(folder), "--user", "nobody"])
    assert no_user.exit_code == 1 and "no user" in no_user.output
    bad_method = runner.invoke(
        app, ["evidence", "add", "--acquired-by", "x", "--method", "stolen", str(folder),
              "--user", personas.analyst.username],
    )  # fmt: skip
    assert bad_method.exit_code == 2
    above = runner.invoke(
        app, [*ADD, str(folder), "--user", personas.researcher.username, "--level", "protected"]
    )
    assert above.exit_code == 1 and "not allowed" in above.output
    assert not EvidenceItem.objects.exists()


def test_add_keeps_a_bidi_name_verbatim(
    personas: Personas, evidence_store: LocalStore, tmp_path: Path
) -> None:
    name = "صورت‌جلسه\u202egpj.exe"
    (tmp_path / name).write_bytes(b"%PDF-1.4 synthetic minutes")
    result = CliRunner().invoke(
        app, [*ADD, str(tmp_path / name), "--user", personas.analyst.username]
    )
    assert result.exit_code == 0, result.output
    item = EvidenceItem.objects.get()
    assert item.original_name == name and "\u202e" not in item.display_name
    assert "\u202e" not in result.output  # printed by its safe display name
    # a PDF named .exe: the content contradicts the name
    assert "name_bidi_controls" in item.flag_kinds() and "type_mismatch" in item.flag_kinds()
