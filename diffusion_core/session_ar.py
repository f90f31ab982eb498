"""The left-to-right model's requests (issue #15, part 5): mixed into Session.

Every method answers through :meth:`Session.handle` as ``{"ok": true, "result": {...}}``;
a bad argument gives ``{"ok": false, "kind": "user", "error": "..."}`` naming what is
wrong and what is allowed. Names only.

A second network, the same MLP as the names model (the same parameter count), trained
with the recipe and random seed of the reader's names model, but autoregressively
(:mod:`diffusion_core.autoregressive`). It lives beside the reader's model and never
replaces it; a new run replaces the last one.

``ar_start`` {like_model: true} (the recipe and seed of the names model), or the
    arguments of ``train_start`` -> {epoch: 0, epochs, recipe, seed, params}.
``ar_chunk`` {max_ms = 40 (1-1000)} -> {epoch, epochs, finished, diverged, loss (the
    last epoch's mean training loss in nats, or null), seconds}.
``ar_result`` {n = 12 (1-200), temperature = 1 (0-3), seed = 0}
    -> {nll: {bits_per_char, entropy_bits_per_char, rows, nfe_per_sample} (exact),
    diffusion_left_to_right: the names model's own exact NLL read left to right (the
    likelihood of its left-to-right sampler, before the word rules), samples: [{text,
    training}], training_share, nfe (network calls per name), epochs, diffusion_epochs
    (the names model's, which "+500 more" may have taken past its recipe's)}.
``ar_cancel`` {} -> {cancelled: bool}.
"""

from __future__ import annotations

from dataclasses import replace

from . import autoregressive, sampler
from .session_training import advance_side_run, finished_side_run
from .train import Trainer


def _s():
    from . import session  # session imports this module: import lazily
    return session


def _user(msg: str) -> Exception:
    return _s().UserError(msg)


class LeftToRightMethods:
    """Protocol methods of the left-to-right model (see the module docstring)."""

    slots: dict  # provided by Session
    _ar: dict | None = None  # the last run: {trainer, data, epochs}

    def _ar_run(self) -> dict:
        run = self._ar
        if run is None:
            raise _user("there is no left-to-right model; start one with Train left to right")
        if run["data"] is not self.slots["names"].data:
            self._ar = None
            raise _user("the names changed since the left-to-right model was started; "
                        "train it again")
        return run

    def do_ar_start(self, args):
        s = self.slots["names"]
        if args.get("task", "names") != "names":
            raise _user("the left-to-right model is for the names task only")
        if args.get("like_model", False) is True:  # the recipe and seed of the names model
            s.require_model()
            if s.recipe is None:
                raise _user("the names model has no recipe to repeat; press Train first")
            recipe, seed = s.recipe, s.seed
        else:
            recipe, seed = self._recipe_of(s, args)  # type: ignore[attr-defined]
        recipe = replace(recipe, name="custom")
        tr = Trainer(s.data, recipe, seed=seed, objective="left_to_right")
        self._ar = {"trainer": tr, "data": s.data, "epochs": recipe.epochs}
        return {"epoch": 0, "epochs": recipe.epochs, "recipe": recipe.to_json(), "seed": seed,
                "params": tr.config.n_params}

    def do_ar_chunk(self, args):
        return advance_side_run(self._ar_run(), args)

    def do_ar_result(self, args):
        sess = _s()
        run = self._ar_run()
        tr = finished_side_run(run, "the left-to-right model")
        n = sess._num(args, "n", 12, 1, 200, int)
        temperature = sess._num(args, "temperature", 1.0, 0.0, 3.0)
        seed = sess._num(args, "seed", 0, *sess.SEED_RANGE, int)
        data = run["data"]
        nll = autoregressive.nll(tr.params, data)
        slot = self.slots["names"]
        own = slot.require_model()
        mine = autoregressive.nll(own, data)
        out = sampler.sample(tr.params, data, n=n, steps=data.seq_len, temperature=temperature,
                             strategy="left_to_right", seed=seed, trace=False)
        known = set(data.entries)
        samples = [{"text": x["text"], "training": x["text"] in known} for x in out]
        for name, value in (("the left-to-right model", nll.bits_per_char),
                            ("the names model", mine.bits_per_char)):
            if not value < float("inf"):
                raise _user(f"{name} gives a training name probability 0, so its likelihood "
                            "is infinite; train it again")
        return {"nll": nll.to_json(), "diffusion_left_to_right": mine.bits_per_char,
                "samples": samples, "training_share": sum(x["training"] for x in samples) / n,
                "nfe": max(int(x["nfe"]) for x in out), "epochs": len(tr.history),
                "diffusion_epochs": len(slot.history),
                "temperature": temperature, "seed": seed}

    def do_ar_cancel(self, args):
        had = self._ar is not None
        self._ar = None
        return {"cancelled": had}
