"""The reverse process: start from masks and reveal characters until none is left.

Public entry points (all pure numpy; any denoiser works):

* :func:`sample` - names from scratch; :func:`infill` - names from a pattern
  (``r???l``); :func:`translate` - answers to words, optionally with pinned
  letters (``water`` -> ``p????``); :func:`accuracy` - greedy exact matches;
* :func:`beliefs` and :func:`reveal` - one row by hand: the top candidates of
  every mask, and committing one chosen position.

A denoiser is any callable ``denoiser(x, t) -> probs`` with ``x`` (B, L) int ids
(``MASK_ID`` where hidden), ``t`` (B,) float noise levels and ``probs`` (B, L, V).
:func:`network` wraps the MLP's weights; :class:`~diffusion_core.oracle.OracleDenoiser`
(the exact posterior) fits as it is; a :class:`~diffusion_core.model.Params` is
accepted wherever a denoiser is.

The unmasking rules (``strategy``) are in :mod:`diffusion_core.samplers`, the loop
and the word restrictions in :mod:`diffusion_core.reverse`. Every sample looks like
this (values illustrative)::

    {"text": "kavya", "removed_mass": 0.012, "fallback": 0, "nfe": 10,
     "nfe_uncached": 10, "batch_nfe": 10,
     "steps": [{"t_from": 1.0, "t_to": 1.0, "t": 1.0, "tokens": "???????", ...},
               {"t_from": 1.0, "t_to": 0.9, "t": 0.9, "tokens": "?a?????",
                "revealed": [1], "remasked": [], "probs": [None, 0.41, None, ...],
                "top": [[["k", 0.2], ["a", 0.1], ...], [["a", 0.5], ...], ...],
                "conf_min": 0.08, "conf_mean": 0.21, "called": True}, ...]}

``t`` falls from 1 (all masks) to 0 (the finished word): each step row holds the
row after the step, at ``t = t_to``. When one step reveals several positions,
each is drawn from its own marginal, so even the exact posterior writes names
that are in no training set unless one position is revealed per step.
"""

from __future__ import annotations

import numpy as np

from .checks import check_word, parse_pattern
from .dataset import MASK, MASK_ID, PAD, SEP, Dataset, DatasetError, describe_char, shown
from .model import Params, forward
from .oracle import OracleDenoiser
from .reverse import (
    MIN_TEMPERATURE,
    Context,
    Settings,
    _choose,
    allowed_at,
    clean,
    run,
    top_candidates,
)
from .samplers import REMDM_ETA, STRATEGIES, THRESHOLD

__all__ = ["STRATEGIES", "MAX_STEPS", "MAX_SAMPLES", "MAX_TEMPERATURE", "MIN_TEMPERATURE",
           "network", "as_denoiser", "sample", "infill", "translate", "accuracy",
           "parse_row", "beliefs", "reveal", "_choose"]

MAX_STEPS, MAX_SAMPLES = 64, 200
MAX_TEMPERATURE = 5.0


