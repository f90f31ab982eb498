"""Training: recipes, optimisers and a resumable, deterministic trainer.

One epoch is a shuffled pass over the data; every example gets a fresh
t ~ U(0, 1) and a fresh mask (the seed's recipe). The draws for an epoch are
made up front, in the same order whatever the batch size, so a run is a pure
function of (data, recipe, seed) and chunked runs equal one long run.

Two code paths compute the same numbers:

* :class:`FastSGD1`, the seed's plain SGD with batch 1, fused into ~20 numpy
  calls with preallocated buffers (each numpy call costs microseconds in
  WebAssembly, so calls, not flops, set the speed);
* the general path, :func:`model.loss_and_grad` plus :class:`SGD` or
  :class:`Adam` on the flat weight vector, for any batch size.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, replace

import numpy as np

from .dataset import Dataset
from .model import ModelConfig, Params, loss_and_grad


@dataclass(frozen=True)
class Recipe:
    """How to train. The page's two presets are in :data:`RECIPES`."""

    name: str  # "seed", "default" or "custom"
    optimizer: str  # "sgd" or "adam"
    lr: float  # learning rate
    batch_size: int  # examples per step; 1 is the seed's
    epochs: int  # epochs of one "Train" run

    def to_json(self) -> dict:
        return asdict(self)


# Per task: the seed's recipe, and the default chosen by measurement (README, "Performance").
RECIPES = {
    "names": {
        "seed": Recipe("seed", "sgd", 0.01, 1, 500),
        "default": Recipe("default", "adam", 0.01, 40, 500),
    },
    "translate": {
        "seed": Recipe("seed", "sgd", 0.01, 1, 1000),
        "default": Recipe("default", "adam", 0.01, 40, 200),
    },
}
HIDDEN = {"names": 128, "translate": 96}  # the seed's hidden sizes
LR_RANGE = (1e-5, 10.0)


def get_recipe(task: str, name: str = "default", **overrides) -> Recipe:
    """A preset with some fields replaced; any change makes it a "custom" recipe.

    >>> get_recipe("names", "seed", epochs=20).epochs
    20
    """
    r = RECIPES[task][name]
    changes = {k: v for k, v in overrides.items() if v is not None and getattr(r, k) != v}
    r = replace(r, **changes)
    if r.optimizer not in ("sgd", "adam"):
        raise ValueError(f"optimizer must be sgd or adam, not {r.optimizer!r}")
    if not (LR_RANGE[0] <= r.lr <= LR_RANGE[1]):
        raise ValueError(f"learning rate must be between {LR_RANGE[0]} and {LR_RANGE[1]}")
    if not 1 <= r.batch_size <= 2000:
        raise ValueError("batch size must be between 1 and 2000")
    if not 1 <= r.epochs <= 100_000:
        raise ValueError("epochs must be between 1 and 100000")
    return replace(r, name="custom") if set(changes) - {"epochs"} else r


class SGD:
    def __init__(self, p: Params, lr: float):
        self.p, self.lr = p, lr

    def step(self, grad: np.ndarray) -> None:
        grad *= -self.lr
        self.p.flat += grad


class Adam:
    """Adam (Kingma & Ba 2015) on the flat weight vector, updated in place."""

    def __init__(self, p: Params, lr: float, b1=0.9, b2=0.999, eps=1e-8):
        self.p, self.lr, self.b1, self.b2, self.eps = p, lr, b1, b2, eps
        self.m = np.zeros_like(p.flat)
        self.v = np.zeros_like(p.flat)
        self.buf = np.empty_like(p.flat)
        self.t = 0

    def step(self, grad: np.ndarray) -> None:
        self.t += 1
        b1, b2 = self.b1, self.b2
        self.m *= b1
        self.m += (1 - b1) * grad
        np.multiply(grad, grad, out=grad)
        self.v *= b2
        self.v += (1 - b2) * grad
        step = self.lr * math.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        np.sqrt(self.v, out=self.buf)
        self.buf += self.eps * math.sqrt(1 - b2**self.t)
        np.divide(self.m, self.buf, out=self.buf)
        self.buf *= -step
        self.p.flat += self.buf


