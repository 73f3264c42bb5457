"""Web capture: a URL fetched into a WACZ a court can replay, with a screenshot beside it.

:func:`capture` fetches the URL (following up to :data:`MAX_REDIRECTS` redirects, each
exchange kept), writes every request and response as WARC 1.1 records (``warcio``), indexes
them (CDXJ, ``cdxj-indexer``) and packages them as WACZ 1.1.1: ``archive/data.warc.gz``,
``indexes/index.cdx``, ``pages/pages.jsonl``, ``datapackage.json`` (every file's SHA-256 and
size) and ``datapackage-digest.json``. ReplayWeb.page and pywb replay such a file offline.
Headless Chromium then loads the URL again and saves a PNG screenshot; the screenshot's
digests go into the WACZ's ``datapackage.json`` (``inquest.screenshot``), which links the two
originals by hash. Chromium loads the page through a recording proxy on 127.0.0.1
(:mod:`inquest.evidence._proxy`), so every resource the page loads over HTTP or HTTPS
(images, styles, scripts, fonts) is written to the same WARC and indexed, and the WACZ
replays the page as it was rendered; ``datapackage.json`` lists them (``inquest.resources``),
and ``pages.jsonl`` lists the page. The load is bounded (``max_resources``,
``max_total_bytes``, the timeouts); a page beyond a bound keeps nothing.
:attr:`WebCapture.not_recorded` lists every request the proxy refused or could not relay.

Bodies are streamed to a temporary file (never whole in memory) and stopped at
``max_bytes``. HTTP bodies are kept as sent but for the chunked transfer coding, which is
removed (the header is kept as ``X-Archive-Orig-Transfer-Encoding``, as pywb does).

Nothing is stored by :func:`capture`: it writes the two files into a folder. With no network
(or any failure to fetch) it raises :class:`CaptureError` naming the URL and the cause, and
leaves no file behind. :func:`store_capture` stages both files and commits them only when
both were read (all or nothing).
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import io
import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import uuid
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from inquest import __version__
from inquest.errors import InputError
from inquest.evidence._proxy import Limits, RecordingProxy, TlsInterceptor, may_reach
from inquest.evidence.store import Digests, Store, Stored, digest_path

__all__ = [
    "CaptureError",
    "Exchange",
    "WebCapture",
    "capture",
    "store_capture",
]

WACZ_VERSION = "1.1.1"
MAX_REDIRECTS = 10
#: The largest body kept for one response; a larger one stops the capture.
DEFAULT_MAX_BYTES = 2 * 1024**3
#: The most resources (images, styles, scripts...) one page's load may record.
DEFAULT_MAX_RESOURCES = 1000
#: The most bytes of bodies all of one page's resources may record together.
DEFAULT_MAX_TOTAL_BYTES = 2 * 1024**3
USER_AGENT = f"inquest/{__version__} (evidence capture)"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 1 << 20
_PNG = b"\x89PNG\r\n\x1a\n"


class CaptureError(InputError):
    """The URL could not be captured; names the URL and the cause. Nothing was stored."""


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and its response, as recorded in the WARC."""

    url: str
    status: int
    reason: str
    content_type: str
    body_bytes: int
    body_sha256: str
    ip: str


