"""The reverse process: start from all masks and reveal characters over n steps.

For s = n-1 ... 0 at t = (s+1)/n the model predicts every position at once, and
some still-masked positions are revealed:

* ``random`` (the seed's rule, the MDLM/D3PM absorbing-state sampler): each
  masked position is revealed with probability 1/(s+1), so all are revealed at
  s = 0;
* ``confident`` (MaskGIT, Chang et al. 2022; LLaDA, Nie et al. 2025): the same
  number of positions, but the ones the model is surest about go first.

Revealed characters are never re-masked. A revealed character is drawn from the
model's distribution at the given temperature, restricted so that the output is
always a word: never the mask, a letter at the first position, no pad before a
letter and no letter after a pad. (The seed's page can print ``?`` or ``_``
inside a name; this sampler cannot.) Temperature 0 means argmax.

    sample(...) -> [{"text": "kavya", "steps": [{"t": 1.0, "tokens": "???????",
                     "revealed": [], "probs": [None]*7}, ...]}, ...]
"""

from __future__ import annotations

import numpy as np

from .dataset import LETTERS, MASK_ID, PAD_ID, SEP, Dataset, DatasetError
from .model import Params, forward

STRATEGIES = ("random", "confident")
MAX_STEPS, MAX_SAMPLES = 64, 200
MAX_TEMPERATURE = 5.0
MIN_TEMPERATURE = 1e-6  # below this, sampling is argmax (and p^(1/T) would overflow)


def _check(n: int, steps: int, temperature: float, strategy: str) -> None:
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, not {strategy!r}")
    if not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be between 1 and {MAX_STEPS}")
    if not 1 <= n <= MAX_SAMPLES:
        raise ValueError(f"the number of samples must be between 1 and {MAX_SAMPLES}")
    if not 0.0 <= temperature <= MAX_TEMPERATURE:
        raise ValueError(f"temperature must be between 0 and {MAX_TEMPERATURE}")


def _choose(probs, allowed, temperature, u):
    """Pick one id per row from ``probs`` (B, V) restricted to ``allowed`` (B, V).

    Temperature 0 (below ``MIN_TEMPERATURE``) is argmax; otherwise ``p^(1/T)``
    renormalised, drawn by inverse CDF on ``u`` (B,).
    """
    logp = np.where(allowed, np.log(np.maximum(probs, 1e-300)), -np.inf)
    if temperature < MIN_TEMPERATURE:
        return np.argmax(logp, axis=1)
    logp = logp / temperature
    logp -= logp.max(axis=1, keepdims=True)
    q = np.exp(logp)
    cdf = np.cumsum(q, axis=1)
    idx = (cdf < (u * cdf[:, -1])[:, None]).sum(axis=1)
    return np.minimum(idx, probs.shape[1] - 1)


def denoise(p: Params, data: Dataset, rows: np.ndarray, maskable: np.ndarray, steps: int,
            temperature: float, strategy: str, rng: np.random.Generator) -> list[dict]:
    """Run the reverse process on start rows (masks where ``maskable``).

    Parameters
    ----------
    rows : (B, L) ids; the maskable positions are ignored and start as masks
    maskable : (B, L) bool, the positions to generate (each row's first one gets a letter)

    Returns one dict per row: ``text`` (the final row, pads stripped) and ``steps``.
    """
    _check(len(rows), steps, temperature, strategy)
    B, L = rows.shape
    V = data.vocab_size
    x = np.where(maskable, MASK_ID, rows)
    word_ids = np.array([i for i, c in enumerate(data.vocab) if c in LETTERS])
    letter = np.zeros(V, dtype=bool)
    letter[word_ids] = True
    word_or_pad = letter.copy()
    word_or_pad[PAD_ID] = True
    first = np.argmax(maskable, axis=1)  # first generated position of each row
    prob_of = np.full((B, L), np.nan)
    timelines = [[] for _ in range(B)]

    def record(t, revealed):
        for b in range(B):
            timelines[b].append({
                "t": t,
                "tokens": data.decode(x[b]),
                "revealed": [int(i) for i in np.flatnonzero(revealed[b])],
                "probs": [None if np.isnan(v) else round(float(v), 4) for v in prob_of[b]],
            })

    record(1.0, np.zeros((B, L), dtype=bool))
    for s in range(steps - 1, -1, -1):
        t = (s + 1) / steps
        probs, _ = forward(p, x, np.full(B, t))  # (B, L, V)
        masked = x == MASK_ID
        reveal = masked & (rng.random((B, L)) < 1.0 / (s + 1))
        if strategy == "confident":
            k = reveal.sum(axis=1)
            conf = np.where(masked, probs[:, :, word_or_pad].max(axis=2), -1.0)  # (B, L)
            order = np.argsort(-conf, axis=1, kind="stable")
            reveal = np.zeros_like(masked)
            for b in range(B):
                reveal[b, order[b, : k[b]]] = True
        u = rng.random((B, L))
        for i in range(L):
            todo = reveal[:, i]
            if not todo.any():
                continue
            pad_before = ((x[:, :i] == PAD_ID) & maskable[:, :i]).any(axis=1)
            letter_after = letter[x[:, i + 1 :]].any(axis=1)
            must_letter = letter_after | (first == i)
            allowed = np.where(pad_before[:, None], ~letter[None, :] & (np.arange(V) == PAD_ID),
                               letter[None, :] | ((np.arange(V) == PAD_ID) & ~must_letter[:, None]))
            pick = _choose(probs[:, i, :], allowed, temperature, u[:, i])
            x[todo, i] = pick[todo]
            prob_of[todo, i] = probs[todo, i, pick[todo]]
        record(t, reveal)
    out = []
    for b in range(B):
        text = data.decode(x[b]).rstrip("_")
        out.append({"text": text, "steps": timelines[b]})
    return out


