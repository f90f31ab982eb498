"""The unmasking rules, the draw and the word restrictions, with small denoiser doubles."""
import doctest
import json

import numpy as np
import pytest

from diffusion_core import reverse, samplers
from diffusion_core.dataset import MASK_ID, builtin
from diffusion_core.metrics import is_valid
from diffusion_core.sampler import STRATEGIES, _choose, sample

NAMES = builtin("names")


class Fixed:
    """A double: the same probabilities (L, V) for every row, whatever x and t; counts calls."""

    time_independent = True

    def __init__(self, probs):
        self.probs = np.asarray(probs, dtype=float)
        self.calls = 0
        self.rows = 0

    def __call__(self, x, t):
        self.calls += 1
        self.rows += len(x)
        return np.broadcast_to(self.probs, (len(x),) + self.probs.shape).copy()


def one_hot(word, data=NAMES, p=1.0):
    """(L, V): probability ``p`` on each character of ``word`` (pads after), the rest spread."""
    L, V = data.seq_len, data.vocab_size
    out = np.full((L, V), (1.0 - p) / (V - 1))
    out[np.arange(L), data.encode(word)] = p
    return out


def test_docstring_examples_hold():
    assert doctest.testmod(samplers).failed == 0
    assert doctest.testmod(reverse).failed == 0


def test_choose_skips_a_disallowed_first_entry_at_u_zero():
    probs = np.array([[.4, .05, .3, .15, .1, 0]])
    allowed = np.array([[0, 0, 1, 1, 1, 1]], dtype=bool)
    assert _choose(probs, allowed, 1.0, np.array([0.0]))[0] == 2


@pytest.mark.parametrize("temperature", [0.0, 0.3, 1.0, 5.0])
def test_choose_never_picks_a_zero_probability_entry(temperature):
    rng = np.random.default_rng(0)
    for _ in range(300):
        p = rng.random((4, 9)) * (rng.random((4, 9)) < 0.5)
        allowed = rng.random((4, 9)) < 0.6
        allowed[:, 4] = True
        p[:, 4] += 1e-3  # every row keeps some allowed mass
        for u in (0.0, np.nextafter(1.0, 0.0), 1 - 1e-12, 0.5):
            pick = _choose(p, allowed, temperature, np.full(4, u))
            assert allowed[np.arange(4), pick].all()
            assert (p[np.arange(4), pick] > 0).all()


def test_choose_at_u_near_one_takes_the_last_positive_entry():
    probs = np.array([[0.2, 0.5, 0.3, 0.0, 0.0]])
    allowed = np.ones((1, 5), dtype=bool)
    assert _choose(probs, allowed, 1.0, np.array([np.nextafter(1.0, 0.0)]))[0] == 2


def test_choose_with_no_allowed_mass_is_uniform_over_allowed():
    probs = np.array([[1.0, 0.0, 0.0, 0.0]])
    allowed = np.array([[False, True, True, False]])
    picks = {int(_choose(probs, allowed, 1.0, np.array([u]))[0]) for u in (0.1, 0.9)}
    assert picks == {1, 2}


class Broken:
    """A double that returns unusable probabilities: NaN, inf, zeros, negatives, huge."""

    def __init__(self, kind):
        self.kind = kind

    def __call__(self, x, t):
        B, L, V = len(x), NAMES.seq_len, NAMES.vocab_size
        fill = {"nan": np.nan, "inf": np.inf, "zero": 0.0, "negative": -1.0,
                "huge": 1e308}[self.kind]
        out = np.full((B, L, V), fill)
        if self.kind == "zero":
            out[:, :, MASK_ID] = 1.0  # all the mass on the mask, which is never allowed
        return out


@pytest.mark.parametrize("kind", ["nan", "inf", "zero", "negative", "huge"])
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_no_empty_word_whatever_the_probabilities(kind, strategy):
    for seed in range(5):
        out = sample(Broken(kind), NAMES, n=10, steps=5, temperature=1.0, strategy=strategy,
                     seed=seed)
        json.dumps(out, allow_nan=False)  # every number in the timeline is finite
        for r in out:
            assert r["text"] and is_valid(NAMES.encode(r["text"])), r["text"]
            assert r["fallback"] > 0
            if kind != "zero":
                assert r["removed_mass"] is None  # nothing usable to measure