@dataclass(frozen=True)
class WebCapture:
    """A capture written to a folder: the WACZ, the screenshot (if Chromium made one), and
    what was fetched."""

    url: str
    captured_at: datetime
    exchanges: tuple[Exchange, ...]
    wacz: Path
    wacz_digests: Digests
    screenshot: Path | None
    screenshot_digests: Digests | None
    screenshot_error: str = ""
    warc_sha256: str = field(default="")
    #: Resources recorded while Chromium rendered the page (beyond ``exchanges``).
    resources: tuple[Exchange, ...] = ()
    #: Requests Chromium made that were refused or failed and so were not recorded.
    not_recorded: tuple[str, ...] = ()

    @property
    def final(self) -> Exchange:
        """The last exchange (after redirects): its status is the capture's."""
        return self.exchanges[-1]

    def record(self) -> dict[str, Any]:
        """The capture's metadata as JSON-ready values (kept with the items)."""
        shot = self.screenshot_digests
        return {
            "url": self.url,
            "final_url": self.final.url,
            "captured_at": self.captured_at.isoformat(),
            "http_status": self.final.status,
            "exchanges": [
                {
                    "url": e.url,
                    "status": e.status,
                    "content_type": e.content_type,
                    "body_bytes": e.body_bytes,
                    "body_sha256": e.body_sha256,
                    "ip": e.ip,
                }
                for e in self.exchanges
            ],
            "resources": [
                {
                    "url": e.url,
                    "status": e.status,
                    "content_type": e.content_type,
                    "body_bytes": e.body_bytes,
                    "body_sha256": e.body_sha256,
                }
                for e in self.resources
            ],
            "not_recorded": list(self.not_recorded),
            "wacz": {
                "name": self.wacz.name,
                "sha256": self.wacz_digests.sha256,
                "sha512": self.wacz_digests.sha512,
                "bytes": self.wacz_digests.size,
            },
            "screenshot": None
            if shot is None or self.screenshot is None
            else {
                "name": self.screenshot.name,
                "sha256": shot.sha256,
                "sha512": shot.sha512,
                "bytes": shot.size,
            },
            "screenshot_error": self.screenshot_error,
        }

    def description(self) -> str:
        """One paragraph for the items' description: URL, time, status and both hashes."""
        text = (
            f"Web capture of {self.url} at {self.captured_at.isoformat()} "
            f"(HTTP {self.final.status}"
            + (f", final URL {self.final.url}" if self.final.url != self.url else "")
            + f"). WACZ {self.wacz.name} SHA-256 {self.wacz_digests.sha256}."
        )
        if self.screenshot is not None and self.screenshot_digests is not None:
            text += (
                f" Screenshot {self.screenshot.name} SHA-256 {self.screenshot_digests.sha256}"
                " (headless Chromium, a second load of the URL)."
            )
        else:
            text += f" No screenshot: {self.screenshot_error}"
        return text


