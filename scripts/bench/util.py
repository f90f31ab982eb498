"""Shared helpers: summaries, formatting, JavaScript snippets, the reference's location."""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
JS = Path(__file__).resolve().parent / "js"
REFERENCE_NAME = "seed_reference.js"


def summary(xs):
    """Median, min, max and every run of the numbers in ``xs`` (None is skipped)."""
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "runs": xs}


def fmt(s, unit="", digits=2):
    """``median unit (min–max)``; a dash when nothing was measured."""
    if s is None:
        return "—"
    m = s["median"]
    spread = f" ({s['min']:.{digits}f}–{s['max']:.{digits}f})" if len(s["runs"]) > 1 else ""
    return f"{m:.{digits}f}{unit}{spread}"


def js(name: str) -> str:
    """The text of ``scripts/bench/js/<name>``: a function expression for page.evaluate."""
    return (JS / name).read_text(encoding="utf-8")


def wait_until(page, expression, timeout=60_000, poll_s=0.02):
    """Poll a JS expression (Playwright's wait_for_function uses eval(), which the CSP blocks)."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(expression)
        time.sleep(poll_s)


def reference_path() -> Path | None:
    """The hand-written JavaScript reference, read where it lives (never copied here).

    ``$BENCH_SEED_REFERENCE``, else ``shared/bench/seed_reference.js`` beside the
    project or beside any folder above it (worktrees sit deeper than the project).
    """
    env = os.environ.get("BENCH_SEED_REFERENCE")
    if env:
        return Path(env) if Path(env).is_file() else None
    for up in ROOT.parents:
        p = up / "shared" / "bench" / REFERENCE_NAME
        if p.is_file():
            return p
    return None
