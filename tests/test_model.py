"""Every parameter's gradient against central finite differences."""
import numpy as np
import pytest

from diffusion_core.corruption import corrupt
from diffusion_core.dataset import builtin
from diffusion_core.model import ModelConfig, Params, forward, loss_and_grad, loss_weights
from diffusion_core.steps import FastBatch
from diffusion_core.train import HIDDEN, SGD, FastSGD1, Trainer, get_recipe


def test_names_model_has_the_seeds_parameter_count():
    c = ModelConfig(7, 22, hidden=128)
    assert c.n_in == 57
    assert c.n_params == 27466


def test_initial_loss_is_about_log_vocab():
    d = builtin("names")
    tr = Trainer(d, get_recipe("names", "seed"), seed=0)
    rng = np.random.default_rng(1)
    noisy, _ = corrupt(d.tokens, rng.random(40), d.maskable, rng)
    loss, _ = loss_and_grad(tr.params, noisy, rng.random(40), d.tokens,
                            d.maskable / d.maskable.sum() )
    assert abs(loss - np.log(22)) < 0.3


@pytest.mark.parametrize("task, weighting", [("names", "uniform"), ("translate", "uniform"),
                                             ("names", "elbo")])
def test_every_gradient_matches_finite_differences(task, weighting):
    d = builtin(task)
    c = ModelConfig(d.seq_len, d.vocab_size, hidden=12)  # small H keeps this quick
    rng = np.random.default_rng(0)
    p = Params.init(c, rng)
    p.flat[:] += rng.normal(0, 0.05, p.flat.shape)  # nonzero biases too
    rows = np.arange(6)
    t = rng.random(6)
    noisy, masked = corrupt(d.tokens[rows], t, d.maskable[rows], rng)
    w = loss_weights(d.maskable[rows], masked, t, weighting) / 6
    _, grad = loss_and_grad(p, noisy, t, d.tokens[rows], w)
    used = np.zeros(c.vocab_size, dtype=bool)
    used[noisy.ravel()] = True
    eps = 1e-6
    num = np.zeros_like(p.flat)
    for k in range(p.flat.size):
        old = p.flat[k]
        p.flat[k] = old + eps
        lp, _ = loss_and_grad(p, noisy, t, d.tokens[rows], w)
        p.flat[k] = old - eps
        lm, _ = loss_and_grad(p, noisy, t, d.tokens[rows], w)
        p.flat[k] = old
        num[k] = (lp - lm) / (2 * eps)
    # central differences are exact to O(eps^2) plus rounding of about 1e-16 / eps
    # (a loss of ~3 in float64 makes that rounding ~1e-10 here)
    bad = np.abs(num - grad) > 1e-9 + 1e-5 * np.abs(grad)
    assert not bad.any(), f"{bad.sum()} gradients differ, e.g. {num[bad][:3]} vs {grad[bad][:3]}"
    # the check is not vacuous: most gradients are nonzero
    assert np.count_nonzero(np.abs(grad) > 1e-8) > 0.3 * grad.size
    # unused embedding rows get exactly zero gradient
    g = Params(c, grad)
    assert np.all(g.emb[~used] == 0)


@pytest.mark.parametrize("task", ["names", "translate"])
def test_fast_sgd_step_equals_reference_step(task):
    d = builtin(task)
    fast = Trainer(d, get_recipe(task, "seed"), seed=3)
    ref = Trainer(d, get_recipe(task, "seed"), seed=3)
    ref.fast, ref.opt = None, SGD(ref.params, 0.01)
    a, b = fast.run(5), ref.run(5)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    np.testing.assert_allclose(fast.params.flat, ref.params.flat, rtol=0, atol=1e-12)


def test_forward_gives_a_distribution_at_every_position():
    d = builtin("names")
    p = Params.init(ModelConfig(7, 22, hidden=HIDDEN["names"]), np.random.default_rng(0))
    probs, _ = forward(p, d.tokens[:5], np.full(5, 0.5))
    assert probs.shape == (5, 7, 22)
    np.testing.assert_allclose(probs.sum(axis=2), 1.0)
    assert np.all(probs > 0)
    assert isinstance(FastSGD1(p), FastSGD1)


@pytest.mark.parametrize("task, weighting", [("names", "uniform"), ("translate", "elbo")])
def test_fused_batch_step_equals_reference_loss_and_grad(task, weighting):
    d = builtin(task)
    c = ModelConfig(d.seq_len, d.vocab_size, hidden=HIDDEN[task])
    rng = np.random.default_rng(4)
    p = Params.init(c, rng)
    rows = rng.permutation(len(d.entries))[:9]
    t = rng.random(9)
    noisy, masked = corrupt(d.tokens[rows], t, d.maskable[rows], rng)
    w = loss_weights(d.maskable[rows], masked, t, weighting) / 9
    ref_loss, ref_grad = loss_and_grad(p, noisy, t, d.tokens[rows], w)
    ft = np.arange(d.seq_len) * d.vocab_size + d.tokens[rows]
    onehot = np.zeros((9, c.n_out))
    np.put_along_axis(onehot, ft, 1.0, axis=1)
    fused = FastBatch(p)
    for _ in range(2):  # the second call reuses the buffers
        loss, grad = fused.loss_and_grad(noisy, t, onehot, ft, w)
        assert loss == pytest.approx(ref_loss, rel=1e-13)
        np.testing.assert_allclose(grad, ref_grad, rtol=0, atol=1e-13)


def test_default_trainer_equals_the_reference_path():
    fast = Trainer(builtin("names"), get_recipe("names", "default"), seed=3)
    ref = Trainer(builtin("names"), get_recipe("names", "default"), seed=3)
    ref.fused = None  # model.loss_and_grad
    np.testing.assert_allclose(fast.run(5), ref.run(5), rtol=0, atol=1e-12)
    np.testing.assert_allclose(fast.params.flat, ref.params.flat, rtol=0, atol=1e-12)


def test_the_browsers_einsum_forward_equals_the_blas_forward(monkeypatch):
    """forward() multiplies with einsum under Pyodide and with @ elsewhere: same numbers."""
    import diffusion_core.model as model

    d = builtin("names")
    p = Trainer(d, get_recipe("names", "default"), seed=3).params
    rng = np.random.default_rng(2)
    t = rng.random(280)
    noisy, _ = corrupt(d.tokens[rng.integers(0, 40, 280)], t, np.ones((280, 7), bool), rng)
    monkeypatch.setattr(model, "IN_BROWSER", False)
    blas, _ = forward(p, noisy, t)
    monkeypatch.setattr(model, "IN_BROWSER", True)
    einsum, _ = forward(p, noisy, t)
    assert blas.shape == einsum.shape == (280, 7, 22)
    assert np.abs(blas - einsum).max() < 1e-12
    assert np.allclose(einsum.sum(axis=2), 1.0)
