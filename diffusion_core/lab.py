"""Quality against steps: every unmasking rule, 1 to 40 steps, the model beside the oracle.

For each sampler (:data:`diffusion_core.samplers.STRATEGIES`) and each step budget in
:data:`STEPS`, ``n`` names are drawn from all masks, once with the trained network
and once with the exact posterior (the oracle). The oracle's row is the sampler's
own error (several positions revealed in one step are drawn independently, so even
the exact posterior writes names that are in no training set); the gap between the
two rows is the model's error. Per cell:

* ``training_share``: share of samples that are training names (``novelty`` = 1 − it);
* ``distinct``, ``new_distinct``: distinct names drawn, and those not in the data;
* ``removed_mass``: mean share of the model's probability the word restrictions
  removed (from the sampler);
* ``outside_share`` and a divergence from the training distribution p (entries
  counted with multiplicity): ``tv`` = total variation between the samples'
  empirical distribution and p (names outside count fully); ``chi2_per_df`` =
  Pearson's χ² of the in-training samples against p, over K − 1 degrees of freedom
  (about 1 for an exact sampler; large when the shares are off); ``kl_bits`` =
  KL(q_in ‖ p) of the in-training samples (plug-in, so an exact sampler still shows
  about (K − 1) / (2 n ln 2) bits);
* ``nfe``, ``nfe_uncached``: mean network calls per sample.

The work is cut into pieces (one sampler call each, with its own seed; at most
``PIECE_WORK / steps`` samples and at most 64, so a cell of n <= 64 is one batched
call), so a :class:`QualityJob` can run in chunks of a few tens of milliseconds (the
worker posts progress and honours Stop between chunks) and gives the same table
however it is chunked.
``left_to_right`` ignores the budget (one position per step), so it is drawn once
and shown at every budget.

Cost of the whole grid (86 cells; CPython CPU time with one BLAS thread, measured
on a 2-core machine under heavy load from other jobs, so an upper figure): 0.5-0.65 s
for n = 32 per cell, 0.6-0.8 s for n = 64, 1.4-1.7 s for n = 128; the slowest piece
(64 samples, 40 steps) took 35-44 ms of CPU.
"""

from __future__ import annotations

import math
import time
from collections import Counter

import numpy as np

from . import checks, sampler
from .dataset import Dataset
from .oracle import OracleDenoiser
from .samplers import STRATEGIES

STEPS = (1, 2, 4, 7, 10, 20, 40)
PIECE_WORK = 64 * 40  # samples x steps in one piece of work (one sampler call)
DEFAULT_N = 64  # samples per cell (the cost is in the module docstring)
MAX_N = 400


def cell_metrics(texts: list[str], removed: list, nfe: list, nfe_uncached: list,
                 data: Dataset) -> dict:
    """The quality of one cell's samples (see the module docstring); JSON-safe floats.

    >>> cell_metrics(["dev", "zed"], [0.0, 0.1], [7, 7], [7, 7], builtin("names"))["training_share"]
    0.5
    """
    n = len(texts)
    p = Counter(data.entries)
    N = len(data.entries)
    got = Counter(texts)
    inside = {k: v for k, v in got.items() if k in p}
    n_in = sum(inside.values())
    tv = 0.5 * (sum(abs(inside.get(k, 0) / n - c / N) for k, c in p.items()) + (n - n_in) / n)
    out = {"n": n, "training_share": n_in / n, "novelty": 1 - n_in / n,
           "distinct": len(got), "new_distinct": len(got) - len(inside),
           "outside_share": (n - n_in) / n, "tv": tv, "chi2_per_df": None, "kl_bits": None,
           "removed_mass": _mean([r for r in removed if r is not None]),
           "nfe": _mean(nfe), "nfe_uncached": _mean(nfe_uncached)}
    if n_in and len(p) > 1:
        chi2 = sum((inside.get(k, 0) - n_in * c / N) ** 2 / (n_in * c / N) for k, c in p.items())
        out["chi2_per_df"] = chi2 / (len(p) - 1)
        out["kl_bits"] = sum(v / n_in * math.log2(v / n_in / (p[k] / N))
                             for k, v in inside.items())
    return out


def _mean(xs) -> float | None:
    return float(np.mean(xs)) if len(xs) else None


