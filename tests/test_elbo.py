"""The MDLM/MD4 bound in bits per character: identities, exactness, unbiasedness."""
import math

import numpy as np
import pytest
from helpers import trained

from diffusion_core import elbo
from diffusion_core.dataset import builtin, names_dataset, pairs_dataset
from diffusion_core.model import ModelConfig, Params
from diffusion_core.oracle import OracleDenoiser


def _gauss(f, n=64):
    """∫_0^1 f(t) dt by Gauss–Legendre (exact for polynomials of degree < 2n)."""
    g, w = np.polynomial.legendre.leggauss(n)
    t = (g + 1) / 2
    return float(np.sum(w / 2 * f(t)))


@pytest.mark.parametrize("m", [1, 3, 7, 12])
def test_the_one_over_t_weight_of_k_masks_is_one_over_k(m):
    for k in range(1, m + 1):
        weight = _gauss(lambda t, k=k: math.comb(m, k) * t ** (k - 1) * (1 - t) ** (m - k))
        assert weight == pytest.approx(1 / k, rel=1e-10)
        # the plain forward process: P(k) = 1/(m+1), t | k ~ Beta(k+1, m-k+1), E[1/t | k] = (m+1)/k
        p_k = _gauss(lambda t, k=k: math.comb(m, k) * t**k * (1 - t) ** (m - k))
        assert p_k == pytest.approx(1 / (m + 1), rel=1e-10)
        assert weight / p_k == pytest.approx((m + 1) / k, rel=1e-10)
        # the 1/t-weighted law of t given k is Beta(k, m-k+1): mean k / (m+1)
        mean_t = _gauss(lambda t, k=k: math.comb(m, k) * t**k * (1 - t) ** (m - k)) / weight
        assert mean_t == pytest.approx(k / (m + 1), rel=1e-10)


def test_oracle_nelbo_is_the_entropy_of_the_40_names_exactly():
    d = builtin("names")
    e = elbo.exact(OracleDenoiser(d), d)
    assert e.exact and e.stderr == 0.0
    assert abs(e.bits_per_char - math.log2(40) / 7) < 1e-9
    assert abs(e.entropy_bits_per_char - 0.7602754421) < 1e-9


def test_oracle_nelbo_counts_duplicates_in_the_readers_data():
    d = names_dataset(["ana", "ana", "ana", "bo", "cy", "dev"])
    h = -(0.5 * math.log2(0.5) + 3 * (1 / 6) * math.log2(1 / 6)) / 3
    assert elbo.entropy_bits_per_char(d) == pytest.approx(h, abs=1e-12)
    assert abs(elbo.exact(OracleDenoiser(d), d).bits_per_char - h) < 1e-9


def test_translator_bound_is_over_the_answer_given_the_question():
    d = pairs_dataset(["a>xy", "a>yx", "b>zz", "cc>x"])
    m_mean = d.maskable.sum(axis=1).mean()  # answer region, pads included
    h = (2 * 1.0) / 4 / m_mean  # "a" has two answers: one bit each; the others none
    assert elbo.entropy_bits_per_char(d) == pytest.approx(h, abs=1e-12)
    assert abs(elbo.exact(OracleDenoiser(d), d).bits_per_char - h) < 1e-9
    assert elbo.of_oracle(builtin("translate")).bits_per_char == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_any_order_estimate_of_the_oracle_is_exact_for_every_order(seed):
    d = builtin("names")
    e = elbo.estimate(OracleDenoiser(d), d, rows=600, seed=seed)
    assert abs(e.bits_per_char - math.log2(40) / 7) < 1e-9 and e.stderr < 1e-9


def test_a_uniform_denoiser_costs_log2_v_bits_per_character():
    d = builtin("names")
    flat = Params(ModelConfig(d.seq_len, d.vocab_size, hidden=4))  # zero weights: uniform
    want = math.log2(d.vocab_size)
    assert elbo.exact(flat, d, panels=1).bits_per_char == pytest.approx(want, rel=1e-12)
    assert elbo.estimate(flat, d).bits_per_char == pytest.approx(want, rel=1e-12)
    assert elbo.enumerate_masks(flat, d).bits_per_char == pytest.approx(want, rel=1e-12)


def _tiny():
    """Tiny data and a random t-reading network: brute force is cheap."""
    d = names_dataset(["ab", "b", "ba", "ab", "bb"])
    p = Params.init(ModelConfig(d.seq_len, d.vocab_size, hidden=6, embed_init_std=1.0),
                    np.random.default_rng(3))
    p.W1[-2] *= 8.0  # a strong dependence on t, so the law of t matters
    return p, d


def test_quadrature_reference_has_converged():
    p, d = _tiny()
    assert elbo.exact(p, d, panels=200).bits_per_char == pytest.approx(
        elbo.exact(p, d, panels=400).bits_per_char, abs=1e-7)


