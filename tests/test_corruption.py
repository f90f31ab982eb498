import numpy as np
import pytest

from diffusion_core.corruption import corrupt
from diffusion_core.dataset import MASK_ID, builtin


def test_hand_worked_corruption():
    d = builtin("names")
    x = d.tokens[[d.entries.index("rahul")]]

    class FixedRng:  # uniform draws chosen by hand: masked where u < t
        def random(self, shape):
            return np.array([[0.1, 0.9, 0.3, 0.7, 0.2, 0.6, 0.4]])

    noisy, masked = corrupt(x, 0.5, d.maskable[:1], FixedRng())
    assert d.decode(noisy[0]) == "?a?u?_?"
    assert masked.sum() == 4


@pytest.mark.parametrize("t", [0.0, 0.1, 0.5, 0.9, 1.0])
def test_masked_share_is_close_to_t_pads_included(t):
    d = builtin("names")
    rng = np.random.default_rng(0)
    reps = np.repeat(d.tokens, 250, axis=0)  # 10,000 rows, 70,000 positions
    noisy, masked = corrupt(reps, t, np.ones_like(reps, dtype=bool), rng)
    share = masked.mean()
    assert abs(share - t) < 4 * np.sqrt(t * (1 - t) / masked.size) + 1e-12
    assert np.array_equal(noisy == MASK_ID, masked)
    pads = reps == 0
    if 0 < t < 1:
        assert abs(masked[pads].mean() - t) < 0.02


def test_question_and_separator_are_never_masked():
    d = builtin("translate")
    rng = np.random.default_rng(1)
    reps = np.repeat(d.tokens, 100, axis=0)
    mk = np.repeat(d.maskable, 100, axis=0)
    noisy, masked = corrupt(reps, 1.0, mk, rng)
    assert np.array_equal(noisy[~mk], reps[~mk])
    assert masked[mk].all()  # t = 1 masks the whole answer
