"""Browser tests: Debian's Chromium, driven by Playwright, against a real workbench server.

Every test runs in English and in Persian (``lang``), on a server seeded by ``scenario.py``
(SQLite; the tests that ask for ``any_workbench`` run on PostgreSQL too). A test fails on any
console error, uncaught page error or Content-Security-Policy violation, and on any request
to a host other than the workbench. Each test leaves a screenshot of its last page in
``test-artifacts/screenshots/<test>-<lang>.png``.

Without Chromium at ``/usr/bin/chromium`` (``INQUEST_CHROMIUM`` overrides) the tests are
skipped, except on CI (``CI`` or ``INQUEST_E2E`` set), where that is a failure.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import struct
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Cookie,
    Page,
    Playwright,
    Request,
    Response,
    sync_playwright,
)

from .workbench import InBackground, Workbench, postgres_problem

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = Path(os.environ.get("INQUEST_CHROMIUM", "/usr/bin/chromium"))
REQUIRED = bool(os.environ.get("CI") or os.environ.get("INQUEST_E2E"))
LANGS = ("en", "fa")
_PERSIAN = re.compile("[\u0600-\u06ff]")
TIMEOUT_MS = 10_000

# Runs before any page script: CSP violations (enforced or report-only) become console errors.
_REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline"));
});
"""


# Per server (by URL): analysts already signed in as, and the shared analyst session's cookies.
_USED: dict[str, set[str]] = {}
_SESSIONS: dict[str, list[Cookie]] = {}


