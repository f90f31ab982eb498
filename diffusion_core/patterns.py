"""A reader's pattern (``r???l``, ``water>p????``) and the exact posterior that goes with it.

A pattern fixes some letters and the length: every ``?`` must become a letter and
pads follow the last position. The training entries that agree with it are the
support of the exact posterior p(x_0 | pattern); restricted to them, the oracle
(:class:`~diffusion_core.oracle.OracleDenoiser`) is the Bayes answer at every step
of a fill, so its draws are the sampler's error alone.

    >>> p = name_pattern(builtin("names"), "R???L")
    >>> p.text, p.row, p.fitting
    ('r???l', 'r???l', ['rahul'])

Validation is in :mod:`diffusion_core.checks` (:func:`diffusion_core.sampler.infill` refuses the
same patterns with the same messages); this module adds what the oracle needs.
"No training name fits" is not an error: the model still answers, the oracle
cannot (:attr:`Pattern.note` says so).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import checks
from .dataset import LETTERS, MASK_ID, SEP, Dataset, DatasetError
from .oracle import OracleDenoiser, fits

MAX_FITTING = 50  # names listed at most (the count is always exact)


@dataclass(frozen=True)
class Pattern:
    """A checked pattern.

    Attributes
    ----------
    text : the cleaned pattern, e.g. ``"r???l"`` (the answer's, for the translator)
    row : the whole row as text before padding, e.g. ``"r???l"`` or ``"water>p????"``
    word : the translator's question, else None
    fitting : the training entries that fit (names, or answers for the translator)
    """

    text: str
    row: str
    word: str | None
    fitting: list[str]

    @property
    def note(self) -> str | None:
        if self.fitting:
            return None
        what = f"{self.word}>{self.text}" if self.word else self.text
        kind = "training pair" if self.word else "training name"
        return (f"no {kind} fits {what}, so the exact posterior (the oracle) has no "
                f"answer; the model's answers are its own guesses")


def _check(data: Dataset, text: str, start: int, what: str) -> str:
    return checks.parse_pattern(data, text, start, what)


def fitting_rows(data: Dataset, x: np.ndarray, letters_only: bool) -> np.ndarray:
    """(N,) bool: training rows that agree with row ``x`` (L,) ids at every visible position
    and, when ``letters_only``, have a letter at every masked one (the length is fixed)."""
    ok = fits(data, x[None, :])[0]  # (N,)
    if letters_only:
        letter = np.array([c in LETTERS for c in data.vocab])
        hidden = x == MASK_ID
        ok &= letter[data.tokens[:, hidden]].all(axis=1)
    return ok


def restricted_oracle(data: Dataset, x: np.ndarray, letters_only: bool):
    """The oracle over the entries that fit ``x`` (L,), or None when none fits.

    Its output at any later row of a fill is the exact posterior given the pattern.
    """
    idx = np.flatnonzero(fitting_rows(data, x, letters_only))
    if idx.size == 0:
        return None
    sub = Dataset(data.task, tuple(data.entries[i] for i in idx), data.vocab,
                  data.tokens[idx], data.maskable[idx])
    return OracleDenoiser(sub)


def _fitting(data: Dataset, row: str, answers: bool) -> list[str]:
    x = data.encode(row)
    names = [data.entries[i] for i in np.flatnonzero(fitting_rows(data, x, True))]
    return [n.split(SEP, 1)[1] for n in names] if answers else names


def name_pattern(data: Dataset, text) -> Pattern:
    """Check a name pattern (letters a–z and ``?``, 1 to L characters); DatasetError if bad."""
    if data.task != "names":
        raise DatasetError("a name pattern needs the names model; the translator takes a word "
                           "and an answer pattern")
    if not isinstance(text, str):
        raise DatasetError("the pattern must be text: letters a-z and ? for the unknown ones")
    p = _check(data, text, 0, "pattern")
    return Pattern(p, p, None, _fitting(data, p, False))


def answer_pattern(data: Dataset, word, text) -> Pattern:
    """Check a translator query with pinned answer letters (``water``, ``p????``)."""
    if data.task != "translate":
        raise DatasetError("an answer pattern needs the translator model")
    if not isinstance(word, str) or not isinstance(text, str):
        raise DatasetError("type an English word and an answer pattern such as p????")
    w = checks.check_word(data, word)
    p = _check(data, text, len(w) + 1, "answer pattern")
    return Pattern(p, w + SEP + p, w, _fitting(data, w + SEP + p, True))
