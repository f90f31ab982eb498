"""Headless Chromium on the built dist/, served under a sub-path, driven like the tests do.

Bench-only pages live under ``<site>/__bench/`` and are answered by Playwright
routes from ``scripts/bench/js/`` (and the JavaScript reference from its own
folder), so nothing is added to dist/.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from .util import JS, ROOT, js, reference_path, wait_until

PREFIX = "/bench/"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        "--enable-precise-memory-info", "--disable-dev-shm-usage",
        "--js-flags=--expose-gc"]  # window.gc(): memory is read after a collection, not before one
READY = "#status[data-state=ready]"
# the page's warm-up after ready (a throwaway training that lets the browser's optimising
# compiler take over numpy's loops) has finished: a reader who has read for a second
WARM = "performance.getEntriesByName('warm-up-done').length > 0"
TYPES = {".js": "text/javascript", ".html": "text/html"}


class Browser:
    """A local server for dist/ and one Chromium; :meth:`page` gives a fresh, cold context."""

    def __init__(self):
        from playwright.sync_api import sync_playwright
        from serve import make_server

        self.srv = make_server(str(ROOT / "dist"), "127.0.0.1", 0, PREFIX, quiet=True)
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.srv.server_address[1]}{PREFIX}"
        self.reference = reference_path()
        self.pw = sync_playwright().start()
        exe = os.environ.get("CHROMIUM") or next(
            (p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists()),
            None)
        self.browser = (self.pw.chromium.launch(executable_path=exe, args=ARGS) if exe
                        else self.pw.chromium.launch(args=ARGS))
        self.version = self.browser.version

    def _bench_file(self, route) -> None:
        name = route.request.url.rsplit("/", 1)[-1].split("?")[0]
        path = self.reference if name == "seed_reference.js" else JS / name
        if path is None or not path.is_file() or path.parent not in (JS, getattr(
                self.reference, "parent", None)):
            return route.fulfill(status=404, body="not found")
        route.fulfill(status=200, body=path.read_bytes(),
                      headers={"Content-Type": TYPES.get(path.suffix, "text/plain")})

    def page(self, service_workers="block"):
        ctx = self.browser.new_context(service_workers=service_workers,
                                       viewport={"width": 1280, "height": 900})
        ctx.add_init_script(path=str(JS / "longtasks.js"))
        ctx.route(f"{self.url}__bench/**", self._bench_file)
        return ctx, ctx.new_page()

    def close(self):
        self.browser.close()
        self.pw.stop()
        self.srv.shutdown()


def boot_pair(b: Browser, first: str) -> dict:
    """One cold boot of the bare runtime and one of our page, in the order given."""
    out = {}
    for kind in ([first, "ours"] if first == "bare" else ["ours", "bare"]):
        ctx, page = b.page()
        if kind == "bare":
            page.goto(b.url + "__bench/bare.html")
            wait_until(page, "window.__bareReady !== undefined", poll_s=0.005)
            out["bare"] = page.evaluate("window.__bareReady") / 1000
        else:
            page.goto(b.url)
            wait_until(page, "document.querySelector('#corruption-names') &&"
                       " document.querySelector('#corruption-names').children.length > 0",
                       poll_s=0.005)
            out["visible"] = page.evaluate(
                "(performance.getEntriesByName('widgets-ready')[0] || performance.now())"
                ".startTime ?? performance.now()")
            page.wait_for_selector(READY, timeout=180_000)
            out["ours"] = page.evaluate("window.tinyDiffusion.engine.readyAt") / 1000
            out["step_names"] = page.evaluate(js("step_us.js"), ["names"])
            out["step_translate"] = page.evaluate(js("step_us.js"), ["translate"])
            out["stop"] = [page.evaluate(js("stop_ms.js")) for _ in range(3)]
        ctx.close()
    return out


def click_at(page, selector: str) -> float:
    """Click ``selector`` as a user would; returns the click event's time stamp (ms since
    navigation), the moment the reader clicked. Timing from there leaves out the waits
    Playwright makes before it clicks (that the button is visible and has stopped moving)."""
    page.evaluate("(sel) => document.querySelector(sel).addEventListener('click', (e) => "
                  "{ window.__clickAt = e.timeStamp; }, { capture: true, once: true })", selector)
    page.click(selector)
    return page.evaluate("window.__clickAt")


def reference_ms(page) -> dict | None:
    """The JavaScript reference's 500-epoch run in a worker of ``page`` (None if not found)."""
    return page.evaluate(js("reference.js"), ["__bench/ref_worker.js", 500])