class FastSGD1:
    """Plain SGD with batch 1: the same math as ``loss_and_grad`` + :class:`SGD`, fused.

    Every buffer is allocated once; each step is ~20 numpy calls. The loss
    gradient is folded into the learning rate (``d = -lr * w * (p - y)``), since
    all gradients are linear in it.
    """

    def __init__(self, p: Params, lr: float):
        c = p.config
        L, V, E, H = c.seq_len, c.vocab_size, c.embed_dim, c.hidden
        self.p, self.lr = p, lr
        self.inp = np.zeros(c.n_in + 1)  # [e_1..e_L, t, 1]
        self.inp[-1] = 1.0
        self.e = self.inp[:-2].reshape(L, E)
        self.z = np.empty(H)
        self.relu_on = np.empty(H, dtype=bool)
        self.hid = np.ones(H + 1)  # [relu(z), 1]
        self.h = self.hid[:-1]
        self.out = np.empty(L * V)
        self.out2 = self.out.reshape(L, V)
        self.dh = np.empty(H)
        self.dinp = np.empty(L * E)
        self.dinp2 = self.dinp.reshape(L, E)
        self.gW1 = np.empty_like(p.W1)
        self.gW2 = np.empty_like(p.W2)
        self.W1x = p.W1[:-2]  # embedding rows only
        self.W2hT = p.W2[:-1].T  # hidden rows only, transposed view (faster gemv in wasm)
        self.zeros = np.zeros(H)
        self.ones_v = np.ones(V)
        self.rowsum = np.empty(L)
        self.rowsum2 = self.rowsum.reshape(L, 1)
        self.hid_col = self.hid[:, None]  # (H+1, 1)
        self.d_row = self.out[None, :]  # (1, L*V)

    def step(self, x, t, flat_target, onehot, scale, pt_out) -> None:
        """One example. ``flat_target`` = positions * V + target ids; ``onehot`` (L*V,);
        ``scale`` is w (float or (L, 1)); the target probabilities go to ``pt_out`` (L,)."""
        p, out, out2 = self.p, self.out, self.out2
        np.take(p.emb, x, axis=0, out=self.e)
        self.inp[-2] = t
        np.dot(self.inp, p.W1, out=self.z)  # (H,)
        np.maximum(self.z, self.zeros, out=self.h)
        np.dot(self.hid, p.W2, out=out)  # (L*V,) logits
        # softmax per position; one global max keeps exp() from overflowing
        np.subtract(out, out.max(), out=out)
        np.exp(out, out=out)
        np.dot(out2, self.ones_v, out=self.rowsum)  # (L,) row sums, as a gemv
        np.divide(out2, self.rowsum2, out=out2)  # (L, V) probabilities
        np.take(out, flat_target, out=pt_out)
        np.subtract(out, onehot, out=out)
        np.multiply(out2, scale, out=out2)  # d = -lr * w * (p - y)
        np.dot(out, self.W2hT, out=self.dh)  # (H,)
        np.greater(self.z, 0.0, out=self.relu_on)
        np.multiply(self.dh, self.relu_on, out=self.dh)
        np.dot(self.W1x, self.dh, out=self.dinp)  # (L*E,)
        np.multiply(self.hid_col, self.d_row, out=self.gW2)  # outer product
        p.W2 += self.gW2
        np.multiply.outer(self.inp, self.dh, out=self.gW1)
        p.W1 += self.gW1
        np.add.at(p.emb, x, self.dinp2)


