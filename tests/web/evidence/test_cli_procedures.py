"""``inquest evidence redact|strip|timestamp|retimestamp|expunge|export`` through the
services: the same checks, custody and audit as the pages."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import bagit
import pytest
from typer.testing import CliRunner

from evidence._pdfs import NAME, holds, pdf_with_name
from evidence._tsa import TestTSA, serve
from inquest.cli import app
from inquest.evidence.local import LocalStore
from inquest.web.access.levels import Level
from inquest.web.audit.models import AuditEntry
from inquest.web.evidence import services
from inquest.web.evidence.models import EvidenceItem, ItemTimestamp

from ..personas import Personas
from .helpers import acquisition, picture

pytestmark = pytest.mark.django_db


def _item(user: Any, data: bytes, name: str, level: Level = Level.CONFIDENTIAL) -> EvidenceItem:
    return services.add_upload(user, io.BytesIO(data), name, acquisition(), level=level).item


def test_redact_and_strip_from_the_command_line(
    personas: Personas, evidence_store: LocalStore
) -> None:
    runner = CliRunner()
    original = _item(personas.analyst, pdf_with_name(pages=2), "statement.pdf")
    user = ["--user", personas.analyst.username]
    bad = runner.invoke(
        app, ["evidence", "redact", str(original.uid), *user, "--reason", "nope", "--pages", "1"]
    )
    assert bad.exit_code == 2
    result = runner.invoke(
        app,
        ["evidence", "redact", original.sha256, *user, "--reason", "witness_protection",
         "--pages", "2", "--region", "1:60,95,300,118", "--note", "synthetic", "--level",
         "internal"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    copy = EvidenceItem.objects.get(derived_from=original, derivation="redacted")
    assert copy.confidentiality == Level.INTERNAL and len(copy.redactions) == 2
    with evidence_store.open(copy.sha256) as stream:
        assert not holds(stream.read(), NAME)
    stripped = runner.invoke(app, ["evidence", "strip", str(original.uid), *user])
    assert stripped.exit_code == 0, stripped.output
    assert EvidenceItem.objects.filter(derived_from=original, derivation="stripped").count() == 1
    refused = runner.invoke(
        app, ["evidence", "strip", str(original.uid), "--user", personas.researcher.username]
    )
    assert refused.exit_code == 1 and "no item" in refused.output  # not visible to them


def test_timestamp_retimestamp_expunge_and_export(
    personas: Personas, evidence_store: LocalStore, settings: Any, tmp_path: Path
) -> None:
    runner = CliRunner()
    tsa = TestTSA.make("synthetic-cli-tsa")
    item = _item(personas.investigator, picture(20), "photo.png")
    other = _item(personas.investigator, picture(21), "other.png")
    no_authority = runner.invoke(app, ["evidence", "timestamp", str(item.uid)])
    assert no_authority.exit_code == 1 and "no timestamp authority" in no_authority.output
    with serve(tsa) as url:
        (tmp_path / "tsa.pem").write_bytes(tsa.chain_pem)
        (tmp_path / "tsa.yaml").write_text(
            f"authorities:\n  - name: {tsa.name}\n    url: {url}\n    certs: tsa.pem\n",
            encoding="utf-8",
        )
        settings.INQUEST_TIMESTAMP_AUTHORITIES = str(tmp_path / "tsa.yaml")
        stamped = runner.invoke(app, ["evidence", "timestamp"])  # every item without one
        assert stamped.exit_code == 0, stamped.output
        assert ItemTimestamp.objects.count() == 2
        renewed = runner.invoke(app, ["evidence", "retimestamp", "--algorithm", "sha256"])
        assert renewed.exit_code == 0 and "2 chain(s) renewed" in renewed.output
    assert ItemTimestamp.objects.filter(renews__isnull=False).count() == 2

    out = tmp_path / "bag"
    exported = runner.invoke(
        app,
        ["evidence", "export", str(item.uid), other.sha256, "--out", str(out),
         "--user", personas.analyst.username, "--title", "synthetic case"],
    )  # fmt: skip
    assert exported.exit_code == 0, exported.output
    bagit.Bag(str(out)).validate()
    custody = [json.loads(x) for x in (out / "custody" / "0001.jsonl").read_text().splitlines()]
    assert custody[-1]["action"] == "exported"
    assert len(list((out / "timestamps").glob("*.tsr"))) == 4  # two chains of two

    ask = ["evidence", "expunge", str(item.uid), "--reason", "court_order",
           "--reference", "synthetic order 7/2026", "--yes"]  # fmt: skip
    refused = runner.invoke(app, [*ask, "--actor", personas.analyst.username])
    assert refused.exit_code == 1 and evidence_store.exists(item.sha256)
    done = runner.invoke(app, [*ask, "--actor", personas.investigator.username])
    assert done.exit_code == 0, done.output
    assert not evidence_store.exists(item.sha256)
    item.refresh_from_db()
    assert item.expunged_at is not None and item.custody.filter(action="expunged").exists()
    assert AuditEntry.objects.filter(action="evidence.expunge").count() == 1
