"""A local S3 server for tests (moto's ``ThreadedMotoServer`` on 127.0.0.1) and test-only
credentials, shared by the engine's and the workbench's S3 store tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_ADMINS: dict[str, Any] = {}


def moto_endpoint() -> Iterator[str]:
    """Start moto's S3 server on a free loopback port; skip (saying why) if it cannot."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:  # pragma: no cover - depends on the environment
        pytest.skip(f"moto's S3 server is not installed (the dev extra has it): {exc}")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    try:
        server.start()
    except Exception as exc:  # pragma: no cover - depends on the environment
        pytest.skip(f"the local S3 server (moto) could not start on 127.0.0.1: {exc}")
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def use_test_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Test credentials only: nothing from the machine's own AWS set-up is read."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))


def admin(endpoint: str) -> Any:
    """A client of the test server, as its administrator (made once: making one is slow)."""
    import boto3

    client = _ADMINS.get(endpoint)
    if client is None:
        client = _ADMINS[endpoint] = boto3.client(
            "s3", endpoint_url=endpoint, region_name="us-east-1"
        )
    return client


def new_bucket(endpoint: str, *, lock: bool = True) -> str:
    """A new bucket (object lock enabled unless ``lock`` is false)."""
    name = f"evidence-{uuid.uuid4().hex[:12]}"
    admin(endpoint).create_bucket(Bucket=name, ObjectLockEnabledForBucket=lock)
    return name


def store_url(endpoint: str, bucket: str, *, lock: str = "governance", extra: str = "") -> str:
    return (
        f"s3://{bucket}/commission/evidence?endpoint={endpoint}&region=us-east-1"
        f"&path_style=1&lock={lock}&retain_days=30{extra}"
    )
