"""The denoiser: a one-hidden-layer MLP over the whole sequence, with hand-written backprop.

    tokens (L,) -> embed (L, E) -> flatten (L*E) ++ [t] -> Linear -> ReLU (H) -> Linear (L*V)
    -> softmax at each of the L positions.

It is the model of the "Text Diffusion, Tiny" page: every position is predicted
at once from the whole corrupted sequence and the noise level t (the time
conditioning of Austin et al. 2021, D3PM, and Sahoo et al. 2024, MDLM, shrunk to
an MLP).

Storage. All weights live in one flat float64 vector so that an optimiser can
update them with one numpy call. Two of the views are *augmented*: the bias is
kept as an extra row of its weight matrix and t has a row of its own, so the
first layer's input is ``[e_1 .. e_L, t, 1]``::

    emb (V, E)             token embeddings
    W1  (L*E + 2, H)       rows: L*E embedding features, then t, then the bias b1
    W2  (H + 1, L*V)       rows: H hidden units, then the bias b2

In the seed's notation W1 here is ``[W1; w_t; b1]`` and W2 is ``[W2; b2]``.
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass, fields

import numpy as np

# numpy in Pyodide (WebAssembly) has no BLAS: there ``np.einsum`` multiplies these
# shapes 1.2-5x faster than ``@`` (measured in Pyodide 0.27.7 for batches of 7 to 2800
# rows); elsewhere ``@`` calls BLAS and is the fast one. Both give the same numbers up to
# the order of a sum (about 1e-16 relative).
IN_BROWSER = sys.platform == "emscripten"


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for 2-D ``a`` (B, K) and ``b`` (K, N): einsum in Pyodide, BLAS elsewhere."""
    return np.einsum("bi,ij->bj", a, b) if IN_BROWSER else a @ b


@dataclass(frozen=True)
class ModelConfig:
    """Every size of the denoiser. Saved with the weights."""

    seq_len: int  # L: characters per row, pads included (7 for the names)
    vocab_size: int  # V: pad, mask, [>], letters (22 for the names)
    embed_dim: int = 8  # E: size of each token embedding
    hidden: int = 128  # H: hidden ReLU units (the seed: 128 names, 96 translate)
    embed_init_std: float = 0.3  # std of the N(0, s^2) embedding init

    @property
    def n_in(self) -> int:
        """Inputs to the hidden layer: L*E embedding features plus t (the seed's 57)."""
        return self.seq_len * self.embed_dim + 1

    @property
    def n_out(self) -> int:
        return self.seq_len * self.vocab_size

    @property
    def shapes(self) -> dict[str, tuple[int, int]]:
        """Shapes of the stored (augmented) weight matrices."""
        return {
            "emb": (self.vocab_size, self.embed_dim),
            "W1": (self.n_in + 1, self.hidden),
            "W2": (self.hidden + 1, self.n_out),
        }

    @property
    def n_params(self) -> int:
        """Trainable numbers; the seed's names model has 27,466."""
        return sum(a * b for a, b in self.shapes.values())

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, obj: dict) -> ModelConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(obj) - known
        if unknown:
            raise ValueError(f"unknown config keys: {', '.join(sorted(unknown))}")
        cfg = cls(**obj)
        if min(cfg.seq_len, cfg.vocab_size, cfg.embed_dim, cfg.hidden) < 1:
            raise ValueError("config sizes must be positive")
        return cfg


class Params:
    """The weights: one flat vector ``flat`` and named views into it."""

    def __init__(self, config: ModelConfig, flat: np.ndarray | None = None):
        self.config = config
        self.flat = np.zeros(config.n_params) if flat is None else flat
        if self.flat.shape != (config.n_params,):
            raise ValueError(f"expected {config.n_params} weights, got {self.flat.shape}")
        self.views = {}
        at = 0
        for name, (r, c) in config.shapes.items():
            self.views[name] = self.flat[at : at + r * c].reshape(r, c)
            at += r * c
        self.emb, self.W1, self.W2 = self.views["emb"], self.views["W1"], self.views["W2"]

    @classmethod
    def init(cls, config: ModelConfig, rng: np.random.Generator) -> Params:
        """N(0, 0.3^2) embeddings; He-normal W1, W2 (std sqrt(2 / fan_in)); zero biases."""
        p = cls(config)
        c = config
        p.emb[:] = rng.normal(0.0, c.embed_init_std, p.emb.shape)
        p.W1[:-1] = rng.normal(0.0, np.sqrt(2.0 / c.n_in), (c.n_in, c.hidden))
        p.W2[:-1] = rng.normal(0.0, np.sqrt(2.0 / c.hidden), (c.hidden, c.n_out))
        return p

    def copy(self) -> Params:
        return Params(self.config, self.flat.copy())


