"""Lighthouse (npm ``lighthouse``, pinned in package.json) on the served site: mobile preset.

Prints the four category scores and the cumulative layout shift. Chrome flags as
verified on this machine (README of the bench: headless, no sandbox, no
background networking).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import threading

from .util import ROOT

FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
         "--disable-component-update --disable-sync --no-first-run --disable-quic")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# the timings behind the performance score (milliseconds, simulated mobile)
METRICS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
           "speed-index")


def lighthouse() -> dict:
    """Scores 0-100 per category and the CLS; ``{"error": ...}`` when it cannot run."""
    exe = ROOT / "node_modules" / ".bin" / "lighthouse"
    if not exe.exists():
        return {"error": "lighthouse is not installed: run npm ci"}
    from serve import make_server

    srv = make_server(str(ROOT / "dist"), "127.0.0.1", 0, "/", quiet=True, csp=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{srv.server_address[1]}/"
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROMIUM", "/usr/bin/chromium")}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-lh-") as tmp:
            out = os.path.join(tmp, "report.json")
            res = subprocess.run(
                [str(exe), url, f"--chrome-flags={FLAGS}", "--output=json", f"--output-path={out}",
                 "--quiet", f"--only-categories={','.join(CATEGORIES)}"],
                env=env, capture_output=True, text=True, timeout=300)
            if res.returncode != 0 or not os.path.exists(out):
                return {"error": (res.stderr or res.stdout).strip()[-300:]}
            with open(out, encoding="utf-8") as f:
                rep = json.load(f)
    finally:
        srv.shutdown()
    scores = {c: round(100 * (rep["categories"][c]["score"] or 0)) for c in CATEGORIES}
    audits = rep["audits"]
    cls = audits["cumulative-layout-shift"]["numericValue"]
    metrics = {k: audits[k]["numericValue"] for k in METRICS if k in audits}
    return {**scores, "cls": cls, "metrics_ms": metrics, "lighthouse": rep.get("lighthouseVersion")}