class Trainer:
    """Trains a fresh model on a dataset; :meth:`run` can be called again to go on.

    >>> tr = Trainer(builtin("names"), get_recipe("names", "seed"), seed=0)
    >>> losses = tr.run(2)      # mean loss of each epoch, about ln 22 = 3.09 at first
    """

    def __init__(self, data: Dataset, recipe: Recipe, seed: int = 0,
                 config: ModelConfig | None = None):
        self.data, self.recipe, self.seed = data, recipe, seed
        self.config = config or ModelConfig(data.seq_len, data.vocab_size,
                                            hidden=HIDDEN[data.task])
        self.rng = np.random.default_rng(seed)
        self.params = Params.init(self.config, self.rng)
        self.history: list[float] = []
        self.steps = 0
        self.diverged = False
        self._epoch = None  # the epoch in progress: its draws and how far it got
        tok, mk = data.tokens, data.maskable
        N, L = tok.shape
        V = data.vocab_size
        self.weight = mk / mk.sum(axis=1, keepdims=True)  # (N, L), rows sum to 1
        self.flat_target = np.arange(L) * V + tok  # (N, L)
        self.onehot = np.zeros((N, L * V))
        np.put_along_axis(self.onehot, self.flat_target, 1.0, axis=1)
        self.set_lr(recipe.lr)

    def set_lr(self, lr: float) -> None:
        """Change the learning rate; Adam keeps its moments. The same rate again is a no-op."""
        if getattr(self, "_lr_in_use", None) == lr:
            return
        self._lr_in_use = lr
        r = self.recipe
        self.recipe = replace(r, lr=lr) if lr != r.lr else r
        if r.batch_size == 1 and r.optimizer == "sgd":
            self.fast = FastSGD1(self.params, lr)
            uniform = bool(np.all(self.data.maskable))
            w = self.weight[:, :, None]  # (N, L, 1)
            self.scale = (np.full(len(w), -lr / self.data.seq_len) if uniform
                          else -lr * w)
            self.opt = None
        else:
            self.fast = None
            if getattr(self, "opt", None) is not None and isinstance(self.opt, Adam):
                self.opt.lr = lr
            else:
                self.opt = Adam(self.params, lr) if r.optimizer == "adam" else SGD(self.params, lr)

    def _draw_epoch(self) -> dict:
        """Order, noise levels and masks for one epoch (same draws for any batch size)."""
        N, L = self.data.tokens.shape
        order = self.rng.permutation(N)
        t = self.rng.random(N)
        masked = (self.rng.random((N, L)) < t[:, None]) & self.data.maskable[order]
        noisy = np.where(masked, 1, self.data.tokens[order])
        return {"order": order, "t": t, "noisy": noisy, "pos": 0, "total": 0.0,
                "pt": np.empty((N, L)) if self.fast is not None else None}

    def _advance_fast(self, ep: dict, deadline: float) -> bool:
        """Batch-1 SGD steps from ``ep["pos"]`` until the epoch ends (True) or time is up."""
        order, t, noisy, pt = ep["order"], ep["t"], ep["noisy"], ep["pt"]
        f, ft, oh, sc = self.fast, self.flat_target, self.onehot, self.scale
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
        order, t, noisy = ep["order"], ep["t"], ep["noisy"]
        N = len(order)
        B = self.recipe.batch_size
        while ep["pos"] < N:
            s = ep["pos"]
            idx = order[s : s + B]
            n = len(idx)
            loss, grad = loss_and_grad(self.params, noisy[s : s + n], t[s : s + n],
                                       self.data.tokens[idx], self.weight[idx] / n)
            self.opt.step(grad)
            ep["total"] += loss * n
            ep["pos"] += n
            self.steps += 1
            if time.perf_counter() >= deadline and ep["pos"] < N:
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
        out = []
        deadline = math.inf if max_seconds is None else time.perf_counter() + max_seconds
        advance = self._advance_fast if self.fast is not None else self._advance_batched
        while len(out) < epochs and not self.diverged:
            if self._epoch is None:
                self._epoch = self._draw_epoch()
            with np.errstate(all="ignore"):
                complete = advance(self._epoch, deadline)
            if not complete:
                break
            loss = self._epoch["total"] / len(self._epoch["order"])
            self._epoch = None
            if not (math.isfinite(loss) and np.isfinite(self.params.flat).all()):
                self.diverged = True
                break
            out.append(loss)
            self.history.append(loss)
            if callback is not None:
                callback(len(self.history), loss)
            if time.perf_counter() >= deadline:
                break
        return out
