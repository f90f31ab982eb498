"""The reverse loop shared by every unmasking rule: draw, restrict, commit, record.

One step at noise level t_from -> t_to:

1. the denoiser predicts every position of the rows that still hold a mask
   (``denoiser(x, t_from) -> (B, L, V)``; a denoiser that ignores t, like the
   oracle, is not called again on a row that has not changed: MDLM's
   ``ddpm_cache``, Sahoo et al. 2024, arXiv:2406.07524);
2. a character is drawn at every mask from the model's distribution at the
   temperature in use, restricted so that the row stays a word (never the mask,
   a letter at the first generated position and wherever a pattern fixes the
   length, no pad before a letter, no letter after a pad); its confidence is
   the model's own probability of it (temperature 1);
3. the rule (:mod:`diffusion_core.samplers`) picks which masks to reveal (ReMDM
   also masks committed characters again);
4. the picked characters are committed, surest first; one that clashes with a
   character committed earlier in the same step (a pad left of a new letter) is
   drawn again, with the same uniform number, among what is still allowed.

``removed_mass`` (per sample) is the mean, over the reveals, of the model's own
probability (temperature 1) on the characters the restrictions forbade at that
draw: how often the unrestricted model would have written ``?``, a pad inside
the word or a letter after a pad (issue #11, kind 8).

Probabilities that are not usable (NaN, inf, negative, or no mass on any allowed
character) are replaced by a uniform choice among the allowed characters, and the
sample counts them in ``fallback``. So every row ends as letters then pads, with
at least one letter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import compress

import numpy as np

from .dataset import LETTERS, MASK_ID, PAD_ID, Dataset
from .samplers import GRID, REMDM_ETA, THRESHOLD, remdm_step, select

MIN_TEMPERATURE = 1e-6  # below this, sampling is argmax (and p^(1/T) would overflow)
TOP = 5  # candidates listed per masked position


@dataclass(frozen=True)
class Settings:
    """How to run the reverse process (ranges are checked by ``sampler.check``)."""

    strategy: str = "random"
    steps: int = 10  # grid steps; the threshold rule's budget; ignored by left_to_right
    temperature: float = 0.8  # 0 = argmax
    eta: float = REMDM_ETA  # ReMDM-cap's largest remasking probability
    threshold: float = THRESHOLD  # the threshold rule's confidence
    trace: bool = True  # record the timeline (steps, top candidates); off for bulk runs


@dataclass
class Context:
    """What the word restrictions need: letters, first generated and letter-only positions."""

    letter: np.ndarray  # (V,) bool, the ids of a-z
    first: np.ndarray  # (B,) the first generated position of each row (always a letter)
    letters_only: np.ndarray  # (B, L) bool, masks that must become letters (fixed length)

    @classmethod
    def build(cls, data: Dataset, maskable: np.ndarray, letters_only: np.ndarray) -> Context:
        letter = np.array([c in LETTERS for c in data.vocab])
        return cls(letter, np.argmax(maskable, axis=1), letters_only)


def _choose(probs, allowed, temperature, u):
    """Pick one id per row of ``probs`` (B, V) among ``allowed`` (B, V) ids, by inverse CDF.

    Temperature 0 (below ``MIN_TEMPERATURE``) is argmax; otherwise ``p^(1/T)``
    renormalised and drawn with ``u`` (B,) in [0, 1). An id whose probability is 0
    after the restriction is never picked, at u = 0 nor as u -> 1; a row with no
    allowed mass is drawn uniformly among its allowed ids.

    >>> _choose(np.array([[.4, .05, .3, .15, .1, 0]]), np.array([[0, 0, 1, 1, 1, 1]]), 1.0,
    ...         np.array([0.0]))
    array([2])
    """
    probs = np.asarray(probs, dtype=float)
    allowed = np.asarray(allowed, dtype=bool)
    u = np.asarray(u, dtype=float)
    with np.errstate(invalid="ignore"):
        ok = allowed & (probs > 0) & np.isfinite(probs)
    none = ~ok.any(axis=1)
    ok[none] = allowed[none]
    p = np.where(ok, probs, 1.0)
    p[none] = 1.0
    logp = np.where(ok, np.log(p), -np.inf)  # (B, V)
    if temperature < MIN_TEMPERATURE:
        return np.argmax(logp, axis=1)
    logp = logp / temperature
    logp -= logp.max(axis=1, keepdims=True)
    cdf = np.cumsum(np.exp(logp), axis=1)
    idx = (cdf <= (u * cdf[:, -1])[:, None]).sum(axis=1)  # first id whose cdf exceeds u
    last = probs.shape[1] - 1 - np.argmax(ok[:, ::-1], axis=1)  # last positive id
    return np.minimum(idx, last)


def allowed_at(x: np.ndarray, rows: np.ndarray, pos: np.ndarray, ctx: Context) -> np.ndarray:
    """(n, V) bool: the ids that keep row ``rows[k]`` a word if written at ``pos[k]``."""
    xr = x[rows]  # (n, L)
    ar = np.arange(x.shape[1])[None, :]
    pad_before = ((xr == PAD_ID) & (ar < pos[:, None])).any(axis=1)
    letter_after = (ctx.letter[xr] & (ar > pos[:, None])).any(axis=1)
    must_letter = letter_after | (pos == ctx.first[rows]) | ctx.letters_only[rows, pos]
    out = np.repeat(ctx.letter[None, :], len(rows), axis=0)
    out[:, PAD_ID] = ~must_letter
    out[pad_before] = False
    out[pad_before, PAD_ID] = True
    empty = ~out.any(axis=1)
    out[empty] = ctx.letter
    return out


def clean(probs: np.ndarray, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Normalised probabilities (n, V) and ``bad`` (n,): rows replaced by uniform-over-allowed."""
    with np.errstate(all="ignore"):
        p = np.asarray(probs, dtype=float)
        total = p.sum(axis=1)
        bad = ~(np.isfinite(total) & (total > 0)) | ~(p >= 0).all(axis=1)
        p = np.where(bad[:, None], 0.0, p) / np.where(bad, 1.0, total)[:, None]
        bad |= ~((p * allowed).sum(axis=1) > 0)
    p[bad] = allowed[bad] / allowed[bad].sum(axis=1, keepdims=True)
    return p, bad


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


