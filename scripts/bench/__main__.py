"""Benchmark: the performance table, CPython and headless Chromium side by side in one run.

    make bench            # or: python scripts/bench [--runs 3] [--quick] [--no-browser]
    python scripts/bench --only lab   # the diffusion lab's interactions alone

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
from bench.lab_cpython import lab_cpython  # noqa: E402
from bench.table import lab_table, table  # noqa: E402
from bench.util import ROOT  # noqa: E402


def _machine(w: dict) -> dict:
    return {"machine": platform.machine(), "cpus": os.cpu_count(),
            "python": platform.python_version(), "chromium": w.get("chromium"),
            "date": time.strftime("%Y-%m-%d %H:%M"),
            "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None}


def _write(name: str, data: dict) -> None:
    out = ROOT / "bench" / name
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(data, indent=1))
    print(f"\n[bench] wrote {out.relative_to(ROOT)}", file=sys.stderr)


def _lab_only(a) -> int:
    """The lab's cases alone: CPython core calls, then the page (bench/results-lab.json)."""
    print(f"[bench] the lab's core calls in CPython, {a.runs} runs ...", file=sys.stderr)
    c = lab_cpython(a.runs)
    w = {}
    if not a.no_browser:
        from bench.lab import lab_only

        print("[bench] the lab in headless Chromium ...", file=sys.stderr)
        w = lab_only(a.runs, a.profile)
    machine = _machine(w)
    text = lab_table(c, w.get("lab", {}))
    if w.get("lab", {}).get("profile"):
        from bench.lab_profile import profile_text

        text += ("\n\nThe lab's main-thread tasks over 50 ms, one traced run each (self time "
                 "by kind):\n\n" + profile_text(w["lab"]["profile"]))
    print(f"\nMachine: {machine}\n\n{text}")
    _write("results-lab.json", {"machine": machine, "cpython": {"lab": c}, "browser": w,
                                "table": text})
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="5 memory cycles instead of 20")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--no-lighthouse", action="store_true")
    ap.add_argument("--only", choices=("all", "lab"), default="all",
                    help="lab: only the diffusion lab's interactions (written to "
                         "bench/results-lab.json)")
    ap.add_argument("--profile", action="store_true",
                    help="with --only lab: trace one more run of the slow cases and split "
                         "their long main-thread tasks into script, layout, paint, GC")
    a = ap.parse_args(argv)
    if not (ROOT / "dist" / "index.html").exists() and not a.no_browser:
        print("dist/ is not built: run `make site` first (make bench does)", file=sys.stderr)
        return 2
    if a.only == "lab":
        return _lab_only(a)
    print(f"[bench] CPython {platform.python_version()}, {a.runs} runs ...", file=sys.stderr)
    c = cpython(a.runs) | {"lab": lab_cpython(a.runs)}
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
            lh = lighthouse(a.runs)
            if "error" not in lh:
                from bench.lighthouse import DIAGNOSTIC_FLAGS

                print("[bench] Lighthouse, diagnostic: " + DIAGNOSTIC_FLAGS, file=sys.stderr)
                lh["diagnostic"] = {"flags": DIAGNOSTIC_FLAGS,
                                    **lighthouse(a.runs, DIAGNOSTIC_FLAGS)}
    machine = _machine(w)
    text = table(c, w, cli, lh)
    print(f"\nMachine: {machine}\n\n{text}")
    _write("results.json", {"machine": machine, "cpython": c, "cli": cli, "browser": w,
                            "lighthouse": lh, "table": text})
    return 0


if __name__ == "__main__":
    sys.exit(main())
