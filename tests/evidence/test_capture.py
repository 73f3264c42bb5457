"""Web capture against a local HTTP server started here (127.0.0.1): a valid WACZ whose
datapackage hashes match its files, the response body in its WARC, a screenshot linked by
hash, redirects kept, and a clear error with nothing left behind when the URL cannot be
fetched."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from inquest.evidence.capture import CaptureError, capture, store_capture
from inquest.evidence.local import LocalStore

pytest.importorskip("warcio", reason="warcio is not installed")
from warcio.archiveiterator import ArchiveIterator

PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Statement</title></head>"
    "<body style='background:#fff'><h1>Statement of a synthetic witness</h1>"
    "<p>Page body kept as evidence: سند شماره ۷</p></body></html>"
).encode()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/statement")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/elsewhere":  # onto another host name of this machine
            port = self.server.server_address[1]
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{port}/statement")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/gone":
            body = b"not here"
            self.send_response(404)
        else:
            body = PAGE
            self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _records(wacz: Path) -> list[tuple[str, str, int | None, bytes]]:
    with zipfile.ZipFile(wacz) as archive:
        data = archive.read("archive/data.warc.gz")
    found = []
    for record in ArchiveIterator(io.BytesIO(data)):
        status = None
        if record.http_headers is not None and record.rec_type == "response":
            status = int(record.http_headers.get_statuscode())
        found.append(
            (
                record.rec_type,
                record.rec_headers.get_header("WARC-Target-URI") or "",
                status,
                record.content_stream().read(),
            )
        )
    return found


def _check_wacz(wacz: Path) -> dict[str, object]:
    assert zipfile.is_zipfile(wacz)
    with zipfile.ZipFile(wacz) as archive:
        assert archive.testzip() is None
        names = set(archive.namelist())
        assert {
            "archive/data.warc.gz",
            "indexes/index.cdx",
            "pages/pages.jsonl",
            "datapackage.json",
            "datapackage-digest.json",
        } <= names
        package = json.loads(archive.read("datapackage.json"))
        assert package["profile"] == "data-package" and package["wacz_version"] == "1.1.1"
        listed = {r["path"] for r in package["resources"]}
        assert listed == names - {"datapackage.json", "datapackage-digest.json"}
        for resource in package["resources"]:
            data = archive.read(resource["path"])
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
            assert resource["bytes"] == len(data)
        digest = json.loads(archive.read("datapackage-digest.json"))
        raw = archive.read("datapackage.json")
        assert digest["hash"] == "sha256:" + hashlib.sha256(raw).hexdigest()
        warc = archive.read("archive/data.warc.gz")
        for line in archive.read("indexes/index.cdx").decode().splitlines():
            key, _, entry = line.split(" ", 2)
            found = json.loads(entry)
            assert key.startswith("1,0,0,127:") and found["filename"] == "data.warc.gz"
            # the index points at the response record of its URL in the WARC
            at = int(found["offset"])
            record = next(iter(ArchiveIterator(io.BytesIO(warc[at : at + int(found["length"])]))))
            assert record.rec_type == "response"
            assert record.rec_headers.get_header("WARC-Target-URI") == found["url"]
        pages = archive.read("pages/pages.jsonl").decode().splitlines()
        assert json.loads(pages[0])["format"] == "json-pages-1.0"
        # the WARC is a well-formed gzip member sequence
        gzip.decompress(archive.read("archive/data.warc.gz"))
    return package


def test_capture_writes_a_wacz_whose_warc_holds_the_body(site: str, tmp_path: Path) -> None:
    url = f"{site}/statement"
    got = capture(url, tmp_path, screenshot=False)
    assert got.final.status == 200 and got.final.body_sha256 == hashlib.sha256(PAGE).hexdigest()
    package = _check_wacz(got.wacz)
    assert package["mainPageURL"] == url
    records = _records(got.wacz)
    assert [r[0] for r in records] == ["warcinfo", "response", "request"]
    response = records[1]
    assert response[1] == url and response[2] == 200 and response[3] == PAGE
    assert got.screenshot is None and got.screenshot_error == "not asked for"
    assert got.record()["http_status"] == 200
    assert got.wacz_digests.sha256 in got.description()


def test_redirects_and_error_statuses_are_kept(site: str, tmp_path: Path) -> None:
    got = capture(f"{site}/moved", tmp_path, screenshot=False)
    assert [e.status for e in got.exchanges] == [302, 200]
    assert got.final.url == f"{site}/statement"
    responses = [(r[0], r[2]) for r in _records(got.wacz) if r[0] == "response"]
    assert responses == [("response", 302), ("response", 200)]
    (tmp_path / "gone").mkdir()
    gone = capture(f"{site}/gone", tmp_path / "gone", screenshot=False)
    assert gone.final.status == 404  # a vanished page is evidence too


def test_no_network_says_so_and_leaves_nothing(tmp_path: Path) -> None:
    # Port 9 on loopback: nothing listens, so the connection is refused at once.
    url = "http://127.0.0.1:9/page"
    with pytest.raises(CaptureError, match=r"127\.0\.0\.1:9/page.*refused"):
        capture(url, tmp_path, screenshot=False)
    # A name that cannot resolve (.invalid never does, RFC 6761).
    with pytest.raises(CaptureError, match=r"no-such-host\.invalid.*(resolved|network)"):
        capture("http://no-such-host.invalid/x", tmp_path, screenshot=False, timeout=5)
    assert list(tmp_path.iterdir()) == []


def test_bad_urls_are_refused(tmp_path: Path) -> None:
    for url in ("file:///etc/passwd", "ftp://example.org/", "http://user:pw@example.org/"):
        with pytest.raises(CaptureError):
            capture(url, tmp_path, screenshot=False)


def test_a_body_above_the_maximum_stops_the_capture(site: str, tmp_path: Path) -> None:
    with pytest.raises(CaptureError, match="larger than the maximum"):
        capture(f"{site}/statement", tmp_path, screenshot=False, max_bytes=10)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_screenshot_is_linked_by_hash_and_both_are_stored(site: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    got = capture(f"{site}/statement", out)
    assert got.screenshot is not None, got.screenshot_error
    assert got.screenshot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    package = _check_wacz(got.wacz)
    assert got.screenshot_digests is not None
    assert package["inquest"]["screenshot"]["sha256"] == got.screenshot_digests.sha256  # type: ignore[index]
    store = LocalStore(tmp_path / "store")
    wacz, shot = store_capture(got, store)
    assert wacz.created and shot is not None and shot.created
    assert sorted(store.addresses()) == sorted(
        [got.wacz_digests.sha256, got.screenshot_digests.sha256]
    )


def test_store_capture_is_all_or_nothing(site: str, tmp_path: Path) -> None:
    got = capture(f"{site}/statement", tmp_path, screenshot=False)
    got.wacz.chmod(0o600)
    with got.wacz.open("ab") as out:
        out.write(b"changed after the capture")
    store = LocalStore(tmp_path / "store")
    with pytest.raises(CaptureError, match="changed after the capture"):
        store_capture(got, store)
    assert list(store.addresses()) == []


# A page that loads a style sheet, a script and an image, all from the same local server.
STYLE = b"body { background: #eef; } h1 { color: #900; }\n"
SCRIPT = b"document.getElementById('s').textContent = 'script ran';\n"
IMAGE = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415478da63f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)
FULL = (
    b"<!doctype html><html><head><meta charset='utf-8'><link rel='stylesheet' href='/s.css'>"
    b"<title>Full</title></head><body><h1>Statement</h1><p id='s'>no script</p>"
    b"<img src='/i.png' width='40' height='40'><script src='/a.js'></script></body></html>"
)
_FILES = {
    "/full": (FULL, "text/html; charset=utf-8"),
    "/s.css": (STYLE, "text/css"),
    "/a.js": (SCRIPT, "text/javascript"),
    "/i.png": (IMAGE, "image/png"),
}


class _FullHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body, kind = _FILES.get(self.path, (b"no such file", "text/plain"))
        self.send_response(200 if self.path in _FILES else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


@pytest.fixture(scope="module")
def full_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FullHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


_CHROMIUM = pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Debian's chromium is not installed"
)


@_CHROMIUM
def test_every_resource_the_page_loads_is_in_the_warc(full_site: str, tmp_path: Path) -> None:
    url = f"{full_site}/full"
    got = capture(url, tmp_path)
    assert got.screenshot is not None, got.screenshot_error
    package = _check_wacz(got.wacz)  # every CDXJ line points at its response record
    responses = {r[1]: r[3] for r in _records(got.wacz) if r[0] == "response"}
    for path, (body, _) in _FILES.items():
        assert responses[full_site + path] == body  # byte for byte
    assert len(responses) == len(set(responses))  # the page itself is recorded once
    with zipfile.ZipFile(got.wacz) as archive:
        indexed = {
            json.loads(line.split(" ", 2)[2])["url"]
            for line in archive.read("indexes/index.cdx").decode().splitlines()
        }
    assert indexed == set(responses)
    listed = {r["url"] for r in package["inquest"]["resources"]}  # type: ignore[index]
    assert listed == set(responses)
    assert {e.url for e in got.resources} | {got.final.url} == set(responses)
    by_url = {e.url: e for e in got.resources}
    assert by_url[f"{full_site}/i.png"].body_sha256 == hashlib.sha256(IMAGE).hexdigest()
    assert got.record()["resources"]


@_CHROMIUM
def test_a_page_beyond_the_limits_keeps_nothing(full_site: str, tmp_path: Path) -> None:
    with pytest.raises(CaptureError, match="more than the maximum of 1 resources"):
        capture(f"{full_site}/full", tmp_path, max_resources=1)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(CaptureError, match="larger than the maximum of 20 bytes in all"):
        capture(f"{full_site}/full", tmp_path, max_total_bytes=20)
    assert list(tmp_path.iterdir()) == []


def _self_signed(folder: Path) -> Path:
    """A certificate and key for 127.0.0.1, made here (the test's own HTTPS server)."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = folder / "server.pem"
    pem.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return pem


@_CHROMIUM
def test_an_https_page_and_its_resources_are_recorded(tmp_path: Path) -> None:
    import ssl

    pem = _self_signed(tmp_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FullHandler)
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    served.load_cert_chain(pem)
    server.socket = served.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    site = f"https://127.0.0.1:{server.server_address[1]}"
    out = tmp_path / "out"
    out.mkdir()
    try:
        # The proxy checks the server's certificate against what it is told to trust...
        trusted = ssl.create_default_context(cafile=str(pem))
        got = capture(f"{site}/full", out, ssl_context=trusted)
        # ...and without trusting it, nothing is captured.
        with pytest.raises(CaptureError, match="TLS"):
            capture(f"{site}/full", tmp_path, screenshot=False)
    finally:
        server.shutdown()
        server.server_close()
    assert got.screenshot is not None, got.screenshot_error
    _check_wacz(got.wacz)
    responses = {r[1]: r[3] for r in _records(got.wacz) if r[0] == "response"}
    for path, (body, _) in _FILES.items():
        assert responses[site + path] == body


def test_the_proxy_keeps_a_page_off_this_machines_network(site: str, tmp_path: Path) -> None:
    """A page from elsewhere cannot make the capture fetch loopback, private or link-local
    addresses (a cloud metadata service, the workbench itself); the page's own host may."""
    import urllib.error
    import urllib.request

    from inquest.evidence._proxy import Limits, RecordingProxy, may_reach

    assert not may_reach("169.254.169.254", "metadata.example", "news.example")
    assert not may_reach("10.0.0.5", "intranet.example", "news.example")
    assert not may_reach("127.0.0.1", "localhost", "news.example")
    assert may_reach("127.0.0.1", "127.0.0.1", "127.0.0.1")
    assert may_reach("93.184.215.14", "news.example", "other.example")
    written: list[object] = []
    limits = Limits(max_resources=10, max_total_bytes=1 << 20, timeout=5)
    with RecordingProxy(
        lambda *a: written.append(a), tmp_path, limits, set(), page_host="news.example"
    ) as proxy:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy.address}))
        with pytest.raises(urllib.error.HTTPError) as refused:
            opener.open(f"{site}/page", timeout=10)
    assert refused.value.code == 502
    refused.value.close()
    assert written == []
    assert any("own network" in r for r in proxy.refused)


def test_a_redirect_onto_this_machines_network_is_not_followed(site: str, tmp_path: Path) -> None:
    with pytest.raises(CaptureError, match="own network; not followed"):
        capture(f"{site}/elsewhere", tmp_path, screenshot=False)
    assert list(tmp_path.iterdir()) == []
