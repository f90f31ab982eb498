"""Where the main-thread time of the lab's long tasks goes: one traced run of a case
(Chromium's trace, "devtools.timeline" categories), each task over 50 ms split by the
self time of what ran inside it: script, style and layout, paint, garbage collection.
Tracing slows the page; read the shares, not the absolute times."""

from __future__ import annotations

import json

from .util import js

CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8",
              "blink.user_timing"]
GROUPS = {"style and layout": ("UpdateLayoutTree", "Layout", "RecalculateStyles",
                               "ScheduleStyleRecalculation", "HitTest"),
          "paint": ("Paint", "PrePaint", "Layerize", "Commit", "PaintImage", "RasterTask")}


def _group(name: str) -> str:
    for g, names in GROUPS.items():
        if name in names:
            return g
    if "GC" in name:
        return "garbage collection"
    if name in ("RunTask", "ThreadControllerImpl::RunTask"):
        return "other"
    return "script"


def _self_times(events: list[dict]) -> dict[str, float]:
    """Exclusive milliseconds per group over nested complete events of one thread."""
    out: dict[str, float] = {}
    stack: list[list] = []  # [end, group, child_time, dur]

    def close(item):
        out[item[1]] = out.get(item[1], 0.0) + (item[3] - item[2]) / 1000

    for e in sorted(events, key=lambda e: (e["ts"], -e.get("dur", 0))):
        while stack and stack[-1][0] <= e["ts"]:
            close(stack.pop())
        if stack:
            stack[-1][2] += e.get("dur", 0)
        stack.append([e["ts"] + e.get("dur", 0), _group(e["name"]), 0, e.get("dur", 0)])
    while stack:
        close(stack.pop())
    return out


def _long_tasks(raw: bytes) -> list[dict]:
    data = json.loads(raw)
    ev = data["traceEvents"] if isinstance(data, dict) else data
    main = {(e["pid"], e["tid"]) for e in ev if e.get("name") == "thread_name"
            and e.get("args", {}).get("name") == "CrRendererMain"}
    mine = [e for e in ev if (e.get("pid"), e.get("tid")) in main and e.get("ph") == "X"]
    out = []
    for t in (e for e in mine if e["name"] == "RunTask" and e.get("dur", 0) > 50_000):
        inside = [e for e in mine if t["ts"] <= e["ts"] < t["ts"] + t["dur"]]
        shares = _self_times(inside)
        out.append({"ms": t["dur"] / 1000, **{k: round(v, 1) for k, v in shares.items()}})
    return out


def profile_case(browser, page, script: str, arg) -> dict:
    """One traced run of ``script``: its result and its long tasks, split by group."""
    browser.start_tracing(page=page, categories=CATEGORIES)
    try:
        r = page.evaluate(js(script), arg)
        page.evaluate("new Promise((r) => setTimeout(r, 100))")
    finally:
        raw = browser.stop_tracing()
    return {"ms": r["ms"], "worker_ms": r["worker_ms"], "long_tasks": _long_tasks(raw)}


def profile_text(prof: dict) -> str:
    """A Markdown table: per case, its long tasks and the share of each group."""
    groups = list(GROUPS) + ["script", "garbage collection", "other"]
    lines = ["| case (traced) | ms (worker) | tasks > 50 ms | " + " | ".join(groups) + " |",
             "|---|---|---|" + "---|" * len(groups)]
    for case, p in prof.items():
        tasks = p["long_tasks"]
        tot = {g: sum(t.get(g, 0) for t in tasks) for g in groups}
        each = ", ".join(f"{t['ms']:.0f}" for t in tasks) or "none"
        lines.append(f"| {case} | {p['ms']:.0f} ({p['worker_ms']:.0f}) | {each} | "
                     + " | ".join(f"{tot[g]:.0f} ms" for g in groups) + " |")
    return "\n".join(lines)
