"""The reader's typed text, checked and cleaned before any sampler runs: a pattern of
letters and ``?`` (Fill in, the translator's answer pattern) and a translator word.

Each check raises :class:`~diffusion_core.dataset.DatasetError` naming the first
problem and what is allowed; the messages show a pasted paragraph only by its start
(:func:`~diffusion_core.dataset.shown`).
"""

from __future__ import annotations

from .dataset import LETTERS, MASK, Dataset, DatasetError, describe_char, example_pattern, shown

__all__ = ["parse_pattern", "check_word"]


def parse_pattern(data: Dataset, pattern: str, start: int = 0, what: str = "pattern") -> str:
    """Check a pattern of letters and ``?`` that must fit from position ``start``.

    Returns it cleaned (``" R???L "`` -> ``"r???l"``). Raises ``DatasetError``
    naming the first problem: empty, too long (checked before the letters, so
    ``abcdefghij`` is "too long"), a character other than a-z and ``?``, or a letter
    the model has never seen. ``what`` names the pattern in the messages.
    """
    p = str(pattern).strip().lower()
    room = data.seq_len - start
    if not p:
        known = "".join(ch for ch in data.vocab if ch in LETTERS)
        raise DatasetError(f"the {what} is empty; type letters the model knows ({known}) and ? "
                           f"for the unknown ones, e.g. {example_pattern(data, room)}")
    if len(p) > room:
        raise DatasetError(f"the {what} {shown(p)} has {len(p)} characters; at most {room} fit")
    for c in p:
        if c != MASK and c not in LETTERS:
            raise DatasetError(f"{describe_char(c)} is not allowed in the {what} {shown(p)}; "
                               f"use only the letters a-z and ?")
        if c != MASK and c not in data.vocab:
            known = "".join(ch for ch in data.vocab if ch in LETTERS)
            raise DatasetError(f"the model has never seen the letter {c!r} of the {what} "
                               f"{shown(p)}; it knows only: {known}")
    return p


def check_word(data: Dataset, word: str) -> str:
    """Normalise a query word and check that the model can read it; returns it cleaned."""
    w = str(word).strip().lower()
    if not w:
        raise DatasetError("the word is empty; type an English word such as hello")
    for c in w:
        if c not in LETTERS:
            raise DatasetError(f"{describe_char(c)} is not allowed in {shown(w)}; "
                               f"use only the letters a-z")
        if c not in data.vocab:
            known = "".join(ch for ch in data.vocab if ch in LETTERS)
            raise DatasetError(f"the model has never seen the letter {c!r}; "
                               f"it knows only: {known}")
    if len(w) > data.max_question_len:
        raise DatasetError(f"{shown(w)} has {len(w)} letters; this model reads words of at most "
                           f"{data.max_question_len}")
    return w
