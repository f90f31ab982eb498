"""Property tests: dataset validation and sampler invariants under random input."""
import string

import numpy as np
from helpers import trained
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diffusion_core.dataset import DatasetError, names_dataset, pairs_dataset
from diffusion_core.metrics import is_valid
from diffusion_core.model import ModelConfig, Params
from diffusion_core.sampler import sample, translate

lines = st.lists(st.text(alphabet=string.printable + "éß", max_size=14), max_size=12)


@settings(max_examples=300, deadline=None)
@given(lines)
def test_names_validation_accepts_exactly_clean_input(raw):
    cleaned = [s.strip(" \t").lower() for s in raw if s.strip(" \t")]
    good = 2 <= len(cleaned) and all(s and len(s) <= 12 and set(s) <= set(string.ascii_lowercase)
                                     for s in cleaned)
    try:
        d = names_dataset(raw)
    except DatasetError as e:
        assert not good, e
        assert str(e)
    else:
        assert good
        assert list(d.entries) == cleaned
        for e, row in zip(d.entries, d.tokens):
            assert d.decode(row).rstrip("_") == e


@settings(max_examples=200, deadline=None)
@given(lines)
def test_pairs_validation_never_crashes(raw):
    try:
        d = pairs_dataset(raw)
    except DatasetError as e:
        assert str(e)
    else:
        assert all(e.count(">") == 1 for e in d.entries)
        assert (d.maskable.sum(axis=1) >= 1).all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 20), st.floats(0, 5), st.sampled_from(["random", "confident"]),
       st.integers(0, 2**32 - 1), st.booleans())
def test_sampler_output_is_always_a_word(steps, temperature, strategy, seed, uniform):
    p, d = trained("names")
    if uniform:
        p = Params(ModelConfig(d.seq_len, d.vocab_size, hidden=3))
    for r in sample(p, d, n=8, steps=steps, temperature=temperature, strategy=strategy,
                    seed=seed):
        assert is_valid(d.encode(r["steps"][-1]["tokens"]))
        assert len(r["steps"]) == steps + 1


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet="abcdefghijklmnoprstuvwy", min_size=1, max_size=6),
       st.integers(1, 12), st.floats(0, 3), st.integers(0, 1000))
def test_translation_never_touches_the_question(word, steps, temperature, seed):
    p, d = trained("translate")
    (r,) = translate(p, d, [word], steps=steps, temperature=temperature, strategy="random",
                     seed=seed)
    for s in r["steps"]:
        assert s["tokens"][: len(word) + 1] == word + ">"
    final = d.encode(r["steps"][-1]["tokens"])
    assert is_valid(np.delete(final, range(len(word) + 1)))
