"""Measurements in pieces, one per task, shared by every caller of the worker.

The precise ELBO (``elbo_start`` / ``elbo_chunk``), the evaluated loss
(``evaluate_start`` / ``evaluate_chunk``) and the model file the page keeps after a run
(``save_start`` / ``save_chunk``, :class:`checkpoint.DumpJob`) run in pieces of a few
milliseconds so the worker answers other requests between them. Two parts of the page
may ask for the same measurement of the same weights at once (section IV after a run and
"Train left to right" both want the precise ELBO), so a second start for the same weights and key
joins the measurement running, and a chunk that comes after the end gets the finished
reply. A chunk after the model changed (replaced, or trained further) is refused.

A *job* has ``scored`` (rows done) and ``advance(max_seconds) -> bool`` (done); jobs
advance with :func:`run_chunks`, which keeps a piece within its time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .protocol import UserError


def run_chunks(step: Callable[[], bool], max_seconds: float | None,
               clock: Callable[[], float] = time.perf_counter) -> bool:
    """Call ``step`` (one chunk of a job; it returns True once the job is done) until the
    job is done or its time is up; returns whether it is done.

    A chunk starts only if one as long as the last would end within ``max_seconds`` of
    this call, so a piece keeps to its time (give or take the difference between two
    chunks) instead of overrunning it by a whole chunk. The first chunk always runs, so
    every call makes progress. ``max_seconds`` None: until done. ``clock``: seconds (the
    tests pass their own).
    """
    end = None if max_seconds is None else clock() + max_seconds
    while True:
        began = clock()
        if step():
            return True
        now = clock()
        if end is not None and now + (now - began) > end:
            return False


@dataclass
class _Run:
    params: Any  # the weights measured (compared by identity)
    epochs: int  # how far they were trained (len(history))
    key: Any  # what else the measurement depends on (a seed, a number of draws)
    job: Any
    rows: int
    finish: Callable[[Any, float], dict]  # (job, start time) -> the finished reply's fields
    started: float


class Pieces:
    """task -> the measurement running, and the last finished reply (see module doc)."""

    def __init__(self, start_method: str):
        self.start_method = start_method
        self.running: dict[str, _Run] = {}
        self.finished: dict[str, tuple[Any, int, Any, dict]] = {}

    def finished_reply(self, slot, key: Any = ...) -> dict | None:
        """The finished reply for these weights (and ``key``, unless left out), or None."""
        done = self.finished.get(slot.task)
        if done is None or done[0] is not slot.params or done[1] != len(slot.history):
            return None
        return done[3] if key is ... or done[2] == key else None

    def start(self, slot, key: Any, make_job: Callable[[], Any], rows: Callable[[Any], int],
              finish: Callable[[Any, float], dict]) -> dict:
        """Join the running measurement of these weights and ``key``, or start a new one."""
        run = self.running.get(slot.task)
        if run is None or run.params is not slot.params or run.epochs != len(slot.history) \
                or run.key != key:
            job = make_job()
            run = _Run(slot.params, len(slot.history), key, job, rows(job), finish,
                       time.perf_counter())
            self.running[slot.task] = run
        return {"task": slot.task, "done": False, "scored": run.job.scored, "rows": run.rows}

    def chunk(self, slot, max_seconds: float) -> dict:
        """Advance the task's measurement for at most ``max_seconds``; once done, the reply."""
        run = self.running.get(slot.task)
        if run is None:
            reply = self.finished_reply(slot)
            if reply is not None:
                return reply  # finished by another caller's chunk: the same reply
            raise UserError(f"no measurement is running; start one with {self.start_method}")
        if slot.params is not run.params or len(slot.history) != run.epochs:
            del self.running[slot.task]
            raise UserError("the model changed since the measurement started; start it again")
        out = {"task": slot.task, "done": run.job.advance(max_seconds),
               "scored": run.job.scored, "rows": run.rows}
        if not out["done"]:
            return out
        del self.running[slot.task]
        out |= run.finish(run.job, run.started)
        self.finished[slot.task] = (run.params, run.epochs, run.key, out)
        return out
