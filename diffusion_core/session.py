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

from . import checkpoint, dataset, elbo, metrics, sampler
from .dataset import DatasetError
from .model import Params, forward
from .pieces import Pieces
from .protocol import SEED_RANGE, ProtocolError, UserError, parse_request
from .protocol import echo as _echo
from .protocol import error_reply as _reply_error
from .protocol import number as _num
from .session_ar import LeftToRightMethods
from .session_lab import LabMethods
from .session_training import TrainingMethods
from .train import LR_RANGE, RECIPES, Recipe, Trainer, get_recipe

MAX_CHUNK_MS = 1000


def _task(args) -> str:
    task = args.get("task", "names")
    if task not in dataset.TASKS:
        raise UserError(f"unknown task {_echo(task)}; choose names or translate")
    return task


def corrupted_row(d, args):
    """Training row ``index`` of ``d`` masked at noise ``t`` with the mask stream ``seed``.

    Returns ``(i, t, noisy)``; ``noisy`` is (1, L) ids. Raises UserError on an
    index, t or seed out of range. Used by ``predict`` and the lab's ``trace``.
    """
    from .corruption import corrupt
    i = _num(args, "index", 0, 0, len(d.entries) - 1, int)
    t = _num(args, "t", 0.5, 0.0, 1.0)
    rng = np.random.default_rng(_num(args, "seed", 0, *SEED_RANGE, int))
    noisy, _ = corrupt(d.tokens[i : i + 1], t, d.maskable[i : i + 1], rng)
    return i, t, noisy


class Slot:
    """One task's dataset, trainer and model."""

    def __init__(self, task: str):
        self.task = task
        self.data = dataset.builtin(task)
        self.trainer: Trainer | None = None
        self.params: Params | None = None
        self.history: list[float] = []
        self.recipe: Recipe | None = None
        self.seed = 0
        self.diverged_at: int | None = None  # the epoch at which training diverged
        self.diverged_unreported = False  # found by another request, not yet by a chunk
        self._floor: metrics.BayesFloor | None = None

    def bayes_floor(self) -> metrics.BayesFloor:
        if self._floor is None:
            self._floor = metrics.BayesFloor(self.data)
        return self._floor

    def floor(self) -> metrics.Estimate:
        return metrics.Estimate(self.bayes_floor().mean(), 0.0, 0)

    def forget_diverged(self) -> None:
        """Drop a model whose weights are no longer finite; say so from now on."""
        self.diverged_at = len(self.history)
        self.trainer, self.params = None, None

    def require_model(self) -> Params:
        """The model, if it can be used: finite weights whose outputs cannot overflow."""
        if self.params is not None and not np.isfinite(self.params.flat).all():
            self.forget_diverged()  # e.g. caught between two chunks of a diverging epoch
            self.diverged_unreported = True
        if self.params is None:
            if self.diverged_at is not None:
                raise UserError(f"the model diverged at epoch {self.diverged_at + 1}: its loss "
                                "stopped being a finite number, so it was dropped; train "
                                "again with a lower learning rate")
            raise UserError("there is no trained model yet; press Train first")
        bound = checkpoint.output_bound(self.params)
        if not bound < checkpoint.MAX_OUTPUT:
            raise UserError(f"the model's weights are so large that its outputs could "
                            f"overflow (logits up to {bound:.3g}); train it again")
        return self.params


