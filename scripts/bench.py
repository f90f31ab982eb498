"""Benchmark: the performance table, in CPython and in headless Chromium on the built dist/.

    make bench            # or: python scripts/bench.py [--runs 3] [--quick]

Prints a Markdown table (target, CPython, browser; medians of --runs runs, with
min-max) and writes everything to bench/results.json. The browser column drives
the built page the way the tests do: served under a sub-path, clicking its controls.
These are measurements, not pass/fail tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from diffusion_core import metrics, sampler  # noqa: E402
from diffusion_core.dataset import builtin  # noqa: E402
from diffusion_core.train import Trainer, get_recipe  # noqa: E402

PREFIX = "/bench/"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        "--enable-precise-memory-info", "--disable-dev-shm-usage"]


def summary(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "runs": xs}


# ---------------------------------------------------------------------------- CPython
def cpython(runs: int) -> dict:
    out = {}
    for task in ("names", "translate"):
        per_step, per_s = [], {"seed": [], "default": []}
        for _ in range(runs):
            for recipe in ("seed", "default"):
                tr = Trainer(builtin(task), get_recipe(task, recipe), seed=0)
                t0 = time.perf_counter()
                tr.run(40)
                dt = time.perf_counter() - t0
                per_s[recipe].append(40 / dt)
                if recipe == "seed":
                    per_step.append(dt / tr.steps * 1e6)
        out[f"{task}_seed_us_per_step"] = summary(per_step)
        out[f"{task}_seed_epochs_per_s"] = summary(per_s["seed"])
        out[f"{task}_default_epochs_per_s"] = summary(per_s["default"])
    d = builtin("names")
    floor = metrics.loss_floor(d).mean
    times, ratios = default_runs("names", runs, lambda p: metrics.eval_loss(p, d).mean / floor)
    out["names_default_train_s"] = summary(times)
    out["names_default_x_floor"] = summary(ratios)
    dt = builtin("translate")
    times, correct = default_runs("translate", runs,
                                  lambda p: sampler.accuracy(p, dt)["correct"])
    out["translate_default_train_s"] = summary(times)
    out["translate_default_correct"] = summary(correct)
    gen = []
    params = tr_names_params()
    for s in range(runs):
        t0 = time.perf_counter()
        sampler.sample(params, d, n=15, steps=10, temperature=0.8, seed=s)
        gen.append((time.perf_counter() - t0) * 1000)
    out["generate_ms"] = summary(gen)
    return out


def default_runs(task: str, runs: int, judge):
    """Time the default "Train" run ``runs`` times; ``judge(params)`` scores each result."""
    times, scores = [], []
    for _ in range(runs):
        r = get_recipe(task, "default")
        tr = Trainer(builtin(task), r, seed=0)
        t0 = time.perf_counter()
        tr.run(r.epochs)
        times.append(time.perf_counter() - t0)
        scores.append(judge(tr.params))
    return times, scores


_PARAMS = {}


def tr_names_params():
    if "names" not in _PARAMS:
        tr = Trainer(builtin("names"), get_recipe("names", "default"), seed=0)
        tr.run(100)
        _PARAMS["names"] = tr.params
    return _PARAMS["names"]


# ---------------------------------------------------------------------------- browser
def wait_until(page, expression, timeout=60_000, poll_s=0.02):
    """Poll a JS expression (Playwright's wait_for_function uses eval(), which the CSP blocks)."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(expression)
        time.sleep(poll_s)


LONGTASKS = """
window.__longtasks = [];
try {
  new PerformanceObserver(l => { for (const e of l.getEntries()) window.__longtasks.push(e.duration); })
    .observe({type: 'longtask', buffered: true});
} catch (e) {}
"""

STEP_US = """async ([task]) => {
  const e = window.tinyDiffusion.engine;
  await e.call("train_start", {task, recipe: "seed", epochs: 100000, seed: 0});
  await e.call("train_chunk", {task, max_epochs: 3, max_ms: 1000});  // warm up
  const r = await e.call("train_chunk", {task, max_epochs: 20, max_ms: 1000});
  await e.call("reset", {task});
  return r.seconds / r.steps * 1e6;
}"""

SWEEP = """async ([recipe, overrides, epochs]) => {
  const e = window.tinyDiffusion.engine;
  await e.call("train_start", {task: "names", recipe, epochs, seed: 0, ...overrides});
  const t0 = performance.now();
  let done = 0;
  while (done < epochs) {
    const r = await e.call("train_chunk", {task: "names", max_epochs: epochs - done, max_ms: 1000});
    done += r.losses.length;
  }
  const seconds = (performance.now() - t0) / 1000;
  const ev = await e.call("evaluate", {task: "names"});
  await e.call("reset", {task: "names"});
  return {seconds, x_floor: ev.eval.mean / ev.floor.mean};
}"""

# The recipes compared when choosing the page's default (issue: lowest evaluated loss per second).
SWEEP_RECIPES = [
    ("seed", {}, 500),
    ("seed", {"optimizer": "adam", "batch_size": 8}, 500),
    ("seed", {"optimizer": "adam", "batch_size": 20}, 500),
    ("default", {}, 250),
    ("default", {}, 500),
    ("default", {"lr": 0.02}, 500),
]

STOP_MS = """async () => {
  const e = window.tinyDiffusion.engine;
  let seen = 0;
  const run = e.train({task: "names", fresh: true, start: {task: "names", recipe: "seed", epochs: 100000, seed: 0},
                       epochs: 100000}, p => { seen = p.epoch; });
  while (seen < 5) await new Promise(r => setTimeout(r, 5));
  await new Promise(r => setTimeout(r, Math.random() * 40));  // anywhere inside a chunk
  const t0 = performance.now();
  await e.stop();
  const ms = performance.now() - t0;
  await run;
  await e.call("reset", {task: "names"});
  return ms;
}"""

WAIT_IDLE = """async (sel) => {
  // a training run is over when Stop is disabled again
  const stop = document.querySelector(sel);
  while (!stop.disabled) await new Promise(r => setTimeout(r, 5));
  return performance.now();
}"""


class Browser:
    def __init__(self):
        from playwright.sync_api import sync_playwright
        from serve import make_server

        self.srv = make_server(str(ROOT / "dist"), "127.0.0.1", 0, PREFIX, quiet=True)
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.srv.server_address[1]}{PREFIX}"
        self.pw = sync_playwright().start()
        exe = os.environ.get("CHROMIUM") or next(
            (p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists()),
            None)
        self.browser = (self.pw.chromium.launch(executable_path=exe, args=ARGS) if exe
                        else self.pw.chromium.launch(args=ARGS))
        self.version = self.browser.version

    def page(self, service_workers="block"):
        ctx = self.browser.new_context(service_workers=service_workers,
                                       viewport={"width": 1280, "height": 900})
        ctx.add_init_script(LONGTASKS)
        return ctx, ctx.new_page()

    def close(self):
        self.browser.close()
        self.pw.stop()
        self.srv.shutdown()