class Noisy:
    """A double with random logits per call: a hard case for the word restrictions."""

    def __init__(self, seed, scale=3.0):
        self.rng = np.random.default_rng(seed)
        self.scale = scale

    def __call__(self, x, t):
        z = self.rng.normal(0, self.scale, (len(x), NAMES.seq_len, NAMES.vocab_size))
        e = np.exp(z)
        return e / e.sum(axis=2, keepdims=True)


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("steps", [1, 3, 7, 12])
def test_every_strategy_ends_with_a_valid_word(strategy, steps):
    for seed in range(8):
        out = sample(Noisy(seed), NAMES, n=20, steps=steps, temperature=1.0,
                     strategy=strategy, seed=seed)
        for r in out:
            final = r["steps"][-1]
            assert "?" not in final["tokens"] and final["t_to"] == 0.0
            assert r["text"] and is_valid(NAMES.encode(r["text"]))
            assert r["fallback"] == 0 and 0.0 <= r["removed_mass"] < 1.0


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_timeline_labels_fall_from_one_to_zero(strategy):
    (r,) = sample(Noisy(1), NAMES, n=1, steps=5, temperature=1.0, strategy=strategy, seed=2)
    steps = r["steps"]
    assert (steps[0]["t_from"], steps[0]["t_to"], steps[0]["tokens"]) == (1.0, 1.0, "???????")
    assert steps[1]["t_from"] == 1.0 and steps[-1]["t_to"] == 0.0
    for prev, cur in zip(steps, steps[1:]):
        assert cur["t_from"] == prev["t_to"] and cur["t_to"] < cur["t_from"]


def _reveals_per_step(strategy, steps, seed=0, denoiser=None):
    (r,) = sample(denoiser or Noisy(seed), NAMES, n=1, steps=steps, temperature=1.0,
                  strategy=strategy, seed=seed)
    return [len(s["revealed"]) for s in r["steps"][1:]]