def ui_train(b: Browser, hash_: str) -> dict:
    """Click Train on a cold page; seconds to finished, the evaluated loss, and what follows."""
    ctx, page = b.page()
    try:
        page.goto(b.url + hash_)
        page.wait_for_selector(READY, timeout=180_000)
        wait_until(page, WARM, timeout=60_000)  # a quiet page: nothing else runs meanwhile
        out = {"reference": reference_ms(page) if b.reference else None}
        page.evaluate("window.__longtasks = []")
        t0 = click_at(page, "#train")
        wait_until(page, "document.querySelector('#stop').disabled === false", poll_s=0.002)
        out["train_s"] = (page.evaluate(js("wait_idle.js"), "#stop") - t0) / 1000
        # the first Generate as soon as the run has ended, while the page starts its own
        # measurements (the evaluated loss, then the precise ELBO) in the worker
        wait_until(page, "!document.querySelector('#generate').disabled", poll_s=0.002)
        out["generate_ms"] = page.evaluate(js("generate_ms.js"))
        ev = page.evaluate("window.tinyDiffusion.engine.call('evaluate', {task: 'names'})")
        out["x_floor"] = ev["eval"]["mean"] / ev["floor"]["mean"]
        wait_until(page, "document.querySelector('#eval-readout').innerText.includes('×')")
        wait_until(page, "document.querySelector('#elbo-readout').textContent"
                   ".startsWith('Negative ELBO after training')", timeout=60_000)
        wait_until(page, "!document.querySelector('#generate').disabled")
        out["generate_idle_ms"] = page.evaluate(js("generate_ms.js"))  # the worker idle
        wait_until(page, "!document.querySelector('#generate').disabled")
        t0 = click_at(page, "#train-translator")
        wait_until(page, "document.querySelector('#accuracy') && /\\d+\\s*(\\/|of)\\s*30/"
                   ".test(document.querySelector('#accuracy').textContent)",
                   timeout=120_000, poll_s=0.002)
        out["translate_s"] = (page.evaluate("performance.now()") - t0) / 1000
        out["translate_correct"] = page.evaluate(
            "window.tinyDiffusion.engine.call('accuracy', {})")["correct"]
        out["longest"] = max(page.evaluate("window.__longtasks") or [0])
        page.evaluate(js("long80.js"))
        time.sleep(0.2)
        out["observer_ok"] = max(page.evaluate("window.__longtasks") or [0]) >= 80
        return out
    finally:
        ctx.close()


def engine_runs(b: Browser, runs: list[tuple[str, dict]]) -> list[dict]:
    """Whole runs of presets through the engine on one ready page (recipe speed, no UI)."""
    ctx, page = b.page()
    try:
        page.goto(b.url)
        page.wait_for_selector(READY, timeout=180_000)
        wait_until(page, WARM, timeout=60_000)
        return [{"recipe": r, "overrides": ov, **page.evaluate(js("engine_run.js"), [r, ov])}
                for r, ov in runs]
    finally:
        ctx.close()


def warm_ready(b: Browser, runs: int) -> dict[str, list[float]]:
    """Ready after a reload served by the service worker ("ours"), each beside the bare
    runtime loaded again in a context of its own ("bare"): what the browser keeps between
    visits (its HTTP cache, and the compiled WebAssembly it caches beside a response) is
    then there for both. The first bare load of the context is cold and not counted."""
    ctx, page = b.page(service_workers="allow")
    bctx, bare = b.page()
    try:
        page.goto(b.url)
        page.wait_for_selector(READY, timeout=180_000)
        page.evaluate("navigator.serviceWorker.ready")
        out: dict[str, list[float]] = {"ours": [], "bare": []}
        for i in range(runs + 1):
            bare.goto(b.url + "__bench/bare.html")
            wait_until(bare, "window.__bareReady !== undefined", poll_s=0.005)
            if i:
                out["bare"].append(bare.evaluate("window.__bareReady") / 1000)
            bare.goto("about:blank")  # its worker is gone while ours boots
            if i < runs:
                page.reload()
                page.wait_for_selector(READY, timeout=180_000)
                out["ours"].append(page.evaluate("window.tinyDiffusion.engine.readyAt") / 1000)
        return out
    finally:
        bctx.close()
        ctx.close()


def memory_growth(b: Browser, cycles: int) -> dict:
    """Memory after each Train/Generate/Reset cycle, against ready and over the last half.

    WebAssembly memory grows in steps (8.7 MB here) and never shrinks, so one step in the
    first cycles is the heap finding its size, whichever cycle it falls in; a leak goes on
    growing, which the growth over the last half of the cycles shows."""
    ctx, page = b.page()
    try:
        page.goto(b.url)
        page.wait_for_selector(READY, timeout=180_000)
        wait_until(page, WARM, timeout=60_000)  # the page's own warm-up grows the heap once

        def mem():
            page.evaluate("window.gc && window.gc()")
            m = page.evaluate("window.tinyDiffusion.engine.memory()")
            main = page.evaluate("performance.memory ? performance.memory.usedJSHeapSize : 0")
            return m["wasm"] + (m["js"] or 0) + main, m["wasm"]

        before, wasm0 = mem()
        totals, wasm = [], [wasm0]
        for _ in range(cycles):
            page.click("#train")
            wait_until(page, "document.querySelector('#stop').disabled === false")
            page.evaluate(js("wait_idle.js"), "#stop")
            page.click("#generate")
            wait_until(page, "!document.querySelector('#generate').disabled")
            page.click("#reset")
            total, w = mem()
            totals.append(total)
            wasm.append(w)
        half = cycles // 2
        return {"cycles": cycles, "from_ready": (totals[-1] - before) / 1e6,
                "last_half": (totals[-1] - totals[half - 1]) / 1e6, "half": half,
                "wasm_steps": [i for i in range(1, len(wasm)) if wasm[i] > wasm[i - 1]],
                "per_cycle_mb": [round((t - before) / 1e6, 2) for t in totals]}
    finally:
        ctx.close()
