"""The printed table: each target next to its measured value (medians, min–max)."""

from __future__ import annotations

import json

from .lab_table import lab_rows
from .util import fmt


def _with_ratio(s, r, unit=" s", rname="× ref"):
    return fmt(s, unit) + (f"; {fmt(r, ' ' + rname, 2)}" if r else "")


def _training_rows(c: dict, w: dict) -> list[tuple]:
    ep = w.get("engine_default_epochs")
    return [
        ("JavaScript reference: seed recipe, 500 epochs, in a worker", "—", "—",
         fmt(w.get("reference_s"), " s")),
        ("names, default Train, click to finished (the page as built)", "≤ 0.3 × reference",
         fmt(c.get("names_default_train_s"), " s"),
         _with_ratio(w.get("ui_default_train_s"), w.get("ui_default_x_reference"))),
        (f"names, default recipe through the engine ({fmt(ep, '', 0)} epochs)",
         "≤ 0.3 × reference", "—",
         _with_ratio(w.get("engine_default_train_s"), w.get("engine_default_x_reference"))),
        ("… evaluated loss (CPython: seeds 0..runs-1)", "≤ 1.10 × floor",
         fmt(c.get("names_default_x_floor"), " ×", 3),
         f"engine {fmt(w.get('engine_default_x_floor'), ' ×', 3)}; "
         f"page {fmt(w.get('ui_default_x_floor'), ' ×', 3)}"),
        ("names, seed recipe Train, click to finished", "—",
         fmt(c.get("names_seed_train_s"), " s"),
         _with_ratio(w.get("ui_seed_train_s"), w.get("ui_seed_x_reference"))),
        ("… evaluated loss", "—", fmt(c.get("names_seed_x_floor"), " ×", 3),
         fmt(w.get("ui_seed_x_floor"), " ×", 3)),
        ("seed recipe (SGD, batch 1), names, per step", "—",
         fmt(c.get("names_seed_us_per_step"), " µs", 0),
         fmt(w.get("names_seed_us_per_step"), " µs", 0)),
        ("translator, click to 30/30", "≤ 0.5 s", fmt(c.get("translate_default_train_s"), " s"),
         fmt(w.get("translate_s"), " s")),
        ("… exact translations (greedy)", "30/30",
         fmt(c.get("translate_default_correct"), "/30", 0),
         fmt(w.get("translate_correct"), "/30", 0)),
    ]


def _page_rows(c: dict, w: dict, cli: dict) -> list[tuple]:
    mem = w.get("memory_growth_mb")
    observer = (" (observer checked with an 80 ms task)" if w.get("observer_verified")
                else " (observer NOT verified)")
    return [
        ("bare Pyodide + numpy boot of the same files, cold", "—", "—",
         fmt(w.get("bare_ready_s"), " s")),
        ("Python ready (Train enabled), cold", "≤ 1.05 × bare", "—",
         _with_ratio(w.get("ready_cold_s"), w.get("ready_x_bare"), rname="× bare")),
        ("bare Pyodide + numpy boot, loaded again (the browser's caches)", "—", "—",
         fmt(w.get("bare_warm_s"), " s")),
        ("Python ready, warm (service worker)", "≤ 2.5 s", "—",
         _with_ratio(w.get("ready_warm_s"), w.get("ready_warm_x_bare"),
                     rname="× bare, loaded again")),
        ("text and model-free widgets visible", "≤ 0.5 s", "—", fmt(w.get("visible_ms"), " ms", 0)),
        ("longest main-thread task, training and sampling", "≤ 50 ms", "—",
         fmt(w.get("longest"), " ms", 0) + (observer if w else "")),
        ("Stop takes effect", "≤ 100 ms", "—", fmt(w.get("stop_ms"), " ms", 0)),
        ("Generate (15 names + timeline), clicked as soon as Train has finished", "≤ 100 ms",
         fmt(c.get("generate_ms"), " ms", 1), fmt(w.get("generate_ms"), " ms", 1)),
        ("… clicked again, the worker idle", "≤ 100 ms", "—",
         fmt(w.get("generate_idle_ms"), " ms", 1)),
        (f"memory growth over {mem['cycles'] if mem else 20} Train/Generate/Reset cycles",
         "< 10 MB", "—",
         f"{mem['last_half']:.1f} MB over cycles {mem['half'] + 1}–{mem['cycles']}; "
         f"{mem['from_ready']:.1f} MB from ready (the WebAssembly heap grew at cycle "
         f"{', '.join(map(str, mem['wasm_steps'])) or 'none'})"
         if mem else "—"),
        ("`train --task names` (training s), idle", "—", fmt(cli.get("idle"), " s"), "—"),
        ("… with every core busy (one BLAS thread, as shipped)", "≈ idle",
         fmt(cli.get("loaded"), " s"), "—"),
        ("… with every core busy, BLAS threads = cores", "—",
         fmt(cli.get("loaded_threads_eq_cores"), " s"), "—"),
    ]


