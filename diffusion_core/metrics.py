"""Honest numbers: the Bayes-optimal loss floor, the evaluated loss, novelty, accuracy.

The loss floor. With t ~ U(0, 1) and each character masked with probability t,
the best any denoiser can do is the posterior over the training examples given
the visible characters: every example that agrees with them is equally likely
(each is masked the same way with the same probability). A masked position then
gets ``-log(share of those examples having the true character there)`` and a
visible one gets 0. For the 40 names this is about 0.395 nats per position, not
zero: when most of a name is hidden, several names fit and the model must hedge.

It is computed exactly when the number of mask patterns is small (integrating t
analytically: a pattern with k of m positions masked has probability
``k! (m-k)! / (m+1)!``), and by Monte Carlo with a standard error otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .corruption import corrupt
from .dataset import MASK_ID, PAD_ID, Dataset
from .model import Params, forward


@dataclass(frozen=True)
class Estimate:
    """A mean with its standard error (0 for exact values) and the sample count."""

    mean: float
    stderr: float
    n: int

    def to_json(self) -> dict:
        return {"mean": self.mean, "stderr": self.stderr, "n": self.n}


def _bayes_losses(data: Dataset, rows: np.ndarray, noisy: np.ndarray) -> np.ndarray:
    """Loss of the Bayes-optimal denoiser for each corrupted row of ``rows``.

    >>> # "dev____" with "d" visible: only "dev" and "dhruv", "diya" fit, so p("e") = 1/3 at 1
    """
    tok, mk = data.tokens, data.maskable
    hidden = noisy == MASK_ID  # (B, L)
    # example j fits row b if it agrees where visible and may be masked where hidden
    agree = (tok[None, :, :] == noisy[:, None, :]) | (hidden[:, None, :] & mk[None, :, :])
    fits = agree.all(axis=2)  # (B, N)
    n_fit = fits.sum(axis=1)  # (B,), >= 1: the row's own example fits
    truth = tok[rows]  # (B, L)
    same = tok[None, :, :] == truth[:, None, :]  # (B, N, L)
    p_true = np.einsum("bn,bnl->bl", fits.astype(float), same.astype(float)) / n_fit[:, None]
    w = mk[rows] / mk[rows].sum(axis=1, keepdims=True)
    return -np.sum(np.where(hidden, w * np.log(p_true), 0.0), axis=1)


def loss_floor(data: Dataset, n: int = 20000, seed: int = 0,
               exact_budget: int = 2_000_000, mc_budget: int = 50_000_000) -> Estimate:
    """Expected loss of the Bayes-optimal denoiser, per position (nats).

    Exact when ``sum over examples of 2^m * N * L`` is within ``exact_budget``,
    else Monte Carlo over ``n`` draws of example, t and mask. Each draw costs
    N * L comparisons, so for large datasets ``n`` shrinks to fit ``mc_budget``
    (never below 2,000 draws); the standard error says how precise it is.
    """
    tok, mk = data.tokens, data.maskable
    N, L = tok.shape
    m_per = mk.sum(axis=1)
    if int(np.sum(2.0 ** m_per)) * N * L <= exact_budget:
        total = 0.0
        for i in range(N):
            pos = np.flatnonzero(mk[i])
            m = len(pos)
            bits = (np.arange(2**m)[:, None] >> np.arange(m)[None, :]) & 1  # (2^m, m)
            noisy = np.repeat(tok[i : i + 1], 2**m, axis=0)
            noisy[:, pos] = np.where(bits == 1, MASK_ID, noisy[:, pos])
            k = bits.sum(axis=1)
            prob = np.array([math.factorial(j) * math.factorial(m - j) for j in k])
            prob = prob / math.factorial(m + 1)  # P(pattern) with t ~ U(0, 1) integrated out
            total += float(prob @ _bayes_losses(data, np.full(2**m, i), noisy))
        return Estimate(total / N, 0.0, 0)
    n = max(2000, min(n, mc_budget // (N * L)))
    rng = np.random.default_rng(seed)
    losses = []
    for s in range(0, n, 500):
        b = min(500, n - s)
        rows = rng.integers(0, N, b)
        noisy, _ = corrupt(tok[rows], rng.random(b), mk[rows], rng)
        losses.append(_bayes_losses(data, rows, noisy))
    x = np.concatenate(losses)
    return Estimate(float(x.mean()), float(x.std(ddof=1) / math.sqrt(len(x))), len(x))


def model_losses(p: Params, data: Dataset, rows, noisy, t) -> np.ndarray:
    """Per-row loss of a model on corrupted rows (the training objective)."""
    probs, _ = forward(p, noisy, t)
    tok = data.tokens[rows]
    pt = np.take_along_axis(probs, tok[:, :, None], axis=2)[:, :, 0]
    w = data.maskable[rows] / data.maskable[rows].sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore"):
        return -np.sum(w * np.log(pt), axis=1)


def _fresh_draws(data: Dataset, n: int, rng: np.random.Generator):
    N = len(data.entries)
    rows = rng.integers(0, N, n)
    t = rng.random(n)
    noisy, _ = corrupt(data.tokens[rows], t, data.maskable[rows], rng)
    return rows, noisy, t


def eval_loss(p: Params, data: Dataset, n: int = 20000, seed: int = 12345) -> Estimate:
    """Expected training loss over ``n`` fresh draws of example, t and mask."""
    rng = np.random.default_rng(seed)
    rows, noisy, t = _fresh_draws(data, n, rng)
    x = _chunked_losses(p, data, rows, noisy, t)
    return Estimate(float(x.mean()), float(x.std(ddof=1) / math.sqrt(n)), n)


def _chunked_losses(p: Params, data: Dataset, rows, noisy, t, chunk: int = 500) -> np.ndarray:
    """``model_losses`` in chunks: small peaks keep WebAssembly memory from growing."""
    return np.concatenate([model_losses(p, data, rows[s : s + chunk], noisy[s : s + chunk],
                                        t[s : s + chunk]) for s in range(0, len(rows), chunk)])


def loss_by_t(p: Params, data: Dataset, buckets: int = 10, n: int = 5000,
              seed: int = 7) -> list[dict]:
    """Mean model loss for t in ``buckets`` equal bins: high t is where it must guess."""
    rng = np.random.default_rng(seed)
    rows, noisy, t = _fresh_draws(data, n, rng)
    loss = _chunked_losses(p, data, rows, noisy, t)
    b = np.minimum((t * buckets).astype(int), buckets - 1)
    return [{"t_lo": i / buckets, "t_hi": (i + 1) / buckets,
             "loss": float(loss[b == i].mean()) if np.any(b == i) else None}
            for i in range(buckets)]


def is_valid(ids) -> bool:
    """Letters, then pads: no mask, no pad inside, at least one letter.

    >>> is_valid([5, 3, 0, 0]), is_valid([5, 0, 3, 0]), is_valid([1, 3, 0, 0])
    (True, False, False)
    """
    ids = list(ids)
    n = len(ids) - len([i for i in ids if i == PAD_ID])
    return n > 0 and all(i not in (PAD_ID, MASK_ID) for i in ids[:n]) and \
        all(i == PAD_ID for i in ids[n:])


def novelty(samples: list[str], data: Dataset) -> float:
    """Share of samples that are not training examples."""
    if not samples:
        return 0.0
    seen = set(data.entries)
    return sum(s not in seen for s in samples) / len(samples)
