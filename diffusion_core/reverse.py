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

import numpy as np

from .dataset import LETTERS, MASK_ID, PAD_ID, Dataset
from .samplers import REMDM_ETA, THRESHOLD, RowRules
from .timeline import MIN_TEMPERATURE, record, timeline_tops, top_candidates

__all__ = ["MIN_TEMPERATURE", "Settings", "Context", "allowed_at", "allowed_all", "clean",
           "candidates", "commit", "predict", "run", "top_candidates"]



@dataclass(frozen=True)
class Settings:
    """How to run the reverse process (ranges are checked by ``sampler.check``)."""

    strategy: str = "random"
    steps: int = 10  # grid steps; the threshold rule's budget; ignored by left_to_right
    temperature: float = 0.8  # 0 = argmax
    eta: float = REMDM_ETA  # ReMDM-cap's largest remasking probability
    threshold: float = THRESHOLD  # the threshold rule's confidence
    trace: bool = True  # record the timeline (steps, top candidates); off for bulk runs
    tops: bool = True  # with the timeline, each masked position's top candidates


@dataclass
class Context:
    """What the word restrictions need: letters, first generated and letter-only positions."""

    letter: np.ndarray  # (V,) bool, the ids of a-z
    first: np.ndarray  # (B,) the first generated position of each row (always a letter)
    letters_only: np.ndarray  # (B, L) bool, masks that must become letters (fixed length)
    is_first: np.ndarray  # (B, L) bool, True at ``first``
    row_of: np.ndarray  # (B, L) the row index of each position (for gathers)
    pos_of: np.ndarray  # (B, L) the position index

    @classmethod
    def build(cls, data: Dataset, maskable: np.ndarray, letters_only: np.ndarray) -> Context:
        letter = np.array([c in LETTERS for c in data.vocab])
        first: np.ndarray = np.argmax(maskable, axis=1)
        row_of, pos_of = (np.asarray(a) for a in np.indices(maskable.shape))
        return cls(letter, first, letters_only, pos_of == first[:, None], row_of, pos_of)


