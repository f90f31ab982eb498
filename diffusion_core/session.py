"""The page's view of the engine: one JSON request in, one JSON response out.

The Web Worker holds one :class:`Session` and passes every request as a JSON
string, so user text always travels as data (never as Python source) and no
Python object is handed to JavaScript::

    handle('{"method": "train_start", "args": {"task": "names", "recipe": "default"}}')
    -> '{"ok": true, "result": {...}}'
    -> '{"ok": false, "error": "line 3: ...", "kind": "user"}'

Each task ("names", "translate") has its own dataset and model. Training runs
in short chunks (:meth:`Session.train_chunk`) so the worker can post progress
and read a "stop" between them. The CLI and the tests call the same methods.
"""

from __future__ import annotations

import json
import math
import time
import traceback

import numpy as np

from . import checkpoint, dataset, metrics, sampler
from .dataset import DatasetError
from .model import Params, forward
from .session_lab import LabMethods
from .train import LR_RANGE, RECIPES, Trainer, get_recipe

MAX_CHUNK_MS = 1000


class UserError(ValueError):
    """A request the reader can fix; the message says how."""


def _task(args) -> str:
    task = args.get("task", "names")
    if task not in dataset.TASKS:
        raise UserError(f"unknown task {task!r}; choose names or translate")
    return task


LABELS = {"lr": "learning rate", "max_epochs": "epochs per chunk", "n": "number of samples"}


def _num(args, key, default, lo, hi, kind=float):
    """``args[key]`` checked to be a finite number in [lo, hi] (a whole one for ``int``)."""
    v = args.get(key, default)
    name = LABELS.get(key, key.replace("_", " "))
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise UserError(f"{name} must be a number between {lo} and {hi}")
    if kind is int and v != int(v):
        raise UserError(f"{name} must be a whole number between {lo} and {hi}")
    if not lo <= v <= hi:
        raise UserError(f"{name} must be between {lo} and {hi}, not {v}")
    return kind(v)


class Slot:
    """One task's dataset, trainer and model."""

    def __init__(self, task: str):
        self.task = task
        self.data = dataset.builtin(task)
        self.trainer: Trainer | None = None
        self.params: Params | None = None
        self.history: list[float] = []
        self.recipe = None
        self.seed = 0
        self._floor = None

    def floor(self):
        if self._floor is None:
            self._floor = metrics.loss_floor(self.data)
        return self._floor

    def require_model(self) -> Params:
        if self.params is None:
            raise UserError("there is no trained model yet; press Train first")
        return self.params


