"""The Bayes-optimal loss floor: the grouped exact sum against brute force, overall and by t."""
import math
import time
import tracemalloc

import numpy as np
import pytest

from diffusion_core import metrics
from diffusion_core.dataset import MASK_ID, builtin, names_dataset, pairs_dataset


def brute_force_floor(data, lo=0.0, hi=1.0):
    """Every row, every mask pattern of its own maskable positions, the oracle's loss;
    patterns weighted by the mean of t^k (1-t)^(m-k) over t in [lo, hi] (midpoint rule)."""
    tok, mk = data.tokens, data.maskable
    ts = lo + (np.arange(20000) + 0.5) * (hi - lo) / 20000
    weights = {m: np.array([np.mean(ts**k * (1 - ts) ** (m - k)) for k in range(m + 1)])
               for m in set(mk.sum(axis=1).tolist())}
    total = 0.0
    for i in range(len(tok)):
        pos = np.flatnonzero(mk[i])
        m = len(pos)
        bits = (np.arange(2**m)[:, None] >> np.arange(m)[None, :]) & 1
        noisy = np.repeat(tok[i : i + 1], 2**m, axis=0)
        noisy[:, pos] = np.where(bits == 1, MASK_ID, noisy[:, pos])
        losses = metrics._bayes_losses(data, np.full(2**m, i), noisy)
        total += float(weights[m][bits.sum(axis=1)] @ losses)
    return total / len(tok)


SMALL = {
    "builtin names": builtin("names"),
    "names of mixed lengths": names_dataset(["ab", "abc", "abd", "b", "ba", "abcdef", "xa"]),
    "pairs sharing questions": pairs_dataset(
        ["ab>xy", "ab>xz", "ab>q", "c>xyz", "c>xyy", "de>a", "abc>abc", "abc>abd"]),
    "builtin pairs (unique questions)": builtin("translate"),
    "many repeats (large groups)": names_dataset(
        ["".join("ab"[(i >> j) % 2] for j in range(2 + i % 5)) for i in range(60)]),
}


@pytest.mark.parametrize("name", SMALL)
def test_grouped_floor_equals_brute_force(name):
    d = SMALL[name]
    assert metrics.loss_floor(d).mean == pytest.approx(brute_force_floor(d), abs=1e-8)


@pytest.mark.parametrize("name", ["builtin names", "pairs sharing questions"])
def test_floor_per_band_of_t_equals_brute_force(name):
    d = SMALL[name]
    bands = metrics.BayesFloor(d).by_t(10)
    want = [brute_force_floor(d, i / 10, (i + 1) / 10) for i in range(10)]
    assert bands == pytest.approx(want, abs=1e-8)
    assert bands == sorted(bands)  # more hidden, more to guess
    assert np.mean(bands) == pytest.approx(metrics.loss_floor(d).mean, abs=1e-12)


def test_floor_of_the_builtin_names_is_0_394():
    fl = metrics.loss_floor(builtin("names"))
    assert fl.stderr == 0 and fl.n == 0
    assert fl.mean == pytest.approx(0.393613898, abs=1e-9)


def test_translate_floor_is_zero_since_questions_are_unique():
    assert metrics.loss_floor(builtin("translate")).mean == 0.0
    assert metrics.BayesFloor(builtin("translate")).by_t() == [0.0] * 10


def _random_names(n, length, seed=0):
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz"), length)) for _ in range(n)]


def test_floor_of_2000_random_12_letter_names_is_exact_and_light():
    d = names_dataset(_random_names(2000, 12))
    tracemalloc.start()
    t0 = time.perf_counter()
    fl = metrics.loss_floor(d)
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert fl.mean == pytest.approx(0.548158, abs=1e-6) and fl.stderr == 0
    assert peak < 20e6, f"{peak / 1e6:.1f} MB"  # the limit for extra memory
    print(f"floor of 2,000 names: {seconds:.3f} s, peak {peak / 1e6:.1f} MB")


def test_grouped_floor_on_a_larger_sample_matches_monte_carlo_of_the_oracle():
    """300 names of up to 9 letters: too many patterns for brute force, so compare with
    the oracle's loss on 30,000 random corruptions (4 standard errors)."""
    rng = np.random.default_rng(5)
    names = [s[: rng.integers(2, 10)] for s in _random_names(300, 9, seed=1)]
    names = [s.replace("q", "a").replace("z", "e") for s in names]  # more shared letters
    d = names_dataset(names)
    n = 30000
    rows = rng.integers(0, len(names), n)
    t = rng.random(n)
    noisy = np.where(rng.random((n, d.seq_len)) < t[:, None], MASK_ID, d.tokens[rows])
    x = np.concatenate([metrics._bayes_losses(d, rows[s : s + 1000], noisy[s : s + 1000])
                        for s in range(0, n, 1000)])
    se = x.std(ddof=1) / math.sqrt(n)
    assert abs(metrics.loss_floor(d).mean - x.mean()) < 4 * se
