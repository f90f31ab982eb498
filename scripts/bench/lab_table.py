"""The lab's rows of the printed table: each interaction's target, its core call in
CPython, and in the browser the whole interaction (event to painted result) with the
worker's part of it, so a reader sees where the time goes."""

from __future__ import annotations

from .lab import QUALITY_N
from .util import fmt

# (case, what the reader does and sees, target)
CASES = [
    ("beliefs_forward", "Beliefs: one step forward in the timeline (↓ → model's top 5 + exact "
     "posterior)", "≤ 100 ms"),
    ("beliefs_back", "Beliefs: one step back (↑)", "≤ 100 ms"),
    ("byhand_reset", "By hand: Reset the row (every position's top 5 + posterior)", "≤ 100 ms"),
    ("byhand_reveal", "By hand: reveal a masked cell (click → every other position updated)",
     "≤ 100 ms"),
    ("fill", "Fill in `r???l` (5 answers + the oracle's, timeline)", "≤ 100 ms"),
    ("fill_bad", "Fill in `r2??l`: the message naming the bad character (nothing runs)",
     "≤ 100 ms"),
    ("fill_answer", "Fill in the answer, `water` → `p????` (translator)", "≤ 100 ms"),
    ("compare_10", "Compare samplers, 10 steps (7 rules side by side, NFE, timelines)",
     "≤ 100 ms"),
    ("compare_40", "Compare samplers, 40 steps", "≤ 100 ms"),
    ("snapshot", "Training snapshot slider: one move → that snapshot's 12 names", "≤ 100 ms"),
]


def _browser(d: dict | None, unit=" ms", scale=1.0, digits=0) -> str:
    if not d or not d.get("ms"):
        return "—"

    def sc(s):
        return {**s, **{k: s[k] * scale for k in ("median", "min", "max")},
                "runs": [x * scale for x in s["runs"]]} if s else None

    return (f"{fmt(sc(d['ms']), unit, digits)}; worker {fmt(sc(d.get('worker_ms')), unit, digits)}"
            f"; longest task {fmt(d.get('longtask_ms'), ' ms', 0)}")


def _nfe(w: dict, steps: int) -> str:
    d = w.get(f"compare_{steps}")
    if not d or not d.get("detail"):
        return "—"
    nfe = d["detail"][-1].get("nfe") or {}
    return ", ".join(f"{k} {v:g}" for k, v in nfe.items())


def _quality(w: dict) -> str:
    d = w.get("quality")
    if not d or not d.get("detail"):
        return "—"
    det = d["detail"]
    shown = min(x.get("progress_values") or 0 for x in det)
    first = max((x.get("first_progress_ms") or 0) for x in det)
    draw = max((x.get("longest_draw_ms") or 0) for x in det)
    return (_browser(d, " s", 1e-3, 2) + f"; progress shown (≥ {shown} values, first within "
            f"{first:.0f} ms); longest chart redraw {draw:.0f} ms")


def lab_rows(c: dict, w: dict) -> list[tuple]:
    """Rows (what, target, CPython, browser) for the lab's cases; dashes where not measured."""
    c, w = c or {}, w or {}
    rows = [(what, target, fmt(c.get(case), " ms", 1), _browser(w.get(case)))
            for case, what, target in CASES]
    rows += [(f"… NFE per rule at {k} steps (network calls for one name)", "—", "—", _nfe(w, k))
             for k in (10, 40)]
    rows.append(("Quality against steps: Plot to finished (7 rules × 7 budgets × model and "
                 f"oracle, {QUALITY_N} names per cell)", "≤ 2 s, with progress",
                 fmt(c.get("quality"), " ms", 0), _quality(w)))
    d = w.get("left_to_right")
    det = d.get("detail") if d else None
    shown = min((x.get("progress_values") or 0) for x in det) if det else 0
    rows.append(("Train left to right: press → its table (the same network, the model's recipe, "
                 "then both exact likelihoods and the precise ELBO)", "≤ 2 s, with progress", "—",
                 _browser(d, " s", 1e-3, 2) + (f"; progress shown ({shown} updates)" if d else "")))
    rows.append(("Bits per character after training: end of the run → readout (precise ELBO; "
                 "the page asks by itself, no control)", "—", fmt(c.get("elbo_readout"), " ms", 0),
                 fmt(w.get("elbo_readout_ms"), " ms", 0)))
    n = w.get("long_tasks")
    rows.append(("longest main-thread task during the lab interactions", "≤ 50 ms", "—",
                 f"{w['longest_task_ms']:.0f} ms ({n} tasks over 50 ms)"
                 if "longest_task_ms" in w else "—"))
    return rows
