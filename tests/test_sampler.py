import pytest
from helpers import trained

from diffusion_core.dataset import MASK_ID, DatasetError
from diffusion_core.metrics import is_valid, novelty
from diffusion_core.model import ModelConfig, Params
from diffusion_core.oracle import OracleDenoiser
from diffusion_core.sampler import (
    STRATEGIES,
    beliefs,
    infill,
    network,
    reveal,
    sample,
    translate,
)


def _uniform_model(data):
    """A double: zero weights give uniform logits, the hardest case for validity."""
    return Params(ModelConfig(data.seq_len, data.vocab_size, hidden=4))


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("uniform", [False, True])
def test_samples_are_always_letters_then_pads(strategy, uniform):
    p, d = trained("names")
    if uniform:
        p = _uniform_model(d)
    for seed in range(20):
        for r in sample(p, d, n=15, steps=6, temperature=1.5, strategy=strategy, seed=seed):
            final = r["steps"][-1]["tokens"]
            ids = d.encode(final)
            assert is_valid(ids), final
            assert "?" not in final and "_" not in r["text"] and r["text"]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_same_seed_same_output(strategy):
    p, d = trained("names")
    a = sample(p, d, n=15, steps=10, temperature=0.8, strategy=strategy, seed=4)
    b = sample(p, d, n=15, steps=10, temperature=0.8, strategy=strategy, seed=4)
    c = sample(p, d, n=15, steps=10, temperature=0.8, strategy=strategy, seed=5)
    assert a == b
    assert [x["text"] for x in a] != [x["text"] for x in c]


@pytest.mark.parametrize("strategy", ["random", "confident"])
def test_temperature_towards_zero_gives_argmax(strategy):
    p, d = trained("names")
    cold = sample(p, d, n=15, steps=5, temperature=1e-4, strategy=strategy, seed=2)
    greedy = sample(p, d, n=15, steps=5, temperature=0.0, strategy=strategy, seed=2)
    assert [x["text"] for x in cold] == [x["text"] for x in greedy]


def test_timeline_reveals_every_position_once_and_never_remasks():
    p, d = trained("names")
    (r,) = sample(p, d, n=1, steps=7, temperature=0.8, strategy="random", seed=1)
    steps = r["steps"]
    assert len(steps) == 8  # the all-mask start, then one row per step
    assert steps[0]["tokens"] == "?" * 7
    assert (steps[0]["t_from"], steps[0]["t_to"]) == (1.0, 1.0)
    grid = [s / 7 for s in range(7, -1, -1)]  # 1, 6/7, ..., 0
    assert [s["t_from"] for s in steps[1:]] == pytest.approx(grid[:-1])
    assert [s["t_to"] for s in steps[1:]] == pytest.approx(grid[1:])
    assert steps[-1]["t_to"] == 0.0 and all(s["t"] == s["t_to"] for s in steps)
    revealed = [i for s in steps for i in s["revealed"]]
    assert sorted(revealed) == list(range(7))
    for prev, cur in zip(steps, steps[1:]):
        for i, (a, b) in enumerate(zip(prev["tokens"], cur["tokens"])):
            assert a == b or (a == "?" and i in cur["revealed"])
    assert all(0 < q <= 1 for q in steps[-1]["probs"])


def test_confident_reveals_the_surest_position_first():
    p, d = trained("names")
    for seed in range(5):
        (r,) = sample(p, d, n=1, steps=7, temperature=0.0, strategy="confident", seed=seed)
        first = next(s for s in r["steps"] if s["revealed"])
        assert first["revealed"]  # at least one position revealed
        probs = [q for q in first["probs"] if q is not None]
        assert min(probs) > 0.2


def test_translation_keeps_the_question_and_starts_from_masks():
    p, d = trained("translate")
    out = translate(p, d, ["hello", " Water "], steps=5, temperature=1.0, strategy="random",
                    seed=3)
    for r, q in zip(out, ["hello", "water"]):
        assert r["question"] == q
        for s in r["steps"]:
            assert s["tokens"].startswith(q + ">")
        assert r["steps"][0]["tokens"] == q + ">" + "?" * (13 - len(q) - 1)
        assert MASK_ID not in d.encode(r["steps"][-1]["tokens"])
        assert r["answer"] and "_" not in r["answer"]


