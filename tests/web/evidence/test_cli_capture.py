"""``inquest evidence capture``: the WACZ and its screenshot added as items in one step,
with the URL, time, status and hashes in their description; no network: nothing added."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from inquest.cli import app
from inquest.evidence.local import LocalStore
from inquest.web.audit.models import AuditEntry
from inquest.web.evidence.models import EvidenceItem

from ..personas import Personas

pytestmark = pytest.mark.django_db

PAGE = b"<html><body><h1>Synthetic notice</h1><p>A page that may vanish.</p></body></html>"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/notice"
    server.shutdown()
    server.server_close()


def _capture(personas: Personas, *args: str) -> object:
    return CliRunner().invoke(
        app,
        [
            "evidence",
            "capture",
            *args,
            "--user",
            personas.analyst.username,
            "--acquired-by",
            "synthetic team",
            "--level",
            "internal",
        ],
    )


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_capture_adds_the_wacz_and_its_screenshot(
    personas: Personas, evidence_store: LocalStore, site: str
) -> None:
    result = _capture(personas, site)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    items = list(EvidenceItem.objects.order_by("original_name"))
    assert [i.original_name.rsplit(".", 1)[1] for i in items] == ["png", "wacz"]
    shot, wacz = items
    for item in items:
        assert item.method == "open_source" and item.source == site
        assert f"Web capture of {site}" in item.description and "(HTTP 200" in item.description
        # each item names both originals: the capture and its screenshot are linked
        assert wacz.sha256 in item.description and shot.sha256 in item.description
        assert evidence_store.exists(item.sha256)
    assert AuditEntry.objects.filter(action="evidence.add").count() == 2


def test_no_network_adds_nothing(personas: Personas, evidence_store: LocalStore) -> None:
    result = _capture(personas, "http://127.0.0.1:9/page", "--no-screenshot")
    assert result.exit_code == 1
    assert "127.0.0.1:9/page" in result.output and "refused" in result.output  # type: ignore[attr-defined]
    assert not EvidenceItem.objects.exists()
    assert list(evidence_store.addresses()) == []
