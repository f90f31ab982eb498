"""The timeline of a reverse run: one row per step, with the top candidates of every mask.

Used by :func:`diffusion_core.reverse.run` when ``trace`` is on (the page's Generate and
step-by-step views); bulk runs (quality against steps) skip it.
"""

from __future__ import annotations

from itertools import compress

import numpy as np

from .dataset import MASK_ID

MIN_TEMPERATURE = 1e-6  # below this, sampling is argmax (and p^(1/T) would overflow)
TOP = 5  # candidates listed per masked position


def tempered(p: np.ndarray, temperature: float) -> np.ndarray:
    """``p^(1/T)`` renormalised over the last axis; T = 0 gives the T = 1 probabilities."""
    if temperature < MIN_TEMPERATURE or temperature == 1.0:
        return p
    with np.errstate(divide="ignore"):
        logp = np.log(p) / temperature
    logp -= logp.max(axis=-1, keepdims=True)
    q = np.exp(logp)
    return q / q.sum(axis=-1, keepdims=True)


def top_candidates(p: np.ndarray, vocab: str, temperature: float) -> list:
    """Top ``TOP`` ``[char, prob]`` of each row of ``p`` (n, V) at ``temperature``, best first.

    The mask and probabilities that round to 0 are left out.

    >>> top_candidates(np.array([[.1, .0, .6, .3]]), "_?ab", 1.0)
    [[['a', 0.6], ['b', 0.3], ['_', 0.1]]]
    """
    q = tempered(p, temperature).copy()
    q[:, MASK_ID] = -1.0  # sorts last, never among the first V - 1
    k = min(TOP, q.shape[1] - 1)
    idx = np.argsort(-q, axis=1, kind="stable")[:, :k]
    val = np.round(np.take_along_axis(q, idx, axis=1), 4).tolist()
    chars = np.array(list(vocab))[idx].tolist()
    return [[[c, v] for c, v in zip(rc, rv) if v > 0] for rc, rv in zip(chars, val)]


def record(timelines, data, x, masked, reveal, remask, t_from, t_to, tops, conf, tally,
           called, rows) -> None:
    """Append one step to the timeline of each row in ``rows`` (lists built once per step)."""
    chars = np.array(list(data.vocab))[x].tolist()  # (B, L) characters
    prob_of = np.round(tally.prob_of, 4).tolist()
    conf_l = np.round(conf, 4).tolist()
    masked_l, reveal_l, remask_l = masked.tolist(), reveal.tolist(), remask.tolist()
    t_from, t_to, called = t_from.tolist(), t_to.tolist(), called.tolist()
    L = x.shape[1]
    positions = range(L)
    for b in rows:
        mb = list(compress(positions, masked_l[b]))
        top = [None] * L
        for i, tp in zip(mb, tops[b]):
            top[i] = tp
        c = [conf_l[b][i] for i in mb]
        timelines[b].append({
            "t_from": t_from[b], "t_to": t_to[b], "t": t_to[b], "tokens": "".join(chars[b]),
            "revealed": list(compress(positions, reveal_l[b])),
            "remasked": list(compress(positions, remask_l[b])),
            "probs": [None if v != v else v for v in prob_of[b]], "top": top,
            "conf_min": min(c) if c else None,
            "conf_mean": round(sum(c) / len(c), 4) if c else None, "called": called[b]})


def timeline_tops(pn, masked, data, temperature) -> list:
    """Per row: the top candidates of each masked position, in position order."""
    rows, pos = np.nonzero(masked)
    flat = top_candidates(pn[rows, pos], data.vocab, temperature) if rows.size else []
    out: list[list] = [[] for _ in range(masked.shape[0])]
    for b, tp in zip(rows.tolist(), flat):
        out[b].append(tp)
    return out
