"""The forward process: mask each corruptible character independently with probability t.

This is the absorbing-state ("masked") discrete diffusion of Austin et al. 2021
(D3PM) in continuous time: at noise level t in [0, 1] every character that may be
corrupted becomes ``?`` with probability t, pads included. t = 0 is the clean
row, t = 1 is all masks.

    corrupt("rahul__", t=0.5)  ->  e.g. "r?h?l?_"
"""

from __future__ import annotations

import numpy as np

from .dataset import MASK_ID


def corrupt(tokens: np.ndarray, t, maskable: np.ndarray, rng: np.random.Generator):
    """Mask a batch of rows.

    Parameters
    ----------
    tokens : (B, L) clean ids
    t : (B,) noise levels, or one float for all rows
    maskable : (B, L) or (L,) bool, where masking may happen (translate: the answer only)
    rng : numpy Generator

    Returns
    -------
    noisy : (B, L) ids with ``MASK_ID`` where masked
    masked : (B, L) bool
    """
    tokens = np.atleast_2d(tokens)
    t = np.broadcast_to(np.asarray(t, dtype=float), tokens.shape[:1])
    masked = (rng.random(tokens.shape) < t[:, None]) & maskable
    return np.where(masked, MASK_ID, tokens), masked


def draw_batch(tokens: np.ndarray, maskable: np.ndarray, rng: np.random.Generator,
               idx: np.ndarray):
    """Fresh t ~ U(0, 1) and masks for the rows ``idx``: the training distribution.

    Returns ``(noisy, t, targets)``; rows are drawn in the order of ``idx``.
    """
    t = rng.random(len(idx))
    noisy, _ = corrupt(tokens[idx], t, maskable[idx], rng)
    return noisy, t, tokens[idx]
