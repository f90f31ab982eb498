"""Benchmark: the performance table, CPython and headless Chromium side by side in one run.

    make bench            # or: python scripts/bench [--runs 3] [--quick] [--no-browser]

Prints a Markdown table (target, CPython, browser; medians of --runs runs, with
min–max) and writes everything to bench/results.json. The browser column drives
the built page the way the tests do: served under a sub-path, clicking its
controls; the JavaScript reference and a bare Pyodide + numpy boot run in the
same browser in the same run. These are measurements, not pass/fail tests:
on a shared machine, compare ratios measured together, not absolute times.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parents[1])]  # scripts/ (serve, bench), the root

from bench.cpython import cli_under_load, cpython  # noqa: E402
from bench.table import table  # noqa: E402
from bench.util import ROOT  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="5 memory cycles instead of 20")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--no-lighthouse", action="store_true")
    a = ap.parse_args(argv)
    if not (ROOT / "dist" / "index.html").exists() and not a.no_browser:
        print("dist/ is not built: run `make site` first (make bench does)", file=sys.stderr)
        return 2
    print(f"[bench] CPython {platform.python_version()}, {a.runs} runs ...", file=sys.stderr)
    c = cpython(a.runs)
    print("[bench] the command line, idle and under load ...", file=sys.stderr)
    cli = cli_under_load(a.runs)
    w, lh = {}, {}
    if not a.no_browser:
        from bench.collect import browser_all

        print("[bench] headless Chromium ...", file=sys.stderr)
        w = browser_all(a.runs, a.quick)
        if not a.no_lighthouse:
            from bench.lighthouse import lighthouse

            print("[bench] Lighthouse ...", file=sys.stderr)
            lh = lighthouse()
    machine = {"machine": platform.machine(), "cpus": os.cpu_count(),
               "python": platform.python_version(), "chromium": w.get("chromium"),
               "date": time.strftime("%Y-%m-%d %H:%M"),
               "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None}
    text = table(c, w, cli, lh)
    print(f"\nMachine: {machine}\n\n{text}")
    out = ROOT / "bench" / "results.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"machine": machine, "cpython": c, "cli": cli, "browser": w,
                               "lighthouse": lh, "table": text}, indent=1))
    print(f"\n[bench] wrote {out.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