@dataclass
class Tally:
    """Per-row running totals of one reverse run."""

    B: int
    L: int
    prob_of: np.ndarray = field(init=False)  # (B, L) model probability of each committed char
    removed: np.ndarray = field(init=False)  # (B,) sum of restricted-away mass
    counted: np.ndarray = field(init=False)  # (B,) reveals with usable probabilities
    fallback: np.ndarray = field(init=False)  # (B,) reveals drawn uniformly
    nfe: np.ndarray = field(init=False)  # (B,) denoiser evaluations of the row
    nfe_uncached: np.ndarray = field(init=False)  # (B,) the same without the cache
    calls: int = 0  # batched denoiser calls

    def __post_init__(self):
        self.prob_of = np.full((self.B, self.L), np.nan)
        self.removed = np.zeros(self.B)
        self.counted = np.zeros(self.B, dtype=int)
        self.fallback = np.zeros(self.B, dtype=int)
        self.nfe = np.zeros(self.B, dtype=int)
        self.nfe_uncached = np.zeros(self.B, dtype=int)


@dataclass
class Draw:
    """One step's candidates at every mask, all (B, L) (``pn``: (B, L, V))."""

    cand: np.ndarray  # the drawn id
    conf: np.ndarray  # its model probability renormalised over the allowed ids (T = 1)
    conf_raw: np.ndarray  # its unrestricted model probability (LLaDA's x0_p)
    removed: np.ndarray  # the model's mass on ids the restrictions forbade
    u: np.ndarray  # the uniform number of the draw (kept for a redraw)
    pn: np.ndarray  # cleaned, normalised model probabilities
    bad: np.ndarray  # the probabilities were unusable: uniform fallback