def totp_now(hex_key: str, step: int = 30, digits: int = 6) -> str:
    """The code an authenticator app shows now for ``hex_key`` (RFC 6238, HMAC-SHA1)."""
    counter = int(time.time()) // step
    digest = hmac.new(bytes.fromhex(hex_key), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of this folder ``e2e``."""
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)


def _need_chromium() -> None:
    if not CHROMIUM.exists():
        message = f"Chromium is not at {CHROMIUM} (apt-get install -y chromium)"
        if REQUIRED:
            pytest.fail(message + "; CI needs it for the browser tests")
        pytest.skip(message)


def _wants_postgres(session: pytest.Session) -> bool:
    """Whether a selected test runs on the PostgreSQL workbench."""
    return any(
        getattr(item, "callspec", None) is not None
        and item.callspec.params.get("any_workbench") == "postgresql"
        for item in session.items
    )


@pytest.fixture(scope="package")
def _servers(request: pytest.FixtureRequest) -> Iterator[dict[str, InBackground]]:
    """Both workbenches, brought up side by side (PostgreSQL only if a test needs it)."""
    _need_chromium()
    servers = {"sqlite": InBackground("sqlite", review=True)}
    if _wants_postgres(request.session) and postgres_problem() is None:
        servers["postgresql"] = InBackground("postgresql")
    try:
        yield servers
    finally:
        for server in servers.values():
            server.stop()


@pytest.fixture(scope="package")
def _playwright(_servers: dict[str, InBackground]) -> Iterator[Playwright]:
    _need_chromium()
    # Stopped at the end of this folder, so its event loop is gone before other tests run.
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="package")
def chromium(_playwright: Playwright) -> Iterator[Browser]:
    """Headless Debian Chromium."""
    browser = _playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
    yield browser
    browser.close()


@pytest.fixture(scope="package")
def workbench(_servers: dict[str, InBackground]) -> Workbench:
    """The seeded workbench on SQLite, with a linked simulated world to review."""
    return _servers["sqlite"].get()


@pytest.fixture(scope="package")
def _postgres_workbench(_servers: dict[str, InBackground]) -> Workbench:
    problem = postgres_problem()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable: {problem}")
        pytest.skip(f"PostgreSQL is not reachable: {problem}")
    if "postgresql" not in _servers:
        pytest.fail("PostgreSQL was not reachable when the servers were started")
    return _servers["postgresql"].get()


@pytest.fixture(
    scope="package",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def any_workbench(request: pytest.FixtureRequest) -> Workbench:
    """The seeded workbench on SQLite, and again on PostgreSQL."""
    name = "workbench" if request.param == "sqlite" else "_postgres_workbench"
    server: Workbench = request.getfixturevalue(name)
    return server


@pytest.fixture(params=LANGS)
def lang(request: pytest.FixtureRequest) -> str:
    """The interface language of the test's browser: English, then Persian."""
    value: str = request.param
    return value


class Visit:
    """One browser tab in ``lang`` on ``server``, watching the console and every request."""

    def __init__(self, page: Page, server: Workbench, lang: str) -> None:
        self.page = page
        self.server = server
        self.lang = lang
        self.problems: list[str] = []
        self.fonts: list[str] = []
        self._expected_failures: set[str] = set()
        self._others: list[Visit] = []
        self._origin = urlsplit(server.url).netloc
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        page.on("request", self._request)
        page.on("response", self._response)

    def another(self) -> Visit:
        """A second browser (own cookies) in the same language: another user at work.

        Closed with this one; its console problems count as this visit's.
        """
        browser = self.page.context.browser
        assert browser is not None
        other = open_visit(browser, self.server, self.lang)
        self._others.append(other)
        return other

    def close(self) -> None:
        """Close this visit's browser context and those of ``another()``."""
        for other in self._others:
            other.close()
            self.problems.extend(other.problems)
        self.page.context.close()

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            if where in self._expected_failures and message.text.startswith("Failed to load"):
                return
            self.problems.append(f"console error at {where}: {message.text}")

    def _request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != self._origin:
            self.problems.append(f"request to another host: {request.url}")

    def _response(self, response: Response) -> None:
        if response.url.endswith(".woff2") and response.ok:
            self.fonts.append(response.url)

    def go(self, path: str, *, data_title: bool = False) -> None:
        """Open ``path`` of the workbench, wait until it has loaded, check it (``check_page``)."""
        response = self.page.goto(self.server.at(path))
        assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
        self.check_page(data_title=data_title)

    def may_fail(self, path: str) -> None:
        """Expect ``path`` to answer with an error status: the browser's console line about
        that failed load is not a problem."""
        self._expected_failures.add(self.server.at(path))

    def status(self, path: str) -> int:
        """Open ``path`` expecting it may fail (404, 403): its HTTP status."""
        url = self.server.at(path)
        self.may_fail(path)
        response = self.page.goto(url)
        assert response is not None
        return response.status

    def check_persian_font(self) -> None:
        """Vazirmatn came from the workbench itself and is in use."""
        loaded = self.page.evaluate(
            """async () => {
              await document.fonts.ready;
              const ours = (f) => f.family.replaceAll('"', "") === "Vazirmatn";
              return [...document.fonts].filter((f) => ours(f) && f.status === "loaded").length;
            }"""
        )
        assert loaded >= 1, "Vazirmatn is not loaded"
        assert any(url.startswith(self.server.url) for url in self.fonts), self.fonts
        family = self.page.evaluate("getComputedStyle(document.body).fontFamily")
        assert family.startswith('"Vazirmatn"') or family.startswith("Vazirmatn"), family

    def check_page(self, *, data_title: bool = False) -> None:
        """The page is in this visit's language and direction; in Persian, its title too
        (unless the title is data, such as a source's code: ``data_title``)."""
        html = self.page.locator("html")
        assert html.get_attribute("lang") == self.lang
        assert html.get_attribute("dir") == ("rtl" if self.lang == "fa" else "ltr")
        if self.lang == "fa" and not data_title:
            title = self.page.title()
            assert _PERSIAN.search(title), f"{self.page.url}: title not translated: {title!r}"

    def sign_in(self, username: str) -> None:
        """Sign in through the login form with the scenario's password, then the TOTP code
        of the user's authenticator when the workbench asks for it."""
        self.go("/login/")
        self.page.locator("input[name=username]").fill(username)
        self.page.locator("input[name=password]").fill(self.server.facts["password"])
        self.page.locator("form.login button[type=submit]").click()
        self.page.wait_for_load_state()
        assert "/login/" not in self.page.url, f"sign-in as {username} failed"
        if "/two-factor/verify/" in self.page.url:
            key = self.server.facts["totp_keys"][username]
            self.page.locator("input[name=token]").fill(totp_now(key))
            self.page.locator("form.login button[type=submit]").click()
            self.page.wait_for_load_state()
            assert "/two-factor/" not in self.page.url, f"two-factor sign-in as {username} failed"
        self.check_page()

    def fresh_analyst(self) -> str:
        """An analyst of the scenario no test has signed in as yet (one TOTP code each)."""
        used = _USED.setdefault(self.server.url, set())
        for name in self.server.facts["analysts"]:
            if name not in used:
                used.add(name)
                return str(name)
        raise AssertionError("scenario.py made too few analysts for the sign-ins of the tests")

    def as_analyst(self) -> None:
        """Be signed in as an analyst: one sign-in per server, its session shared by tests."""
        cookies = _SESSIONS.get(self.server.url)
        if cookies is None:
            self.sign_in(self.fresh_analyst())
            cookies = [c for c in self.page.context.cookies() if c["name"] != "django_language"]
            _SESSIONS[self.server.url] = cookies
        else:
            self.page.context.add_cookies(cookies)

    def screenshot(self, name: str) -> Path:
        """Save the whole page as ``test-artifacts/screenshots/<name>-<lang>.png``."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}-{self.lang}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def _test_name(request: pytest.FixtureRequest, server: Workbench) -> str:
    name = re.sub(r"[^A-Za-z0-9_]+", "-", request.node.originalname).strip("-")
    return name if server.vendor == "sqlite" else f"{name}-{server.vendor}"


def open_visit(browser: Browser, server: Workbench, lang: str) -> Visit:
    """A new browser context (its own cookies) with one tab, in ``lang``."""
    context = browser.new_context(locale="fa-IR" if lang == "fa" else "en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies([{"name": "django_language", "value": lang, "url": server.url}])
    context.add_init_script(_REPORT_CSP)
    return Visit(context.new_page(), server, lang)


def _visit(
    request: pytest.FixtureRequest, browser: Browser, server: Workbench, lang: str
) -> Iterator[Visit]:
    visit = open_visit(browser, server, lang)
    try:
        yield visit
        visit.screenshot(_test_name(request, server))
    finally:
        visit.close()
    assert not visit.problems, "\n".join(visit.problems)


@pytest.fixture
def visit(
    request: pytest.FixtureRequest, chromium: Browser, workbench: Workbench, lang: str
) -> Iterator[Visit]:
    """A fresh browser tab on the SQLite workbench, in ``lang``."""
    yield from _visit(request, chromium, workbench, lang)


@pytest.fixture
def any_visit(
    request: pytest.FixtureRequest, chromium: Browser, any_workbench: Workbench, lang: str
) -> Iterator[Visit]:
    """A fresh browser tab in ``lang``, on SQLite and again on PostgreSQL."""
    yield from _visit(request, chromium, any_workbench, lang)