@pytest.mark.parametrize("how", ["estimate", "enumerate_masks"])
def test_estimators_are_unbiased_against_brute_force(how):
    p, d = _tiny()
    truth = elbo.exact(p, d, panels=400).bits_per_char
    fn = getattr(elbo, how)
    runs = [fn(p, d, seed=s) for s in range(300)]
    values = np.array([r.bits_per_char for r in runs])
    mean, se_of_mean = values.mean(), values.std(ddof=1) / math.sqrt(len(values))
    assert abs(mean - truth) < 4 * se_of_mean
    # the reported standard error matches the spread of independent runs
    reported = np.sqrt(np.mean([r.stderr**2 for r in runs]))
    assert 0.75 < reported / values.std(ddof=1) < 1.33


def test_entry_subsampling_keeps_the_estimate_unbiased():
    d = builtin("names")
    o = OracleDenoiser(d)
    runs = [elbo.estimate(o, d, rows=100, seed=s) for s in range(200)]  # 7 of 40 entries
    assert runs[0].rows < 280
    values = np.array([r.bits_per_char for r in runs])
    assert abs(values.mean() - math.log2(40) / 7) < 4 * values.std(ddof=1) / math.sqrt(200)
    reported = np.sqrt(np.mean([r.stderr**2 for r in runs]))
    assert 0.7 < reported / values.std(ddof=1) < 1.4


def test_a_trained_model_is_bounded_below_by_the_data_entropy():
    p, d = trained("names")
    e = elbo.precise(p, d)
    assert e.stderr < 0.003
    assert e.bits_per_char > e.entropy_bits_per_char + 5 * e.stderr
    live = elbo.estimate(p, d)
    assert live.rows <= elbo.FAST_ROWS and live.stderr < 0.03
    assert abs(live.bits_per_char - e.bits_per_char) < 4 * math.hypot(live.stderr, e.stderr)


def test_the_same_seed_gives_the_same_estimate():
    p, d = trained("names")
    assert elbo.estimate(p, d, seed=4) == elbo.estimate(p, d, seed=4)


def test_bad_settings_are_refused_with_the_allowed_range():
    p, d = trained("names")
    with pytest.raises(ValueError, match="rows must be between"):
        elbo.estimate(p, d, rows=3)
    with pytest.raises(ValueError, match="too many masks"):
        elbo.exact(p, d, panels=100)


def test_the_elbo_weightings_floor_is_the_entropy_per_position():
    d = builtin("names")
    assert elbo.elbo_floor(d) == pytest.approx(math.log(40) / 7, abs=1e-12)
    assert elbo.elbo_floor(d) == pytest.approx(elbo.entropy_bits_per_char(d) * math.log(2))
    dup = names_dataset(["ana", "ana", "ana", "bo", "cy", "dev"])
    assert elbo.elbo_floor(dup) == pytest.approx(
        (3 * math.log(2) + 3 * math.log(6)) / 6 / 3, abs=1e-12)
    # the translator: each row over its own answer region ("a" has two answers, 1 bit each)
    pairs = pairs_dataset(["a>xy", "a>yx", "b>zz", "cc>x"])
    m = pairs.maskable.sum(axis=1)
    assert elbo.elbo_floor(pairs) == pytest.approx(
        (math.log(2) / m[0] + math.log(2) / m[1]) / 4, abs=1e-12)


@pytest.mark.parametrize("data", [builtin("names"),
                                  pairs_dataset(["a>xy", "a>yx", "b>zz", "cc>x"])],
                         ids=["names", "pairs"])
def test_the_exact_posteriors_elbo_weighted_training_loss_averages_to_that_floor(data):
    """Monte Carlo over the training distribution, with the trainer's own weights."""
    from diffusion_core.corruption import corrupt
    from diffusion_core.model import loss_weights

    rng = np.random.default_rng(0)
    n = 100_000
    rows = rng.integers(0, len(data.entries), n)
    t = rng.random(n)
    x0, maskable = data.tokens[rows], data.maskable[rows]
    noisy, masked = corrupt(x0, t, maskable, rng)
    probs = OracleDenoiser(data)(noisy, t)
    true_p = np.take_along_axis(probs, x0[..., None], axis=2)[..., 0]
    with np.errstate(divide="ignore"):
        ce = np.where(masked, -np.log(true_p), 0.0)
    loss = (loss_weights(maskable, masked, t, "elbo") * ce).sum(axis=1)
    se = loss.std() / math.sqrt(n)
    assert abs(loss.mean() - elbo.elbo_floor(data)) < 4 * se + 1e-12, (loss.mean(), se)
    assert se < 0.02 * elbo.elbo_floor(data)  # a test that can tell 2 % apart