def candidates(probs, x, masked, ctx, temperature, rng) -> Draw:
    """Draw a candidate at every mask of ``x`` from ``probs`` (B, L, V), restricted by ``x``."""
    B, L, V = probs.shape
    u = rng.random((B, L))
    rows, pos = np.nonzero(masked)
    allowed = allowed_at(x, rows, pos, ctx)
    p, bad_n = clean(probs[rows, pos], allowed)  # (n, V)
    ids = _choose(p, allowed, temperature, u[rows, pos])
    n = np.arange(len(rows))
    mass = (p * allowed).sum(axis=1)
    d = Draw(np.zeros((B, L), dtype=np.intp), np.zeros((B, L)), np.zeros((B, L)),
             np.zeros((B, L)), u, np.zeros((B, L, V)), np.zeros((B, L), dtype=bool))
    d.cand[rows, pos] = ids
    d.conf_raw[rows, pos] = p[n, ids]
    d.conf[rows, pos] = p[n, ids] / mass
    d.removed[rows, pos] = 1.0 - mass
    d.pn[rows, pos] = p
    d.bad[rows, pos] = bad_n
    return d


def _clashing(x: np.ndarray, letter: np.ndarray) -> np.ndarray:
    """(B,) rows of ``x`` that have a letter after a pad (masks ignored)."""
    pads = x == PAD_ID
    pad_before = (np.cumsum(pads, axis=1) - pads) > 0
    return (letter[x] & pad_before).any(axis=1)


def commit(x, reveal, key, d: Draw, ctx, temperature, tally) -> None:
    """Write the revealed candidates into ``x`` (B, L) in place.

    Candidates were drawn against the row before the step; when two of them clash
    (a pad left of a new letter), that row is committed one position at a time,
    highest ``key`` first, and a clashing candidate is drawn again.
    """
    B = x.shape[0]
    clash = _clashing(np.where(reveal, d.cand, x), ctx.letter)
    rows, pos = np.nonzero(reveal & ~clash[:, None])
    x[rows, pos] = d.cand[rows, pos]
    tally.prob_of[rows, pos] = d.pn[rows, pos, d.cand[rows, pos]]
    ok = ~d.bad[rows, pos]
    tally.removed += np.bincount(rows[ok], weights=d.removed[rows[ok], pos[ok]], minlength=B)
    tally.counted += np.bincount(rows[ok], minlength=B)
    tally.fallback += np.bincount(rows[~ok], minlength=B)
    if clash.any():
        _commit_in_order(x, reveal & clash[:, None], key, d, ctx, temperature, tally)


def _commit_in_order(x, reveal, key, d: Draw, ctx, temperature, tally) -> None:
    order = np.argsort(np.where(reveal, -key, np.inf), axis=1, kind="stable")
    counts = reveal.sum(axis=1)
    for r in range(int(counts.max(initial=0))):
        rows = np.flatnonzero(counts > r)
        pos = order[rows, r]
        allowed = allowed_at(x, rows, pos, ctx)
        n = np.arange(len(rows))
        pick = d.cand[rows, pos]
        clash = ~allowed[n, pick]
        if clash.any():
            pick[clash] = _choose(d.pn[rows[clash], pos[clash]], allowed[clash], temperature,
                                  d.u[rows[clash], pos[clash]])
        x[rows, pos] = pick
        p = d.pn[rows, pos]  # (n, V)
        tally.prob_of[rows, pos] = p[n, pick]
        ok = ~d.bad[rows, pos]
        tally.removed[rows[ok]] += 1.0 - (p[ok] * allowed[ok]).sum(axis=1)
        tally.counted[rows[ok]] += 1
        tally.fallback[rows[~ok]] += 1


def predict(denoiser, x, t, need, cache, tally) -> None:
    """Fill ``cache`` (B, L, V) with the denoiser's output on the rows in ``need``."""
    idx = np.flatnonzero(need)
    if idx.size == 0:
        return
    out = np.asarray(denoiser(x[idx], t[idx]), dtype=float)
    if out.shape != (idx.size,) + cache.shape[1:]:
        raise ValueError(f"the denoiser returned shape {out.shape}; "
                         f"expected {(idx.size,) + cache.shape[1:]}")
    cache[idx] = out
    tally.nfe[idx] += 1
    tally.calls += 1


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