def browser(runs: int, quick: bool) -> dict:
    b = Browser()
    out = {"chromium": b.version}
    try:
        visible, cold, warm, step_names, step_tr, stop_ms = [], [], [], [], [], []
        for _ in range(runs):
            ctx, page = b.page()
            page.goto(b.url)
            wait_until(page,
                "document.querySelector('#corruption-names') &&"
                " document.querySelector('#corruption-names').children.length > 0",
                poll_s=0.005)
            visible.append(page.evaluate(
                "(performance.getEntriesByName('widgets-ready')[0] || performance.now()).startTime"
                " ?? performance.now()"))
            page.wait_for_selector("#status[data-state=ready]", timeout=60_000)
            cold.append(page.evaluate("window.tinyDiffusion.engine.readyAt"))
            step_names.append(page.evaluate(STEP_US, ["names"]))
            step_tr.append(page.evaluate(STEP_US, ["translate"]))
            stop_ms.extend(page.evaluate(STOP_MS) for _ in range(3))
            ctx.close()
        ctx, page = b.page()
        page.goto(b.url)
        page.wait_for_selector("#status[data-state=ready]", timeout=60_000)
        out["recipe_sweep"] = [
            {"recipe": r, "overrides": ov, "epochs": ep, **page.evaluate(SWEEP, [r, ov, ep])}
            for r, ov, ep in SWEEP_RECIPES]
        ctx.close()
        out["visible_ms"] = summary(visible)
        out["ready_cold_s"] = summary([x / 1000 for x in cold])
        out["names_seed_us_per_step"] = summary(step_names)
        out["translate_seed_us_per_step"] = summary(step_tr)
        out["stop_ms"] = summary(stop_ms)

        ctx, page = b.page(service_workers="allow")
        page.goto(b.url)
        page.wait_for_selector("#status[data-state=ready]", timeout=60_000)
        page.evaluate("navigator.serviceWorker.ready")
        for _ in range(runs):
            page.reload()
            page.wait_for_selector("#status[data-state=ready]", timeout=60_000)
            warm.append(page.evaluate("window.tinyDiffusion.engine.readyAt") / 1000)
        out["ready_warm_s"] = summary(warm)
        ctx.close()

        names_s, names_x, tr_s, tr_ok, gen, longest, observer_ok = [], [], [], [], [], [], []
        for _ in range(runs):
            ctx, page = b.page()
            page.goto(b.url + "#recipe=default&epochs=500&seed=0")
            page.wait_for_selector("#status[data-state=ready]", timeout=60_000)
            page.evaluate("window.__longtasks = []")
            t0 = page.evaluate("performance.now()")
            page.click("#train")
            wait_until(page, "document.querySelector('#stop').disabled === false")
            t1 = page.evaluate(WAIT_IDLE, "#stop")
            names_s.append((t1 - t0) / 1000)
            ev = page.evaluate("window.tinyDiffusion.engine.call('evaluate', {task: 'names'})")
            names_x.append(ev["eval"]["mean"] / ev["floor"]["mean"])
            # Generate on its own: after training the page first measures the model
            wait_until(page, "document.querySelector('#eval-readout').innerText.includes('×')")
            gen.append(page.evaluate("""async () => {
              const box = document.querySelector('#samples');
              const t0 = performance.now();
              const changed = new Promise(r => new MutationObserver((m, o) => { o.disconnect(); r(); })
                .observe(box, {childList: true, subtree: true, characterData: true}));
              document.querySelector('#generate').click();
              await changed;
              await new Promise(r => requestAnimationFrame(() => r()));
              return performance.now() - t0;
            }"""))
            t0 = page.evaluate("performance.now()")
            page.click("#train-translator")
            wait_until(page, "document.querySelector('#accuracy') &&"
                                   " /\\d+\\s*(\\/|of)\\s*30/.test(document.querySelector('#accuracy').textContent)",
                                   timeout=120_000)
            tr_s.append((page.evaluate("performance.now()") - t0) / 1000)
            acc = page.evaluate("window.tinyDiffusion.engine.call('accuracy', {})")
            tr_ok.append(acc["correct"])
            longest.append(max(page.evaluate("window.__longtasks") or [0]))
            # the observer itself works: a deliberate 80 ms task must be seen
            page.evaluate("""() => new Promise(r => setTimeout(() => {
                const t = performance.now(); while (performance.now() - t < 80) {} r(); }, 0))""")
            time.sleep(0.2)
            observer_ok.append(max(page.evaluate("window.__longtasks") or [0]) >= 80)
            ctx.close()
        out["names_default_train_s"] = summary(names_s)
        out["names_default_x_floor"] = summary(names_x)
        out["translate_default_train_s"] = summary(tr_s)
        out["translate_default_correct"] = summary(tr_ok)
        out["generate_ms"] = summary(gen)
        out["longest_task_ms"] = summary(longest)
        out["longtask_observer_verified"] = all(observer_ok)

        ctx, page = b.page()
        page.goto(b.url + "#recipe=default&epochs=250&seed=0")
        page.wait_for_selector("#status[data-state=ready]", timeout=60_000)
        cycles = 5 if quick else 20

        def mem():
            page.evaluate("window.gc && window.gc()")
            m = page.evaluate("window.tinyDiffusion.engine.memory()")
            main = page.evaluate("performance.memory ? performance.memory.usedJSHeapSize : 0")
            return m["wasm"] + (m["js"] or 0) + main

        before = mem()
        after_first = None
        for i in range(cycles):
            page.click("#train")
            wait_until(page, "document.querySelector('#stop').disabled === false")
            page.evaluate(WAIT_IDLE, "#stop")
            page.click("#generate")
            wait_until(page, "!document.querySelector('#generate').disabled")
            page.click("#reset")
            if i == 0:
                after_first = mem()
        after = mem()
        out["memory_growth_mb"] = {"cycles": cycles, "from_ready": (after - before) / 1e6,
                                   "after_first_cycle": (after - after_first) / 1e6}
        ctx.close()
    finally:
        b.close()
    return out


