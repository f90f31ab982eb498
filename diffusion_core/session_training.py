"""The training lab's requests (training without t, snapshots): mixed into Session.

Every method answers through :meth:`Session.handle` as ``{"ok": true, "result": {...}}``;
a bad argument gives ``{"ok": false, "kind": "user", "error": "..."}`` naming what is
wrong and what is allowed. Replies hold only finite numbers (a missing one is ``null``).
``task`` is "names" (default) or "translate" wherever it is accepted.

Training without t (issue #12, point 2). Under masking noise the exact posterior
p(x_0 | x_t) does not depend on t: every training entry that fits x_t has the same
probability t^m (1-t)^(L-m) of producing it (m the number of masks, which the model
can count), so the factor cancels (Sahoo et al. 2024, MDLM, sec. 3.2, drop the time
input for this reason). A second model, trained with the same recipe and seed but with
t fixed at 0 in its input, should therefore reach the same loss. It lives beside the
task's model and never replaces it.

``no_t_start`` {task, recipe, lr, epochs, seed, batch_size, optimizer, weighting}
    (the arguments of ``train_start``), or {task, like_model: true} (the recipe and seed
    of the task's current model) -> {task, epoch: 0, epochs, recipe, seed}.
``no_t_chunk`` {task, max_ms = 40 (1-1000)} -> {task, epoch, epochs, finished,
    diverged, loss (the last epoch's mean training loss or null), seconds}.
``no_t_compare`` {task, n = 20000 (1000-200000), seed = 12345} -> {task, n, seed,
    with_t: {mean, stderr, n}, without_t: {...}, difference: {mean, stderr, n}
    (with minus without, paired over the same draws), epochs_with_t, epochs_without_t}.
    Both models are scored on the same fresh draws of entry, t and mask
    (:func:`metrics.eval_loss`'s draws), in nats per maskable position.
``no_t_cancel`` {task} -> {cancelled: bool}.

Training time travel (issue #15, part 4). The trainer keeps the weights after epochs
0, 1, 2, 3, 4, 6, 8, 12, ... (:func:`train.is_snapshot_epoch`, at most
:data:`train.MAX_SNAPSHOTS`).

``snapshots`` {task} -> {task, snapshots: [{epoch, loss}], bytes, max}: the kept
    snapshots, oldest first (loss: that epoch's mean training loss in nats per position,
    null at epoch 0); bytes: the memory their weights hold. Empty when the model was
    not trained in this session (a loaded or restored model has no snapshots).
``snapshot_sample`` {epoch, n = 15 (1-200), steps = 10, temperature = 0.8,
    strategy = "random", seed = 0} -> {epoch, loss, samples: [{text, new}], novelty}
    (names): the same denoising seed re-run with that snapshot's weights.

Measuring a model in pieces. ``evaluate_start`` {task, n = 20000 (1000-200000)} ->
{task, done: false, scored: 0, rows}, then ``evaluate_chunk`` {task, max_ms = 25 (1-1000)}
-> {task, done, scored, rows} until ``done``, whose reply also holds the ``evaluate``
reply's fields (eval, floor, by_t, and for the translator accuracy). The same numbers as
``evaluate`` (:class:`metrics.LossJob`: the same draws, cut in pieces of 500), so a request
the reader makes right after a run (a Generate) is answered between two pieces instead of
after the whole measurement (about 0.5 s in the browser). A second ``evaluate_start`` for
the same weights and ``n`` joins the measurement running; a chunk after it finished gets
the finished reply. A chunk after the model changed is refused ("the model changed ..."),
and so is one when nothing was measured for these weights.

Warm-up. ``warm_up`` {max_ms = 20 (1-1000)} -> {done, epochs}: the page's own requests
during and after a first Train (train_start, :data:`WARM_EPOCHS` epochs of train_chunk,
predict, the live ELBO, beliefs, trace, snapshots, sample, a small evaluate), sent to a
private session in pieces of at most ``max_ms``; nothing is kept. The page sends it after
Python is ready, while the reader is still reading. A browser first runs WebAssembly with
a baseline compiler, compiling each function the first time it runs, and compiles the
functions that turn out hot (numpy's loops) again with its optimising compiler; this
lets that happen before the reader's first Train. (Chromium 156, 2-core machine, traced:
a Train after the older warm-up, 40 epochs of the trainer alone, still compiled 49
functions for the first time; after this one, 2.)
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Generator
from dataclasses import replace

import numpy as np

from . import metrics, sampler
from .model import Params
from .pieces import Pieces
from .train import MAX_SNAPSHOTS, Trainer

WARM_EPOCHS = 40  # about as many as Chromium needs before the epoch time stops falling


def _warm_up_requests(w) -> Generator[int, float, None]:
    """The page's own requests during and after a first Train, sent to a private session ``w``.

    Started with ``next()``, then driven with ``send(ms)``: the milliseconds left in the
    current piece, which a training chunk may use. Yields the epochs trained so far after
    each request; raises ``RuntimeError`` if one fails (a bug: they are all valid).
    """
    def call(method: str, **args):
        reply = json.loads(w.handle(json.dumps({"method": method, "args": args})))
        if not reply["ok"]:
            raise RuntimeError(f"warm-up request {method} failed: {reply['error']}")
        return reply["result"]

    call("train_start", task="names", seed=0)
    epochs = 0
    ms = yield 0
    while epochs < WARM_EPOCHS:
        epochs = call("train_chunk", task="names", max_epochs=WARM_EPOCHS - epochs,
                      max_ms=min(1000.0, max(1.0, ms)))["epoch"]
        ms = yield epochs
    for method, args in (("predict", {"task": "names", "index": 0, "t": 0.5, "seed": 1}),
                         ("elbo", {"task": "names", "mode": "live"}),
                         ("beliefs", {"task": "names", "row": "???????"}),
                         ("trace", {"index": 0, "t": 0.5, "seed": 1}),
                         ("snapshots", {"task": "names"}),
                         ("sample", {"n": 15}),
                         ("evaluate", {"task": "names", "n": 1000})):
        call(method, **args)
        yield epochs


def _s():
    from . import session  # session imports this module: import lazily
    return session


def _user(msg: str) -> Exception:
    return _s().UserError(msg)


def _finite(x):
    return x if isinstance(x, (int, float)) and math.isfinite(x) else None


def advance_side_run(run: dict, args) -> dict:
    """Train a model beside the reader's (``run``: {trainer, epochs}) for at most ``max_ms``
    (args, default 40, 1-1000) more, up to its epochs -> {epoch, epochs, finished,
    diverged, loss (the last epoch's mean training loss, or null), seconds}."""
    ms = _s()._num(args, "max_ms", 40, 1, _s().MAX_CHUNK_MS)
    tr: Trainer = run["trainer"]
    t0 = time.perf_counter()
    left = run["epochs"] - len(tr.history)
    if left > 0 and not tr.diverged:
        tr.run(left, max_seconds=ms / 1000)
    return {"epoch": len(tr.history), "epochs": run["epochs"],
            "finished": len(tr.history) >= run["epochs"] or tr.diverged,
            "diverged": tr.diverged,
            "loss": _finite(tr.history[-1]) if tr.history else None,
            "seconds": time.perf_counter() - t0}


def finished_side_run(run: dict, what: str) -> Trainer:
    """The trainer of a side run that reached its epochs; a UserError naming ``what``
    if it diverged or is still going."""
    tr: Trainer = run["trainer"]
    if tr.diverged:
        raise _user(f"{what} diverged; lower the learning rate and try again")
    if len(tr.history) < run["epochs"]:
        raise _user(f"{what} is at epoch {len(tr.history)} of {run['epochs']}; "
                    "let it finish first")
    return tr


class TrainingMethods:
    """Protocol methods of the training lab (see the module docstring)."""

    # Provided by Session (declared for the type checker only):
    slots: dict
    _no_t: dict[str, dict]
    _warm: tuple[Generator[int, float, None], int] | None
    _sampling_args: Callable[..., dict]
    _evaluated: Callable[..., dict]

    def _loss_pieces(self) -> Pieces:
        if not hasattr(self, "_loss_measurements"):
            self._loss_measurements = Pieces("evaluate_start")
        return self._loss_measurements

    def do_evaluate_start(self, args):
        s = self.slots[_s()._task(args)]
        p = s.require_model()
        n = _s()._num(args, "n", 20000, 1000, 200_000, int)
        return self._loss_pieces().start(s, n, lambda: metrics.LossJob(p, s.data, n=n),
                                         lambda job: job.total,
                                         lambda job, t0: self._evaluated(s, p, job))

    def do_evaluate_chunk(self, args):
        s = self.slots[_s()._task(args)]
        ms = _s()._num(args, "max_ms", 25, 1, 1000)
        return self._loss_pieces().chunk(s, ms / 1000)

    def do_warm_up(self, args):
        ms = _s()._num(args, "max_ms", 20, 1, 1000)
        deadline = time.perf_counter() + ms / 1000
        warm = getattr(self, "_warm", None)
        if warm is None:
            steps = _warm_up_requests(type(self)())
            warm = (steps, next(steps))  # the private session's train_start
        steps, epochs = warm
        try:
            while (left := (deadline - time.perf_counter()) * 1000) > 0:
                epochs = steps.send(left)
        except StopIteration:
            self._warm = None
            return {"done": True, "epochs": WARM_EPOCHS}
        self._warm = (steps, epochs)
        return {"done": False, "epochs": epochs}

    def _no_t_runs(self) -> dict:
        if not hasattr(self, "_no_t"):
            self._no_t = {}
        return self._no_t

    def _no_t_run(self, task: str) -> dict:
        run = self._no_t_runs().get(task)
        if run is None:
            raise _user("there is no run without t; start one with Train without t")
        if run["data"] is not self.slots[task].data:
            del self._no_t_runs()[task]
            raise _user("the data changed since the run without t started; train it again")
        return run

    def do_no_t_start(self, args):
        s = self.slots[_s()._task(args)]
        if "t_input" in args:
            raise _user("no_t_start always trains with t fixed at 0; do not send t_input")
        if args.get("like_model", False) is True:  # the recipe and seed of the task's model
            s.require_model()
            if s.recipe is None:
                raise _user("the model has no recipe to repeat; press Train first")
            recipe, seed = s.recipe, s.seed
        else:  # the recipe train_start would build from these arguments
            recipe, seed = self._recipe_of(s, args)
        recipe = replace(recipe, t_input=False, name="custom")
        tr = Trainer(s.data, recipe, seed=seed)
        self._no_t_runs()[s.task] = {"trainer": tr, "data": s.data, "epochs": recipe.epochs}
        return {"task": s.task, "epoch": 0, "epochs": recipe.epochs, "recipe": recipe.to_json(),
                "seed": seed}

    def _recipe_of(self, s, args):
        """The recipe and seed ``train_start`` would use for ``args`` (UserError if bad)."""
        sess = _s()
        name = args.get("recipe", "default")
        if not isinstance(name, str) or name not in sess.RECIPES[s.task]:
            raise _user(f"unknown recipe {sess._echo(name)}; choose seed or default")
        num = sess._num
        try:
            recipe = sess.get_recipe(
                s.task, name,
                lr=num(args, "lr", None, *sess.LR_RANGE) if "lr" in args else None,
                epochs=num(args, "epochs", 0, 1, 100_000, int) if "epochs" in args else None,
                batch_size=(num(args, "batch_size", 0, 1, 2000, int)
                            if "batch_size" in args else None),
                optimizer=args.get("optimizer"), weighting=args.get("weighting"))
        except (ValueError, TypeError) as e:
            raise _user(str(e)) from None
        return recipe, num(args, "seed", 0, *sess.SEED_RANGE, int)

    def do_no_t_chunk(self, args):
        task = _s()._task(args)
        return {"task": task} | advance_side_run(self._no_t_run(task), args)

    def do_no_t_compare(self, args):
        sess = _s()
        task = sess._task(args)
        s = self.slots[task]
        tr = finished_side_run(self._no_t_run(task), "the run without t")
        p = s.require_model()
        n = sess._num(args, "n", 20000, 1000, 200_000, int)
        seed = sess._num(args, "seed", 12345, *sess.SEED_RANGE, int)
        rng = np.random.default_rng(seed)
        rows, noisy, t = metrics._fresh_draws(s.data, n, rng)
        with_t = metrics._chunked_losses(p, s.data, rows, noisy, t)
        # The model without t is fed t = 0, as in its training.
        without = metrics._chunked_losses(tr.params, s.data, rows, noisy, np.zeros(n))
        if not (np.isfinite(with_t).all() and np.isfinite(without).all()):
            raise _user("a model gives some true characters probability 0, so its loss is "
                        "infinite; train it again")
        est = [_estimate(x) for x in (with_t, without, with_t - without)]
        return {"task": task, "n": n, "seed": seed, "with_t": est[0], "without_t": est[1],
                "difference": est[2], "epochs_with_t": len(s.history),
                "epochs_without_t": len(tr.history)}

    def do_no_t_cancel(self, args):
        return {"cancelled": self._no_t_runs().pop(_s()._task(args), None) is not None}

    # -- snapshots ------------------------------------------------------------------
    @staticmethod
    def _snapshot_list(s) -> list[tuple[int, float | None, np.ndarray]]:
        """(epoch, loss, flat weights) of the task's model, oldest first: its trainer's
        when it was trained in this session; those its model file carried; or both when
        a loaded model was trained further (the trainer's from after the loaded epochs)."""
        loaded = list(getattr(s, "loaded_snapshots", None) or [])
        tr = s.trainer
        if tr is None or s.params is not tr.params:
            return loaded
        resumed_at = getattr(tr, "resumed_at", None)
        own = [x for x in tr.kept_snapshots() if resumed_at is None or x[0] > resumed_at]
        return (loaded if resumed_at is not None else []) + own

    def _file_snapshots(self, s, args):
        """The snapshots to write into a model file: only when ``snapshots`` is true."""
        want = args.get("snapshots", False)
        if not isinstance(want, bool):
            raise _user("snapshots must be true or false")
        return self._snapshot_list(s) if want else None

    def do_snapshots(self, args):
        s = self.slots[_s()._task(args)]
        snaps = self._snapshot_list(s)
        return {"task": s.task, "max": MAX_SNAPSHOTS,
                "snapshots": [{"epoch": e, "loss": _finite(loss)} for e, loss, _ in snaps],
                "bytes": sum(flat.nbytes for _, _, flat in snaps)}

    def do_snapshot_sample(self, args):
        sess = _s()
        s = self.slots["names"]
        snaps = self._snapshot_list(s)
        if not snaps:
            raise _user("there are no training snapshots: they are kept while a model trains "
                        "on this page; press Train")
        epoch = sess._num(args, "epoch", 0, 0, 10**9, int)
        found = [(loss, flat) for e, loss, flat in snaps if e == epoch]
        if not found:
            raise _user(f"no snapshot at epoch {epoch}; kept: "
                        + ", ".join(str(e) for e, _, _ in snaps))
        loss, flat = found[0]
        p = Params(s.params.config if s.params is not None else s.trainer.config, flat.copy())
        n = sess._num(args, "n", 15, 1, sampler.MAX_SAMPLES, int)
        kw = self._sampling_args(args, 0.8, "random")
        if kw["strategy"] not in sampler.STRATEGIES:
            raise _user(f"unknown sampler {sess._echo(kw['strategy'])}; choose one of "
                        f"{', '.join(sampler.STRATEGIES)}")
        with np.errstate(all="ignore"):
            out = sampler.sample(p, s.data, n=n, trace=False, **kw)
        seen = set(s.data.entries)
        texts = [r["text"] for r in out]
        return {"epoch": epoch, "loss": _finite(loss),
                "samples": [{"text": t, "new": t not in seen} for t in texts],
                "novelty": metrics.novelty(texts, s.data)}


def _estimate(x: np.ndarray) -> dict:
    """Mean, standard error of the mean and count of per-draw losses (nats per position)."""
    n = len(x)
    return {"mean": float(x.mean()), "stderr": float(x.std(ddof=1) / math.sqrt(n)), "n": n}
