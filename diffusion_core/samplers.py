"""Unmasking rules and their schedules: which masked positions a reverse step reveals.

Each rule sees, for one step, the rows' masks and the confidence of the character
drawn at every masked position, and returns which positions to reveal (and, for
ReMDM, which committed characters to mask again). The reverse loop itself (the
draw, the word restrictions, the timeline) lives in :mod:`diffusion_core.reverse`.

Rules (``STRATEGIES``):

* ``random``: MDLM/D3PM ancestral sampling for the absorbing (mask) process
  (Austin et al. 2021, arXiv:2107.03006; Sahoo et al. 2024, arXiv:2406.07524,
  eq. 7): going from noise level t to t' < t, each mask is lifted with
  probability (t - t')/t, which is 1/(s+1) on the grid t = (s+1)/n.
* ``confident``: MaskGIT (Chang et al. 2022, arXiv:2202.04200) with a linear
  count: a step with s+1 steps left reveals ceil(m/(s+1)) of the m masks, so no
  step is empty while steps <= masks. Ranked by the model's probability of the
  character it drew (renormalised over the allowed characters), without the
  Gumbel noise MaskGIT's code adds to that ranking (its ``choice_temperature``),
  so temperature 0 is fully greedy. With the exact posterior this order is not an
  exact sampler even at one reveal per step: the choice of position depends on
  the drawn character, which favours names whose letters are easy to predict.
* ``confident_cosine``: the same ranking with MaskGIT's cosine count: after step
  i of n, floor(N cos(pi/2 * i/n)) of the N starting masks stay masked, at least
  one is revealed and one kept until the last step (MaskGIT's ``mask_len``).
* ``llada``: LLaDA's low-confidence remasking (Nie et al. 2025, arXiv:2502.09992,
  the low-confidence remasking of its appendix; reference code ML-GSAI/LLaDA
  ``generate.py``: ``get_num_transfer_tokens`` and ``remasking='low_confidence'``): the counts are
  fixed before the first step, N // n per step plus one for the first N % n
  steps; each step predicts x0 at every mask, takes as confidence the softmax
  probability (temperature 1, unrestricted) of the predicted token, keeps the
  top k and leaves the rest masked. Without remasking its counts equal
  ``confident``'s (ceil(m/(s+1)) front-loads the same remainder); the ranking
  differs only where the word restrictions remove probability.
* ``remdm``: ReMDM-cap (Wang et al. 2025, arXiv:2503.00307: the ReMDM posterior
  with the "max-capped" schedule; code kuleshov-group/remdm). With alpha_t = 1 - t,
  each committed character is masked again with probability
  sigma = min(eta, (1 - alpha_s) / alpha_t), and a mask is lifted with probability
  (alpha_s - (1 - sigma) alpha_t) / (1 - alpha_t) = ((t - s) + sigma (1 - t)) / t,
  which keeps the marginals of the forward process. sigma = 0 at the last step
  (s = 0), so every row finishes. We chose the cap schedule because it needs one
  number (eta) and never remasks more than the forward process allows.
* ``threshold``: reveal every mask whose confidence is at least ``threshold``
  (at least the single surest one per step); stop as soon as nothing is masked;
  the last step of the budget reveals everything left.
* ``left_to_right``: one position per step, the leftmost mask, as an
  autoregressive model would; ``steps`` is ignored (one step per position).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

STRATEGIES = ("random", "confident", "confident_cosine", "llada", "remdm", "threshold",
              "left_to_right")
GRID = ("random", "confident", "confident_cosine", "llada", "remdm")  # t on the grid (s+1)/n
REMDM_ETA = 0.05  # ReMDM-cap's eta: the largest per-step remasking probability
THRESHOLD = 0.9  # the threshold rule's default confidence


def linear_count(m: np.ndarray, steps_left: int) -> np.ndarray:
    """Reveals this step when ``steps_left`` steps remain: ceil(m / steps_left).

    >>> linear_count(np.array([7, 7, 2]), 3)
    array([3, 3, 1])
    """
    return -(-m // steps_left)


def cosine_count(n0: np.ndarray, m: np.ndarray, i: int, steps: int) -> np.ndarray:
    """MaskGIT cosine count for step ``i`` (0-based) of ``steps``, ``n0`` masks at start.

    After the step floor(n0 cos(pi/2 (i+1)/steps)) stay masked, clipped to
    [1, m-1] before the last step (MaskGIT's ``mask_len``); the last reveals all.

    >>> cosine_count(np.array([7]), np.array([7]), 0, 4)   # 7 cos(pi/8) = 6.47 -> keep 6
    array([1])
    """
    if i == steps - 1:
        return m.copy()
    keep = np.floor(n0 * math.cos(math.pi / 2 * (i + 1) / steps)).astype(int)
    keep = np.maximum(1, np.minimum(m - 1, keep))
    return np.maximum(m - keep, 0)


def llada_counts(n0: np.ndarray, steps: int) -> np.ndarray:
    """LLaDA's ``get_num_transfer_tokens``: (B, steps) reveals, fixed at the start.

    >>> llada_counts(np.array([7, 3]), 3)
    array([[3, 2, 2],
           [1, 1, 1]])
    """
    base, rem = n0 // steps, n0 % steps
    counts = np.repeat(base[:, None], steps, axis=1)
    counts += np.arange(steps)[None, :] < rem[:, None]
    return counts


def top_k(masked: np.ndarray, key: np.ndarray, k: np.ndarray) -> np.ndarray:
    """(B, L) bool: the ``k[b]`` masked positions of row b with the largest ``key``.

    Ties go to the leftmost position (a stable sort), as ``torch.topk`` on equal
    values is unspecified.
    """
    order = np.argsort(np.where(masked, -key, np.inf), axis=1, kind="stable")
    rank = np.argsort(order, axis=1)  # the inverse permutation: each position's place
    return masked & (rank < k[:, None])


def remdm_sigma(t: float, s: float, eta: float) -> float:
    """ReMDM-cap remasking probability for the step t -> s (alpha = 1 - t).

    >>> remdm_sigma(0.5, 0.4, 0.05), remdm_sigma(0.1, 0.0, 0.05)
    (0.05, 0.0)
    """
    alpha_t, alpha_s = 1.0 - t, 1.0 - s
    cap = 1.0 if alpha_t <= 0 else min(1.0, (1.0 - alpha_s) / alpha_t)
    return min(eta, cap)


def select(strategy: str, masked: np.ndarray, conf: np.ndarray, conf_raw: np.ndarray,
           i: int, steps: int, n0: np.ndarray, rng: np.random.Generator,
           threshold: float = THRESHOLD) -> np.ndarray:
    """(B, L) bool: the masked positions that step ``i`` (0-based) of ``steps`` reveals.

    Parameters
    ----------
    masked : (B, L) bool, the masks before the step
    conf : (B, L) the model's probability of each drawn character, renormalised
        over the allowed characters (temperature 1)
    conf_raw : (B, L) the same, unrestricted (LLaDA's ``x0_p``)
    n0 : (B,) masks of each row at the start
    """
    m = masked.sum(axis=1)
    s = steps - 1 - i  # steps left after this one
    if strategy == "random":
        return masked & (rng.random(masked.shape) < 1.0 / (s + 1))
    if strategy == "confident":
        return top_k(masked, conf, linear_count(m, s + 1))
    if strategy == "confident_cosine":
        return top_k(masked, conf, cosine_count(n0, m, i, steps))
    if strategy == "llada":
        return top_k(masked, conf_raw, llada_counts(n0, steps)[:, i])
    if strategy == "threshold":
        if i >= steps - 1:
            return masked.copy()
        sure = masked & (conf >= threshold)
        return sure | top_k(masked, conf, np.minimum(m, 1))
    if strategy == "left_to_right":
        first = np.argmax(masked, axis=1)
        out = np.zeros_like(masked)
        out[np.arange(len(m)), first] = m > 0
        return out
    raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, not {strategy!r}")


def remdm_step(masked: np.ndarray, committed: np.ndarray, t: float, s: float, eta: float,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One ReMDM-cap step t -> s: (reveal, remask), both (B, L) bool.

    ``committed`` marks the generated characters that may be masked again
    (never the fixed ones of a pattern or a question).
    """
    sigma = remdm_sigma(t, s, eta)
    p_unmask = ((t - s) + sigma * (1.0 - t)) / t
    reveal = masked & (rng.random(masked.shape) < p_unmask)
    remask = committed & (rng.random(masked.shape) < sigma)
    return reveal, remask


def rule_step(st, masked, maskable, conf, conf_raw, i, steps, n0, rng):
    """(reveal, remask), (B, L) bool, for step ``i`` of ``steps`` under ``st.strategy``
    (``st``: the reverse run's settings, with ``eta`` and ``threshold``)."""
    if st.strategy == "remdm":
        t, s = (steps - i) / steps, (steps - i - 1) / steps
        return remdm_step(masked, maskable & ~masked, t, s, st.eta, rng)
    reveal = select(st.strategy, masked, conf, conf_raw, i, steps, n0, rng, st.threshold)
    return reveal, np.zeros_like(masked)


@dataclass
class RowRules:
    """The rows of each rule in one reverse run, with their step budgets (arrays (B,)).

    Rows of one rule are grouped (first seen first); each step, every rule picks its
    reveals on its own rows (:meth:`pick`), so several rules can share one run.
    """

    groups: list  # (strategy, rows: slice or index array, budget) per rule
    budget: np.ndarray  # steps of each row's rule (left to right: its group's most masks)
    grid: np.ndarray  # bool: the rule walks t on the grid (s+1)/n and counts every step
    keep_going: np.ndarray  # bool: a finished grid row still steps (timeline, ReMDM)
    llada: np.ndarray  # bool: commit in the order of the unrestricted probability
    n0: np.ndarray  # masks of each row at the start
    settings: dict  # strategy -> its settings (strategy and budget filled in)

    @classmethod
    def build(cls, st, strategies: list[str], n0: np.ndarray) -> RowRules:
        """``st``: the run's settings (:class:`diffusion_core.reverse.Settings`); ``strategies``
        (B,) a rule per row; ``n0`` (B,) masks of each row at the start."""
        names = np.array(strategies)
        groups, budget = [], np.zeros(len(names), dtype=int)
        for name in dict.fromkeys(strategies):
            idx = np.flatnonzero(names == name)
            contiguous = idx[-1] - idx[0] + 1 == len(idx)  # views, not copies, per step
            rows = slice(int(idx[0]), int(idx[-1]) + 1) if contiguous else idx
            b = max(int(n0[idx].max()), 1) if name == "left_to_right" else st.steps
            budget[idx] = b
            groups.append((name, rows, b))
        grid = np.isin(names, GRID)
        keep = np.full(len(names), st.trace) | (names == "remdm")
        settings = {name: replace(st, strategy=name, steps=b) for name, _, b in groups}
        return cls(groups, budget, grid, keep, names == "llada", n0, settings)

    def pick(self, masked, maskable, conf, conf_raw, i, rng) -> tuple[np.ndarray, np.ndarray]:
        """(reveal, remask), (B, L) bool: each rule's choice on its own rows at step ``i``."""
        reveal, remask = np.zeros_like(masked), np.zeros_like(masked)
        for name, rows, budget in self.groups:
            if i >= budget or (name != "remdm" and not masked[rows].any()):
                continue  # a finished rule reveals nothing (only ReMDM may mask again)
            reveal[rows], remask[rows] = rule_step(
                self.settings[name], masked[rows], maskable[rows], conf[rows], conf_raw[rows],
                i, budget, self.n0[rows], rng)
        return reveal, remask
