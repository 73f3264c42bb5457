"""The workbench over an S3 evidence store (moto's server on 127.0.0.1): an upload becomes an
item whose original is in the bucket under lock, its technical metadata read from a local
copy, and verification re-hashes it from the bucket."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.evidence._s3server import moto_endpoint, new_bucket, store_url, use_test_credentials

from inquest.evidence.s3 import S3Store
from inquest.web.access.levels import Level
from inquest.web.evidence import services

from ..personas import Personas
from .helpers import acquisition, picture

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    yield from moto_endpoint()


def test_an_upload_into_an_s3_store_is_kept_and_verified(
    personas: Personas,
    endpoint: str,
    settings: object,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    use_test_credentials(monkeypatch, tmp_path)
    settings.INQUEST_EVIDENCE_STORE = store_url(endpoint, new_bucket(endpoint))  # type: ignore[attr-defined]
    data = picture(3)
    added = services.add_upload(
        personas.analyst, io.BytesIO(data), "p3.png", acquisition(), level=Level.INTERNAL
    )
    store = services.evidence_store()
    assert isinstance(store, S3Store)
    assert added.created and store.exists(added.item.sha256)
    assert added.item.technical_metadata.get("fields")  # read from a temporary local copy
    with services.open_original(personas.analyst, added.item) as stream:
        assert stream.read() == data
    result = services.verify_all(None)
    assert result.intact and result.report.checked == 1
