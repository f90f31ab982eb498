"""The exact posterior of the training data: a Bayes-optimal denoiser ("oracle").

Under masking noise every training entry that agrees with the visible characters
of a row is equally likely to be the clean row: each is masked the same way with
the same probability t^m (1-t)^(L-m), and that factor cancels. So the best
possible prediction p(x_0 | x_t) does not depend on t (the reason MDLM, Sahoo et
al. 2024, arXiv:2406.07524, drops the time input), and at a masked position it is
the share of fitting entries that have each character there.

    >>> o = OracleDenoiser(builtin("names"))
    >>> x = np.array([[ids of "a??????"]])   # (1, 7), MASK_ID where hidden
    >>> o.fitting(x)
    [['aarav', 'aditi', 'aisha', 'ananya', 'anika', 'arjun', 'avni']]
    >>> o(x, t)[0, 1]   # position 1: "n" 2/7; "a", "d", "i", "r", "v" 1/7 each

It has the interface of the network (``denoiser(x, t) -> probs``), so samplers and
metrics can use either. Rows that no training entry fits (the sampler can reach
them, since one step reveals several positions independently) get the marginal of
every position over all entries instead; :meth:`OracleDenoiser.fit_counts` tells
which rows those are.
"""

from __future__ import annotations

import numpy as np

from .dataset import MASK_ID, Dataset


def fits(data: Dataset, x: np.ndarray) -> np.ndarray:
    """Which training entries agree with each row's visible characters.

    Parameters
    ----------
    data : the training data, tokens (N, L)
    x : (B, L) ids, ``MASK_ID`` where hidden

    Returns
    -------
    (B, N) bool: entry n fits row b when it has the same id at every visible position
    of b, and may be masked (``data.maskable``) at every hidden one.
    """
    x = np.atleast_2d(x)
    tok, mk = data.tokens, data.maskable
    hidden = x == MASK_ID  # (B, L)
    agree = (tok[None, :, :] == x[:, None, :]) | (hidden[:, None, :] & mk[None, :, :])
    return agree.all(axis=2)


class OracleDenoiser:
    """``oracle(x, t) -> (B, L, V)`` posterior probabilities; ``t`` is accepted and ignored."""

    def __init__(self, data: Dataset):
        self.data = data
        N, L = data.tokens.shape
        V = data.vocab_size
        onehot = np.zeros((N, L, V))
        np.put_along_axis(onehot, data.tokens[:, :, None], 1.0, axis=2)
        self.onehot = onehot.reshape(N, L * V)  # (N, L*V)
        self.marginal = onehot.mean(axis=0)  # (L, V): the fallback for rows nothing fits

    def fit_counts(self, x: np.ndarray) -> np.ndarray:
        """(B,) number of training entries that fit each row."""
        return fits(self.data, x).sum(axis=1)

    def fitting(self, x: np.ndarray) -> list[list[str]]:
        """The training entries that fit each row, e.g. ``[["aarav", "aditi", ...]]``."""
        f = fits(self.data, x)
        return [[self.data.entries[n] for n in np.flatnonzero(row)] for row in f]

    def __call__(self, x: np.ndarray, t=None) -> np.ndarray:
        x = np.atleast_2d(x)
        B, L = x.shape
        V = self.data.vocab_size
        f = fits(self.data, x).astype(float)  # (B, N)
        n = f.sum(axis=1)  # (B,)
        probs = (f @ self.onehot).reshape(B, L, V)  # counts of each id at each position
        none = n == 0
        probs[~none] /= n[~none, None, None]
        probs[none] = self.marginal
        visible = x != MASK_ID
        b, i = np.nonzero(visible)
        probs[b, i, :] = 0.0
        probs[b, i, x[b, i]] = 1.0
        return probs
