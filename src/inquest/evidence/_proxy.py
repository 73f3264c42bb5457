"""A recording HTTP proxy for web capture: Chromium loads the page through it and every
resource it fetches (the page, its images, styles, scripts, fonts) is written to the
capture's WARC as a response and a request record, bounded in count and total bytes.

HTTPS is recorded too: a ``CONNECT`` is answered by the proxy itself with a certificate for
the host that it made (:class:`TlsInterceptor`; one key, which Chromium is told to accept and
no other), and the proxy fetches the resource from the real server over TLS, checking that
server's certificate. Only ``GET`` and ``HEAD`` are relayed; other methods are refused and
noted.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import ipaddress
import ssl
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

#: Headers that belong to one connection, not to the resource (RFC 9110 section 7.6.1).
_HOP = frozenset(
    {
        "connection",
        "proxy-connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
_CHUNK = 1 << 20


class TlsInterceptor:
    """Certificates the proxy shows Chromium inside a ``CONNECT``: one per host, all made
    here with one key, so Chromium is told to accept exactly that key
    (``--ignore-certificate-errors-spki-list``) and no other certificate error. The real
    server's certificate is checked by the proxy (``upstream``), as any client would."""

    def __init__(self, upstream: ssl.SSLContext, scratch: Path) -> None:
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        self.upstream = upstream
        self._scratch = scratch
        self._key = ec.generate_private_key(ec.SECP256R1())
        spki = self._key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        digest = hashes.Hash(hashes.SHA256())
        digest.update(spki)
        self.spki_sha256 = base64.b64encode(digest.finalize()).decode("ascii")
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._lock = threading.Lock()

    def context_for(self, host: str) -> ssl.SSLContext:
        with self._lock:
            if host not in self._contexts:
                self._contexts[host] = self._make(host)
            return self._contexts[host]

    def _make(self, host: str) -> ssl.SSLContext:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.x509.oid import NameOID

        try:
            alt: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(host))
        except ValueError:
            alt = x509.DNSName(host)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host[:64])])
        now = datetime.now(UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([alt]), critical=False)
            .sign(self._key, hashes.SHA256())
        )
        stem = self._scratch / f"tls-{uuid.uuid4().hex}"
        pem = stem.with_suffix(".pem")
        pem.write_bytes(
            cert.public_bytes(serialization.Encoding.PEM)
            + self._key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(pem)
        pem.unlink()
        return context


class Limits:
    """The bounds of one recording and what broke them (the first error wins)."""

    def __init__(self, *, max_resources: int, max_total_bytes: int, timeout: float) -> None:
        self.max_resources = max_resources
        self.max_total_bytes = max_total_bytes
        self.timeout = timeout
        self.resources = 0
        self.total_bytes = 0
        self.error = ""
        self.lock = threading.Lock()

    def fail(self, reason: str) -> None:
        with self.lock:
            self.error = self.error or reason

    def take_resource(self) -> bool:
        with self.lock:
            self.resources += 1
            if self.resources > self.max_resources:
                self.error = self.error or (
                    f"the page loaded more than the maximum of {self.max_resources} resources"
                )
                return False
            return True

    def take_bytes(self, count: int) -> bool:
        with self.lock:
            self.total_bytes += count
            if self.total_bytes > self.max_total_bytes:
                self.error = self.error or (
                    f"the page's resources are larger than the maximum of "
                    f"{self.max_total_bytes:,} bytes in all"
                )
                return False
            return True


#: Writes one exchange: (url, method, target, sent headers, status, reason, version,
#: response headers, body file, body bytes, ip) -> None. Called under the recorder's lock.
WriteExchange = Callable[
    [str, str, str, list[tuple[str, str]], int, str, str, list[tuple[str, str]], Path, int, str],
    None,
]


class RecordingProxy(ThreadingHTTPServer):
    """A proxy on 127.0.0.1 (a free port) that relays GET and HEAD requests (HTTPS via ``tls``) and
    records each exchange through ``write``; ``skip`` holds URLs already recorded."""

    # Handler threads are joined on close, so none writes to the WARC after it is closed.
    daemon_threads = False
    block_on_close = True

    def __init__(
        self,
        write: WriteExchange,
        scratch: Path,
        limits: Limits,
        skip: set[str],
        tls: TlsInterceptor | None = None,
        *,
        page_host: str = "",
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.tls = tls
        self.page_host = page_host.lower()
        self.write = write
        self.scratch = scratch
        self.limits = limits
        self.skip = skip
        self.refused: list[str] = []
        self.write_lock = threading.Lock()
        self.closed = False
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> RecordingProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        with self.write_lock:
            self.closed = True  # Chromium is done: what is still in flight is not recorded
        self.server_close()
        self.thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    server: RecordingProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the WARC is the record; no log on stderr

    def _refuse(self, code: int, why: str) -> None:
        where = self.path
        if self._tunnel is not None and where.startswith("/"):
            where = f"https://{self._tunnel[0]}:{self._tunnel[1]}{where}"
        self.server.refused.append(f"{self.command} {where}: {why}")
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    _tunnel: tuple[str, int] | None = None
    _tls_socket: ssl.SSLSocket | None = None

    def do_CONNECT(self) -> None:
        tls = self.server.tls
        host, _, port = self.path.rpartition(":")
        if tls is None or self._tunnel is not None or not host or not port.isdigit():
            self._refuse(501, "HTTPS is not recorded by this proxy")
            return
        host = host.strip("[]")
        self.send_response(200, "Connection Established")
        self.end_headers()
        self.wfile.flush()
        try:
            wrapped = tls.context_for(host).wrap_socket(self.connection, server_side=True)
        except (OSError, ssl.SSLError) as exc:
            self.server.refused.append(f"CONNECT {self.path}: {exc}")
            self.close_connection = True
            return
        # Read the tunnelled requests from the TLS socket: the base loop goes on with them.
        self._tls_socket = wrapped
        self._tunnel = (host, int(port))
        self.rfile = wrapped.makefile("rb")
        self.wfile = wrapped.makefile("wb")
        self.close_connection = False

    def finish(self) -> None:
        super().finish()
        if self._tls_socket is not None:
            with contextlib.suppress(OSError):
                self._tls_socket.close()

    def do_POST(self) -> None:
        self._refuse(501, "only GET and HEAD are recorded")

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_POST  # noqa: N815

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if self._tunnel is not None and self.path.startswith("/"):
            host, port = self._tunnel
            shown = f"[{host}]" if ":" in host else host
            self.path = f"https://{shown}" + (f":{port}" if port != 443 else "") + self.path
        parts = urlsplit(self.path)
        wanted = "https" if self._tunnel is not None else "http"
        if parts.scheme != wanted or not parts.hostname:
            self._refuse(400, f"not an absolute {wanted}:// URL")
            return
        limits = self.server.limits
        if limits.error or not limits.take_resource():
            self._refuse(503, limits.error)
            return
        try:
            self._relay(parts.hostname, parts.port or (443 if wanted == "https" else 80))
        except (OSError, ssl.SSLError, http.client.HTTPException) as exc:
            self.server.refused.append(f"{self.command} {self.path}: {type(exc).__name__}: {exc}")
            self.close_connection = True
            with contextlib.suppress(OSError):  # Chromium may have gone already
                self.send_response(502)
                self.send_header("Content-Length", "0")
                self.end_headers()

    def _relay(self, host: str, port: int) -> None:
        parts = urlsplit(self.path)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        sent = [(k, v) for k, v in self.headers.items() if k.lower() not in _HOP]
        sent.append(("Connection", "close"))
        conn: http.client.HTTPConnection
        timeout = self.server.limits.timeout
        if self._tunnel is not None and self.server.tls is not None:
            conn = http.client.HTTPSConnection(
                host, port, timeout=timeout, context=self.server.tls.upstream
            )
        else:
            conn = http.client.HTTPConnection(host, port, timeout=timeout)
        body_file = self.server.scratch / f"body-{uuid.uuid4().hex}"
        try:
            conn.connect()
            # A captured page must not reach the capturing machine's own network (loopback,
            # private, link-local such as a cloud metadata service): the address actually
            # connected to is checked, so a name that resolves differently later cannot pass.
            # Only the captured page's own host may be such an address (an intranet page).
            ip = conn.sock.getpeername()[0] if conn.sock is not None else ""
            if not may_reach(ip, host, self.server.page_host):
                raise OSError(f"{host} is at {ip}, an address on this machine's own network")
            conn.putrequest(self.command, target, skip_host=True, skip_accept_encoding=True)
            for name, value in sent:
                conn.putheader(name, value)
            conn.endheaders()
            response = conn.getresponse()
            total = 0
            with body_file.open("wb") as out:
                while chunk := response.read(_CHUNK):
                    if self.server.closed:
                        raise OSError("the page's load ended before this response did")
                    total += len(chunk)
                    if not self.server.limits.take_bytes(len(chunk)):
                        raise OSError(self.server.limits.error)
                    out.write(chunk)
            headers = [
                ("X-Archive-Orig-Transfer-Encoding", v)
                if k.lower() == "transfer-encoding" and "chunked" in v.lower()
                else (k, v)
                for k, v in response.getheaders()
            ]
            version = "HTTP/1.0" if response.version == 10 else "HTTP/1.1"
            status, reason = response.status, response.reason
        finally:
            conn.close()
        with self.server.write_lock:
            if not self.server.closed and self.path not in self.server.skip:
                self.server.skip.add(self.path)
                self.server.write(
                    self.path, self.command, target, sent, status, reason, version,
                    headers, body_file, total, ip,
                )  # fmt: skip
        self._answer(status, reason, headers, body_file, total)
        body_file.unlink(missing_ok=True)

    def _answer(
        self, status: int, reason: str, headers: list[tuple[str, str]], body: Path, total: int
    ) -> None:
        self.send_response(status, reason)
        for name, value in headers:
            if name.lower() not in _HOP and name.lower() not in (
                "content-length",
                "x-archive-orig-transfer-encoding",
            ):
                self.send_header(name, value)
        self.send_header("Content-Length", str(total))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if self.command != "HEAD":
            with body.open("rb") as source:
                while chunk := source.read(_CHUNK):
                    self.wfile.write(chunk)


def may_reach(ip: str, host: str, page_host: str) -> bool:
    """Whether the proxy may fetch from ``ip`` (the address ``host`` connected to): any
    global address, and a non-global one only for the captured page's own host."""
    try:
        address = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return False
    return address.is_global or host.lower().strip("[]") == page_host