# ---------------------------------------------------------------------------- table
def fmt(s, unit="", digits=2):
    if s is None:
        return "—"
    m = s["median"]
    spread = f" ({s['min']:.{digits}f}–{s['max']:.{digits}f})" if len(s["runs"]) > 1 else ""
    return f"{m:.{digits}f}{unit}{spread}"


def table(c: dict, w: dict) -> str:
    mem = w.get("memory_growth_mb")
    rows = [
        ("text and model-free widgets visible", "≤ 0.5 s", "—", fmt(w.get("visible_ms"), " ms", 0)),
        ("Python ready, cold", "≤ 4 s", "—", fmt(w.get("ready_cold_s"), " s")),
        ("Python ready, warm (service worker)", "≤ 2.5 s", "—", fmt(w.get("ready_warm_s"), " s")),
        ("names, default Train run (500 epochs)", "≤ 3 s", fmt(c["names_default_train_s"], " s"),
         fmt(w.get("names_default_train_s"), " s")),
        ("… its evaluated loss", "≤ 1.15 × floor", fmt(c["names_default_x_floor"], " ×", 3),
         fmt(w.get("names_default_x_floor"), " ×", 3)),
        ("seed recipe (SGD, batch 1), names", "≤ 170 µs/step", fmt(c["names_seed_us_per_step"], " µs", 0),
         fmt(w.get("names_seed_us_per_step"), " µs", 0)),
        ("seed recipe, translate", "—", fmt(c["translate_seed_us_per_step"], " µs", 0),
         fmt(w.get("translate_seed_us_per_step"), " µs", 0)),
        ("epochs per second, names: seed / default recipe", "—",
         f"{fmt(c['names_seed_epochs_per_s'], '', 0)} / {fmt(c['names_default_epochs_per_s'], '', 0)}",
         "—"),
        ("epochs per second, translate: seed / default recipe", "—",
         f"{fmt(c['translate_seed_epochs_per_s'], '', 0)} / "
         f"{fmt(c['translate_default_epochs_per_s'], '', 0)}", "—"),
        ("translator, default run", "≤ 6 s", fmt(c["translate_default_train_s"], " s"),
         fmt(w.get("translate_default_train_s"), " s")),
        ("… exact translations (greedy)", "30/30", fmt(c["translate_default_correct"], "/30", 0),
         fmt(w.get("translate_default_correct"), "/30", 0)),
        ("Stop takes effect", "≤ 100 ms", "—", fmt(w.get("stop_ms"), " ms", 0)),
        ("longest main-thread task, training and sampling", "≤ 50 ms", "—",
         fmt(w.get("longest_task_ms"), " ms", 0) + (
             " (observer checked with an 80 ms task)" if w.get("longtask_observer_verified")
             else " (observer NOT verified)")),
        ("Generate (15 names + timeline)", "≤ 100 ms", fmt(c["generate_ms"], " ms", 1),
         fmt(w.get("generate_ms"), " ms", 1)),
        (f"memory growth over {mem['cycles'] if mem else 20} Train/Generate/Reset cycles",
         "< 10 MB", "—",
         f"{mem['from_ready']:.1f} MB from ready, {mem['after_first_cycle']:.1f} MB after cycle 1"
         if mem else "—"),
    ]
    lines = ["| what | target | CPython | browser |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c_} | {d} |" for a, b, c_, d in rows]
    if w.get("recipe_sweep"):
        lines += ["", "Recipes on the names, in the browser (seed 0):", "",
                  "| recipe | epochs | seconds | evaluated loss × floor |", "|---|---|---|---|"]
        for r in w["recipe_sweep"]:
            name = r["recipe"] + (" " + json.dumps(r["overrides"]) if r["overrides"] else "")
            lines.append(f"| {name} | {r['epochs']} | {r['seconds']:.2f} | {r['x_floor']:.3f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="5 memory cycles instead of 20")
    ap.add_argument("--no-browser", action="store_true")
    a = ap.parse_args(argv)
    if not (ROOT / "dist" / "index.html").exists() and not a.no_browser:
        print("dist/ is not built: run `make site` first (make bench does)", file=sys.stderr)
        return 2
    print(f"[bench] CPython {platform.python_version()}, {a.runs} runs ...", file=sys.stderr)
    c = cpython(a.runs)
    w = {}
    if not a.no_browser:
        print("[bench] headless Chromium ...", file=sys.stderr)
        w = browser(a.runs, a.quick)
    machine = {"machine": platform.machine(), "cpus": os.cpu_count(),
               "python": platform.python_version(), "chromium": w.get("chromium"),
               "date": time.strftime("%Y-%m-%d")}
    text = table(c, w)
    print(f"\nMachine: {machine}\n\n{text}")
    out = ROOT / "bench" / "results.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"machine": machine, "cpython": c, "browser": w,
                               "table": text}, indent=1))
    print(f"\n[bench] wrote {out.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