class Session(LabMethods, TrainingMethods, LeftToRightMethods):
    def __init__(self):
        self.slots = {t: Slot(t) for t in dataset.TASKS}

    # -- protocol -------------------------------------------------------------
    def handle(self, request) -> str:
        """One JSON request in, one JSON reply out, whatever happens inside (never raises).

        A reply is ``{"ok": true, "result": ...}`` or ``{"ok": false, "error": message,
        "kind": "user" | "internal"}``; "internal" (a bug, or a request the page should
        never send) also carries a short ``trace``. Numbers in a reply are always finite.
        """
        try:
            method, args = parse_request(request)
            fn = getattr(self, "do_" + method, None)
            if fn is None:
                raise UserError(f"unknown method {_echo(method)}")
            result = fn(args)
        except (UserError, DatasetError, checkpoint.CheckpointError) as e:
            return _reply_error(str(e), "user")
        except ProtocolError as e:
            return _reply_error(str(e), "internal")
        except Exception as e:  # a bug: report it, keep the worker alive
            return _reply_error(f"{type(e).__name__}: {e}", "internal",
                                traceback.format_exc(limit=4))
        try:
            return json.dumps({"ok": True, "result": result}, allow_nan=False)
        except (ValueError, TypeError, RecursionError) as e:  # e.g. a NaN in the result
            return _reply_error(f"the reply to {_echo(method)} cannot be sent as JSON ({e})",
                                "internal")

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
            "floor_elbo": elbo.elbo_floor(s.data),  # the same under the ELBO weighting
            # the data's entropy per character: the bits-per-character chart's line
            "entropy_bits_per_char": elbo.entropy_bits_per_char(s.data),
            "recipes": {k: r.to_json() for k, r in RECIPES[s.task].items()},
            "lr_range": list(LR_RANGE),
            "has_model": s.params is not None,
            "diverged_at": s.diverged_at,
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
        s.diverged_at, s.diverged_unreported = None, False
        return self._describe(s)

    # -- training -----------------------------------------------------------------
    def do_train_start(self, args):
        """A fresh model: ``recipe`` preset, optional ``lr``, ``epochs``, ``seed``,
        ``optimizer``, ``batch_size``, ``weighting`` ("uniform" | "elbo"), ``t_input``."""
        s = self.slots[_task(args)]
        name = args.get("recipe", "default")
        if name not in RECIPES[s.task]:
            raise UserError(f"unknown recipe {_echo(name)}; choose seed or default")
        try:
            recipe = get_recipe(
                s.task, name,
                lr=_num(args, "lr", None, *LR_RANGE) if "lr" in args else None,
                epochs=_num(args, "epochs", 0, 1, 100_000, int) if "epochs" in args else None,
                batch_size=(_num(args, "batch_size", 0, 1, 2000, int)
                            if "batch_size" in args else None),
                optimizer=args.get("optimizer"), weighting=args.get("weighting"),
                t_input=args.get("t_input"))
        except (ValueError, TypeError) as e:
            raise UserError(str(e)) from None
        seed = _num(args, "seed", 0, *SEED_RANGE, int)
        s.trainer = Trainer(s.data, recipe, seed=seed)
        s.params, s.history, s.recipe, s.seed = s.trainer.params, s.trainer.history, recipe, seed
        s.diverged_at, s.diverged_unreported = None, False
        return {"epoch": 0, "epochs": recipe.epochs, "recipe": recipe.to_json()}

    def do_train_chunk(self, args):
        """Run up to ``max_epochs`` more epochs, for at most ``max_ms`` milliseconds."""
        s = self.slots[_task(args)]
        if s.params is None and s.diverged_unreported:
            # another request (the live prediction) found the weights no longer finite
            # between two chunks and dropped the model: this run ends as diverged, once
            s.diverged_unreported = False
            return {"losses": [], "epoch": len(s.history), "diverged": True, "steps": 0,
                    "seconds": 0.0}
        tr = s.trainer if s.trainer is not None and s.params is not None else \
            self._resume_loaded(s)
        if "lr" in args:
            tr.set_lr(_num(args, "lr", 0.01, *LR_RANGE))
        n = _num(args, "max_epochs", 1, 1, 100_000, int)
        ms = _num(args, "max_ms", 50, 1, MAX_CHUNK_MS)
        t0 = time.perf_counter()
        steps0 = tr.steps
        losses = tr.run(n, max_seconds=ms / 1000)
        dt = time.perf_counter() - t0
        steps = tr.steps - steps0
        if tr.diverged:
            s.forget_diverged()  # sampling, evaluating, saving it now say why they cannot
        return {"losses": losses, "epoch": len(s.history), "diverged": s.diverged_at is not None,
                "steps": steps, "seconds": dt}

    @staticmethod
    def _resume_loaded(s: Slot) -> Trainer:
        """Go on training a loaded model (fresh optimiser state, a new random stream)."""
        if s.params is None and s.diverged_at is None:
            raise UserError("there is nothing to go on with; press Train first")
        p = s.require_model()
        recipe = s.recipe or RECIPES[s.task]["default"]
        tr = Trainer(s.data, recipe, seed=s.seed + len(s.history), config=p.config)
        tr.params.flat[:] = p.flat
        tr.resumed_at = len(s.history)  # type: ignore[attr-defined]  # its snapshot 0 is not this model's
        tr.history.extend(s.history)
        s.trainer, s.params, s.history = tr, tr.params, tr.history
        return tr

    # -- looking at the model -----------------------------------------------------
    def do_predict(self, args):
        """Corrupt training row ``index`` at noise ``t`` and show the model's argmax."""
        s = self.slots[_task(args)]
        p = s.require_model()
        d = s.data
        i, t, noisy = corrupted_row(d, args)
        probs, _ = forward(p, noisy, np.array([t]))
        guess = np.where(d.maskable[i], probs[0].argmax(axis=1), d.tokens[i])
        return {"noisy": d.decode(noisy[0]), "guess": d.decode(guess),
                "target": d.decode(d.tokens[i]), "maskable": d.maskable[i].tolist(),
                "probs": [round(float(probs[0, j, g]), 4) for j, g in enumerate(guess)]}

    def do_evaluate(self, args):
        """Evaluated loss (>= 20,000 fresh draws), the floor and the loss by noise level."""
        s = self.slots[_task(args)]
        p = s.require_model()
        job = metrics.LossJob(p, s.data, n=_num(args, "n", 20000, 1000, 200_000, int))
        job.advance()
        return self._evaluated(s, p, job)

    def _evaluated(self, s: Slot, p: Params, job: metrics.LossJob) -> dict:
        """The ``evaluate`` reply from a finished :class:`metrics.LossJob`."""
        ev, by_t = job.result()
        if not math.isfinite(ev.mean) or not all(math.isfinite(b["loss"]) for b in by_t
                                                 if b["loss"] is not None):
            raise UserError("the model gives some true characters probability 0, so its loss "
                            "is infinite: its weights are far larger than training makes "
                            "them; train it again")
        for b, f in zip(by_t, s.bayes_floor().by_t(len(by_t))):
            b["floor"] = f  # the best possible loss in this band of t
        out = {"eval": ev.to_json(), "floor": s.floor().to_json(), "by_t": by_t}
        if s.task == "translate":
            out["accuracy"] = sampler.accuracy(p, s.data)
        return out

    def _sampling_args(self, args, temperature, strategy):
        return {"steps": _num(args, "steps", 10, 1, sampler.MAX_STEPS, int),
                "temperature": _num(args, "temperature", temperature, 0.0,
                                    sampler.MAX_TEMPERATURE),
                "strategy": args.get("strategy", strategy),
                "seed": _num(args, "seed", 0, *SEED_RANGE, int)}

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
        reply = {"samples": out, "novelty": metrics.novelty(texts, s.data)}
        # The share of probability the word restrictions removed (how often the bare model
        # would have written "?", an inner pad or a letter after a pad), averaged over the
        # samples that have one. TODO(#11): this branch's sampler does not report
        # "removed_mass" yet; until it does, the reply has no such field.
        masses = [m for r in out if isinstance(m := r.get("removed_mass"), (int, float))]
        if masses:  # None for a sample with no reveal
            reply["removed_mass"] = sum(masses) / len(masses)
        return reply

    def do_translate(self, args):
        s = self.slots["translate"]
        p = s.require_model()
        words = args.get("words")
        if isinstance(words, str):
            words = [words]
        if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
            raise UserError("type an English word, such as hello")
        if len(words) > sampler.MAX_SAMPLES:
            raise UserError(f"at most {sampler.MAX_SAMPLES} words at a time, not {len(words)}")
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
        ck = checkpoint.Checkpoint(p, s.data, s.recipe, s.seed, list(s.history),
                                   self._file_snapshots(s, args))  # {snapshots: true} adds them
        return {"text": checkpoint.dumps(ck), "filename": f"tiny-diffusion-{s.task}.json"}

    def _save_pieces(self) -> Pieces:
        if not hasattr(self, "_saves"):
            self._saves = Pieces("save_start")
        return self._saves

    def do_save_start(self, args):
        """``save`` (no snapshots) in pieces: {task} -> {task, done: false, scored: 0, rows},
        then ``save_chunk`` {task, max_ms = 25 (1-1000)} until ``done``, whose reply also
        holds ``text`` and ``filename``, the same as ``save``'s (checkpoint.DumpJob). A
        second start for the same weights joins the one running; a chunk after the end gets
        the finished reply; one after the model changed is refused."""
        s = self.slots[_task(args)]
        p = s.require_model()
        ck = checkpoint.Checkpoint(p, s.data, s.recipe, s.seed, list(s.history))
        return self._save_pieces().start(
            s, None, lambda: checkpoint.DumpJob(ck), lambda job: job.total,
            lambda job, t0: {"text": job.text, "filename": f"tiny-diffusion-{s.task}.json"})

    def do_save_chunk(self, args):
        s = self.slots[_task(args)]
        return self._save_pieces().chunk(s, _num(args, "max_ms", 25, 1, MAX_CHUNK_MS) / 1000)

    def do_load(self, args):
        """Load a model file (``text``); on any error the current model is kept."""
        text = args.get("text")
        if not isinstance(text, str):
            raise UserError("the model file must be text (JSON)")
        want = _task(args) if "task" in args else None
        ck = checkpoint.loads(text)
        task = ck.data.task
        if want is not None and want != task:
            raise UserError(f"this file holds a {task} model, not a {want} model")
        s = Slot(task)
        s.data, s.params, s.recipe, s.seed = ck.data, ck.params, ck.recipe, ck.seed
        s.history = ck.history
        s.loaded_snapshots = ck.snapshots  # type: ignore[attr-defined]  # session_training.py
        self.slots[task] = s
        return self._describe(s)
