#!/usr/bin/env python3
"""Smoke-check a built dist/ in headless Chromium (run after `make site`).

Copies dist/ to a temporary folder, adds a tiny test page (smoke.html + a
module worker), regenerates sw.js / build-manifest.json there with the real
generator, serves it under a sub-path with the CSP header, and checks that:

1. the worker's loadPyodide({indexURL: "./pyodide/", packages:
   ["diffusion_core"]}) reaches ready and `import numpy, diffusion_core` works;
2. KaTeX renders and the self-hosted fonts load;
3. .wasm is served as application/wasm;
4. no request goes anywhere but the local server;
5. after the service worker is active, the page reaches ready again with the
   server shut down (offline, from the precache).

Needs Playwright for Python and a Chromium (--chromium, default: `chromium`
on PATH). Exit code 0 when every check passed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from serve import make_server, server_url  # noqa: E402
from sitebuild.finalize import MANIFEST_NAME, SW_NAME, write_service_worker_and_manifest  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PREFIX = "/smoke-sub/path/"

SMOKE_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>site smoke check</title>
<link rel="stylesheet" href="./vendor/fonts/fonts.css">
<link rel="stylesheet" href="./vendor/katex/katex.min.css">
<script src="./vendor/katex/katex.min.js"></script>
<script type="module" src="./smoke.mjs"></script>
</head><body><p id="math"></p><pre id="out">loading</pre></body></html>
"""

SMOKE_PAGE_JS = """
const state = (window.__smoke = { status: "loading", swBuild: null });
katex.render("q(x_t \\\\mid x_0) = \\\\alpha_t", document.getElementById("math"));
state.katex = document.querySelectorAll("#math .katex").length;
const faces = [
  "16px 'Body Serif'", "italic 16px 'Body Serif'", "600 16px 'UI Sans'", "16px 'Cell Mono'",
];
state.fonts = Promise.all(faces.map((f) => document.fonts.load(f, "abc"))).then(
  (loaded) => (state.fontsLoaded = loaded.map((l) => l.length)));
navigator.serviceWorker.addEventListener("message", (e) => {
  if (e.data?.type === "sw-activated") state.swBuild = e.data.build;
});
state.swRegistered = navigator.serviceWorker.register("./sw.js").then(
  () => true, (e) => String(e));
const worker = new Worker("./smoke-worker.mjs", { type: "module" });
worker.onmessage = (e) => {
  Object.assign(state, e.data);
  document.getElementById("out").textContent = JSON.stringify(e.data);
};
worker.onerror = (e) => { state.status = "error"; state.error = String(e.message); };
"""

SMOKE_WORKER_JS = """
import { loadPyodide } from "./pyodide/pyodide.mjs";
const t0 = performance.now();
try {
  const py = await loadPyodide({ indexURL: "./pyodide/", packages: ["diffusion_core"] });
  const info = py.runPython(
    "import sys, numpy, diffusion_core\\n" +
    "f'python {sys.version.split()[0]} numpy {numpy.__version__} '" +
    "f'diffusion_core {diffusion_core.__version__}'");
  const seconds = (performance.now() - t0) / 1000;
  postMessage({ status: "ready", info, pyodide: py.version, seconds });
} catch (err) {
  postMessage({ status: "error", error: String((err && err.stack) || err) });
}
"""


def describe(st: dict) -> str:
    text = st.get("info") or st.get("error") or st["status"]
    return f"{text}, {st['seconds']:.1f} s" if "seconds" in st else text


def prepare(dist: Path, tmp: Path) -> Path:
    root = tmp / "site"
    shutil.copytree(dist, root)
    (root / SW_NAME).unlink()
    (root / MANIFEST_NAME).unlink()
    (root / "smoke.html").write_text(SMOKE_HTML)
    (root / "smoke.mjs").write_text(SMOKE_PAGE_JS)
    (root / "smoke-worker.mjs").write_text(SMOKE_WORKER_JS)
    write_service_worker_and_manifest(root, {"smoke": True})
    return root


