"""Datasets and the character tokenizer.

Two tasks share one representation: a fixed-length row of token ids.

* ``names``: each name is right-padded with ``_`` to the longest name, e.g.
  ``"dev"`` -> ``"dev____"`` when L = 7. Every position can be corrupted.
* ``translate``: each pair is written ``question>answer`` and right-padded,
  e.g. ``("no", "nahi")`` -> ``"no>nahi______"`` when L = 13. Only the answer
  region (everything after ``>``, pads included) can be corrupted, and only
  there is the loss taken.

The vocabulary is ``_`` (pad, id 0), ``?`` (mask, id 1), then ``>`` for the
translate task, then the letters that occur, sorted.

User text is validated here, once, with messages that name the line, the
character and the limit (:class:`DatasetError`).
"""

from __future__ import annotations

import pkgutil
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np

PAD, MASK, SEP = "_", "?", ">"
PAD_ID, MASK_ID = 0, 1
LETTERS = "abcdefghijklmnopqrstuvwxyz"

TASKS = ("names", "translate")
MAX_NAME_LEN = 12  # longest name a reader may paste
MAX_WORD_LEN = 10  # longest question or answer a reader may paste
MIN_ENTRIES, MAX_ENTRIES = 2, 2000
MAX_LINES = 10 * MAX_ENTRIES  # blank lines included
MAX_TEXT_CHARS = 100 * MAX_ENTRIES  # a pasted text; room for spaces around each entry
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class DatasetError(ValueError):
    """User data that cannot be used, with a message a reader can act on."""


@dataclass(frozen=True)
class Dataset:
    """A validated dataset, tokenised to fixed-length rows.

    Attributes
    ----------
    task : "names" or "translate"
    entries : the cleaned entries, e.g. ``("aarav", ...)`` or ``("hello>namaste", ...)``
    vocab : the token characters, index = id, e.g. ``"_?abdeg..."``
    tokens : (N, L) np.intp token ids (int32 in WebAssembly) of the clean rows
    maskable : (N, L) bool, True where corruption may strike (and the loss is taken)
    """

    task: str
    entries: tuple[str, ...]
    vocab: str
    tokens: np.ndarray = field(repr=False)
    maskable: np.ndarray = field(repr=False)

    @property
    def seq_len(self) -> int:
        return self.tokens.shape[1]

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    @property
    def max_question_len(self) -> int:
        """Longest question (translate only): a query must fit the same layout."""
        return max(e.index(SEP) for e in self.entries) if self.task == "translate" else 0

    def encode(self, text: str) -> np.ndarray:
        """``"dev"`` -> ``[4, 6, 21, 0, 0, 0, 0]`` (ids, right-padded to L)."""
        ids = [self.vocab.index(c) for c in text]
        return np.array(ids + [PAD_ID] * (self.seq_len - len(ids)), dtype=np.intp)

    def decode(self, ids) -> str:
        """``[4, 6, 21, 0, 0, 0, 0]`` -> ``"dev____"`` (pads and masks kept)."""
        return "".join(self.vocab[int(i)] for i in ids)

    def to_json(self) -> dict:
        return {"task": self.task, "entries": list(self.entries)}


def _build(task: str, entries: list[str]) -> Dataset:
    letters = sorted(set("".join(entries)) - {SEP})
    vocab = PAD + MASK + (SEP if task == "translate" else "") + "".join(letters)
    L = max(len(e) for e in entries)
    lookup = {c: i for i, c in enumerate(vocab)}
    tokens = np.zeros((len(entries), L), dtype=np.intp)
    maskable = np.zeros((len(entries), L), dtype=bool)
    for n, e in enumerate(entries):
        tokens[n, : len(e)] = [lookup[c] for c in e]
        start = e.index(SEP) + 1 if task == "translate" else 0
        maskable[n, start:] = True
    tokens.setflags(write=False)
    maskable.setflags(write=False)
    return Dataset(task, tuple(entries), vocab, tokens, maskable)


# Characters a text box does not show as themselves, named so the reader can find them.
_NAMED = {"\t": "a tab", "\v": "a vertical tab", "\f": "a form feed", "\r": "a line break",
          "\n": "a line break", "\x1c": "a file separator", "\x1d": "a group separator",
          "\x1e": "a record separator", "\x1f": "a unit separator",
          "\x85": "a next-line character", "\u2028": "a line separator",
          "\u2029": "a paragraph separator", "\u00a0": "a no-break space"}
_EDGE_BLANKS = " \t"  # stripped from both ends of an entry; every other character counts


def describe_char(c: str) -> str:
    """How a message names one character.

    >>> describe_char(" "), describe_char("\f"), describe_char("\x07"), describe_char("4")
    ('a space', 'a form feed (U+000C)', 'the control character U+0007', "'4'")
    >>> describe_char("\u0301")   # a mark drawn on the letter before it, never alone
    'the combining acute accent (U+0301)'
    """
    if c == " ":
        return "a space"
    if c in _NAMED:
        return f"{_NAMED[c]} (U+{ord(c):04X})"
    if unicodedata.category(c).startswith("M"):
        name = unicodedata.name(c, "combining mark").lower()
        return f"the {name} (U+{ord(c):04X})"
    kind = {"Cc": "control character", "Zs": "space character"}.get(
        unicodedata.category(c), "invisible character" if not c.isprintable() else "")
    return f"the {kind} U+{ord(c):04X}" if kind else repr(c)


def shown(word: str, limit: int = 24) -> str:
    """``repr`` of a word the reader typed, cut short if long: a message never echoes a
    pasted paragraph whole.

    >>> shown("rahul"), shown("a" * 30, 5)
    ("'rahul'", "'aaaaa…'")
    """
    return repr(word if len(word) <= limit else word[:limit] + "…")