class QualityJob:
    """The whole table, computed piece by piece.

    Parameters
    ----------
    model : the network's weights (Params) or any denoiser
    data : the names data (the oracle's training set)
    n : samples per cell
    strategies, steps : the grid (default: every rule, :data:`STEPS`)
    temperature : 1 draws from the denoiser's own distribution (the oracle: exactly)
    """

    def __init__(self, model, data: Dataset, n: int = DEFAULT_N, strategies=STRATEGIES,
                 steps=STEPS, temperature: float = 1.0, seed: int = 0):
        if data.task != "names":
            raise ValueError("quality against steps is measured on the names model")
        if not 1 <= n <= MAX_N:
            raise ValueError(f"samples per cell must be between 1 and {MAX_N}")
        self.data, self.seed, self.temperature = data, seed, temperature
        self.denoisers = {"model": sampler.as_denoiser(model), "oracle": OracleDenoiser(data)}
        self.steps = tuple(steps)
        self.cells = [(d, s, k) for d in self.denoisers for s in strategies for k in self.steps
                      if s != "left_to_right" or k == self.steps[0]]
        self.n = n
        L = data.seq_len
        self.pieces = [(c, j, min(size, n - j * size)) for c in range(len(self.cells))
                       for size in [piece_size(L if self.cells[c][1] == "left_to_right"
                                               else self.cells[c][2], n)]
                       for j in range(-(-n // size))]
        self.done = 0
        self._acc: list[dict[str, list]] = [
            {"texts": [], "removed": [], "nfe": [], "nfe_uncached": []} for _ in self.cells]

    @property
    def finished(self) -> bool:
        return self.done == len(self.pieces)

    def _run_piece(self, c: int, j: int, count: int) -> None:
        den, strategy, steps = self.cells[c]
        seed = int(np.random.SeedSequence([self.seed, c, j]).generate_state(1)[0])
        out = sampler.sample(self.denoisers[den], self.data, n=count, steps=steps,
                             temperature=self.temperature, strategy=strategy, seed=seed,
                             trace=False)  # no timeline: about 4x less CPU
        acc = self._acc[c]
        for r in out:
            acc["texts"].append(r["text"])
            acc["removed"].append(r["removed_mass"])
            acc["nfe"].append(r["nfe"])
            acc["nfe_uncached"].append(r["nfe_uncached"])

    def advance(self, max_seconds: float) -> list[dict]:
        """Run pieces until ``max_seconds`` have passed (at least one); returns the rows of
        the cells finished meanwhile."""
        t0 = time.perf_counter()
        rows = []
        while not self.finished:
            c, j, count = self.pieces[self.done]
            self._run_piece(c, j, count)
            self.done += 1
            if len(self._acc[c]["texts"]) == self.n:
                rows += self.rows_of(c)
            if time.perf_counter() - t0 >= max_seconds:
                break
        return rows

    def rows_of(self, c: int) -> list[dict]:
        """The table rows of finished cell ``c`` (left_to_right: one per step budget)."""
        den, strategy, steps = self.cells[c]
        a = self._acc[c]
        m = cell_metrics(a["texts"], a["removed"], a["nfe"], a["nfe_uncached"], self.data)
        budgets = self.steps if strategy == "left_to_right" else (steps,)
        return [{"denoiser": den, "strategy": strategy, "steps": k} | m for k in budgets]

    def table(self) -> list[dict]:
        """Every finished cell's rows, in grid order."""
        return [r for c in range(len(self.cells)) if len(self._acc[c]["texts"]) == self.n
                for r in self.rows_of(c)]


def side_by_side(model, data: Dataset, strategies: list[str], n: int = 1, steps: int = 10,
                 temperature: float = 1.0, seed: int = 0,
                 pattern: str | None = None) -> list[list[dict]]:
    """``n`` samples of each rule in ``strategies``, all in one reverse run.

    The ``len(strategies) * n`` rows share every step's denoiser call and draw (one
    batched network call per step instead of one per rule), and each rule picks its
    reveals on its own rows, so the rules see one model, one seed and one step budget.
    Each sample's ``nfe`` still counts the calls its own row needed. A rule's rows
    get other random numbers than in a run of that rule alone with the same seed. The
    timelines leave out the top candidates (``top`` is all null): the comparison shows
    the characters, not the beliefs behind them.

    pattern : a names pattern such as ``"r???l"`` (letters stay, ``?`` are filled),
        or None to generate from all masks. Returns one list of samples per rule.
    Raises ``DatasetError`` for a bad pattern, ``ValueError`` for bad settings.
    """
    B = len(strategies) * n
    if pattern is None:
        rows = np.zeros((B, data.seq_len), dtype=np.intp)
        maskable, letters_only = np.ones(rows.shape, dtype=bool), None
    else:
        pat = checks.parse_pattern(data, pattern, 0, "pattern")
        rows, maskable, letters_only = sampler.fill_rows(data, [""] * B, [pat] * B)
    out = sampler.denoise(model, data, rows, maskable, steps, temperature, strategies[0],
                          np.random.default_rng(seed), letters_only,
                          strategies=[st for st in strategies for _ in range(n)], tops=False)
    return [out[k * n:(k + 1) * n] for k in range(len(strategies))]


def piece_size(steps: int, n: int) -> int:
    """Samples per sampler call for a cell with ``steps``: ``PIECE_WORK // steps``, 4 to 64.

    >>> [piece_size(k, 64) for k in (1, 7, 40, 64)], piece_size(40, 128)
    ([64, 64, 64, 40], 64)
    """
    return max(1, min(n, max(4, min(64, PIECE_WORK // steps))))


def quality(model, data: Dataset, **kw) -> list[dict]:
    """The whole table at once (the command line)."""
    job = QualityJob(model, data, **kw)
    job.advance(math.inf)
    return job.table()


def format_table(rows: list[dict]) -> str:
    """Plain-text table, one line per (denoiser, sampler, steps)."""
    head = (f"{'denoiser':8s} {'sampler':17s} {'steps':>5s} {'train%':>6s} {'distinct':>8s} "
            f"{'new':>4s} {'removed':>8s} {'TV':>5s} {'chi2/df':>7s} {'NFE':>5s}")
    lines = [head]
    for r in rows:
        chi = "-" if r["chi2_per_df"] is None else f"{r['chi2_per_df']:.2f}"
        rem = "-" if r["removed_mass"] is None else f"{r['removed_mass']:.4f}"
        lines.append(f"{r['denoiser']:8s} {r['strategy']:17s} {r['steps']:5d} "
                     f"{100 * r['training_share']:6.1f} {r['distinct']:8d} "
                     f"{r['new_distinct']:4d} {rem:>8s} {r['tv']:5.2f} {chi:>7s} "
                     f"{r['nfe']:5.1f}")
    return "\n".join(lines)