def wait_ready(page, timeout_s: float) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        st = page.evaluate("() => window.__smoke && JSON.parse(JSON.stringify(window.__smoke))")
        if st and st.get("status") in ("ready", "error"):
            return st
        time.sleep(0.2)
    return {"status": "timeout"}


def run(dist: Path, chromium: str, timeout_s: float) -> list[str]:
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")
    failures: list[str] = []
    passed: list[str] = []

    def check(ok: bool, what: str) -> None:
        print(("  ok    " if ok else "  FAIL  ") + what, flush=True)
        (passed if ok else failures).append(what)

    with tempfile.TemporaryDirectory(prefix="ttd-smoke-") as tmp:
        root = prepare(dist, Path(tmp))
        server = make_server(root, "127.0.0.1", 0, PREFIX, csp=True, quiet=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = server_url(server, PREFIX)
        print(f"serving a copy of {dist} at {base}")
        foreign: list[str] = []
        seen: list[str] = []
        wasm_types: list[str] = []
        not_found: list[str] = []

        def on_request(req):
            seen.append(req.url)
            host = urlsplit(req.url).hostname
            if req.url.startswith(("http:", "https:", "ws:", "wss:")) and host != "127.0.0.1":
                foreign.append(req.url)

        def on_response(resp):
            if resp.url.endswith(".wasm"):
                wasm_types.append(resp.headers.get("content-type", ""))
            # The browser asks for /favicon.ico at the origin root by itself.
            if resp.status >= 400 and urlsplit(resp.url).path != "/favicon.ico":
                not_found.append(f"{resp.status} {resp.url}")

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            context = browser.new_context()
            context.on("request", on_request)
            context.on("response", on_response)
            console: list[str] = []
            page = context.new_page()
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))

            page.goto(base + "smoke.html")
            st = wait_ready(page, timeout_s)
            check(
                st.get("status") == "ready",
                f"online: worker ready ({describe(st)})",
            )
            check(st.get("katex", 0) > 0, "KaTeX rendered")
            fonts = page.evaluate(
                "async () => { await window.__smoke.fonts; return window.__smoke.fontsLoaded; }"
            )
            check(fonts == [1, 1, 1, 1], f"self-hosted fonts loaded {fonts}")
            check(
                bool(wasm_types) and all(t == "application/wasm" for t in wasm_types),
                f".wasm content-type {sorted(set(wasm_types))}",
            )

            controlled = page.evaluate(
                """async () => { await navigator.serviceWorker.ready;
                   for (let i = 0; i < 200 && !navigator.serviceWorker.controller; i++)
                     await new Promise((r) => setTimeout(r, 100));
                   return !!navigator.serviceWorker.controller; }"""
            )
            check(controlled, "service worker installed, precached and controlling the page")

            server.shutdown()
            server.server_close()
            page.reload()
            st = wait_ready(page, timeout_s)
            check(
                st.get("status") == "ready",
                f"offline (server stopped): ready from the service worker cache ({describe(st)})",
            )
            watched = any(u.endswith(".whl") for u in seen)
            check(
                watched and not foreign,
                f"no request left 127.0.0.1 ({len(seen)} seen, foreign: {foreign[:5]})",
            )
            check(not not_found, f"no failed responses {not_found[:5]}")
            errors = [
                c
                for c in console
                if c.startswith("error")
                and "favicon" not in c
                and "status of 404 (Not under" not in c
            ]
            check(not errors, f"no console errors {errors[:5]}")
            browser.close()
    print(f"{len(passed)} passed, {len(failures)} failed")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Smoke-check dist/ in headless Chromium.")
    parser.add_argument("--dist", type=Path, default=HERE.parent / "dist")
    parser.add_argument(
        "--chromium", default=os.environ.get("CHROMIUM") or shutil.which("chromium") or "chromium"
    )
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds to wait for ready")
    args = parser.parse_args(argv)
    if not (args.dist / "pyodide" / "pyodide-lock.json").exists():
        print(f"{args.dist} is not a built site; run `make site` first", file=sys.stderr)
        return 2
    failures = run(args.dist.resolve(), args.chromium, args.timeout)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