class NetworkDenoiser:
    """``network(p)(x, t) -> (B, L, V)``: the MLP's softmax (:func:`model.forward`)."""

    time_independent = False  # the MLP reads t, so a cached output would be stale

    def __init__(self, params: Params):
        self.params = params

    def __call__(self, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        return forward(self.params, np.asarray(x), np.asarray(t, dtype=float))[0]


def network(params: Params) -> NetworkDenoiser:
    """Wrap trained weights as a denoiser."""
    return NetworkDenoiser(params)


def as_denoiser(model):
    """A ``Params`` becomes :func:`network`; any callable (the oracle) is kept."""
    if isinstance(model, Params):
        return network(model)
    if callable(model):
        return model
    raise TypeError(f"a denoiser must be Params or a callable (x, t) -> probs, "
                    f"not {type(model).__name__}")


def _time_independent(den) -> bool:
    return isinstance(den, OracleDenoiser) or bool(getattr(den, "time_independent", False))


def check(n: int, steps: int, temperature: float, strategy: str,
          eta: float = REMDM_ETA, threshold: float = THRESHOLD) -> None:
    """Refuse settings out of range, naming what is allowed (``ValueError``)."""
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, not {strategy!r}")
    if not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be between 1 and {MAX_STEPS}")
    if not 1 <= n <= MAX_SAMPLES:
        raise ValueError(f"the number of samples must be between 1 and {MAX_SAMPLES}")
    if not 0.0 <= temperature <= MAX_TEMPERATURE:
        raise ValueError(f"temperature must be between 0 and {MAX_TEMPERATURE}")
    if not 0.0 <= eta <= 1.0:
        raise ValueError("the remasking probability eta must be between 0 and 1")
    if not 0.0 < threshold <= 1.0:
        raise ValueError("the confidence threshold must be above 0 and at most 1")


_check = check  # the name older callers used


def denoise(model, data: Dataset, rows: np.ndarray, maskable: np.ndarray, steps: int,
            temperature: float, strategy: str, rng: np.random.Generator,
            letters_only: np.ndarray | None = None, eta: float = REMDM_ETA,
            threshold: float = THRESHOLD, trace: bool = True,
            strategies: list[str] | None = None, tops: bool = True) -> list[dict]:
    """Run the reverse process on start rows.

    Parameters
    ----------
    model : a denoiser, or ``Params``
    rows : (B, L) ids; the maskable positions are ignored and start as masks
    maskable : (B, L) bool, the positions to generate
    letters_only : (B, L) bool or None, generated positions that must be letters
        (a pattern fixes the word's length); by default none
    trace : record each sample's timeline (``steps``, with the top candidates);
        ``False`` leaves ``steps`` empty and is several times faster for bulk runs
    strategies : (B,) a rule per row, sharing each step's denoiser call (``strategy``
        for every row when None; see :func:`diffusion_core.reverse.run`)
    tops : with the timeline, also each masked position's top candidates at each step
    """
    for name in strategies or [strategy]:
        check(len(rows), steps, temperature, name, eta, threshold)
    den = as_denoiser(model)
    if letters_only is None:
        letters_only = np.zeros_like(maskable)
    st = Settings(strategy, steps, float(temperature), float(eta), float(threshold),
                  bool(trace), bool(tops))
    return run(den, data, np.asarray(rows), np.asarray(maskable, dtype=bool),
               np.asarray(letters_only, dtype=bool) & maskable, st, rng,
               _time_independent(den), strategies)


def sample(p, data: Dataset, n: int = 15, steps: int = 10, temperature: float = 0.8,
           strategy: str = "random", seed: int = 0, eta: float = REMDM_ETA,
           threshold: float = THRESHOLD, trace: bool = True) -> list[dict]:
    """Generate ``n`` rows from all masks (names task); ``p`` is a denoiser or ``Params``.

    ``trace=False`` skips the timeline (``steps`` is empty): for quality-against-steps runs.
    """
    check(n, steps, temperature, strategy, eta, threshold)
    L = data.seq_len
    rows = np.zeros((n, L), dtype=np.intp)
    maskable = np.ones((n, L), dtype=bool)
    return denoise(p, data, rows, maskable, steps, temperature, strategy,
                   np.random.default_rng(seed), eta=eta, threshold=threshold, trace=trace)


def fill_rows(data: Dataset, prefixes: list[str], patterns: list[str | None]):
    """(rows, maskable, letters_only), each (B, L), for ``prefix + pattern`` rows.

    A pattern fixes its letters and its length (pads after it); ``None`` leaves
    the whole region after the prefix free, length included.
    """
    B, L = len(prefixes), data.seq_len
    rows = np.zeros((B, L), dtype=np.intp)
    maskable = np.zeros((B, L), dtype=bool)
    letters_only = np.zeros((B, L), dtype=bool)
    for b, (pre, pat) in enumerate(zip(prefixes, patterns)):
        if pat is None:
            rows[b] = data.encode(pre)
            maskable[b, len(pre):] = True
            continue
        rows[b] = data.encode(pre + pat.replace(MASK, PAD))
        holes = [len(pre) + i for i, c in enumerate(pat) if c == MASK]
        maskable[b, holes] = True
        letters_only[b, holes] = True
    return rows, maskable, letters_only


def infill(model, data: Dataset, pattern: str, n: int = 5, steps: int = 10,
           temperature: float = 0.8, strategy: str = "random", seed: int = 0,
           eta: float = REMDM_ETA, threshold: float = THRESHOLD) -> list[dict]:
    """Fill the ``?`` of a name pattern such as ``r???l``, ``n`` times.

    The pattern's letters stay, its length is the name's length (every ``?``
    becomes a letter, pads follow). Each sample also carries ``pattern``.
    Raises ``DatasetError`` for a bad pattern, ``ValueError`` for bad settings.
    """
    if data.task != "names":
        raise DatasetError("patterns fill names; for the translator pin letters of the answer")
    pat = parse_pattern(data, pattern, 0, "pattern")
    check(n, steps, temperature, strategy, eta, threshold)
    rows, maskable, letters_only = fill_rows(data, [""] * n, [pat] * n)
    out = denoise(model, data, rows, maskable, steps, temperature, strategy,
                  np.random.default_rng(seed), letters_only, eta, threshold)
    for r in out:
        r["pattern"] = pat
    return out


def translate(p, data: Dataset, words: list[str], steps: int = 10, temperature: float = 0.0,
              strategy: str = "confident", seed: int = 0, answers: list | None = None,
              eta: float = REMDM_ETA, threshold: float = THRESHOLD,
              trace: bool = True) -> list[dict]:
    """Answer each of ``words``: the question and ``>`` stay fixed, the answer is generated.

    ``answers`` optionally pins letters of each answer: a pattern such as ``p????``
    (letters and ``?``; it fixes the answer's length) or ``None`` for a free answer.
    Each result also carries ``question`` and ``answer``. ``trace``: as in
    :func:`denoise` (``False``: answers only, no timeline; the same answers).
    """
    if data.task != "translate":
        raise DatasetError("this model was trained on names, not on question>answer pairs")
    words = [check_word(data, w) for w in words]
    check(len(words), steps, temperature, strategy, eta, threshold)
    answers = [None] * len(words) if answers is None else list(answers)
    if len(answers) != len(words):
        raise DatasetError(f"{len(answers)} answer patterns for {len(words)} words")
    pats = [None if a is None else parse_pattern(data, a, len(w) + 1, "answer pattern")
            for w, a in zip(words, answers)]
    rows, maskable, letters_only = fill_rows(data, [w + SEP for w in words], pats)
    out = denoise(p, data, rows, maskable, steps, temperature, strategy,
                  np.random.default_rng(seed), letters_only, eta, threshold, trace=trace)
    for r, w in zip(out, words):
        r["question"] = w
        r["answer"] = r["text"].split(SEP, 1)[1]
    return out


def accuracy(p, data: Dataset, steps: int = 10) -> dict:
    """Exact-match translation accuracy over the dataset, greedy (temperature 0, confident).

    Decodes without timelines (``trace=False``): only the answers are compared."""
    qs = [e.split(SEP)[0] for e in data.entries]
    answers = [e.split(SEP)[1] for e in data.entries]
    got = []
    for s in range(0, len(qs), MAX_SAMPLES):
        got += translate(p, data, qs[s : s + MAX_SAMPLES], steps=steps, temperature=0.0,
                         strategy="confident", trace=False)
    right = [g["answer"] == a for g, a in zip(got, answers)]
    return {"correct": int(sum(right)), "total": len(right),
            "results": [{"question": q, "expected": a, "answer": g["answer"], "ok": ok}
                        for q, a, g, ok in zip(qs, answers, got, right)]}


def parse_row(data: Dataset, row: str, letters_only: bool = False):
    """A row as text (``"a?v????"``, ``"water>p????"``; pads added up to L) -> (x, ctx, region).

    ``x`` (L,) ids, ``ctx`` the word restrictions for it (``letters_only``: every mask
    must become a letter), ``region`` (L,) bool, the generated positions (the answer
    after ``>`` for the translator). Raises ``DatasetError`` for a row that is too long,
    holds a character outside the vocabulary, or (translator) has no ``>`` or a mask
    in the question.
    """
    text = str(row)
    L = data.seq_len
    if len(text) > L:
        raise DatasetError(f"the row {shown(text)} has {len(text)} characters; at most {L} fit")
    bad = sorted({c for c in text if c not in data.vocab})
    if bad:
        raise DatasetError(f"{describe_char(bad[0])} is not in the vocabulary {data.vocab!r}")
    x = data.encode(text)
    start = text.index(SEP) + 1 if data.task == "translate" and SEP in text else 0
    if data.task == "translate" and SEP not in text:
        raise DatasetError("a translator row is question>answer, e.g. water>p????")
    region = np.arange(L) >= start
    masked = x == MASK_ID
    if (masked & ~region).any():
        raise DatasetError("only the answer (after >) may hold masks")
    ctx = Context.build(data, region[None, :], (masked & region)[None, :] & letters_only)
    return x, ctx, region


_parse_row = parse_row  # the name older callers used


def _predict_one(den, x: np.ndarray, region: np.ndarray) -> np.ndarray:
    """The denoiser on one row at t = its share of masks; (L, V)."""
    t = np.array([(x == MASK_ID).sum() / max(int(region.sum()), 1)])
    return np.asarray(den(x[None, :], t), dtype=float)[0]


def _tops_of(den, data, x, ctx, region, temperature, restrict: bool) -> list:
    pos = np.flatnonzero(x == MASK_ID)
    out = [None] * data.seq_len
    if pos.size == 0:
        return out
    probs = _predict_one(den, x, region)
    allowed = allowed_at(x[None, :], np.zeros(pos.size, dtype=np.intp), pos, ctx)
    pn, _ = clean(probs[pos], allowed)  # (n, V)
    if restrict:  # the probabilities of the draw: over the allowed ids only
        pn = pn * allowed
        pn /= pn.sum(axis=1, keepdims=True)
    for i, tp in zip(pos.tolist(), top_candidates(pn, data.vocab, temperature)):
        out[i] = tp
    return out


def beliefs(model, data: Dataset, row: str, temperature: float = 1.0,
            letters_only: bool = False) -> dict:
    """The top candidates of every masked position of ``row`` (one denoiser call).

    Returns ``{"top": [None or [[char, prob], ...] per position], "nfe": 0 or 1}``;
    probabilities at ``temperature`` (0 shows the temperature-1 ones, whose top is
    the argmax), the mask excluded. With ``letters_only`` (every mask must become a
    letter, as when a pattern fixes the length) they are those of the draw: restricted
    to what the word restrictions allow at each position and renormalised, so no pad
    is listed; without it, the model's own.
    """
    if not 0.0 <= temperature <= MAX_TEMPERATURE:
        raise ValueError(f"temperature must be between 0 and {MAX_TEMPERATURE}")
    x, ctx, region = parse_row(data, row, letters_only)
    nfe = int((x == MASK_ID).any())
    top = _tops_of(as_denoiser(model), data, x, ctx, region, temperature, letters_only)
    return {"top": top, "nfe": nfe}


def reveal(model, data: Dataset, row: str, position: int, temperature: float = 0.0,
           seed: int = 0, letters_only: bool = False) -> dict:
    """Commit the masked ``position`` of ``row`` by hand; any order, one position at a time.

    The character is drawn at ``temperature`` (0 = argmax) under the word
    restrictions (``letters_only``: every mask must become a letter, as when a
    pattern fixes the length). Returns ``row`` (the new row), ``char``, ``prob``
    (the model's probability of it), ``removed_mass``, ``fallback`` (the
    probabilities were unusable and the choice uniform), ``top`` (the candidates
    of every position still masked, predicted from the new row, as :func:`beliefs`
    gives them with the same ``letters_only``) and ``nfe`` (2:
    one call before the draw, one for the new beliefs; 1 when nothing is left).
    """
    if not 0.0 <= temperature <= MAX_TEMPERATURE:
        raise ValueError(f"temperature must be between 0 and {MAX_TEMPERATURE}")
    den = as_denoiser(model)
    x, ctx, region = parse_row(data, row, letters_only)
    masked = np.flatnonzero(x == MASK_ID).tolist()
    if position not in masked:
        raise ValueError(f"position {position} is not masked in {row!r}; masked: "
                         f"{', '.join(map(str, masked)) or 'none'}")
    probs = _predict_one(den, x, region)
    pos = np.array([position])
    allowed = allowed_at(x[None, :], np.zeros(1, dtype=np.intp), pos, ctx)
    pn, bad = clean(probs[pos], allowed)
    u = np.random.default_rng(seed).random(1)
    pick = int(_choose(pn, allowed, temperature, u)[0])
    x[position] = pick
    top = _tops_of(den, data, x, ctx, region, temperature, letters_only)
    return {"row": data.decode(x), "char": data.vocab[pick], "prob": round(float(pn[0, pick]), 4),
            "removed_mass": round(1.0 - float((pn[0] * allowed[0]).sum()), 6),
            "fallback": bool(bad[0]), "top": top, "nfe": 1 + int((x == MASK_ID).any())}
