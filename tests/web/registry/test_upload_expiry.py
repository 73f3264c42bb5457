"""Uploads left neither imported nor cancelled are deleted once older than
``INQUEST_UPLOAD_MAX_AGE_HOURS``: when a new upload is staged, and by
``inquest db expire-uploads``."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from typer.testing import CliRunner

from inquest.cli import app
from inquest.web.registry import staging

LIST = b"record_id,full_name\nr1,Synthetic Name\n"


def _stage(name: str) -> staging.StagedFile:
    return staging.stage_upload(SimpleUploadedFile(name, LIST))


def _age(staged: staging.StagedFile, hours: float) -> None:
    """Make an upload look as if it was written ``hours`` ago."""
    then = time.time() - hours * 3600
    for path in (staged.path, staged.path.parent):
        os.utime(path, (then, then))


def test_staging_a_new_upload_deletes_the_abandoned_ones(tmp_path: Path) -> None:
    with override_settings(DATA_DIR=tmp_path, INQUEST_UPLOAD_MAX_AGE_HOURS=24):
        old, recent = _stage("old.csv"), _stage("recent.csv")
        _age(old, 25)
        _age(recent, 23)
        new = _stage("new.csv")
        tokens = {p.name for p in staging.staging_root().iterdir()}
    assert tokens == {recent.token, new.token}


def test_the_age_is_a_setting(tmp_path: Path) -> None:
    with override_settings(DATA_DIR=tmp_path, INQUEST_UPLOAD_MAX_AGE_HOURS=2):
        staged = _stage("list.csv")
        _age(staged, 3)
        assert staging.expire_uploads() == [staged.token]
        assert not staged.path.parent.exists()


def test_expire_uploads_command(tmp_path: Path) -> None:
    with override_settings(DATA_DIR=tmp_path):
        old, recent = _stage("old.csv"), _stage("recent.csv")
        _age(old, 30)
        _age(recent, 2)
        runner = CliRunner()
        result = runner.invoke(app, ["db", "expire-uploads"])
        assert result.exit_code == 0, result.output
        assert "deleted 1 expired upload(s)" in result.output
        assert [p.name for p in staging.staging_root().iterdir()] == [recent.token]
        result = runner.invoke(app, ["db", "expire-uploads", "--max-age-hours", "1"])
        assert "deleted 1 expired upload(s)" in result.output
        assert list(staging.staging_root().iterdir()) == []


def test_no_upload_younger_than_an_hour_expires() -> None:
    """Another session may be importing it: a shorter age is refused, not obeyed."""
    with pytest.raises(ValueError, match="may be in use"):
        staging.expire_uploads(max_age=0)
    runner = CliRunner()
    result = runner.invoke(app, ["db", "expire-uploads", "--max-age-hours", "0"])
    assert result.exit_code == 2
