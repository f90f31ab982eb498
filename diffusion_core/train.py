"""Training: a resumable, deterministic trainer with schedules and snapshots.

One epoch is a shuffled pass over the data; every example gets ``masks`` fresh
(t, mask) draws (the seed's recipe: one, t ~ U(0, 1)). The draws for an epoch
are made up front, in the same order whatever the batch size, so a run is a
pure function of (data, recipe, seed) and chunked runs equal one long run.

Two code paths compute the same numbers:

* :class:`~diffusion_core.steps.FastSGD1`, the seed's plain SGD with batch 1,
  fused into ~20 numpy calls with preallocated buffers;
* batches (the default: the whole dataset in one step) through
  :class:`~diffusion_core.steps.FastBatch` plus :class:`SGD` or :class:`Adam`.

The learning rate of an epoch is ``recipe.lr`` (the peak) times the schedule's
factor (:func:`~diffusion_core.recipe.lr_factor`), over a *cycle* that starts
at epoch 0 and lasts ``recipe.epochs``. Going on after the cycle has ended
("+500 more") starts a new cycle from the peak (a warm restart, as in SGDR,
Loshchilov & Hutter 2017) that spans exactly the epochs the first
:meth:`Trainer.run` call after the end asks for, so the rate decays to 0 again
when they are done; :meth:`Trainer.extend` sets a cycle explicitly. (A single
call that runs across a cycle's end restarts with the recipe's length.)
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np

from . import autoregressive
from .dataset import MASK_ID, Dataset
from .model import ModelConfig, Params, loss_and_grad, loss_weights
from .recipe import HIDDEN, LR_RANGE, RECIPES, Recipe, get_recipe, lr_factor
from .steps import SGD, Adam, FastBatch, FastSGD1

__all__ = ["HIDDEN", "LR_RANGE", "RECIPES", "Recipe", "get_recipe", "lr_factor",
           "SGD", "Adam", "FastSGD1", "Trainer", "marginal_logits", "MAX_SNAPSHOTS",
           "is_snapshot_epoch"]

MAX_SNAPSHOTS = 30
# "diffusion": masked diffusion (random masks); "left_to_right": the same network trained
# autoregressively on suffix masks (diffusion_core.autoregressive)
OBJECTIVES = ("diffusion", "left_to_right")
GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


def marginal_logits(data: Dataset, alpha: float = 0.5) -> np.ndarray:
    """Log frequencies of each character at each position of the training rows, (L * V,).

    Entry ``l * V + v`` is ``log((n_lv + alpha / V) / (N + alpha))``, where ``n_lv`` counts
    the rows with token ``v`` at position ``l``: add-``alpha`` smoothing spread over the
    vocabulary, so a character never seen there gets a large negative logit, not -inf.
    As output biases (recipe ``output_init="marginal"``), they make the softmax at every
    position start at that position's marginal distribution.

    >>> from diffusion_core.dataset import builtin
    >>> z = marginal_logits(builtin("names")).reshape(7, -1)
    >>> bool(np.allclose(np.exp(z).sum(axis=1), 1.0))
    True
    """
    N, L = data.tokens.shape
    V = data.vocab_size
    counts = np.zeros((L, V))
    np.add.at(counts, (np.broadcast_to(np.arange(L), (N, L)), data.tokens), 1.0)
    return np.log((counts + alpha / V) / (N + alpha)).ravel()


def is_snapshot_epoch(e: int) -> bool:
    """Epochs whose weights are kept: 0, 1, 2, 3, 4, 6, 8, 12, 16, 24, ... (2^k and 3 * 2^k).

    >>> [e for e in range(13) if is_snapshot_epoch(e)]
    [0, 1, 2, 3, 4, 6, 8, 12]
    """
    if e <= 1:
        return e >= 0
    q = e // 3 if e % 3 == 0 else e
    return q & (q - 1) == 0


class Trainer:
    """Trains a fresh model on a dataset; :meth:`run` can be called again to go on.

    ``objective`` "diffusion" (masked diffusion: random masks, the recipe's weighting) or
    "left_to_right": the same network trained autoregressively on suffix masks, the loss at
    the first masked position only (:mod:`diffusion_core.autoregressive`; the recipe's
    weighting does not apply). Any other value raises ValueError.

    >>> from diffusion_core.dataset import builtin
    >>> tr = Trainer(builtin("names"), get_recipe("names", "seed"), seed=0)
    >>> losses = tr.run(2)      # mean loss of each epoch, about ln 22 = 3.09 at first
    """

    def __init__(self, data: Dataset, recipe: Recipe, seed: int = 0,
                 config: ModelConfig | None = None, objective: str = "diffusion"):
        if objective not in OBJECTIVES:
            raise ValueError(f"objective must be diffusion or left_to_right, not {objective!r}")
        self.data, self.recipe, self.seed, self.objective = data, recipe, seed, objective
        self.config = config or ModelConfig(data.seq_len, data.vocab_size,
                                            hidden=HIDDEN[data.task])
        self.rng = np.random.default_rng(seed)
        self.params = Params.init(self.config, self.rng)
        if not recipe.t_input:
            self.params.W1[-2] = 0.0  # fed t = 0, these weights get no gradient: stay 0
        if recipe.output_init == "marginal":
            self.params.W2[:-1] *= 0.1
            self.params.W2[-1] = marginal_logits(data)
        self.history: list[float] = []
        self.steps = 0
        self.diverged = False
        self._epoch: dict | None = None  # the epoch in progress: its draws and how far it got
        self._cycle = (0, recipe.epochs)  # (first epoch, length) of the schedule's cycle
        self._snaps: list[tuple[int, float | None, np.ndarray]] = []
        tok, mk = data.tokens, data.maskable
        N, L = tok.shape
        V = data.vocab_size
        self.weight = mk / mk.sum(axis=1, keepdims=True)  # (N, L), rows sum to 1
        self.flat_target = np.arange(L) * V + tok  # (N, L)
        self.onehot = np.zeros((N, L * V))
        np.put_along_axis(self.onehot, self.flat_target, 1.0, axis=1)
        r = recipe
        self.fast: FastSGD1 | None
        self.fused: FastBatch | None
        self.opt: Adam | SGD | None
        if r.batch_size == 1 and r.optimizer == "sgd" and r.masks == 1 \
                and r.weighting == "uniform" and objective == "diffusion":
            self.fast, self.fused, self.opt = FastSGD1(self.params), None, None
        else:
            self.fast, self.fused = None, FastBatch(self.params)
            self.opt = (Adam(self.params, r.lr, b1=r.beta1) if r.optimizer == "adam"
                        else SGD(self.params, r.lr))
        self._lr_applied: float | None = None
        self._keep_snapshot(0, None)

    # -- learning rate ------------------------------------------------------------
    def set_lr(self, lr: float) -> None:
        """Set the peak learning rate; the schedule's factor still applies on top.

        It takes effect from the next epoch (Adam keeps its moments, the cycle
        keeps its place). The same rate again is a no-op.
        """
        if lr != self.recipe.lr:
            self.recipe = replace(self.recipe, lr=lr)

    def extend(self, epochs: int) -> None:
        """Start a new schedule cycle of ``epochs`` epochs at the next epoch.

        With the cosine schedule the rate goes back to the peak and decays to 0
        again over exactly these epochs; a constant rate is unaffected. (Not
        needed for "+N more" after a finished run: see the module's docstring.)
        """
        if not 1 <= epochs <= 100_000:
            raise ValueError("epochs must be between 1 and 100000")
        self._cycle = (len(self.history) + (self._epoch is not None), epochs)

    def lr_at(self, epoch: int) -> float:
        """The learning rate epoch ``epoch`` (0-based, counted from the start) uses or used."""
        start, length = self._cycle
        if epoch >= start + length:  # warm restarts of the recipe's length
            start += length
            length = self.recipe.epochs
            start += ((epoch - start) // length) * length
        r = self.recipe
        return r.lr * lr_factor(r.schedule, epoch - start, length, r.warmup)

    @property
    def current_lr(self) -> float:
        """The rate of the epoch in progress, or of the next one."""
        return self.lr_at(len(self.history))

    def _apply_lr(self, lr: float) -> None:
        if lr == self._lr_applied:
            return
        self._lr_applied = lr
        if self.fast is not None:
            uniform = bool(np.all(self.data.maskable))
            self.scale = (np.full(len(self.weight), -lr / self.data.seq_len) if uniform
                          else -lr * self.weight[:, :, None])
        elif self.opt is not None:
            self.opt.lr = lr

    # -- draws --------------------------------------------------------------------
    def _draw_epoch(self) -> dict:
        """Order, noise levels and masks for one epoch (same draws for any batch size)."""
        r, d = self.recipe, self.data
        N, L = d.tokens.shape
        n = N * r.masks
        order = self.rng.permutation(N) if r.masks == 1 else self.rng.permutation(n) % N
        if r.t_sampling == "uniform":
            t = self.rng.random(n)
        else:
            t = (self.rng.random() + GOLDEN * np.arange(n)) % 1.0
        masked = (self.rng.random((n, L)) < t[:, None]) & d.maskable[order]
        if self.objective == "left_to_right":  # the same t draws, then the suffix rows
            masked, t, weight = autoregressive.draw(d.maskable[order], self.rng)
        noisy = np.where(masked, MASK_ID, d.tokens[order])
        ep = {"order": order, "t": t if r.t_input else np.zeros(n), "noisy": noisy,
              "pos": 0, "total": 0.0}
        if self.fast is not None:
            ep["pt"] = np.empty((n, L))
        elif self.objective == "left_to_right":
            ep["weight"] = weight
        else:
            ep["weight"] = loss_weights(d.maskable[order], masked, t, r.weighting)
        return ep

    # -- steps --------------------------------------------------------------------
    def _advance_fast(self, ep: dict, deadline: float) -> bool:
        """Batch-1 SGD steps from ``ep["pos"]`` until the epoch ends (True) or time is up."""
        order, t, noisy, pt = ep["order"], ep["t"], ep["noisy"], ep["pt"]
        f, ft, oh, sc = self.fast, self.flat_target, self.onehot, self.scale
        assert f is not None  # this path runs only for the fused batch-1 SGD recipe
        N = len(order)
        i = start = ep["pos"]
        while i < N:
            end = min(N, i + 32)  # look at the clock every 32 steps
            for k in range(i, end):
                j = order[k]
                f.step(noisy[k], t[k], ft[j], oh[j], sc[j], pt[k])
            i = end
            if time.perf_counter() >= deadline and i < N:
                break
        self.steps += i - start
        ep["pos"] = i
        if i < N:
            return False
        ep["total"] = -float(np.sum(self.weight[order] * np.log(pt)))
        return True

    def _advance_batched(self, ep: dict, deadline: float) -> bool:
        """Mini-batch steps from ``ep["pos"]`` until the epoch ends (True) or time is up."""
        order, t, noisy, w = ep["order"], ep["t"], ep["noisy"], ep["weight"]
        n_all = len(order)
        B = self.recipe.batch_rows(len(self.data.entries))
        while ep["pos"] < n_all:
            s = ep["pos"]
            idx = order[s : s + B]
            n = len(idx)
            if self.fused is not None:
                loss, grad = self.fused.loss_and_grad(
                    noisy[s : s + n], t[s : s + n], self.onehot[idx], self.flat_target[idx],
                    w[s : s + n] / n)
            else:  # the readable reference (tests)
                loss, grad = loss_and_grad(self.params, noisy[s : s + n], t[s : s + n],
                                           self.data.tokens[idx], w[s : s + n] / n)
            assert self.opt is not None  # the batched path always has an optimiser
            self.opt.step(grad)
            ep["total"] += loss * n
            ep["pos"] += n
            self.steps += 1
            if time.perf_counter() >= deadline and ep["pos"] < n_all:
                return False
        return True

    def run(self, epochs: int, max_seconds: float | None = None, callback=None) -> list[float]:
        """Train until ``epochs`` more epochs are complete; return the mean loss of each.

        With ``max_seconds`` it may return sooner, even in the middle of an
        epoch: the rest of that epoch is done by the next call, with the same
        draws, so chunked runs equal one long run. It also stops when the loss
        stops being finite (``self.diverged`` is set; the bad epoch is not
        recorded). ``callback(epoch, loss)`` is called after each epoch.
        """
        out: list[float] = []
        start, length = self._cycle
        if self._epoch is None and len(self.history) >= start + length:
            self._keep_run_end()  # the finished run's model stays on the snapshot slider
            self._cycle = (len(self.history), max(1, epochs))  # "+N more": N epochs of schedule
        deadline = math.inf if max_seconds is None else time.perf_counter() + max_seconds
        advance = self._advance_fast if self.fast is not None else self._advance_batched
        while len(out) < epochs and not self.diverged:
            ep = self._epoch
            if ep is None:
                ep = self._epoch = self._draw_epoch()
                ep["lr"] = self.lr_at(len(self.history))
            self._apply_lr(ep["lr"])
            with np.errstate(all="ignore"):
                complete = advance(ep, deadline)
            if not complete:
                break
            loss = ep["total"] / len(ep["order"])
            self._epoch = None
            if not (math.isfinite(loss) and np.isfinite(self.params.flat).all()):
                self.diverged = True
                break
            out.append(loss)
            self.history.append(loss)
            self._keep_snapshot(len(self.history), loss)
            if callback is not None:
                callback(len(self.history), loss)
            if time.perf_counter() >= deadline:
                break
        return out

    # -- snapshots ----------------------------------------------------------------
    def _keep_snapshot(self, epoch: int, loss: float | None) -> None:
        """Keep the weights after ``epoch`` if it is on the grid; at most MAX_SNAPSHOTS.

        Past 30 (beyond epoch 24,576), the oldest after epoch 0 is dropped.
        """
        if is_snapshot_epoch(epoch):
            self._append_snapshot(epoch, loss)

    def _keep_run_end(self) -> None:
        """Keep the weights of a finished run that is about to go on ("+500 more"), also
        off the grid (epoch 160 of a 160-epoch run): the model the reader trained and
        measured stays one to go back to. At most MAX_SNAPSHOTS, as in _keep_snapshot."""
        last = len(self.history)
        if not self.history or self.diverged or (self._snaps and self._snaps[-1][0] == last):
            return
        self._append_snapshot(last, self.history[-1])

    def _append_snapshot(self, epoch: int, loss: float | None) -> None:
        """Keep a copy of the weights now as ``epoch``'s; past MAX_SNAPSHOTS the oldest
        after epoch 0 is dropped."""
        self._snaps.append((epoch, loss, self.params.flat.copy()))
        if len(self._snaps) > MAX_SNAPSHOTS:
            del self._snaps[1]

    def kept_snapshots(self) -> list[tuple[int, float | None, np.ndarray]]:
        """(epoch, loss, flat weights) of the kept snapshots, oldest first, ending with the
        weights in use: when the last finished epoch is not on the grid (epoch 200 of a
        200-epoch run is not), its weights are added, so a slider over these ends at the
        model the page shows. That entry is the live ``params.flat``, not a copy: copy it
        before changing it. At most MAX_SNAPSHOTS, as kept."""
        snaps = list(self._snaps)
        last = len(self.history)
        if self.history and (not snaps or snaps[-1][0] != last) and not self.diverged:
            snaps.append((last, self.history[-1], self.params.flat))
            if len(snaps) > MAX_SNAPSHOTS:
                del snaps[1]
        return snaps

    def snapshots(self) -> list[dict]:
        """The kept snapshots, oldest first: ``[{"epoch": 0, "loss": None}, {"epoch": 1,
        "loss": 3.04}, ...]``; the loss is that epoch's mean training loss (None at 0).
        The last is the weights in use (:meth:`kept_snapshots`)."""
        return [{"epoch": e, "loss": loss} for e, loss, _ in self.kept_snapshots()]

    def snapshot_params(self, epoch: int) -> Params:
        """A copy of the weights after ``epoch``; ``ValueError`` if it was not kept."""
        snaps = self.kept_snapshots()
        for e, _, flat in snaps:
            if e == epoch:
                return Params(self.config, flat.copy())
        kept = ", ".join(str(s[0]) for s in snaps)
        raise ValueError(f"no snapshot at epoch {epoch}; kept: {kept}")

    @property
    def snapshot_bytes(self) -> int:
        """Memory held by the snapshots' weights (8 bytes a weight; names: 219,728 each)."""
        return sum(flat.nbytes for _, _, flat in self._snaps)
