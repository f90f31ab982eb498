"""Honest numbers: the Bayes-optimal loss floor, the evaluated loss, novelty, accuracy.

The loss floor. With t ~ U(0, 1) and each character masked with probability t,
the best any denoiser can do is the posterior over the training examples given
the visible characters: every example that agrees with them is equally likely
(each is masked the same way with the same probability). A masked position then
gets ``-log(share of those examples having the true character there)`` and a
visible one gets 0. For the 40 names this is about 0.395 nats per position, not
zero: when most of a name is hidden, several names fit and the model must hedge.

It is computed exactly (:class:`BayesFloor`): t is integrated analytically (a
pattern with k of m positions masked has probability ``k! (m-k)! / (m+1)!``) and
the rows that fit each mask pattern are found by grouping, not one by one, so
2,000 pasted names take a fraction of a second. The same sums give the floor in
any band of t, drawn next to :func:`loss_by_t`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .corruption import corrupt
from .dataset import MASK_ID, PAD_ID, Dataset
from .model import Params, forward
from .oracle import fits
from .pieces import run_chunks


@dataclass(frozen=True)
class Estimate:
    """A mean with its standard error (0 for exact values) and the sample count."""

    mean: float
    stderr: float
    n: int

    def to_json(self) -> dict:
        return {"mean": self.mean, "stderr": self.stderr, "n": self.n}


def _bayes_losses(data: Dataset, rows: np.ndarray, noisy: np.ndarray) -> np.ndarray:
    """Loss of the Bayes-optimal denoiser (:class:`oracle.OracleDenoiser`) per corrupted row.

    Parameters
    ----------
    rows : (B,) index of each row's clean training entry
    noisy : (B, L) ids, ``MASK_ID`` where hidden

    Returns (B,) losses in nats per position, e.g. names ``"d??????"`` from "dev": only
    "dev", "dhruv", "diya" fit, so position 1 costs ``-log(1/3)``.
    """
    tok, mk = data.tokens, data.maskable
    hidden = noisy == MASK_ID  # (B, L)
    f = fits(data, noisy).astype(float)  # (B, N)
    same = tok[None, :, :] == tok[rows][:, None, :]  # (B, N, L)
    p_true = np.einsum("bn,bnl->bl", f, same.astype(float)) / f.sum(axis=1)[:, None]
    w = mk[rows] / mk[rows].sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore"):
        return -np.sum(np.where(hidden, w * np.log(p_true), 0.0), axis=1)


def _band_weights(D: int, lo: float, hi: float) -> np.ndarray:
    """(D+1,) gamma_k = k pi_k - (D-k) pi_(k+1), with pi_k the chance of one given pattern
    of k masked among D columns when t ~ U(lo, hi): the mean of t^k (1-t)^(D-k) there.

    Over the whole range pi_k = k! (D-k)! / (D+1)! (a Beta integral). The integrand is a
    polynomial of degree D, so Gauss-Legendre with D // 2 + 1 nodes is exact.
    """
    x, w = np.polynomial.legendre.leggauss(D // 2 + 1)
    t = lo + (hi - lo) * (x + 1) / 2  # nodes mapped to [lo, hi]
    k = np.arange(D + 2)[:, None]
    pi = (t**k * (1 - t) ** np.maximum(D - k, 0) * (k <= D)) @ w / 2  # (D+2,)
    return k[:-1, 0] * pi[:-1] - (D - k[:-1, 0]) * pi[1:]


def _compact_rows(data: Dataset):
    """Rows cut down to the columns that decide the Bayes floor.

    Two rows can only fit the same corrupted row when their never-masked parts are equal
    (translate: the same question), so rows fall into classes. Inside a class a column
    that never varies is the same in every fitting row: masking it changes no posterior
    and costs nothing. Only the D columns that vary remain.

    Returns ``compact`` (N, D) ids (0 past a class's own varying columns), ``cls`` (N,)
    class ids, and ``m_c`` (C,) maskable positions per row of each class.
    """
    tok, mk = data.tokens, data.maskable
    fixed = np.where(mk, -1, tok)  # (N, L): the part that is never masked
    _, cls = np.unique(fixed, axis=0, return_inverse=True)
    cls = cls.ravel()
    order = np.argsort(cls, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(cls[order]) != 0])
    srt = tok[order]
    varies = (np.minimum.reduceat(srt, starts, axis=0)
              != np.maximum.reduceat(srt, starts, axis=0))  # (C, L)
    pos = np.cumsum(varies, axis=1) - 1  # compact index of each varying column
    D = int(varies.sum(axis=1).max())
    compact = np.zeros((len(tok), D), dtype=np.int64)
    r, col = np.nonzero(varies[cls])
    compact[r, pos[cls[r], col]] = tok[r, col]
    m_c = mk.sum(axis=1)[order][starts]
    return compact, cls, m_c


def _pack(compact: np.ndarray, cls: np.ndarray):
    """One int64 key per row: the class in the top bits, then each compact column's rank.

    Returns ``packed`` (N,), ``colmask`` (D,) bits of each column, the class shift.
    """
    N, D = compact.shape
    packed = np.zeros(N, dtype=np.int64)
    colmask = np.zeros(D, dtype=np.int64)
    shift = 0
    for j in range(D):
        _, code = np.unique(compact[:, j], return_inverse=True)
        bits = max(1, int(code.max()).bit_length())
        packed |= code.ravel().astype(np.int64) << shift
        colmask[j] = ((1 << bits) - 1) << shift
        shift += bits
    if shift + max(1, int(cls.max()).bit_length()) > 63:
        raise ValueError("the data are too varied for an exact loss floor")
    return packed | (cls.astype(np.int64) << shift), colmask, shift


class BayesFloor:
    """The expected loss of the Bayes-optimal denoiser, exact, overall or per band of t.

    For a row and a mask pattern M (a set of hidden columns), let n(M) be the number of
    training rows that fit it (:func:`oracle.fits`). Position l in M costs
    ``log n(M) - log n(M without l)`` (the fitting rows with the true character at l are
    those that fit with l shown). Summed over patterns, each pattern's log n(M) enters
    with weight ``gamma_k / m`` (:func:`_band_weights`, k = |M|, m maskable positions),
    so only ``S_k = sum over |M| = k and rows of log n(M) / m`` is needed. n(M) comes from
    sorting the rows' keys with M's columns blanked: equal keys form one group, and
    a group of s rows adds s log s. The bands reuse S_k.

    Cost: at most 2^D patterns (D <= 12 varying columns), each a sort of N keys, in
    blocks of ``block`` keys (1 MB). A pattern is skipped when one that hides a column
    more already has every row alone: showing a column never joins groups. 2,000 random
    12-letter names (exact floor 0.5482) took 0.2-0.35 s in CPython on a busy 2-core
    machine, with a 4.3 MB peak (tracemalloc).

    >>> BayesFloor(builtin("names")).mean()   # about 0.394 nats per position
    """

    def __init__(self, data: Dataset, block: int = 1 << 17):
        compact, cls, m_c = _compact_rows(data)
        self.N, self.D = len(compact), compact.shape[1]
        self.sums = np.zeros(self.D + 1)  # S_k
        if self.D == 0:  # every row alone in its class: the floor is 0
            return
        packed, colmask, shift = _pack(compact, cls)
        inv_m = 1.0 / m_c
        D = self.D
        pats = np.arange(2**D)
        hidden = (pats[:, None] >> np.arange(D)) & 1  # (2^D, D)
        keep = np.bitwise_or.reduce(np.where(hidden == 1, 0, colmask), axis=1)
        keep |= ~np.int64(0) << shift  # the class bits are always kept
        k_of = hidden.sum(axis=1)
        F = np.zeros(len(pats))  # sum of log n(M) / m over rows, per pattern
        shared = np.zeros(len(pats), dtype=bool)  # some group of M has two rows or more
        P = max(1, block // self.N)
        for k in range(D, -1, -1):  # most hidden first
            todo = pats[k_of == k]
            for j in range(D):  # two rows agree under M only if they do with j hidden too
                up = todo | (1 << j)
                todo = todo[(up == todo) | shared[up]]
            for s in range(0, len(todo), P):
                batch = todo[s : s + P]
                F[batch] = self._group_sums(packed[None, :] & keep[batch, None], shift, inv_m)
                shared[batch] = F[batch] > 0
        self.sums = np.bincount(k_of, weights=F, minlength=D + 1)

    def _group_sums(self, keys, shift, inv_m) -> np.ndarray:
        """Per pattern (row of ``keys``, (P, N), sorted here), sum of s log s / m over groups.

        ``same`` marks the positions i with key i+1 == key i (never a row's last column,
        so no group crosses rows). Groups are read from whichever is rarer: the ends
        (``same`` false), or the runs of ``same`` (a run of r is a group of r + 1 rows;
        singletons, most groups when few columns are hidden, then cost nothing).
        """
        keys.sort(axis=1)
        same = np.zeros(keys.shape, dtype=bool)
        np.equal(keys[:, 1:], keys[:, :-1], out=same[:, :-1])
        n_same = int(np.count_nonzero(same))
        if n_same == 0:
            return np.zeros(len(keys))
        if 2 * n_same > same.size:  # few, large groups: one entry per group
            at = np.flatnonzero(~same)  # the last row of each group
            size = np.diff(at, prepend=-1)
        else:  # many singletons: one entry per repeated key
            dup = np.flatnonzero(same)
            first = np.flatnonzero(np.diff(dup, prepend=-2) != 1)  # runs in dup
            at = dup[first]  # the first row of each group of two or more
            size = np.diff(first, append=len(dup)) + 1
        val = size * np.log(size) * inv_m[keys.ravel()[at] >> shift]
        return np.bincount(at // self.N, weights=val, minlength=len(keys))

    def mean(self, lo: float = 0.0, hi: float = 1.0) -> float:
        """Floor in nats per position for t ~ U(lo, hi) (the whole range by default)."""
        if self.D == 0:
            return 0.0
        g = _band_weights(self.D, lo, hi)
        return max(0.0, float(g @ self.sums) / self.N)

    def by_t(self, buckets: int = 10) -> list[float]:
        """The floor in each of ``buckets`` equal bands of t, as :func:`loss_by_t` bins."""
        return [self.mean(i / buckets, (i + 1) / buckets) for i in range(buckets)]


def loss_floor(data: Dataset) -> Estimate:
    """Expected loss of the Bayes-optimal denoiser, per position (nats), exactly.

    The standard error and count are 0 (exact); see :class:`BayesFloor`.
    """
    return Estimate(BayesFloor(data).mean(), 0.0, 0)


def model_losses(p: Params, data: Dataset, rows, noisy, t) -> np.ndarray:
    """Per-row loss of a model on corrupted rows (the training objective)."""
    probs, _ = forward(p, noisy, t)
    tok = data.tokens[rows]
    pt = np.take_along_axis(probs, tok[:, :, None], axis=2)[:, :, 0]
    w = data.maskable[rows] / data.maskable[rows].sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):  # p = 0: an infinite loss, not NaN
        return -np.sum(np.where(w > 0, w * np.log(pt), 0.0), axis=1)


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
    with np.errstate(invalid="ignore"):  # an infinite loss has no standard error
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
    return _by_t(_chunked_losses(p, data, rows, noisy, t), t, buckets)


def _by_t(loss: np.ndarray, t: np.ndarray, buckets: int) -> list[dict]:
    b = np.minimum((t * buckets).astype(int), buckets - 1)
    return [{"t_lo": i / buckets, "t_hi": (i + 1) / buckets,
             "loss": float(loss[b == i].mean()) if np.any(b == i) else None}
            for i in range(buckets)]


class LossJob:
    """:func:`eval_loss` and :func:`loss_by_t` together, in pieces of 500 draws.

    The same draws (same seeds) and the same chunks as those two functions, so the same
    numbers, bit for bit, however the work is cut: :meth:`advance` scores chunks until
    its time is up, so a worker can answer other requests between pieces (a Generate
    pressed while the page measures a model after training). ``n``: the evaluated
    loss's draws; ``by_t_n`` and ``buckets``: those of the loss by noise level.
    """

    CHUNK = 500

    def __init__(self, p: Params, data: Dataset, n: int = 20000, by_t_n: int = 5000,
                 buckets: int = 10):
        self.p, self.data, self.n, self.buckets = p, data, n, buckets
        self.draws = [_fresh_draws(data, n, np.random.default_rng(12345)),
                      _fresh_draws(data, by_t_n, np.random.default_rng(7))]
        self.losses: list[list[np.ndarray]] = [[], []]
        self.scored = 0  # draws scored so far, the evaluated loss's first

    @property
    def total(self) -> int:
        return sum(len(d[0]) for d in self.draws)

    @property
    def done(self) -> bool:
        return self.scored == self.total

    def advance(self, max_seconds: float | None = None) -> bool:
        """Score chunks until every draw is scored (True) or ``max_seconds`` is up
        (:func:`pieces.run_chunks`)."""
        return self.done or run_chunks(self._chunk, max_seconds)

    def _chunk(self) -> bool:
        k = 0 if self.scored < self.n else 1
        a = self.scored - (0 if k == 0 else self.n)
        rows, noisy, t = self.draws[k]
        b = min(len(rows), a + self.CHUNK)
        self.losses[k].append(model_losses(self.p, self.data, rows[a:b], noisy[a:b], t[a:b]))
        self.scored += b - a
        return self.done

    def result(self) -> tuple[Estimate, list[dict]]:
        """(the evaluated loss, the loss by noise level); ValueError before :attr:`done`."""
        if not self.done:
            raise ValueError("the measurement has not finished")
        x = np.concatenate(self.losses[0])
        with np.errstate(invalid="ignore"):  # an infinite loss has no standard error
            ev = Estimate(float(x.mean()), float(x.std(ddof=1) / math.sqrt(self.n)), self.n)
        return ev, _by_t(np.concatenate(self.losses[1]), self.draws[1][2], self.buckets)


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
