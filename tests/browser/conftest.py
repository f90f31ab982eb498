"""Browser tests: the built dist/ in headless Chromium, served under a sub-path.

Every page opened through the ``page`` fixture fails its test on a request that
leaves the test server's origin, on a console error, on an uncaught exception
and on a Content-Security-Policy violation.
"""
from __future__ import annotations

import contextlib
import os
import pathlib
import shutil
import sys
import threading
import time
from urllib.parse import urlsplit

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DIST = pathlib.Path(os.environ.get("SITE_DIST", ROOT / "dist"))
PREFIX = "/tiny-text-diffusion/"
sys.path.insert(0, str(ROOT / "scripts"))

from serve import make_server  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic", "--disable-dev-shm-usage"]
READY_TIMEOUT_MS = 60_000

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def pytest_collection_modifyitems(items):
    here = pathlib.Path(__file__).parent
    for item in items:
        if here in pathlib.Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def chromium_path() -> str | None:
    """The system Chromium if there is one; else None (Playwright's own browser)."""
    env = os.environ.get("CHROMIUM")
    if env:
        return env
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class Server:
    """dist/ served in a thread; ``stop()`` kills it (the faithful offline test)."""

    def __init__(self, root=DIST, prefix=PREFIX):
        if not (root / "index.html").exists():
            pytest.fail(f"{root}/index.html is missing: run `make site` first (make test does)")
        self.httpd = make_server(str(root), "127.0.0.1", 0, prefix, quiet=True)
        self.port = self.httpd.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.url = self.origin + prefix
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def server():
    s = Server()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        exe = chromium_path()
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS) if exe else \
            p.chromium.launch(args=CHROMIUM_ARGS)
        yield b
        b.close()


class Watched:
    """A page plus what it did: requests, console errors, CSP violations."""

    def __init__(self, context, origin):
        self.context = context
        self.origin = origin
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.allowed_errors: list[str] = []
        context.on("request", lambda r: self.requests.append(r.url))
        context.add_init_script(WATCH)
        self.page = context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def _console(self, msg):
        if msg.type == "error" and not any(a in msg.text for a in self.allowed_errors):
            self.errors.append(f"console: {msg.text}")

    def foreign_requests(self):
        return [u for u in self.requests
                if not u.startswith(("data:", "blob:"))
                and f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" != self.origin]

    def check_clean(self):
        assert self.foreign_requests() == [], "requests left the origin"
        assert self.errors == [], "console errors"
        try:
            csp = self.page.evaluate("window.__csp || []")
        except Exception:  # page closed or navigated away mid-test
            csp = []
        assert csp == [], "Content-Security-Policy violations"


def open_page(browser, server, path="", **ctx):
    ctx.setdefault("service_workers", "block")
    context = browser.new_context(**ctx)
    w = Watched(context, server.origin)
    w.page.goto(server.url + path)
    # main.js builds the sections after section II one task at a time, after the load
    # event; a reader cannot reach them sooner, a test can: it starts once all are built.
    wait_until(w.page, "performance.getEntriesByName('page-built').length > 0")
    return w


@contextlib.contextmanager
def page_without_scripts(browser, server):
    """The built page as its HTML and CSS alone draw it (JavaScript off), closed after use."""
    context = browser.new_context(java_script_enabled=False, service_workers="block")
    try:
        page = context.new_page()
        page.goto(server.url)
        yield page
    finally:
        context.close()


def wait_until(page, expression: str, timeout: float = 30_000, poll_s: float = 0.03):
    """Poll a JavaScript expression until it is truthy.

    Playwright's own ``wait_for_function`` compiles its predicate with eval()
    inside the page, which the page's Content-Security-Policy rightly forbids;
    ``page.evaluate`` runs through the DevTools protocol and is not blocked.
    """
    deadline = time.monotonic() + timeout / 1000
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout / 1000:.0f} s waiting for: {expression}")
        time.sleep(poll_s)


def type_setting(page, name: str, value: str) -> None:
    """Type ``value`` into the box ``#name`` as a reader does (the box's change event
    follows), then wait until the page's address holds ``name=value``."""
    page.fill(f"#{name}", value)
    page.dispatch_event(f"#{name}", "change")
    wait_until(page, f"location.hash.includes('{name}={value}')")


def wait_ready(page, timeout=READY_TIMEOUT_MS):
    page.wait_for_selector("#status[data-state=ready]", timeout=timeout)


@pytest.fixture
def watched(browser, server):
    w = open_page(browser, server)
    yield w
    try:
        w.check_clean()
    finally:
        w.context.close()


@pytest.fixture
def ready(watched):
    """A page whose Python is ready."""
    wait_ready(watched.page)
    return watched
