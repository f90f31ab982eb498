"""CPython measurements: training speed and quality, sampling, the command line under load."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from diffusion_core import metrics, sampler
from diffusion_core.dataset import builtin
from diffusion_core.train import Trainer, get_recipe

from .util import ROOT, summary

BUSY = "while True: pass"


def cpython(runs: int) -> dict:
    """Per-step and per-epoch speed of both recipes, the default runs' time and quality."""
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
    for recipe in ("default", "seed"):
        times, ratios = recipe_runs("names", recipe, runs,
                                    lambda p: metrics.eval_loss(p, d).mean / floor)
        out[f"names_{recipe}_train_s"] = summary(times)
        out[f"names_{recipe}_x_floor"] = summary(ratios)
    dt = builtin("translate")
    times, correct = recipe_runs("translate", "default", runs,
                                 lambda p: sampler.accuracy(p, dt)["correct"])
    out["translate_default_train_s"] = summary(times)
    out["translate_default_correct"] = summary(correct)
    tr = Trainer(d, get_recipe("names", "default"), seed=0)
    tr.run(tr.recipe.epochs)
    gen = []
    for s in range(runs):
        t0 = time.perf_counter()
        sampler.sample(tr.params, d, n=15, steps=10, temperature=0.8, seed=s)
        gen.append((time.perf_counter() - t0) * 1000)
    out["generate_ms"] = summary(gen)
    return out


def recipe_runs(task: str, recipe: str, runs: int, judge):
    """Time a preset's whole run ``runs`` times (seeds 0, 1, ...); ``judge(params)`` scores each."""
    times, scores = [], []
    for seed in range(runs):
        r = get_recipe(task, recipe)
        tr = Trainer(builtin(task), r, seed=seed)
        t0 = time.perf_counter()
        tr.run(r.epochs)
        times.append(time.perf_counter() - t0)
        scores.append(judge(tr.params))
    return times, scores


def _cli_train(env: dict) -> tuple[float, float]:
    """Wall time of ``python -m diffusion_core train --task names --json``, and its training."""
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "diffusion_core", "train", "--task", "names",
                          "--json"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=600, check=True)
    wall = time.perf_counter() - t0
    return wall, json.loads(res.stdout)["seconds"]


def cli_under_load(runs: int) -> dict:
    """The command line alone, then with every core kept busy by other processes.

    "as shipped" leaves the thread count to the command line (one BLAS thread);
    "threads = cores" sets OPENBLAS_NUM_THREADS to the core count, numpy's own
    default, to show what the choice is worth.
    """
    base = {k: v for k, v in os.environ.items()
            if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    many = {**base, "OPENBLAS_NUM_THREADS": str(os.cpu_count() or 2)}
    out = {"idle": summary([_cli_train(base)[1] for _ in range(runs)])}
    busy = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(os.cpu_count() or 2)]
    try:
        time.sleep(0.5)
        loaded = [_cli_train(base) for _ in range(runs)]
        out["loaded"] = summary([x[1] for x in loaded])
        out["loaded_wall"] = summary([x[0] for x in loaded])
        out["loaded_threads_eq_cores"] = summary([_cli_train(many)[1] for _ in range(runs)])
    finally:
        for p in busy:
            p.kill()
            p.wait()
    return out