class Session(LabMethods):
    def __init__(self):
        self.slots = {t: Slot(t) for t in dataset.TASKS}

    # -- protocol -------------------------------------------------------------
    def handle(self, request: str) -> str:
        try:
            req = json.loads(request)
            method = req["method"]
            fn = getattr(self, "do_" + method, None)
            if fn is None:
                raise UserError(f"unknown method {method!r}")
            args = req.get("args") or {}
            if not isinstance(args, dict):
                raise UserError("args must be an object")
            out = {"ok": True, "result": fn(args)}
        except (UserError, DatasetError, checkpoint.CheckpointError) as e:
            out = {"ok": False, "error": str(e), "kind": "user"}
        except Exception as e:  # a bug: report it, keep the worker alive
            out = {"ok": False, "error": f"{type(e).__name__}: {e}", "kind": "internal",
                   "trace": traceback.format_exc(limit=4)}
        return json.dumps(out, allow_nan=False)

    # -- data and model description ---------------------------------------------
    def _describe(self, s: Slot) -> dict:
        c = s.trainer.config if s.trainer else (s.params.config if s.params else None)
        if c is None:
            from .model import ModelConfig
            from .train import HIDDEN
            c = ModelConfig(s.data.seq_len, s.data.vocab_size, hidden=HIDDEN[s.task])
        fl = s.floor()
        return {
            "task": s.task,
            "entries": list(s.data.entries),
            "vocab": s.data.vocab,
            "seq_len": s.data.seq_len,
            "max_question_len": s.data.max_question_len,
            "config": c.to_json() | {"n_in": c.n_in, "n_out": c.n_out, "n_params": c.n_params},
            "shapes": {k: list(v) for k, v in c.shapes.items()},
            "floor": fl.to_json(),
            "recipes": {k: r.to_json() for k, r in RECIPES[s.task].items()},
            "lr_range": list(LR_RANGE),
            "has_model": s.params is not None,
            "history": s.history,
            "recipe": s.recipe.to_json() if s.recipe else None,
            "seed": s.seed,
        }

    def do_describe(self, args):
        return self._describe(self.slots[_task(args)])

    def do_set_data(self, args):
        """Use the reader's data (``text``: one entry per line), or the built-in with ``reset``."""
        task = _task(args)
        if args.get("builtin"):
            data = dataset.builtin(task)
        else:
            text = args.get("text")
            if not isinstance(text, str):
                raise UserError("text must be a string, one entry per line")
            data = (dataset.names_dataset if task == "names" else dataset.pairs_dataset)(text)
        s = Slot(task)
        s.data = data
        self.slots[task] = s
        return self._describe(s)

    def do_reset(self, args):
        """Forget the model (keep the data)."""
        s = self.slots[_task(args)]
        s.trainer, s.params, s.history, s.recipe = None, None, [], None
        return self._describe(s)

    # -- training -----------------------------------------------------------------
    def do_train_start(self, args):
        """A fresh model: ``recipe`` preset, optional ``lr``, ``epochs``, ``seed``,
        ``optimizer``, ``batch_size``."""
        s = self.slots[_task(args)]
        name = args.get("recipe", "default")
        if name not in RECIPES[s.task]:
            raise UserError(f"unknown recipe {name!r}; choose seed or default")
        try:
            recipe = get_recipe(
                s.task, name,
                lr=_num(args, "lr", None, *LR_RANGE) if "lr" in args else None,
                epochs=_num(args, "epochs", 0, 1, 100_000, int) if "epochs" in args else None,
                batch_size=(_num(args, "batch_size", 0, 1, 2000, int)
                            if "batch_size" in args else None),
                optimizer=args.get("optimizer"))
        except (ValueError, TypeError) as e:
            raise UserError(str(e)) from None
        seed = _num(args, "seed", 0, 0, 2**32 - 1, int)
        s.trainer = Trainer(s.data, recipe, seed=seed)
        s.params, s.history, s.recipe, s.seed = s.trainer.params, s.trainer.history, recipe, seed
        return {"epoch": 0, "epochs": recipe.epochs, "recipe": recipe.to_json()}

    def do_train_chunk(self, args):
        """Run up to ``max_epochs`` more epochs, for at most ``max_ms`` milliseconds."""
        s = self.slots[_task(args)]
        if s.trainer is None:
            self._resume_loaded(s)
        if "lr" in args:
            s.trainer.set_lr(_num(args, "lr", 0.01, *LR_RANGE))
        n = _num(args, "max_epochs", 1, 1, 100_000, int)
        ms = _num(args, "max_ms", 50, 1, MAX_CHUNK_MS)
        t0 = time.perf_counter()
        steps0 = s.trainer.steps
        losses = s.trainer.run(n, max_seconds=ms / 1000)
        dt = time.perf_counter() - t0
        return {"losses": losses, "epoch": len(s.history), "diverged": s.trainer.diverged,
                "steps": s.trainer.steps - steps0, "seconds": dt}

    @staticmethod
    def _resume_loaded(s: Slot) -> None:
        """Go on training a loaded model (fresh optimiser state, a new random stream)."""
        if s.params is None:
            raise UserError("there is nothing to go on with; press Train first")
        recipe = s.recipe or RECIPES[s.task]["default"]
        tr = Trainer(s.data, recipe, seed=s.seed + len(s.history), config=s.params.config)
        tr.params.flat[:] = s.params.flat
        tr.history.extend(s.history)
        s.trainer, s.params, s.history = tr, tr.params, tr.history

    # -- looking at the model -----------------------------------------------------
    def do_predict(self, args):
        """Corrupt training row ``index`` at noise ``t`` and show the model's argmax."""
        s = self.slots[_task(args)]
        p = s.require_model()
        d = s.data
        i = _num(args, "index", 0, 0, len(d.entries) - 1, int)
        t = _num(args, "t", 0.5, 0.0, 1.0)
        rng = np.random.default_rng(_num(args, "seed", 0, 0, 2**32 - 1, int))
        from .corruption import corrupt
        noisy, _ = corrupt(d.tokens[i : i + 1], t, d.maskable[i : i + 1], rng)
        probs, _ = forward(p, noisy, np.array([t]))
        guess = np.where(d.maskable[i], probs[0].argmax(axis=1), d.tokens[i])
        return {"noisy": d.decode(noisy[0]), "guess": d.decode(guess),
                "target": d.decode(d.tokens[i]), "maskable": d.maskable[i].tolist(),
                "probs": [round(float(probs[0, j, g]), 4) for j, g in enumerate(guess)]}

    def do_evaluate(self, args):
        """Evaluated loss (>= 20,000 fresh draws), the floor and the loss by noise level."""
        s = self.slots[_task(args)]
        p = s.require_model()
        n = _num(args, "n", 20000, 1000, 200_000, int)
        ev = metrics.eval_loss(p, s.data, n=n)
        fl = s.floor()
        out = {"eval": ev.to_json(), "floor": fl.to_json(),
               "by_t": metrics.loss_by_t(p, s.data)}
        if s.task == "translate":
            out["accuracy"] = sampler.accuracy(p, s.data)
        return out

    def _sampling_args(self, args, temperature, strategy):
        return {"steps": _num(args, "steps", 10, 1, sampler.MAX_STEPS, int),
                "temperature": _num(args, "temperature", temperature, 0.0,
                                    sampler.MAX_TEMPERATURE),
                "strategy": args.get("strategy", strategy),
                "seed": _num(args, "seed", 0, 0, 2**32 - 1, int)}

    def do_sample(self, args):
        s = self.slots["names"]
        p = s.require_model()
        n = _num(args, "n", 15, 1, sampler.MAX_SAMPLES, int)
        kw = self._sampling_args(args, 0.8, "random")
        if kw["strategy"] not in sampler.STRATEGIES:
            raise UserError("reveal order must be random or confident")
        out = sampler.sample(p, s.data, n=n, **kw)
        seen = set(s.data.entries)
        for r in out:
            r["new"] = r["text"] not in seen
        texts = [r["text"] for r in out]
        return {"samples": out, "novelty": metrics.novelty(texts, s.data),
                "valid": sum(metrics.is_valid(s.data.encode(t)) for t in texts) / len(texts)}

    def do_translate(self, args):
        s = self.slots["translate"]
        p = s.require_model()
        words = args.get("words")
        if isinstance(words, str):
            words = [words]
        if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
            raise UserError("type an English word, such as hello")
        kw = self._sampling_args(args, 0.0, "confident")
        if kw["strategy"] not in sampler.STRATEGIES:
            raise UserError("reveal order must be random or confident")
        out = sampler.translate(p, s.data, words, **kw)
        known = dict(e.split(">") for e in s.data.entries)
        for r in out:
            r["expected"] = known.get(r["question"])
        return {"results": out}

    def do_accuracy(self, args):
        s = self.slots["translate"]
        return sampler.accuracy(s.require_model(), s.data)

    # -- files ----------------------------------------------------------------------
    def do_save(self, args):
        s = self.slots[_task(args)]
        p = s.require_model()
        ck = checkpoint.Checkpoint(p, s.data, s.recipe, s.seed, list(s.history))
        return {"text": checkpoint.dumps(ck), "filename": f"tiny-diffusion-{s.task}.json"}

    def do_load(self, args):
        """Load a model file (``text``); on any error the current model is kept."""
        text = args.get("text")
        if not isinstance(text, str):
            raise UserError("the model file must be text (JSON)")
        ck = checkpoint.loads(text)
        task = ck.data.task
        if "task" in args and args["task"] != task:
            raise UserError(f"this file holds a {task} model, not a {args['task']} model")
        s = Slot(task)
        s.data, s.params, s.recipe, s.seed = ck.data, ck.params, ck.recipe, ck.seed
        s.history = ck.history
        self.slots[task] = s
        return self._describe(s)