def _check_url(url: str) -> tuple[str, str, int, str]:
    """Scheme, host, port and request target of ``url``; ``CaptureError`` if it is not an
    http(s) URL with a host and without credentials."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise CaptureError("only http:// and https:// URLs with a host are captured", path=url)
    if parts.username or parts.password:
        raise CaptureError("a URL with credentials in it is not captured", path=url)
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise CaptureError("the URL's port is not a number from 0 to 65535", path=url) from None
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, parts.hostname, port, target


def _cause(exc: BaseException) -> str:
    """A sentence for why a fetch failed, saying when it looks like no network."""
    if isinstance(exc, socket.gaierror):
        return f"the host name could not be resolved ({exc.strerror}): no network or DNS here?"
    if isinstance(exc, ConnectionRefusedError):
        return "the connection was refused"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "no answer before the time limit: no network here, or the server is down?"
    if isinstance(exc, ssl.SSLError):
        return f"the TLS connection failed ({exc.reason or exc})"
    if isinstance(exc, OSError) and exc.errno is not None:
        return f"{exc.strerror or exc} (errno {exc.errno}): no network here?"
    return f"{type(exc).__name__}: {exc}"


def _fetch_one(
    url: str,
    writer: Any,
    body_file: Path,
    *,
    timeout: float,
    max_bytes: int,
    tls: ssl.SSLContext,
    page_host: str,
) -> tuple[Exchange, str | None]:
    """GET ``url`` once, write its request and response records; the exchange and the
    redirect target (``None`` when the response is not a redirect). A redirect may not lead
    onto this machine's own network unless it stays on the captured URL's host."""
    scheme, host, port, target = _check_url(url)
    conn: http.client.HTTPConnection
    if scheme == "https":
        conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=tls)
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    default_port = 443 if scheme == "https" else 80
    host_header = host if port == default_port else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        host_header = f"[{host}]" if port == default_port else f"[{host}]:{port}"
    sent = [
        ("Host", host_header),
        ("User-Agent", USER_AGENT),
        ("Accept", "*/*"),
        ("Accept-Encoding", "identity"),
        ("Connection", "close"),
    ]
    try:
        conn.connect()
        peer = conn.sock.getpeername()[0] if conn.sock is not None else ""
        if not may_reach(peer, host, page_host.lower()):
            raise CaptureError(
                f"a redirect leads to {host} at {peer}, an address on this machine's own "
                "network; not followed",
                path=url,
            )
        conn.putrequest("GET", target, skip_host=True, skip_accept_encoding=True)
        for name, value in sent:
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        ip = conn.sock.getpeername()[0] if conn.sock is not None else ""
        total = 0
        with body_file.open("wb") as out:
            while chunk := response.read(_CHUNK):
                total += len(chunk)
                if total > max_bytes:
                    raise CaptureError(
                        f"the response body is larger than the maximum of {max_bytes:,} bytes",
                        path=url,
                    )
                out.write(chunk)
        headers = [
            ("X-Archive-Orig-Transfer-Encoding", v)
            if k.lower() == "transfer-encoding" and "chunked" in v.lower()
            else (k, v)
            for k, v in response.getheaders()
        ]
        version = "HTTP/1.0" if response.version == 10 else "HTTP/1.1"
        status, reason = response.status, response.reason
        location = response.getheader("Location")
    except CaptureError:
        raise
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        raise CaptureError(f"cannot capture: {_cause(exc)}", path=url) from None
    finally:
        conn.close()
    exchange = _write_exchange(
        writer, url, "GET", target, sent, status, reason, version, headers, body_file, total, ip
    )
    next_url = urljoin(url, location) if status in _REDIRECTS and location else None
    return exchange, next_url


def _write_exchange(
    writer: Any,
    url: str,
    method: str,
    target: str,
    sent: list[tuple[str, str]],
    status: int,
    reason: str,
    version: str,
    headers: list[tuple[str, str]],
    body_file: Path,
    total: int,
    ip: str,
) -> Exchange:
    """Write one exchange as a response record and its request record (bodiless: only GET
    and HEAD are captured) and return it."""
    from warcio.statusandheaders import StatusAndHeaders

    when = _warc_date()
    response_headers = StatusAndHeaders(f"{status} {reason}", headers, protocol=version)
    digest = hashlib.sha256()
    with body_file.open("rb") as body:
        while chunk := body.read(_CHUNK):
            digest.update(chunk)
        body.seek(0)
        record = writer.create_warc_record(
            url,
            "response",
            payload=body,
            length=total,
            http_headers=response_headers,
            warc_headers_dict={"WARC-Date": when, "WARC-IP-Address": ip},
        )
        writer.write_record(record)
    request_headers = StatusAndHeaders(f"{method} {target} HTTP/1.1", sent, is_http_request=True)
    request = writer.create_warc_record(
        url,
        "request",
        payload=io.BytesIO(b""),
        length=0,
        http_headers=request_headers,
        warc_headers_dict={
            "WARC-Date": when,
            "WARC-Concurrent-To": record.rec_headers.get_header("WARC-Record-ID"),
        },
    )
    writer.write_record(request)
    return Exchange(
        url=url,
        status=status,
        reason=reason,
        content_type=response_headers.get_header("Content-Type") or "",
        body_bytes=total,
        body_sha256=digest.hexdigest(),
        ip=ip,
    )


def _warc_date() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _open_warc(out: Any, name: str) -> Any:
    """A gzipping WARC 1.1 writer on ``out`` that has written its warcinfo record."""
    from warcio.warcwriter import WARCWriter

    writer = WARCWriter(out, gzip=True, warc_version="WARC/1.1")
    writer.write_record(
        writer.create_warcinfo_record(
            name,
            {
                "software": f"inquest {__version__} (warcio)",
                "format": "WARC File Format 1.1",
                "isPartOf": "inquest evidence capture",
            },
        )
    )
    return writer


def _fetch_chain(
    url: str, writer: Any, scratch: Path, *, timeout: float, max_bytes: int, tls: ssl.SSLContext
) -> tuple[Exchange, ...]:
    """Fetch ``url`` and its redirects into the WARC being written by ``writer``."""
    exchanges: list[Exchange] = []
    current: str | None = url
    seen: set[str] = set()
    while current is not None:
        if len(exchanges) > MAX_REDIRECTS or current in seen:
            raise CaptureError(
                f"more than {MAX_REDIRECTS} redirects, or a redirect loop (at {current})",
                path=url,
            )
        seen.add(current)
        exchange, current = _fetch_one(
            current,
            writer,
            scratch / "body",
            timeout=timeout,
            max_bytes=max_bytes,
            tls=tls,
            page_host=urlsplit(url).hostname or "",
        )
        exchanges.append(exchange)
    return tuple(exchanges)


@dataclass
class _Render:
    """What the Chromium load recorded beside the screenshot."""

    resources: list[Exchange] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    screenshot_error: str = ""


def _render(
    url: str,
    png: Path,
    scratch: Path,
    writer: Any,
    recorded: set[str],
    *,
    chromium: str | None,
    timeout: float,
    limits: Limits,
    upstream: ssl.SSLContext,
) -> _Render:
    """Load ``url`` in headless Chromium for the screenshot through the recording proxy,
    so every resource the page loads goes into the WARC.
    ``CaptureError`` when the page broke a limit (nothing is kept then)."""
    done = _Render()
    tls = TlsInterceptor(upstream, scratch)

    def write(*args: Any) -> None:
        done.resources.append(_write_exchange(writer, *args))

    page_host = urlsplit(url).hostname or ""
    with RecordingProxy(write, scratch, limits, recorded, tls, page_host=page_host) as proxy:
        done.screenshot_error = _screenshot(
            url,
            png,
            scratch,
            chromium=chromium,
            timeout=timeout,
            proxy=(proxy.address, tls.spki_sha256),
        )
    done.refused.extend(proxy.refused)
    if limits.error:
        png.unlink(missing_ok=True)
        raise CaptureError(f"nothing kept: {limits.error}", path=url)
    return done


def _cdxj(warc: Path) -> bytes:
    """The CDXJ index of ``warc``, sorted, naming the file as the WACZ holds it."""
    with warnings.catch_warnings():
        # surt (imported by cdxj-indexer) has regular expressions in plain strings with
        # escapes Python warns of when it compiles them; the warning is not ours to fix.
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        from cdxj_indexer.main import CDXJIndexer

    out = io.StringIO()
    indexer = CDXJIndexer(output=out, inputs=[str(warc)], sort=True, filename=warc.name)
    indexer.process_all()
    return out.getvalue().encode("utf-8")


def _sha256_member(archive: zipfile.ZipFile, name: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with archive.open(name) as member:
        while chunk := member.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _write_wacz(
    wacz: Path,
    warc: Path,
    url: str,
    captured_at: datetime,
    exchanges: tuple[Exchange, ...],
    resources: tuple[Exchange, ...],
    screenshot: Digests | None,
) -> None:
    """Package ``warc`` as WACZ 1.1.1 at ``wacz`` (members stored, not compressed, so a
    replay tool reads the WARC by offset)."""
    stamp = captured_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    pages = [
        {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"},
        {"id": uuid.uuid4().hex, "url": url, "ts": stamp, "title": url},
    ]
    with zipfile.ZipFile(wacz, "x", compression=zipfile.ZIP_STORED) as archive:
        archive.write(warc, f"archive/{warc.name}")
        archive.writestr("indexes/index.cdx", _cdxj(warc))
        archive.writestr(
            "pages/pages.jsonl", "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pages)
        )
        members = []
        for name in archive.namelist():
            sha, size = _sha256_member(archive, name)
            members.append(
                {
                    "name": Path(name).name,
                    "path": name,
                    "hash": f"sha256:{sha}",
                    "bytes": size,
                }
            )
        package = {
            "profile": "data-package",
            "resources": members,
            "title": f"Capture of {url}",
            "mainPageURL": url,
            "mainPageDate": stamp,
            "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "wacz_version": WACZ_VERSION,
            "software": f"inquest {__version__}",
            "inquest": {
                "http_status": exchanges[-1].status,
                "final_url": exchanges[-1].url,
                "resources": [
                    {"url": e.url, "status": e.status, "sha256": e.body_sha256}
                    for e in exchanges + resources
                ],
                "screenshot": None
                if screenshot is None
                else {
                    "sha256": screenshot.sha256,
                    "sha512": screenshot.sha512,
                    "bytes": screenshot.size,
                },
            },
        }
        data = json.dumps(package, indent=2, ensure_ascii=False).encode("utf-8")
        archive.writestr("datapackage.json", data)
        digest = {"path": "datapackage.json", "hash": f"sha256:{hashlib.sha256(data).hexdigest()}"}
        archive.writestr("datapackage-digest.json", json.dumps(digest, indent=2))


def _chromium(explicit: str | None) -> str | None:
    if explicit:
        return explicit
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _screenshot(
    url: str,
    png: Path,
    scratch: Path,
    *,
    chromium: str | None,
    timeout: float,
    proxy: tuple[str, str] | None,
) -> str:
    """Save a PNG of ``url`` by headless Chromium (through ``proxy`` if given, loopback
    included); '' when it worked, else why not."""
    program = _chromium(chromium)
    if program is None:
        return "Chromium was not found (apt-get install chromium)"
    profile = scratch / "chromium-profile"
    profile.mkdir()
    args = [
        program,
        "--headless",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        # Keep Chromium's own traffic (updates, sign-in, time, safe browsing) out of the
        # proxy, so the WARC holds what the page loaded and nothing of the browser's.
        "--disable-client-side-phishing-detection",
        "--disable-default-apps",
        "--disable-domain-reliability",
        "--disable-breakpad",
        "--disable-field-trial-config",
        "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,"
        "Translate,CertificateTransparencyComponentUpdater,HttpsUpgrades,"
        "AutofillServerCommunication,InterestFeedContentSuggestions",
        "--metrics-recording-only",
        "--no-pings",
        "--no-service-autorun",
        "--password-store=basic",
        "--window-size=1280,1600",
        f"--user-data-dir={profile}",
        f"--screenshot={png}",
    ]
    if proxy is not None:
        # Chromium sends loopback hosts past any proxy unless told not to; it accepts the
        # proxy's own certificates (one key) and still refuses any other bad certificate.
        address, spki = proxy
        args += [
            f"--proxy-server={address}",
            "--proxy-bypass-list=<-loopback>",
            f"--ignore-certificate-errors-spki-list={spki}",
        ]
    args.append(url)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.insert(1, "--no-sandbox")  # Chromium will not run as root with its sandbox
    try:
        done = subprocess.run(  # noqa: S603 - Chromium found on PATH or named, no shell
            args, capture_output=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        png.unlink(missing_ok=True)
        return f"Chromium failed: {exc}"
    ok = png.is_file() and png.stat().st_size > len(_PNG)
    if ok:
        with png.open("rb") as made:
            ok = made.read(len(_PNG)) == _PNG
    if done.returncode != 0 or not ok:
        png.unlink(missing_ok=True)
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        return f"Chromium made no screenshot (exit {done.returncode}) {tail[0][:300]}".strip()
    return ""


def _base_name(url: str, when: datetime) -> str:
    host = (urlsplit(url).hostname or "page").replace(":", "_")
    safe = "".join(c if c.isalnum() or c in ".-" else "_" for c in host)[:80]
    return f"capture-{safe}-{when.strftime('%Y%m%dT%H%M%SZ')}"


def capture(
    url: str,
    folder: Path,
    *,
    timeout: float = 30.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
    screenshot: bool = True,
    chromium: str | None = None,
    screenshot_timeout: float = 90.0,
    max_resources: int = DEFAULT_MAX_RESOURCES,
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
    ssl_context: ssl.SSLContext | None = None,
) -> WebCapture:
    """Capture ``url`` into ``folder`` (a WACZ and, unless ``screenshot`` is false or
    Chromium fails, a PNG). With ``screenshot``, Chromium's load of the page goes
    through a recording proxy, so the WACZ holds every resource the page loaded (at most
    ``max_resources`` of them, ``max_total_bytes`` in all, or nothing is kept); without it,
    only the URL's own exchanges. ``ssl_context`` checks the servers' certificates (the
    system's trust store by default). ``CaptureError`` names the URL and the cause when it
    cannot be captured, and then nothing is left in ``folder``."""
    _check_url(url)
    captured_at = datetime.now(UTC).replace(microsecond=0)
    base = _base_name(url, captured_at)
    wacz, png = folder / f"{base}.wacz", folder / f"{base}.png"
    upstream = ssl_context or ssl.create_default_context()
    limits = Limits(max_resources=max_resources, max_total_bytes=max_total_bytes, timeout=timeout)
    with tempfile.TemporaryDirectory(prefix="inquest-capture-") as tmp:
        scratch = Path(tmp)
        warc = scratch / "data.warc.gz"
        rendered = _Render(screenshot_error="not asked for")
        try:
            with warc.open("xb") as out:
                writer = _open_warc(out, warc.name)
                exchanges = _fetch_chain(
                    url, writer, scratch, timeout=timeout, max_bytes=max_bytes, tls=upstream
                )
                if screenshot:
                    rendered = _render(
                        url,
                        png,
                        scratch,
                        writer,
                        {e.url for e in exchanges},
                        chromium=chromium,
                        timeout=screenshot_timeout,
                        limits=limits,
                        upstream=upstream,
                    )
            shot = digest_path(png) if screenshot and not rendered.screenshot_error else None
            _write_wacz(wacz, warc, url, captured_at, exchanges, tuple(rendered.resources), shot)
        except BaseException:
            wacz.unlink(missing_ok=True)
            png.unlink(missing_ok=True)
            raise
        warc_sha = digest_path(warc).sha256
    return WebCapture(
        url=url,
        captured_at=captured_at,
        exchanges=exchanges,
        wacz=wacz,
        wacz_digests=digest_path(wacz),
        screenshot=png if shot is not None else None,
        screenshot_digests=shot,
        screenshot_error=rendered.screenshot_error,
        warc_sha256=warc_sha,
        resources=tuple(rendered.resources),
        not_recorded=tuple(rendered.refused),
    )


@contextlib.contextmanager
def _staged_all(store: Store, paths: list[Path]) -> Iterator[list[Any]]:
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(store.stage(p)) for p in paths]


def store_capture(result: WebCapture, store: Store) -> tuple[Stored, Stored | None]:
    """Store the WACZ and the screenshot as originals, both or neither: each is staged and
    checked against the digests taken when it was written before either is committed."""
    paths = [result.wacz] + ([result.screenshot] if result.screenshot is not None else [])
    expected = [result.wacz_digests] + (
        [result.screenshot_digests] if result.screenshot_digests is not None else []
    )
    with _staged_all(store, paths) as staged:
        for one, want, path in zip(staged, expected, paths, strict=True):
            if one.digests != want:
                raise CaptureError("the file changed after the capture wrote it", path=str(path))
        done = [one.commit() for one in staged]
    return done[0], (done[1] if len(done) > 1 else None)
