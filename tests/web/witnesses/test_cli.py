"""``inquest security new-key`` and ``rotate-key`` from the command line."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from inquest.cli import app
from inquest.web.witnesses import crypto, services
from inquest.web.witnesses.crypto import FieldKey
from inquest.web.witnesses.models import Witness

from ..personas import Personas
from .test_services import CANARY


def test_new_key_then_rotate(
    personas: Personas, field_key: FieldKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    witness = services.create_witness(personas.investigator, pseudonym="W-1", identity=CANARY)
    path = tmp_path / "new.key"
    runner = CliRunner()
    result = runner.invoke(app, ["security", "new-key", "--out", str(path)])
    assert result.exit_code == 0, result.output
    new = crypto.read_key_file(path)
    assert new.key_id in result.output and new != field_key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert runner.invoke(app, ["security", "new-key", "--out", str(path)]).exit_code == 1

    result = runner.invoke(app, ["security", "rotate-key", "--new-key-file", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{field_key.key_id} → {new.key_id}" in result.output
    witness = Witness.objects.get(pk=witness.pk)
    monkeypatch.setenv(crypto.ENV_KEY, new.encoded())
    assert services.reveal(personas.investigator, witness) == CANARY

    # The new key is now current: rotating to it again is refused.
    result = runner.invoke(app, ["security", "rotate-key", "--new-key-file", str(path)])
    assert result.exit_code == 2 and "current key" in result.output


def test_rotate_without_a_current_key_says_what_to_set(
    personas: Personas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(crypto.ENV_KEY, raising=False)
    monkeypatch.delenv(crypto.ENV_KEY_FILE, raising=False)
    path = tmp_path / "new.key"
    path.write_text(FieldKey.generate().encoded(), encoding="ascii")
    result = CliRunner().invoke(app, ["security", "rotate-key", "--new-key-file", str(path)])
    assert result.exit_code == 2 and "INQUEST_FIELD_KEY" in result.output
