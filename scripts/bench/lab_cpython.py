"""The lab's core calls in CPython, through Session.handle as the page's worker makes them
(JSON in, JSON out), on the default names model (seed 0): where the browser's time goes
when the Python part is taken away from Pyodide, the worker and the page."""

from __future__ import annotations

import json
import time

from diffusion_core.session import Session

from .lab import ANSWER, BAD_PATTERN, COMPARE_STEPS, PATTERN, QUALITY_N, REVEAL_AT
from .util import summary


def _call(s: Session, method: str, **args) -> dict:
    reply = json.loads(s.handle(json.dumps({"method": method, "args": args})))
    if not reply["ok"]:
        raise RuntimeError(f"{method}: {reply['error']}")
    return reply["result"]


def _timed(s: Session, method: str, **args) -> float:
    t0 = time.perf_counter()
    _call(s, method, **args)
    return (time.perf_counter() - t0) * 1000


def _trained() -> Session:
    """The default names model and the default translator, seed 0, as the page trains them."""
    s = Session()
    for task in ("names", "translate"):
        start = _call(s, "train_start", task=task, recipe="default", seed=0)
        while _call(s, "train_chunk", task=task, max_epochs=start["epochs"],
                    max_ms=1000)["epoch"] < start["epochs"]:
            pass
    return s


def _bad_fill_ms(s: Session) -> float:
    """A bad pattern's round trip: the user error comes back, nothing runs."""
    t0 = time.perf_counter()
    reply = json.loads(s.handle(json.dumps({"method": "fill", "args": {
        "task": "names", "pattern": BAD_PATTERN}})))
    if reply["ok"] or reply["kind"] != "user":
        raise RuntimeError(f"fill {BAD_PATTERN!r} should be refused: {reply}")
    return (time.perf_counter() - t0) * 1000


def _quality_ms(s: Session) -> float:
    """quality_start, then quality_chunk (30 ms each, as the page asks) until finished."""
    t0 = time.perf_counter()
    _call(s, "quality_start", n=QUALITY_N, seed=0)
    while not _call(s, "quality_chunk", max_ms=30)["finished"]:
        pass
    return (time.perf_counter() - t0) * 1000


def _one_run(s: Session, seed: int, snap_epoch: int) -> dict:
    """Every lab call once; milliseconds per case (keys as in the browser's lab cases)."""
    steps = _call(s, "sample", n=1, steps=10, temperature=0.8, strategy="random",
                  seed=seed)["samples"][0]["steps"]  # a Generate timeline
    out = {"beliefs_forward": _timed(s, "beliefs", task="names", row=steps[1]["tokens"]),
           "beliefs_back": _timed(s, "beliefs", task="names", row=steps[0]["tokens"]),
           "byhand_reset": _timed(s, "beliefs", task="names", row="?" * 7),
           "byhand_reveal": _timed(s, "reveal", task="names", row="?" * 7, position=REVEAL_AT,
                                   temperature=0),
           "fill": _timed(s, "fill", task="names", pattern=PATTERN, n=5, temperature=0.8,
                          seed=seed),
           "fill_bad": _bad_fill_ms(s),
           "fill_answer": _timed(s, "fill", task="translate", word=ANSWER[1], pattern=ANSWER[0],
                                 n=5, temperature=0.8, seed=seed),
           "snapshot": _timed(s, "snapshot_sample", epoch=snap_epoch, n=12, seed=seed, steps=10,
                              temperature=0.8, strategy="random"),
           "quality": _quality_ms(s),
           "elbo_readout": _timed(s, "elbo", task="names", mode="precise")}
    for steps in COMPARE_STEPS:
        out[f"compare_{steps}"] = _timed(s, "compare", steps=steps, seed=seed, denoiser="model",
                                         n=1, temperature=1)
    return out


def lab_cpython(runs: int) -> dict:
    """Median (min–max) milliseconds of each lab case's core call over ``runs`` runs."""
    s = _trained()
    snaps = _call(s, "snapshots", task="names")["snapshots"]
    snap_epoch = snaps[len(snaps) // 2]["epoch"]
    acc: dict[str, list] = {}
    for seed in range(1, runs + 1):
        for k, v in _one_run(s, seed, snap_epoch).items():
            acc.setdefault(k, []).append(v)
    return {k: summary(v) for k, v in acc.items()}
