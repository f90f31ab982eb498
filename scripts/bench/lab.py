"""The diffusion lab's interactions in headless Chromium, on one page with the default
model trained: each timed from the user's event to the frame that paints its result
(measured in the page: a MutationObserver and requestAnimationFrame, see js/lab_kit.js),
split into the worker's part (the engine calls it waited on) and the rest (rendering).

The cases: beliefs one step forward / back in the Generate timeline (the model's top 5
and the exact posterior), any order by hand (Reset, reveal), Fill in a pattern, Compare
samplers at 10 and 40 steps (with each rule's NFE), the Training snapshot slider, the
quality-against-steps plot (start to finished, with its progress), Train left to right
(start to its table), and the bits-per-character readout after training (the page asks for
it by itself: no control).
"""

from __future__ import annotations

import time

from .browser import READY, Browser
from .util import js, summary, wait_until

PATTERN = "r???l"           # the first example button under "Pattern"
BAD_PATTERN = "r2??l"       # a digit: the message names it, nothing runs
ANSWER = ("p????", "water")  # the translator's answer pattern, as the page suggests
REVEAL_AT = 3               # by hand: the middle of seven positions (context from both sides)
COMPARE_STEPS = (10, 40)    # the default budget, and the largest the control offers
QUALITY_N = 32              # names per cell: the page's default (its "Names per cell" menu)
QUALITY_TIMEOUT_MS = 180_000


def _longest_since(page, start: int) -> float:
    """The longest main-thread task recorded since ``__longtasks[start]`` (0 if none)."""
    page.evaluate("new Promise((r) => requestAnimationFrame(() => setTimeout(r, 30)))")
    return max(page.evaluate(f"window.__longtasks.slice({start})") or [0])


class _Acc:
    """Collects one list per case: milliseconds, the worker's part, the longest task."""

    def __init__(self, page):
        self.page, self.data, self.extra = page, {}, {}

    def run(self, case: str, script: str, arg: list) -> dict:
        start = self.page.evaluate("window.__longtasks.length")
        r = self.page.evaluate(js(script), arg)
        self.add(case, r, _longest_since(self.page, start))
        return r

    def add(self, case: str, r: dict, longest: float) -> None:
        d = self.data.setdefault(case, {k: [] for k in ("ms", "worker_ms", "rest_ms",
                                                        "longtask_ms")})
        for k in ("ms", "worker_ms", "rest_ms"):
            d[k].append(r[k])
        d["longtask_ms"].append(longest)
        self.extra.setdefault(case, []).append(
            {k: v for k, v in r.items() if k not in ("ms", "worker_ms", "rest_ms")})

    def summaries(self) -> dict:
        return {case: {k: summary(v) for k, v in d.items()} | {"detail": self.extra[case]}
                for case, d in self.data.items()}


def _ready_trained(b: Browser):
    ctx, page = b.page()
    page.goto(b.url + "#seed=0")
    page.wait_for_selector(READY, timeout=180_000)
    page.evaluate(js("lab_kit.js"))
    train = page.evaluate(js("lab_train.js"))
    page.wait_for_selector("#snapshot:not([disabled])", timeout=60_000)
    page.click("#train-translator")  # for Fill in the answer
    wait_until(page, "document.querySelector('#accuracy') && /\\d+\\s*(\\/|of)\\s*30/"
               ".test(document.querySelector('#accuracy').textContent)", timeout=120_000)
    return ctx, page, train


def _timeline_steps(acc: _Acc, runs: int) -> dict:
    where = acc.page.evaluate(js("lab_timeline_setup.js"))
    k, p = where["step"], where["pos"]
    for _ in range(runs):
        acc.run("beliefs_forward", "lab_step.js", ["ArrowDown", k + 1, p])
        acc.run("beliefs_back", "lab_step.js", ["ArrowUp", k, p])
    return where


def _byhand(acc: _Acc, runs: int) -> None:
    for _ in range(runs):
        acc.run("byhand_reset", "lab_byhand.js", ["reset", REVEAL_AT])
        acc.run("byhand_reveal", "lab_byhand.js", ["reveal", REVEAL_AT])


def _snapshots(acc: _Acc, runs: int) -> None:
    top = acc.page.evaluate("Number(document.querySelector('#snapshot').max)")
    spots = [top // 2, max(1, top // 4), top]  # the slider starts at the last snapshot
    for i in range(runs):
        acc.run("snapshot", "lab_snapshot.js", [spots[i % len(spots)]])


# Cases traced once with --profile (after the timed runs): (name, script, argument)
PROFILED = [("fill", "lab_fill.js", [PATTERN, None]), ("compare_10", "lab_compare.js", [10]),
            ("compare_40", "lab_compare.js", [40]),
            ("quality", "lab_quality.js", [QUALITY_TIMEOUT_MS])]


def lab_browser(b: Browser, runs: int, profile: bool = False) -> dict:
    """Every lab case ``runs`` times on one trained page; summaries per case (ms).

    ``profile``: then one traced run of each of PROFILED (see lab_profile.py).
    """
    ctx, page, train = _ready_trained(b)
    try:
        time.sleep(0.3)
        page.evaluate("window.__longtasks = []")
        acc = _Acc(page)
        where = _timeline_steps(acc, runs)
        _byhand(acc, runs)
        for _ in range(runs):
            acc.run("fill", "lab_fill.js", [PATTERN, None])
            acc.run("fill_bad", "lab_fill.js", [BAD_PATTERN, None])
            acc.run("fill_answer", "lab_fill.js", list(ANSWER))
            for steps in COMPARE_STEPS:
                acc.run(f"compare_{steps}", "lab_compare.js", [steps])
        _snapshots(acc, runs)
        for _ in range(runs):
            acc.run("quality", "lab_quality.js", [QUALITY_TIMEOUT_MS])
        for _ in range(runs):
            acc.run("left_to_right", "lab_left_to_right.js", [QUALITY_TIMEOUT_MS])
        out = acc.summaries()
        out["longest_task_ms"] = max(page.evaluate("window.__longtasks") or [0])
        out["long_tasks"] = len(page.evaluate("window.__longtasks") or [])
        out["train"] = train
        out["elbo_readout_ms"] = summary([train["elbo_readout_ms"]])
        out["timeline_cell"] = where
        if profile:
            from .lab_profile import profile_case

            out["profile"] = {name: profile_case(b.browser, page, script, arg)
                              for name, script, arg in PROFILED}
        return out
    finally:
        ctx.close()


def lab_only(runs: int, profile: bool = False) -> dict:
    """The lab cases alone, in their own browser."""
    b = Browser()
    try:
        return {"chromium": b.version, "lab": lab_browser(b, runs, profile)}
    finally:
        b.close()