def _lighthouse_rows(lh: dict) -> list[tuple]:
    if not lh:
        return []
    if "error" in lh:
        return [("Lighthouse (mobile)", "—", "—", "not run: " + lh["error"].replace("|", "/"))]
    cats = "performance / accessibility / best practices / SEO"
    n = lh.get("runs", 1)
    spread = ""
    if lh.get("performance_runs"):
        spread = f" (performance in each run: {', '.join(map(str, lh['performance_runs']))})"
    observed = " / ".join(f"{v / 1000:.2f} s" for v in lh.get("observed_fcp_ms", [])
                          if v is not None)
    simulated = " / ".join(f"{v / 1000:.1f} s" for v in lh.get("metrics_ms", {}).values())
    return [(f"Lighthouse {lh.get('lighthouse', '')} mobile, median of {n}: {cats}",
             "100 each", "—",
             f"{lh['performance']:g} / {lh['accessibility']:g} / {lh['best-practices']:g} / "
             f"{lh['seo']:g}{spread}"),
            ("… cumulative layout shift", "0", "—", f"{lh['cls']:.3f}"),
            ("… first / largest contentful paint, total blocking time, speed index (simulated)",
             "—", "—", simulated or "—"),
            ("… first contentful paint observed in each run's trace", "—", "—", observed or "—"),
            *_diagnostic_rows(lh.get("diagnostic"))]


def _diagnostic_rows(d: dict | None) -> list[tuple]:
    """The diagnostic Lighthouse run (Chromium's paint holding off; see bench/lighthouse.py)."""
    if not d:
        return []
    if "error" in d:
        return [(f"… diagnostic, Chromium {d['flags']}", "—", "—", "not run: " + d["error"])]
    runs = ", ".join(map(str, d.get("performance_runs", [])))
    seen = ", ".join(f"{v / 1000:.2f}" for v in d.get("observed_fcp_ms", []) if v is not None)
    what = f"… diagnostic, Chromium {d['flags']}: performance, layout shift, first paint observed"
    return [(what, "—", "—", f"{d['performance']:g} (runs: {runs}), {d['cls']:.3f}, {seen} s")]


def _markdown(rows: list[tuple]) -> list[str]:
    lines = ["| what | target | CPython | browser |", "|---|---|---|---|"]
    return lines + [f"| {a} | {b} | {c_} | {d} |" for a, b, c_, d in rows]


def lab_table(c_lab: dict, w_lab: dict) -> str:
    """The lab's rows alone (``--only lab``)."""
    return "\n".join(_markdown(lab_rows(c_lab, w_lab)))


def table(c: dict, w: dict, cli: dict, lh: dict) -> str:
    rows = (_training_rows(c, w) + _page_rows(c, w, cli) + lab_rows(c.get("lab"), w.get("lab"))
            + _lighthouse_rows(lh))
    lines = _markdown(rows)
    if w.get("recipe_sweep"):
        lines += ["", "Candidate recipes on the names, through the engine in the browser (seed 0):",
                  "", "| recipe | epochs | seconds | evaluated loss × floor |", "|---|---|---|---|"]
        for r in w["recipe_sweep"]:
            name = r["recipe"] + (" " + json.dumps(r["overrides"]) if r["overrides"] else "")
            lines.append(f"| {name} | {r['epochs']} | {r['seconds']:.2f} | {r['x_floor']:.3f} |")
    return "\n".join(lines)
