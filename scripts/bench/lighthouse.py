"""Lighthouse (npm ``lighthouse``, pinned in package.json) on the served site: mobile preset.

Runs it ``runs`` times on a cold page and reports the median of each category score
and metric, the range of the performance score, and each run's *observed* first
contentful paint (from the run's own trace, not the simulated slow phone). The score
is computed from the simulation, but which requests the simulation counts before the
first paint depends on when the page was first drawn in the trace; on the project's
2-core machine headless Chromium sometimes draws the first frame ~1 s after it was
painted and committed, and the score drops with it (66-98 in single runs of one build).
Chrome flags as verified on this machine (README of the bench: headless, no sandbox,
no background networking).

Why the first frame is late (found 2026-12-02): Lighthouse navigates its tab from
about:blank, and Chromium holds the old frame on screen until the new page can paint
(its PaintHolding feature) while the fonts index.html preloads hold the first rendering
(RenderBlockingFonts, FontPreloadingDelaysRendering); together they put the first frame of
this long page at 1.2-2.3 s. Turning off any one of these three features, or the preloads,
brought it to 0.17-0.62 s (README, "Performance"). The score is measured with Chromium's
defaults; :data:`DIAGNOSTIC_FLAGS` gives a second, diagnostic score with PaintHolding off,
to show how much of the gap that wait is.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
import threading

from .util import ROOT

FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
         "--disable-component-update --disable-sync --no-first-run --disable-quic")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# the diagnostic run: the same, with Chromium's paint holding off (see above)
DIAGNOSTIC_FLAGS = "--disable-features=PaintHolding"
# the timings behind the performance score (milliseconds, simulated mobile)
METRICS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
           "speed-index")


def lighthouse(runs: int = 3, extra_flags: str = "") -> dict:
    """Medians over ``runs`` runs: scores 0-100 per category, CLS and the metrics (ms),
    plus ``performance_runs`` and ``observed_fcp_ms`` per run; ``{"error": ...}`` when
    it cannot run. ``extra_flags`` are added to Chromium's (e.g. :data:`DIAGNOSTIC_FLAGS`)."""
    exe = ROOT / "node_modules" / ".bin" / "lighthouse"
    if not exe.exists():
        return {"error": "lighthouse is not installed: run npm ci"}
    from serve import make_server

    srv = make_server(str(ROOT / "dist"), "127.0.0.1", 0, "/", quiet=True, csp=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{srv.server_address[1]}/"
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROMIUM", "/usr/bin/chromium")}
    reports = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-lh-") as tmp:
            for i in range(runs):
                out = os.path.join(tmp, f"report-{i}.json")
                res = subprocess.run(
                    [str(exe), url, f"--chrome-flags={FLAGS} {extra_flags}".strip(),
                     "--output=json",
                     f"--output-path={out}", "--quiet",
                     f"--only-categories={','.join(CATEGORIES)}"],
                    env=env, capture_output=True, text=True, timeout=300)
                if res.returncode != 0 or not os.path.exists(out):
                    return {"error": (res.stderr or res.stdout).strip()[-300:]}
                with open(out, encoding="utf-8") as f:
                    reports.append(json.load(f))
    finally:
        srv.shutdown()
    return summarise(reports)


def summarise(reports: list[dict]) -> dict:
    """The medians of several Lighthouse JSON reports (see :func:`lighthouse`)."""
    med = statistics.median
    scores = {c: med(round(100 * (r["categories"][c]["score"] or 0)) for r in reports)
              for c in CATEGORIES}
    audits = [r["audits"] for r in reports]
    metrics = {k: med(a[k]["numericValue"] for a in audits) for k in METRICS
               if all(k in a for a in audits)}
    observed = [a["metrics"]["details"]["items"][0].get("observedFirstContentfulPaint")
                for a in audits]
    return {**scores, "cls": med(a["cumulative-layout-shift"]["numericValue"] for a in audits),
            "metrics_ms": metrics, "runs": len(reports),
            "performance_runs": [round(100 * (r["categories"]["performance"]["score"] or 0))
                                 for r in reports],
            "observed_fcp_ms": observed, "lighthouse": reports[0].get("lighthouseVersion")}