@pytest.mark.parametrize("word, fragment", [
    ("", "empty"),
    ("x", "never seen the letter 'x'"),
    ("he llo", "a space is not allowed"),
    ("friends", "at most 6"),
    ("'); import js; js.alert(1) #", "not allowed"),
])
def test_bad_words_are_refused(word, fragment):
    p, d = trained("translate")
    with pytest.raises(DatasetError, match=fragment):
        translate(p, d, [word])


def test_novelty_counts_new_names():
    _, d = trained("names")
    assert novelty(["aarav", "zzz", "dev", "qq"], d) == 0.5


@pytest.mark.parametrize("kw, fragment", [
    ({"steps": 0}, "steps"), ({"temperature": -1}, "temperature"),
    ({"strategy": "zigzag"}, "strategy"), ({"n": 0}, "number of samples"),
])
def test_out_of_range_settings_are_refused(kw, fragment):
    p, d = trained("names")
    with pytest.raises(ValueError, match=fragment):
        sample(p, d, **kw)


def test_params_and_the_wrapped_network_sample_alike():
    p, d = trained("names")
    a = sample(p, d, n=15, steps=10, temperature=0.8, strategy="llada", seed=7)
    b = sample(network(p), d, n=15, steps=10, temperature=0.8, strategy="llada", seed=7)
    assert a == b


def test_removed_mass_is_small_for_a_trained_model_and_large_for_a_uniform_one():
    p, d = trained("names")
    trained_mass = [r["removed_mass"] for r in sample(p, d, n=50, steps=7, seed=0)]
    uniform_mass = [r["removed_mass"] for r in sample(_uniform_model(d), d, n=50, steps=7,
                                                       seed=0)]
    assert max(trained_mass) < 0.2 and min(uniform_mass) >= 1 / 22 - 1e-9
    assert sum(uniform_mass) / 50 > 5 * sum(trained_mass) / 50


def test_confident_translation_wastes_no_network_call():
    p, d = trained("translate")
    (r,) = translate(p, d, ["water"], steps=10, temperature=0.0, strategy="confident")
    counts = [len(s["revealed"]) for s in r["steps"][1:]]
    free = 13 - len("water>")
    assert counts == [1] * free + [0] * (10 - free)
    assert r["nfe"] == free and [s["called"] for s in r["steps"][1:]] == [True] * free + \
        [False] * (10 - free)
    (r,) = translate(p, d, ["water"], steps=4, temperature=0.0, strategy="confident")
    assert [len(s["revealed"]) for s in r["steps"][1:]] == [2, 2, 2, 1]


def test_translation_with_pinned_letters_keeps_them():
    p, d = trained("translate")
    out = translate(p, d, ["water", "hello"], steps=5, temperature=0.8, strategy="random",
                    seed=2, answers=["p????", None])
    assert out[0]["answer"].startswith("p") and len(out[0]["answer"]) == 5
    assert out[1]["answer"] and "_" not in out[1]["answer"]


def test_network_infill_and_reveal_by_hand():
    p, d = trained("names")
    for r in infill(p, d, "r???l", n=10, steps=3, temperature=1.0, seed=1):
        assert len(r["text"]) == 5 and r["text"][0] == "r" and r["text"][4] == "l"
    row = "???????"
    for pos in (6, 0, 3):  # any order
        got = reveal(p, d, row, pos, temperature=0.0)
        assert got["row"][pos] != "?" and got["top"][pos] is None
        row = got["row"]
    oracle = OracleDenoiser(d)
    mine, exact = beliefs(p, d, row), beliefs(oracle, d, row)
    masked = [i for i, c in enumerate(row) if c == "?"]
    assert all(mine["top"][i] and exact["top"][i] for i in masked)