def _check_word(word: str, line: int, what: str, limit: int) -> None:
    if not word:
        raise DatasetError(f"line {line}: the {what} is empty")
    for c in word:
        if c not in LETTERS:
            raise DatasetError(f"line {line}: {describe_char(c)} is not allowed in the {what} "
                               f"{shown(word)}; use only the letters a-z")
    if len(word) > limit:
        raise DatasetError(f"line {line}: the {what} {shown(word)} has {len(word)} letters; "
                           f"the limit is {limit}")


def split_lines(text: str) -> list[str]:
    """Lines as a text box shows them: only ``\n``, ``\r\n`` and ``\r`` end a line.

    >>> split_lines("aarav\fdev\r\nbad1\rsia")   # \f stays inside line 1
    ['aarav\x0cdev', 'bad1', 'sia']

    (``str.splitlines`` also breaks at \f, \v, \x1c-\x1e, \x85, U+2028 and U+2029, so
    its line numbers would not match what the reader sees.)
    """
    return _LINE_BREAK.split(text)


def _entries(n: int) -> str:
    """``1 entry``, ``0 entries``, ``2 entries``."""
    return f"{n} {'entry' if n == 1 else 'entries'}"


def _clean_lines(lines) -> list[tuple[int, str]]:
    if isinstance(lines, str):
        if len(lines) > MAX_TEXT_CHARS:
            raise DatasetError(f"the text has {len(lines):,} characters; at most "
                               f"{MAX_TEXT_CHARS:,} are allowed ({MAX_ENTRIES} entries)")
        lines = split_lines(lines)
    if len(lines) > MAX_LINES:
        raise DatasetError(f"found {len(lines):,} lines; at most {MAX_LINES:,} are allowed "
                           f"({MAX_ENTRIES} entries, blank lines included)")
    out = [(i + 1, str(s).strip(_EDGE_BLANKS).lower()) for i, s in enumerate(lines)]
    out = [(i, s) for i, s in out if s]
    if len(out) < MIN_ENTRIES:
        raise DatasetError(f"found {_entries(len(out))}; at least {MIN_ENTRIES} are needed")
    if len(out) > MAX_ENTRIES:
        raise DatasetError(f"found {_entries(len(out))}; at most {MAX_ENTRIES} are allowed")
    return out


def names_dataset(lines) -> Dataset:
    """Validate names, one per line (a list or one string); blank lines are dropped.

    >>> names_dataset(["Dev", "", "Sia"]).entries
    ('dev', 'sia')
    """
    rows = _clean_lines(lines)
    for i, s in rows:
        _check_word(s, i, "name", MAX_NAME_LEN)
    return _build("names", [s for _, s in rows])


def pairs_dataset(lines) -> Dataset:
    """Validate ``question>answer`` pairs (strings, or (question, answer) tuples).

    >>> pairs_dataset(["Hello > Namaste", "bye>alvida"]).entries
    ('hello>namaste', 'bye>alvida')
    """
    if not isinstance(lines, str):
        lines = [SEP.join(x) if isinstance(x, (tuple, list)) else x for x in lines]
    rows = _clean_lines(lines)
    entries = []
    for i, s in rows:
        if s.count(SEP) != 1:
            raise DatasetError(f"line {i}: write each pair as question>answer "
                               f"with exactly one '>', e.g. hello>namaste")
        q, a = (w.strip(_EDGE_BLANKS) for w in s.split(SEP))
        _check_word(q, i, "question", MAX_WORD_LEN)
        _check_word(a, i, "answer", MAX_WORD_LEN)
        entries.append(q + SEP + a)
    return _build("translate", entries)


def _packaged(filename: str) -> list[str]:
    """The words of a data file shipped in the package (``diffusion_core/data/``).

    ``pkgutil.get_data`` reads it through the package's loader (a folder or a zip):
    in Pyodide its first call costs 0.3 ms where ``importlib.resources`` cost 31 ms,
    on the path to "Python ready"."""
    raw = pkgutil.get_data("diffusion_core", f"data/{filename}")
    if raw is None:
        raise DatasetError(f"the package's data file {filename} cannot be read")
    return raw.decode("utf-8").split()


def builtin(task: str) -> Dataset:
    """The shipped data: 40 Indian names, or 30 English>Hindi pairs."""
    if task == "names":
        return names_dataset(_packaged("names.txt"))
    if task == "translate":
        return pairs_dataset(_packaged("pairs.txt"))
    raise DatasetError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")


def from_json(obj: dict) -> Dataset:
    """Rebuild a dataset saved by :meth:`Dataset.to_json` (validating it again)."""
    task = obj.get("task")
    if task not in TASKS:
        raise DatasetError(f"unknown task {str(task)[:20]!r}; choose one of {', '.join(TASKS)}")
    return names_dataset(obj["entries"]) if task == "names" else pairs_dataset(obj["entries"])


def example_pattern(data: Dataset, room: int) -> str:
    """A pattern that fits the data in use: its first entry (a translator's: the answer),
    cut to ``room`` characters, with all but its first and last letters hidden.

    >>> example_pattern(names_dataset(["rahul", "sia"]), 7)
    'r???l'
    >>> example_pattern(names_dataset(["ab", "c"]), 7)
    'a?'
    """
    word = data.entries[0].split(SEP)[-1][:room]
    if len(word) <= 2:
        return word[:1] + MASK * (len(word) - 1)
    return word[0] + MASK * (len(word) - 2) + word[-1]