def sample(p: Params, data: Dataset, n: int = 15, steps: int = 10, temperature: float = 0.8,
           strategy: str = "random", seed: int = 0) -> list[dict]:
    """Generate ``n`` rows from scratch (names task)."""
    _check(n, steps, temperature, strategy)
    L = data.seq_len
    rows = np.zeros((n, L), dtype=np.intp)
    maskable = np.ones((n, L), dtype=bool)
    return denoise(p, data, rows, maskable, steps, temperature, strategy,
                   np.random.default_rng(seed))


def check_word(data: Dataset, word: str) -> str:
    """Normalise a query word and check that the model can read it; returns it cleaned."""
    w = str(word).strip().lower()
    if not w:
        raise DatasetError("the word is empty; type an English word such as hello")
    for c in w:
        if c not in LETTERS:
            shown = "a space" if c.isspace() else repr(c)
            raise DatasetError(f"{shown} is not allowed in {w!r}; use only the letters a-z")
        if c not in data.vocab:
            known = "".join(ch for ch in data.vocab if ch in LETTERS)
            raise DatasetError(f"the model has never seen the letter {c!r}; "
                               f"it knows only: {known}")
    if len(w) > data.max_question_len:
        raise DatasetError(f"{w!r} has {len(w)} letters; this model reads words of at most "
                           f"{data.max_question_len}")
    return w


def translate(p: Params, data: Dataset, words: list[str], steps: int = 10,
              temperature: float = 0.0, strategy: str = "confident", seed: int = 0) -> list[dict]:
    """Answer each ``word``: the question and ``>`` stay fixed, the answer is generated."""
    if data.task != "translate":
        raise DatasetError("this model was trained on names, not on question>answer pairs")
    words = [check_word(data, w) for w in words]
    _check(len(words), steps, temperature, strategy)
    L = data.seq_len
    rows = np.zeros((len(words), L), dtype=np.intp)
    maskable = np.zeros((len(words), L), dtype=bool)
    for b, w in enumerate(words):
        rows[b] = data.encode(w + SEP)
        maskable[b, len(w) + 1 :] = True
    out = denoise(p, data, rows, maskable, steps, temperature, strategy,
                  np.random.default_rng(seed))
    for r, w in zip(out, words):
        r["question"] = w
        r["answer"] = r["text"].split(SEP, 1)[1]
    return out


def accuracy(p: Params, data: Dataset, steps: int = 10) -> dict:
    """Exact-match translation accuracy over the dataset, greedy (temperature 0, confident)."""
    qs = [e.split(SEP)[0] for e in data.entries]
    answers = [e.split(SEP)[1] for e in data.entries]
    got = []
    for s in range(0, len(qs), MAX_SAMPLES):
        got += translate(p, data, qs[s : s + MAX_SAMPLES], steps=steps, temperature=0.0,
                         strategy="confident")
    right = [g["answer"] == a for g, a in zip(got, answers)]
    return {"correct": int(sum(right)), "total": len(right),
            "results": [{"question": q, "expected": a, "answer": g["answer"], "ok": ok}
                        for q, a, g, ok in zip(qs, answers, got, right)]}
