"""A left-to-right model on the same data: the denoiser's own MLP, trained autoregressively.

The network is the diffusion model's (same layers, same parameter count); only the
training draws differ. Row k of an entry has the maskable positions of rank k and
later masked, the earlier ones visible, and fed noise level t = (m − k)/m (the masked
share, as the left-to-right sampler feeds it: :func:`diffusion_core.reverse.run`), for
m maskable positions. Its loss is only −log p(x_k | x_<k), at the first masked position.
The model is then an autoregressive one,

    p(x) = Π_{k=0}^{m−1} p(x_k | x_<k),

so its negative log-likelihood is exact, m network rows per entry, where the diffusion
model has only a bound (the ELBO, :mod:`diffusion_core.elbo`). Both are reported per
maskable position in bits, so the data's entropy (:func:`elbo.entropy_bits_per_char`)
is the floor of both. Sampling it left to right, one position per step, costs m network
calls (NFE) per name. The exact posterior (:class:`diffusion_core.oracle.OracleDenoiser`)
fed the same rows gives the exact conditionals of the data, so by the chain rule its
NLL equals the entropy: :func:`nll` of the oracle is the identity the tests pin.

Sources: the chain rule of an autoregressive model, Bengio et al. 2003 ("A Neural
Probabilistic Language Model", JMLR 3); the comparison of masked diffusion with
autoregressive likelihoods in Sahoo et al. 2024 (MDLM, arXiv:2406.07524, sec. 4) and
Shi et al. 2024 (MD4, arXiv:2406.04329).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from .dataset import MASK_ID, Dataset
from .elbo import as_denoiser, entropy_bits_per_char

CHUNK_ROWS = 512  # rows per denoiser call: small WebAssembly memory peaks


def suffix_rows(maskable: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The left-to-right training rows of a batch.

    Parameters
    ----------
    maskable : (B, L) bool, the positions the model generates (rank 0, 1, ... left to right)
    k : (B,) int, each row's first masked rank, 0 <= k < m (m = the row's maskable count)

    Returns ``masked`` (B, L) bool (the maskable positions of rank >= k), ``t`` (B,) the
    masked share (m − k)/m, and ``weight`` (B, L) float: 1 at the position of rank k, 0
    elsewhere (each row's loss is that one position's). Raises ValueError when a k is
    out of range.
    """
    maskable = np.asarray(maskable, dtype=bool)
    k = np.asarray(k)
    m = maskable.sum(axis=1)
    if k.shape != m.shape or np.any(k < 0) or np.any(k >= m):
        raise ValueError("k must be one rank per row, 0 <= k < the row's maskable count")
    rank = np.cumsum(maskable, axis=1) - 1  # (B, L): a maskable position's rank
    masked = maskable & (rank >= k[:, None])
    weight = (maskable & (rank == k[:, None])).astype(float)
    return masked, (m - k) / m, weight


def draw(maskable: np.ndarray, rng: np.random.Generator):
    """One training draw per row: k uniform over the row's ranks (see :func:`suffix_rows`)."""
    m = np.asarray(maskable, dtype=bool).sum(axis=1)
    return suffix_rows(maskable, np.floor(rng.random(len(m)) * m).astype(int))


@dataclass(frozen=True)
class Likelihood:
    """A left-to-right model's exact NLL: bits per maskable position, averaged over entries."""

    bits_per_char: float
    entropy_bits_per_char: float  # the data's own, the floor of any model
    rows: int  # denoiser rows evaluated (m per entry)
    nfe_per_sample: float  # network calls to write one entry left to right (mean m)

    def to_json(self) -> dict:
        return asdict(self)


def nll(model, data: Dataset) -> Likelihood:
    """The exact −log2 p(x) of a left-to-right model, summed over the entries and divided
    by their number and their mean maskable count m (the normalisation of the entropy).

    ``model`` is ``Params`` or a denoiser ``(x (B, L) ids, t (B,)) -> (B, L, V) probs``.
    Each entry contributes its m conditionals; the duplicates of an entry count as often
    as they occur, as in the entropy. A probability of 0 gives infinity.
    """
    den = as_denoiser(model)
    N, L = data.tokens.shape
    m = data.maskable.sum(axis=1)
    entry = np.repeat(np.arange(N), m)
    k = np.concatenate([np.arange(c) for c in m])
    masked, t, weight = suffix_rows(data.maskable[entry], k)
    x = np.where(masked, MASK_ID, data.tokens[entry])
    target = data.tokens[entry]
    nats = np.empty(len(entry))
    for s in range(0, len(entry), CHUNK_ROWS):
        e = slice(s, s + CHUNK_ROWS)
        probs = den(x[e], t[e])
        p_true = np.take_along_axis(probs, target[e][:, :, None], axis=2)[:, :, 0]
        with np.errstate(divide="ignore"):
            nats[e] = -np.sum(weight[e] * np.log(np.where(weight[e] > 0, p_true, 1.0)), axis=1)
    bits = float(nats.sum() / N / m.mean() / math.log(2))  # the entropy's normalisation
    return Likelihood(bits, entropy_bits_per_char(data), int(len(entry)), float(m.mean()))