def forward(p: Params, x: np.ndarray, t: np.ndarray):
    """Predict every position of a batch of corrupted rows.

    Parameters
    ----------
    p : Params
    x : (B, L) int token ids, the mask token where corrupted
    t : (B,) float noise levels in [0, 1]

    Returns
    -------
    probs : (B, L, V) softmax over the vocabulary at each position
    cache : what :func:`backward` needs
    """
    B, L = x.shape
    c = p.config
    inp = np.empty((B, c.n_in + 1))  # (B, L*E + 2): [embeddings, t, 1]
    inp[:, :-2] = p.emb[x].reshape(B, L * c.embed_dim)
    inp[:, -2] = t
    inp[:, -1] = 1.0
    hid = np.empty((B, c.hidden + 1))  # (B, H + 1): [relu, 1]
    np.maximum(matmul(inp, p.W1), 0.0, out=hid[:, :-1])
    hid[:, -1] = 1.0
    logits = matmul(hid, p.W2).reshape(B, L, c.vocab_size)  # (B, L, V)
    logits -= logits.max(axis=2, keepdims=True)
    probs = np.exp(logits)
    probs /= probs.sum(axis=2, keepdims=True)
    return probs, (x, inp, hid)


def backward(p: Params, dlogits: np.ndarray, cache) -> np.ndarray:
    """Gradient of the loss w.r.t. all weights, as a flat vector like ``p.flat``.

    Parameters
    ----------
    dlogits : (B, L, V) gradient w.r.t. the pre-softmax logits
    cache : from :func:`forward`
    """
    x, inp, hid = cache
    B, L = x.shape
    c = p.config
    g = Params(c)
    d2 = dlogits.reshape(B, c.n_out)  # (B, L*V)
    g.W2[:] = hid.T @ d2  # (H+1, L*V)
    dhid = d2 @ p.W2[:-1].T  # (B, H)
    dhid *= hid[:, :-1] > 0  # ReLU
    g.W1[:] = inp.T @ dhid  # (L*E+2, H)
    dinp = dhid @ p.W1[:-2].T  # (B, L*E)
    np.add.at(g.emb, x.ravel(), dinp.reshape(B * L, c.embed_dim))
    return g.flat


def loss_weights(maskable: np.ndarray, masked: np.ndarray, t: np.ndarray,
                 weighting: str = "uniform") -> np.ndarray:
    """Per-position loss weights of a batch, each row summing to 1 on average; shape (B, L).

    Parameters
    ----------
    maskable : (B, L) bool, where masking may happen
    masked : (B, L) bool, where it happened
    t : (B,) noise levels
    weighting : "uniform" or "elbo"

    "uniform" is the seed's: cross-entropy at every maskable position, visible
    ones included, averaged (1/m each for m maskable positions).

    "elbo" is the continuous-time negative ELBO of masked diffusion with the
    linear schedule alpha_t = 1 - t (Sahoo et al. 2024, MDLM, arXiv:2406.07524,
    eq. 11): E_t E_q [ -alpha'_t / (1 - alpha_t) * sum over masked positions of
    -log p(x_l | z_t) ] with -alpha'_t / (1 - alpha_t) = 1/t. Visible positions
    get weight 0 (the carry-over of unmasked tokens), masked ones 1/(t m).
    Dividing by m makes it nats per maskable position, the scale of "uniform":
    a position is masked with probability t, so E[weight] = 1/m per position.
    """
    m = maskable.sum(axis=1, keepdims=True)  # (B, 1)
    if weighting == "uniform":
        return maskable / m
    if weighting != "elbo":
        raise ValueError(f"weighting must be uniform or elbo, not {weighting!r}")
    tt = np.asarray(t, dtype=float).reshape(-1, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(masked & maskable, 1.0 / (tt * m), 0.0)  # masked implies t > 0


def loss_and_grad(p: Params, x, t, target, weight):
    """Cross-entropy and its gradient for a batch.

    Parameters
    ----------
    x : (B, L) corrupted ids
    t : (B,) noise levels
    target : (B, L) clean ids
    weight : (B, L) loss weight per position; each row sums to 1/B
             (names: 1/(B*L) everywhere; translate: spread over the answer region)

    Returns
    -------
    loss : float, sum(weight * -log p(target))
    grad : flat gradient, like ``p.flat``
    """
    probs, cache = forward(p, x, t)
    B, L = x.shape
    rows = np.arange(B)[:, None]
    cols = np.arange(L)[None, :]
    pt = probs[rows, cols, target]  # (B, L)
    loss = -float(np.sum(weight * np.log(pt)))
    probs[rows, cols, target] -= 1.0
    probs *= weight[:, :, None]
    return loss, backward(p, probs, cache)