@pytest.mark.parametrize("steps", range(1, 8))
def test_confident_reveals_its_share_and_no_step_is_empty(steps):
    for seed in range(5):
        counts = _reveals_per_step("confident", steps, seed)
        left, want = 7, []
        for s in range(steps, 0, -1):
            want.append(-(-left // s))
            left -= want[-1]
        assert counts == want and min(counts) >= 1 and sum(counts) == 7


def test_confident_with_more_steps_than_positions_finishes_early_and_calls_less():
    den = Fixed(one_hot("kavya", p=0.5))
    (r,) = sample(den, NAMES, n=1, steps=10, temperature=0.0, strategy="confident", seed=0)
    counts = [len(s["revealed"]) for s in r["steps"][1:]]
    assert counts == [1] * 7 + [0] * 3
    assert r["nfe"] == 7 and r["nfe_uncached"] == 10 and den.calls == 7


def test_cosine_counts_follow_maskgit():
    assert _reveals_per_step("confident_cosine", 4) == [1, 2, 2, 2]  # 7cos(pi/8)=6.5 keeps 6
    assert _reveals_per_step("confident_cosine", 7) == [1, 1, 1, 1, 1, 1, 1]
    assert _reveals_per_step("confident_cosine", 2) == [3, 4]  # 7cos(pi/4)=4.9 keeps 4
    assert samplers.cosine_count(np.array([7]), np.array([7]), 0, 2).tolist() == [3]


def test_llada_counts_match_the_reference_rule():
    # get_num_transfer_tokens: base = N // n, the first N % n steps get one more
    assert samplers.llada_counts(np.array([7, 5, 2]), 3).tolist() == \
        [[3, 2, 2], [2, 2, 1], [1, 1, 0]]


def test_llada_keeps_the_most_confident_predictions_hand_worked():
    # probability of the predicted letter at each position, the rest spread thinly
    conf = [0.5, 0.9, 0.3, 0.8, 0.6, 0.95, 0.4]
    probs = np.full((7, NAMES.vocab_size), 0.0)
    a = NAMES.vocab.index("a")
    for i, c in enumerate(conf):
        probs[i] = (1 - c) / (NAMES.vocab_size - 1)
        probs[i, a] = c
    (r,) = sample(Fixed(probs), NAMES, n=1, steps=3, temperature=0.0, strategy="llada", seed=0)
    # counts 3, 2, 2; step 1 keeps .95, .9, .8; step 2 .6, .5; step 3 .4, .3
    assert [s["revealed"] for s in r["steps"][1:]] == [[1, 3, 5], [0, 4], [2, 6]]
    assert r["text"] == "aaaaaaa"
    assert r["steps"][1]["conf_min"] == pytest.approx(0.3, abs=0.02)  # renormalised


def test_remdm_marks_remasked_characters_and_still_finishes():
    seen = 0
    for seed in range(10):
        for r in sample(Noisy(seed), NAMES, n=10, steps=8, temperature=1.0, strategy="remdm",
                        seed=seed, eta=0.5):
            for prev, cur in zip(r["steps"], r["steps"][1:]):
                for i in cur["remasked"]:
                    seen += 1
                    assert prev["tokens"][i] != "?" and cur["tokens"][i] == "?"
                    assert cur["probs"][i] is None
            assert "?" not in r["steps"][-1]["tokens"] and is_valid(NAMES.encode(r["text"]))
    assert seen > 50


def test_remdm_without_remasking_is_the_ancestral_sampler():
    a = sample(Noisy(3), NAMES, n=10, steps=6, temperature=1.0, strategy="remdm", eta=0.0)
    assert all(not s["remasked"] for r in a for s in r["steps"])
    assert samplers.remdm_sigma(1.0, 0.9, 0.05) == 0.05  # alpha_t = 0: only eta caps it
    assert samplers.remdm_sigma(0.2, 0.1, 0.5) == pytest.approx(0.125)  # (1-a_s)/a_t = .1/.8


def test_threshold_stops_as_soon_as_nothing_is_masked():
    den = Fixed(one_hot("kavya", p=0.99))
    (r,) = sample(den, NAMES, n=1, steps=10, temperature=1.0, strategy="threshold", seed=0)
    assert r["text"] == "kavya" and len(r["steps"]) == 2
    assert r["nfe"] == 1 and den.calls == 1
    assert r["steps"][1]["conf_min"] == pytest.approx(0.99, abs=1e-3)
    assert (r["steps"][1]["t_from"], r["steps"][1]["t_to"]) == (1.0, 0.0)


def test_threshold_reveals_at_least_one_when_nothing_is_sure():
    den = Fixed(np.full((7, NAMES.vocab_size), 1.0 / NAMES.vocab_size))
    (r,) = sample(den, NAMES, n=1, steps=64, temperature=1.0, strategy="threshold", seed=0)
    counts = [len(s["revealed"]) for s in r["steps"][1:]]
    assert min(counts) >= 1 and sum(counts) == 7 and r["nfe"] == len(counts)
    for s in r["steps"][1:]:
        assert s["conf_min"] <= s["conf_mean"] < 0.9


def test_left_to_right_reveals_one_position_per_step_in_order():
    (r,) = sample(Noisy(0), NAMES, n=1, steps=3, temperature=1.0, strategy="left_to_right")
    assert [s["revealed"] for s in r["steps"][1:]] == [[i] for i in range(7)]
    assert r["nfe"] == 7
    assert [s["t_to"] for s in r["steps"][1:]] == pytest.approx([(6 - i) / 7 for i in range(7)])


def test_a_time_independent_denoiser_is_not_called_on_an_unchanged_row():
    den = Fixed(one_hot("kavya", p=0.6))
    out = sample(den, NAMES, n=30, steps=20, temperature=1.0, strategy="random", seed=0)
    for r in out:
        called = sum(s["called"] for s in r["steps"])
        changed = sum(bool(s["revealed"]) for s in r["steps"][1:])
        assert r["nfe"] == called == changed < r["nfe_uncached"] == 20
    assert den.rows == sum(r["nfe"] for r in out)
    assert out[0]["batch_nfe"] == den.calls


def test_a_network_is_called_at_every_step_while_masks_remain():
    out = sample(Noisy(0), NAMES, n=30, steps=20, temperature=1.0, strategy="random", seed=0)
    for r in out:
        live = sum(("?" in a["tokens"]) for a in r["steps"][:-1])
        assert r["nfe"] == live and r["nfe_uncached"] == 20


def test_top_candidates_are_sorted_probabilities_before_the_draw():
    den = Noisy(4)
    for temperature in (0.5, 1.0, 2.0):
        (r,) = sample(den, NAMES, n=1, steps=4, temperature=temperature, strategy="random")
        for prev, cur in zip(r["steps"], r["steps"][1:]):
            for i, top in enumerate(cur["top"]):
                assert (top is None) == (prev["tokens"][i] != "?")
                if top is None:
                    continue
                ps = [p for _, p in top]
                assert 1 <= len(top) <= 5 and ps == sorted(ps, reverse=True)
                assert sum(ps) <= 1 + 1e-3 and all(c != "?" for c, _ in top)


def test_top_candidates_are_the_models_probabilities_at_the_temperature():
    probs = one_hot("kavya", p=0.5)
    for temperature, expected in ((1.0, 0.5), (0.5, 0.25 / (0.25 + 21 * (0.5 / 21) ** 2))):
        (r,) = sample(Fixed(probs), NAMES, n=1, steps=1, temperature=temperature)
        first = r["steps"][1]["top"][0]
        assert first[0][0] == "k" and first[0][1] == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_temperature_towards_zero_is_argmax(strategy):
    cold = sample(Noisy(5, scale=1.0), NAMES, n=10, steps=5, temperature=1e-7,
                  strategy=strategy, seed=1)
    greedy = sample(Noisy(5, scale=1.0), NAMES, n=10, steps=5, temperature=0.0,
                    strategy=strategy, seed=1)
    assert [r["text"] for r in cold] == [r["text"] for r in greedy]
    for r in greedy:
        for s in r["steps"][1:]:
            for i in s["revealed"]:  # the top candidate, unless a restriction forbids it
                top, c = s["top"][i][0][0], s["tokens"][i]
                assert c == top or "_" in (c, top)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_without_the_timeline_the_samples_are_the_same(strategy):
    kw = dict(n=20, steps=6, temperature=1.0, strategy=strategy, seed=3)
    full = sample(Fixed(one_hot("kavya", p=0.4)), NAMES, **kw)
    bare = sample(Fixed(one_hot("kavya", p=0.4)), NAMES, trace=False, **kw)
    assert all(r["steps"] == [] for r in bare)
    drop = ("steps",)
    assert [{k: v for k, v in r.items() if k not in drop} for r in full] == \
        [{k: v for k, v in r.items() if k not in drop} for r in bare]