def _tops(pn, masked, data, temperature) -> list:
    """Per row: the top candidates of each masked position, in position order."""
    rows, pos = np.nonzero(masked)
    flat = top_candidates(pn[rows, pos], data.vocab, temperature) if rows.size else []
    out = [[] for _ in range(masked.shape[0])]
    for b, tp in zip(rows.tolist(), flat):
        out[b].append(tp)
    return out


def run(denoiser, data: Dataset, rows: np.ndarray, maskable: np.ndarray,
        letters_only: np.ndarray, st: Settings, rng: np.random.Generator,
        time_independent: bool = False) -> list[dict]:
    """Run the reverse process from ``rows`` with masks where ``maskable`` (both (B, L)).

    Returns one dict per row: ``text`` (pads stripped), ``steps`` (the timeline),
    ``removed_mass``, ``fallback``, ``nfe``, ``nfe_uncached``, ``batch_nfe``.
    """
    B, L = rows.shape
    ctx = Context.build(data, maskable, letters_only)
    x = np.where(maskable, MASK_ID, rows).astype(np.intp)
    n0 = maskable.sum(axis=1)
    tally = Tally(B, L)
    grid = st.strategy in GRID
    budget = st.steps if st.strategy != "left_to_right" else max(int(n0.max()), 1)
    cache = np.zeros((B, L, data.vocab_size))
    fresh = np.zeros(B, dtype=bool)  # the cache holds the output for the current row
    none = np.zeros((B, L), dtype=bool)
    one = np.ones(B)
    timelines = [[] for _ in range(B)]
    if st.trace:
        record(timelines, data, x, none, none, none, one, one, [[]] * B, np.zeros((B, L)),
               tally, np.zeros(B, dtype=bool), range(B))
    for i in range(budget):
        masked = x == MASK_ID
        live = masked.any(axis=1)
        if not grid and not live.any():
            break
        m = masked.sum(axis=1)
        t_from = np.full(B, (budget - i) / budget) if grid else m / np.maximum(n0, 1)
        need = live & ~(fresh & time_independent)
        predict(denoiser, x, t_from, need, cache, tally)
        fresh |= need
        tally.nfe_uncached += 1 if grid else live
        d = candidates(cache, x, masked, ctx, st.temperature, rng)
        tops = _tops(d.pn, masked, data, st.temperature) if st.trace else None
        reveal, remask = _rule(st, x, masked, maskable, d.conf, d.conf_raw, i, budget, n0, rng)
        x[remask] = MASK_ID
        tally.prob_of[remask] = np.nan
        commit(x, reveal, d.conf_raw if st.strategy == "llada" else d.conf, d, ctx,
               st.temperature, tally)
        fresh &= ~(reveal | remask).any(axis=1)
        left = (x == MASK_ID).sum(axis=1)
        t_to = np.full(B, (budget - i - 1) / budget) if grid else left / np.maximum(n0, 1)
        if st.trace:
            record(timelines, data, x, masked, reveal, remask, t_from, t_to, tops, d.conf,
                   tally, need, range(B) if grid else np.flatnonzero(live))
    return [_result(data, x[b], timelines[b], tally, b) for b in range(B)]


def _rule(st, x, masked, maskable, conf, conf_raw, i, steps, n0, rng):
    """(reveal, remask) for step ``i``: the rule of ``st.strategy``."""
    if st.strategy == "remdm":
        t, s = (steps - i) / steps, (steps - i - 1) / steps
        return remdm_step(masked, maskable & ~masked, t, s, st.eta, rng)
    reveal = select(st.strategy, masked, conf, conf_raw, i, steps, n0, rng, st.threshold)
    return reveal, np.zeros_like(masked)


def _result(data, x, steps, tally, b) -> dict:
    n = int(tally.counted[b])
    return {"text": data.decode(x).rstrip("_"), "steps": steps,
            "removed_mass": round(float(tally.removed[b]) / n, 6) if n else None,
            "fallback": int(tally.fallback[b]), "nfe": int(tally.nfe[b]),
            "nfe_uncached": int(tally.nfe_uncached[b]), "batch_nfe": tally.calls}