def _choose(probs, allowed, temperature, u):
    """Pick one id per row of ``probs`` (..., V) among ``allowed`` (..., V) ids, by inverse CDF.

    Temperature 0 (below ``MIN_TEMPERATURE``) is argmax; otherwise ``p^(1/T)``
    renormalised and drawn with ``u`` (...,) in [0, 1). An id whose probability is 0
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
    none = ~ok.any(axis=-1)
    p = np.where(ok, probs, 1.0)
    if none.any():
        ok[none] = allowed[none]
        p[none] = 1.0
    logp = np.where(ok, np.log(p), -np.inf)  # (..., V)
    if temperature < MIN_TEMPERATURE:
        return np.argmax(logp, axis=-1)
    logp /= temperature
    logp -= logp.max(axis=-1, keepdims=True)
    cdf = np.cumsum(np.exp(logp), axis=-1)
    idx = (cdf <= (u * cdf[..., -1])[..., None]).sum(axis=-1)  # first id whose cdf exceeds u
    last = probs.shape[-1] - 1 - np.argmax(ok[..., ::-1], axis=-1)  # last positive id
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
    """Normalised probabilities (..., V) and ``bad`` (...,): rows replaced by uniform over
    the allowed ids (NaN, inf, negative, or no mass on any allowed id)."""
    with np.errstate(all="ignore"):
        p = np.asarray(probs, dtype=float)
        total = p.sum(axis=-1)
        bad = ~(np.isfinite(total) & (total > 0)) | ~(p >= 0).all(axis=-1)
        if bad.any():
            p = np.where(bad[..., None], 0.0, p)
            total = np.where(bad, 1.0, total)
        p = p / total[..., None]
        bad |= ~((p * allowed).sum(axis=-1) > 0)
    if bad.any():
        p[bad] = allowed[bad] / allowed[bad].sum(axis=-1, keepdims=True)
    return p, bad


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


def allowed_all(x: np.ndarray, ctx: Context) -> np.ndarray:
    """(B, L, V) bool: :func:`allowed_at` for every position of every row at once."""
    pads = x == PAD_ID  # (B, L)
    pad_before = (np.cumsum(pads, axis=1) - pads) > 0
    lets = ctx.letter[x]
    letter_after = (np.cumsum(lets[:, ::-1], axis=1)[:, ::-1] - lets) > 0
    must_letter = letter_after | ctx.is_first | ctx.letters_only
    out = np.empty(x.shape + ctx.letter.shape, dtype=bool)  # (B, L, V)
    out[...] = ctx.letter
    out[pad_before] = False
    out[..., PAD_ID] = ~must_letter | pad_before
    return out


def _draw(w: np.ndarray, temperature: float, u: np.ndarray) -> np.ndarray:
    """:func:`_choose` for weights ``w`` (..., V) that are finite, >= 0 and 0 where not
    allowed, with positive mass in every row (as :func:`clean` leaves them): fewer calls."""
    if temperature < MIN_TEMPERATURE:
        return np.argmax(w, axis=-1)
    q = w
    if temperature != 1.0:
        with np.errstate(divide="ignore"):
            q = np.log(w)
        q /= temperature
        q -= q.max(axis=-1, keepdims=True)
        np.exp(q, out=q)
    cdf = np.cumsum(q, axis=-1)
    idx = (cdf <= (u * cdf[..., -1])[..., None]).sum(axis=-1)  # first id whose cdf exceeds u
    last = w.shape[-1] - 1 - np.argmax(w[..., ::-1] > 0, axis=-1)  # last positive id
    return np.minimum(idx, last)


def candidates(probs, x, masked, ctx, temperature, rng) -> Draw:
    """Draw a candidate at every mask of ``x`` from ``probs`` (B, L, V), restricted by ``x``.

    Every position is drawn at once (values at visible positions are unused).
    """
    u = rng.random(masked.shape)  # (B, L)
    allowed = allowed_all(x, ctx)  # (B, L, V)
    p, bad = clean(probs, allowed)  # (B, L, V), (B, L)
    w = p * allowed  # (B, L, V): every row has allowed mass after clean
    mass = w.sum(axis=-1)
    ids = _draw(w, temperature, u)  # (B, L)
    raw = p[ctx.row_of, ctx.pos_of, ids]  # (B, L)
    return Draw(ids, raw / mass, raw, 1.0 - mass, u, p, bad)


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
    clash = _clashing(np.where(reveal, d.cand, x), ctx.letter)
    now = reveal & ~clash[:, None] if clash.any() else reveal  # (B, L)
    np.copyto(x, d.cand, where=now)
    np.copyto(tally.prob_of, d.conf_raw, where=now)
    ok = now & ~d.bad
    tally.removed += np.where(ok, d.removed, 0.0).sum(axis=1)
    tally.counted += ok.sum(axis=1)
    tally.fallback += (now & d.bad).sum(axis=1)
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
    every = bool(need.all())
    picked = np.flatnonzero(need)
    idx = slice(None) if every else picked  # no gather when all rows are needed
    size = len(picked)
    if size == 0:
        return
    out = np.asarray(denoiser(x.copy() if every else x[idx], t[idx]), dtype=float)
    if out.shape != (size,) + cache.shape[1:]:
        raise ValueError(f"the denoiser returned shape {out.shape}; "
                         f"expected {(size,) + cache.shape[1:]}")
    cache[idx] = out
    tally.nfe[idx] += 1
    tally.calls += 1


def run(denoiser, data: Dataset, rows: np.ndarray, maskable: np.ndarray,
        letters_only: np.ndarray, st: Settings, rng: np.random.Generator,
        time_independent: bool = False, strategies: list[str] | None = None) -> list[dict]:
    """Run the reverse process from ``rows`` with masks where ``maskable`` (both (B, L)).

    ``strategies`` (B,) gives each row its own rule (``st.strategy`` for every row when
    None): rows of different rules then share each step's denoiser call and draw, and
    each rule picks its reveals on its own rows. One run with one seed, so a rule's
    rows get other random numbers than in a run of that rule alone.

    Returns one dict per row: ``text`` (pads stripped), ``steps`` (the timeline),
    ``removed_mass``, ``fallback``, ``nfe``, ``nfe_uncached``, ``batch_nfe``.
    Each step costs a fixed number of numpy calls whatever B (every position is
    drawn at once; only a row whose new characters clash is committed position by
    position). Without the timeline a row stops as soon as no mask is left,
    except under ReMDM, whose remasking can open new masks until the last step.
    """
    B, L = rows.shape
    ctx = Context.build(data, maskable, letters_only)
    x = np.where(maskable, MASK_ID, rows).astype(np.intp)
    n0 = maskable.sum(axis=1)
    rules = RowRules.build(st, strategies or [st.strategy] * B, n0)
    tally = Tally(B, L)
    cache = np.zeros((B, L, data.vocab_size))
    fresh = np.zeros(B, dtype=bool)  # the cache holds the output for the current row
    none = np.zeros((B, L), dtype=bool)
    one = np.ones(B)
    timelines: list[list[dict]] = [[] for _ in range(B)]
    if st.trace:
        record(timelines, data, x, none, none, none, one, one, [[]] * B, np.zeros((B, L)),
               tally, np.zeros(B, dtype=bool), range(B))
    for i in range(int(rules.budget.max())):
        masked = x == MASK_ID
        live = masked.any(axis=1) & (i < rules.budget)
        going = live | (rules.grid & (i < rules.budget) & rules.keep_going)
        tally.nfe_uncached += live & ~rules.grid
        if not going.any():
            break
        t_from = np.where(rules.grid, (rules.budget - i) / rules.budget,
                          masked.sum(1) / np.maximum(n0, 1))
        need = live & ~(fresh & time_independent)
        predict(denoiser, x, t_from, need, cache, tally)
        fresh |= need
        d = candidates(cache, x, masked, ctx, st.temperature, rng)
        tops = (timeline_tops(d.pn, masked, data, st.temperature) if st.tops else [[]] * B) \
            if st.trace else None
        reveal, remask = rules.pick(masked, maskable, d.conf, d.conf_raw, i, rng)
        reveal &= going[:, None]
        x[remask] = MASK_ID
        tally.prob_of[remask] = np.nan
        commit(x, reveal, np.where(rules.llada[:, None], d.conf_raw, d.conf), d, ctx,
               st.temperature, tally)
        fresh &= ~(reveal | remask).any(axis=1)
        if st.trace:
            left = (x == MASK_ID).sum(axis=1)
            t_to = np.where(rules.grid, (rules.budget - i - 1) / rules.budget,
                            left / np.maximum(n0, 1))
            record(timelines, data, x, masked, reveal, remask, t_from, t_to, tops, d.conf,
                   tally, need, np.flatnonzero(going & (rules.grid | live)))
    # a grid row counts every step of its budget, also those it no longer needed
    tally.nfe_uncached[rules.grid] = rules.budget[rules.grid]
    return _results(data, x, timelines, tally)


def _results(data, x, timelines, tally) -> list[dict]:
    """One result dict per row of ``x`` (B, L)."""
    texts = ["".join(r).rstrip("_") for r in np.array(list(data.vocab))[x].tolist()]
    n = tally.counted.tolist()
    removed = (tally.removed / np.maximum(tally.counted, 1)).tolist()
    fallback, nfe, unc = tally.fallback.tolist(), tally.nfe.tolist(), tally.nfe_uncached.tolist()
    return [{"text": texts[b], "steps": timelines[b],
             "removed_mass": round(removed[b], 6) if n[b] else None,
             "fallback": fallback[b], "nfe": nfe[b], "nfe_uncached": unc[b],
             "batch_nfe": tally.calls} for b in range(len(texts))]
