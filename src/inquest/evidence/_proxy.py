"""A recording HTTP proxy for web capture: Chromium loads the page through it and every
plain-HTTP resource it fetches (the page, its images, styles, scripts, fonts) is written to
the capture's WARC as a response and a request record, bounded in count and total bytes.

Only plain HTTP is recorded. A ``CONNECT`` (HTTPS through the proxy) is refused and noted:
recording HTTPS needs a man-in-the-middle certificate authority (as warcprox has), which
this proxy does not have, and an unrecorded tunnel would make a replay silently incomplete.
"""

from __future__ import annotations

import contextlib
import http.client
import threading
import uuid
from collections.abc import Callable
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
    """A proxy on 127.0.0.1 (a free port) that relays plain HTTP GET and HEAD requests and
    records each exchange through ``write``; ``skip`` holds URLs already recorded."""

    # Handler threads are joined on close, so none writes to the WARC after it is closed.
    daemon_threads = False
    block_on_close = True

    def __init__(self, write: WriteExchange, scratch: Path, limits: Limits, skip: set[str]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
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
        self.server.refused.append(f"{self.command} {self.path}: {why}")
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def do_CONNECT(self) -> None:
        self._refuse(501, "HTTPS is not recorded by this proxy")

    def do_POST(self) -> None:
        self._refuse(501, "only GET and HEAD are recorded")

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_POST  # noqa: N815

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.scheme != "http" or not parts.hostname:
            self._refuse(400, "not an absolute http:// URL")
            return
        limits = self.server.limits
        if limits.error or not limits.take_resource():
            self._refuse(503, limits.error)
            return
        try:
            self._relay(parts.hostname, parts.port or 80)
        except (OSError, http.client.HTTPException) as exc:
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
        conn = http.client.HTTPConnection(host, port, timeout=self.server.limits.timeout)
        body_file = self.server.scratch / f"body-{uuid.uuid4().hex}"
        try:
            conn.putrequest(self.command, target, skip_host=True, skip_accept_encoding=True)
            for name, value in sent:
                conn.putheader(name, value)
            conn.endheaders()
            response = conn.getresponse()
            ip = conn.sock.getpeername()[0] if conn.sock is not None else ""
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
