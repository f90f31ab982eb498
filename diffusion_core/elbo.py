"""The likelihood bound in bits per character: the MDLM / MD4 continuous-time ELBO.

For masking noise with the linear schedule (each maskable character hidden with
probability t, t ~ U(0, 1)) the negative ELBO of a clean row x_0 is

    NELBO(x_0) = ∫_0^1 (1/t) E_{x_t | x_0}[ Σ_{masked i} −log p(x_0^i | x_t, t) ] dt

(Sahoo et al. 2024, MDLM, arXiv:2406.07524, its continuous-time NELBO with
α_t = 1 − t; Shi et al. 2024, MD4, arXiv:2406.04329). It bounds −log p(x_0) of the model's
sampler in the limit of many steps, and it is tight for the exact posterior: the
oracle's NELBO is the entropy of the data.

Stratified on k, the number of masked positions (m of them maskable): a mask
with k hidden has probability t^k (1−t)^(m−k), and ∫ (1/t) C(m,k) t^k (1−t)^(m−k) dt
= C(m,k) B(k, m−k+1) = 1/k. So

    NELBO(x_0) = Σ_{k=1}^{m} E[ (1/k) Σ_{i∈S} −log p(x_0^i | x_S, t) ],
    S a uniform k-subset,  t | k ~ Beta(k, m−k+1)

(the any-order form: the mean loss per masked position, summed over k). Beta(k,
m−k+1) is the 1/t-weighted law of t given k; under the plain forward process t | k
~ Beta(k+1, m−k+1), P(k) = 1/(m+1) and E[1/t | k] = (m+1)/k, which gives the same
weight 1/k. Per character: divide by m and by ln 2.

For the names every position (pads included) is maskable, m = L = 7, so the 40
distinct names give log2(40)/7 = 0.7603 bits per character for the oracle. For the
translator only the answer region (after ``>``, pads included) is masked: the
bound is on −log p(answer | question), per answer-region position.

Three ways to compute it (all in bits per character, as :class:`Elbo`):

* :func:`exact` enumerates every mask and integrates t (analytically for the
  oracle, which ignores t): the oracle gives log2(40)/7 to 1e-15;
* :func:`estimate`, the live figure during training: random orders, one row per
  (order, k), about 1,100 rows for the names; standard error about 0.012 bits;
* :func:`precise`, after training: every mask, t drawn twice each (10,160 rows
  for the names); standard error below 0.001 bits.

    >>> estimate(OracleDenoiser(builtin("names")), builtin("names")).bits_per_char
    0.760275442126766
    >>> precise(default_model_seed_0, builtin("names"))   # 500 epochs, Adam 0.01
    Elbo(bits_per_char=0.8798, stderr=0.0008, entropy_bits_per_char=0.7603, ...)
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass

import numpy as np

from .dataset import MASK_ID, Dataset
from .model import Params, forward
from .pieces import run_chunks

LN2 = math.log(2.0)
FAST_ROWS = 1200  # denoiser rows for the live curve during training (4 orders per name)
PRECISE_ROWS = 20_000  # rows after training when the masks cannot be enumerated
MAX_ROWS = 50_000
CHUNK_ROWS = 512  # rows per denoiser call: small WebAssembly memory peaks
EXACT_ROWS = 200_000  # rows (masks x quadrature nodes) for :func:`exact`


@dataclass(frozen=True)
class Elbo:
    """A NELBO in bits per character with its standard error (0 when exact)."""

    bits_per_char: float
    stderr: float
    entropy_bits_per_char: float  # the data's own entropy, the oracle's value
    rows: int  # denoiser rows evaluated (0: none, e.g. a closed form)
    exact: bool

    def to_json(self) -> dict:
        return asdict(self)


def as_denoiser(model):
    """A ``denoiser(x (B, L) ids, t (B,)) -> (B, L, V) probs`` for Params or a callable."""
    if isinstance(model, Params):
        return lambda x, t: forward(model, x, t)[0]
    return model


def row_nll(data: Dataset) -> np.ndarray:
    """Each row's -ln p(row) under the data's empirical distribution, nats, shape (n,).

    Duplicates are counted: a name written c times in n rows has p = c / n. For the
    translator, p is the answer's probability given its question (c over the count of
    rows with that question).
    """
    counts = Counter(data.entries)
    if data.task == "translate":
        q_counts = Counter(e.split(">", 1)[0] for e in data.entries)
        return np.array([math.log(q_counts[e.split(">", 1)[0]] / counts[e]) for e in data.entries])
    return np.array([math.log(len(data.entries) / counts[e]) for e in data.entries])


def entropy_bits_per_char(data: Dataset) -> float:
    """Entropy of the empirical data distribution (duplicates counted) per maskable position.

    Names: H(rows) / L, e.g. log2(40) / 7 = 0.7603 for 40 distinct names. Translator:
    H(answer | question) / mean answer-region length (pads included).
    """
    m_mean = float(data.maskable.sum(axis=1).mean())
    return float(row_nll(data).mean()) / math.log(2) / m_mean


def elbo_floor(data: Dataset) -> float:
    """The best possible training loss under the ELBO weighting, nats per maskable position.

    The ELBO weighting (:func:`model.loss_weights` "elbo") gives each row its masked
    positions' cross-entropy times 1/(t m), m its maskable positions. With the exact
    posterior the negative ELBO of a row is its exact -log p(row) (an average over
    reveal orders of the chain rule, every order exact: MDLM, Sahoo et al. 2024,
    arXiv:2406.07524, and Ou et al. 2024, arXiv:2406.03736), so the floor is the mean
    over rows of -ln p(row) / m, with p the data's empirical distribution (duplicates
    counted; the translator's answer given its question). Names: ln(40) / 7 = 0.527 for
    the 40 built-in names, :func:`entropy_bits_per_char` times ln 2. The plain
    weighting's floor is :func:`metrics.loss_floor`, which is lower (0.394).
    """
    return float(np.mean(row_nll(data) / data.maskable.sum(axis=1)))


def _masks(pos: np.ndarray, L: int) -> np.ndarray:
    """Every subset of the maskable positions ``pos``: (2^m, L) bool."""
    m = len(pos)
    bits = ((np.arange(2**m)[:, None] >> np.arange(m)[None, :]) & 1).astype(bool)
    out = np.zeros((2**m, L), dtype=bool)
    out[:, pos] = bits
    return out


def exact(model, data: Dataset, panels: int | None = None) -> Elbo:
    """The NELBO by enumerating every mask of every entry.

    Parameters
    ----------
    model : Params or a denoiser callable
    panels : None integrates t analytically, which is exact only for a denoiser that
        ignores t (the oracle): a k-of-m mask gets weight B(k, m−k+1). An integer
        integrates t numerically (composite 8-point Gauss–Legendre on ``panels``
        equal pieces of [0, 1]) for a denoiser that reads t, such as the network.

    Raises ValueError when the enumeration exceeds :data:`EXACT_ROWS`.
    """
    den = as_denoiser(model)
    N, L = data.tokens.shape
    m_all = data.maskable.sum(axis=1)
    q = 1 if panels is None else 8 * panels
    if int(np.sum(2.0**m_all - 1)) * q > EXACT_ROWS:
        raise ValueError("too many masks to enumerate; use the estimate instead")
    if panels is not None:
        g, gw = np.polynomial.legendre.leggauss(8)
        edges = np.linspace(0.0, 1.0, panels + 1)
        tq = ((edges[:-1, None] + edges[1:, None]) / 2 + g[None, :] / (2 * panels)).ravel()
        wq = np.tile(gw / (2 * panels), panels)
    x0s, hs, ts, ws = [], [], [], []
    for n in range(N):
        hidden = _masks(np.flatnonzero(data.maskable[n]), L)[1:]  # k >= 1
        k, m = hidden.sum(axis=1), int(m_all[n])
        if panels is None:
            w = np.array([math.factorial(j - 1) * math.factorial(m - j) / math.factorial(m)
                          for j in k])
            t = np.full(len(k), 0.5)
        else:
            w = (wq[None, :] * tq[None, :] ** (k[:, None] - 1.0)
                 * (1 - tq[None, :]) ** (m - k[:, None])).ravel()
            hidden, t = np.repeat(hidden, len(tq), axis=0), np.tile(tq, len(k))
        x0s.append(np.repeat(data.tokens[n : n + 1], len(hidden), axis=0))
        hs.append(hidden)
        ts.append(t)
        ws.append(w / N)
    x0, hidden, t, w = (np.concatenate(a) for a in (x0s, hs, ts, ws))
    total = float(w @ np.where(hidden, _nll_rows(den, x0, hidden, t), 0.0).sum(axis=1))
    return Elbo(total / float(m_all.mean()) / LN2, 0.0, entropy_bits_per_char(data),
                len(w), True)


def _nll_rows(den, x0, hidden, t, chunk: int = CHUNK_ROWS) -> np.ndarray:
    """(B, L) −log p(x_0^i | x_t, t) at every position, in chunks (small WebAssembly peaks)."""
    out = []
    for s in range(0, len(x0), chunk):
        noisy = np.where(hidden[s : s + chunk], MASK_ID, x0[s : s + chunk])  # (b, L)
        probs = den(noisy, t[s : s + chunk])  # (b, L, V)
        p = np.take_along_axis(probs, x0[s : s + chunk, :, None], axis=2)[:, :, 0]
        with np.errstate(divide="ignore"):
            out.append(np.minimum(-np.log(p), 1e6))
    return np.concatenate(out)


def _orders(data: Dataset, entries: np.ndarray, per_entry: int, rng: np.random.Generator):
    """One row per (entry, order, k): the first k positions of a random order are masked.

    Returns x0 (B, L), hidden (B, L), t (B,), newest (B,) the k-th position of the order,
    and group (B,) = index of the (entry, order) pair.
    """
    mk = data.maskable[np.repeat(entries, per_entry)]  # (G, L), G = entries x orders
    keys = np.where(mk, rng.random(mk.shape), np.inf)
    order = np.argsort(keys, axis=1)  # maskable positions first, in random order
    rank = np.argsort(order, axis=1)  # (G, L) place of each position in the order
    m = mk.sum(axis=1)  # (G,)
    group = np.repeat(np.arange(len(mk)), m)  # one row for each k = 1 .. m of each group
    k = np.arange(len(group)) - np.repeat(np.cumsum(m) - m, m) + 1  # (B,)
    hidden = rank[group] < k[:, None]  # (B, L)
    newest = order[group, k - 1]
    t = rng.beta(k, m[group] - k + 1)
    x0 = data.tokens[np.repeat(entries, per_entry)][group]
    return x0, hidden, t, newest, group


def estimate(model, data: Dataset, rows: int = FAST_ROWS, seed: int = 0) -> Elbo:
    """Unbiased any-order estimate of the NELBO with its standard error.

    For each entry, ``P`` random orders of its maskable positions; for each order and
    each k = 1 .. m one row with the first k positions of the order masked and
    t ~ Beta(k, m−k+1), scored by −log p of the k-th position only. The k-th position
    is uniform in the masked set, so each row is an unbiased draw of the k-th stratum
    of the stratified identity above; coupling the sets through one order makes the
    sum over k a chain rule, so for the exact posterior every order gives exactly
    −log p(x_0): zero variance (the order-agnostic objective of Uria et al. 2014,
    arXiv:1310.1757; Hoogeboom et al. 2022, ARDM, arXiv:2110.02037; shown equal to the
    absorbing-diffusion ELBO by Ou et al. 2024, arXiv:2406.03736).

    Parameters
    ----------
    rows : budget of denoiser rows. ``P = rows // Σ m`` orders per entry (2 to 64); if
        two orders per entry do not fit, a random subset of entries is used and the
        standard error includes the entry-to-entry spread (two-stage sampling).
    seed : a fixed seed draws the same orders and t every call (a smooth live curve).
    """
    if not 2 * data.seq_len <= rows <= MAX_ROWS:
        raise ValueError(f"rows must be between {2 * data.seq_len} and {MAX_ROWS}")
    den = as_denoiser(model)
    rng = np.random.default_rng(seed)
    N = len(data.entries)
    m_all = data.maskable.sum(axis=1)
    P = int(np.clip(rows // int(m_all.sum()), 2, 64))
    E = min(N, max(2, rows // (P * int(m_all.max()))))
    entries = np.arange(N) if E == N else np.sort(rng.choice(N, E, replace=False))
    x0, hidden, t, newest, group = _orders(data, entries, P, rng)
    nll = _nll_rows(den, x0, hidden, t)[np.arange(len(x0)), newest]  # (B,)
    total = np.bincount(group, weights=nll, minlength=E * P).reshape(E, P)  # nats per order
    per_entry = total.mean(axis=1)  # (E,)
    within = float(total.var(axis=1, ddof=1).mean())
    f = E / N
    between = float(per_entry.var(ddof=1)) if E > 1 else 0.0
    var = (1 - f) * between / E + f * within / (E * P)
    scale = 1.0 / float(m_all.mean()) / LN2
    return Elbo(float(per_entry.mean()) * scale, math.sqrt(var) * scale,
                entropy_bits_per_char(data), len(x0), False)


class MaskEnumeration:
    """The NELBO with every mask of every entry and ``t_draws`` draws of t for each, in pieces.

    Each k-of-m mask gets weight 1/(k C(m,k)) and t ~ Beta(k, m−k+1); only t is random,
    so the standard error (from the spread of the ``t_draws`` per mask) is small: this
    is the precise figure after training. :meth:`advance` scores chunks of
    :data:`CHUNK_ROWS` rows until its time is up, so a worker can answer other requests
    between pieces; the result does not depend on how the work is cut.
    Raises ValueError beyond :data:`PRECISE_ROWS` rows.
    """

    def __init__(self, model, data: Dataset, t_draws: int = 2, seed: int = 0):
        N, L = data.tokens.shape
        m_all = data.maskable.sum(axis=1)
        if int(np.sum(2.0**m_all - 1)) * t_draws > PRECISE_ROWS or t_draws < 2:
            raise ValueError("too many masks to enumerate (or fewer than 2 draws of t)")
        self.den, self.data = as_denoiser(model), data
        rng = np.random.default_rng(seed)
        self.hidden = np.concatenate([_masks(np.flatnonzero(data.maskable[n]), L)[1:]
                                      for n in range(N)])  # (M, L)
        entry = np.repeat(np.arange(N), 2**m_all - 1)
        k, m = self.hidden.sum(axis=1), m_all[entry]
        self.w = 1.0 / (k * np.array([math.comb(a, b) for a, b in zip(m, k)])) / N  # (M,)
        self.x0 = data.tokens[entry]
        self.t = [rng.beta(k, m - k + 1) for _ in range(t_draws)]  # (M,) per draw
        self.y = np.empty((t_draws, len(k)))  # nats per row, summed over masked positions
        self.scored = 0  # rows scored so far, draw after draw

    @property
    def done(self) -> bool:
        return self.scored == self.y.size

    def advance(self, max_seconds: float | None = None) -> bool:
        """Score chunks until every row is scored (True) or ``max_seconds`` is up
        (:func:`pieces.run_chunks`)."""
        return self.done or run_chunks(self._chunk, max_seconds)

    def _chunk(self) -> bool:
        j, a = divmod(self.scored, self.y.shape[1])
        b = min(self.y.shape[1], a + CHUNK_ROWS)
        nll = _nll_rows(self.den, self.x0[a:b], self.hidden[a:b], self.t[j][a:b])
        self.y[j, a:b] = np.where(self.hidden[a:b], nll, 0.0).sum(axis=1)
        self.scored += b - a
        return self.done

    def result(self) -> Elbo:
        """The bound in bits per character; raises ValueError before :attr:`done`."""
        if not self.done:
            raise ValueError("the enumeration has not finished")
        y, w, t_draws = self.y, self.w, len(self.t)
        scale = 1.0 / float(self.data.maskable.sum(axis=1).mean()) / LN2
        var = float(np.sum(w**2 * y.var(axis=0, ddof=1))) / t_draws
        return Elbo(float(w @ y.mean(axis=0)) * scale, math.sqrt(var) * scale,
                    entropy_bits_per_char(self.data), y.size, False)


def enumerate_masks(model, data: Dataset, t_draws: int = 2, seed: int = 0) -> Elbo:
    """:class:`MaskEnumeration` in one go."""
    job = MaskEnumeration(model, data, t_draws, seed)
    job.advance()
    return job.result()


def precise(model, data: Dataset, seed: int = 0) -> Elbo:
    """The after-training figure: every mask when that fits, else a large any-order estimate."""
    try:
        return enumerate_masks(model, data, seed=seed)
    except ValueError:
        return estimate(model, data, rows=PRECISE_ROWS, seed=seed)


def of_oracle(data: Dataset) -> Elbo:
    """The oracle's NELBO: exact when the masks can be enumerated, else any-order (and
    then exact per entry, so the error is only the entry sampling)."""
    from .oracle import OracleDenoiser
    oracle = OracleDenoiser(data)
    try:
        return exact(oracle, data)
    except ValueError:
        return estimate(oracle, data, rows=PRECISE_ROWS)
