"""The ``trace`` request: one corrupted name through the denoiser, stage by stage."""
import json

import numpy as np
import pytest

from diffusion_core import dataset
from diffusion_core.corruption import corrupt
from diffusion_core.model import forward
from diffusion_core.session import Session


def call(s, method, **args):
    return json.loads(s.handle(json.dumps({"method": method, "args": args})))


@pytest.fixture(scope="module")
def trained():
    s = Session()
    assert call(s, "train_start", task="names", recipe="default", epochs=30, seed=3)["ok"]
    assert call(s, "train_chunk", task="names", max_epochs=30, max_ms=1000)["ok"]
    return s


def test_trace_needs_a_model():
    r = call(Session(), "trace", index=0, t=0.5, seed=1)
    assert not r["ok"] and r["kind"] == "user" and "Train" in r["error"]


def test_trace_follows_forward_exactly(trained):
    r = call(trained, "trace", index=5, t=0.6, seed=11)
    assert r["ok"], r
    tr = r["result"]
    d = dataset.builtin("names")
    p = trained.slots["names"].params
    L, E, H = d.seq_len, p.config.embed_dim, p.config.hidden
    # the same corruption as predict: row 5, t 0.6, seed 11
    noisy, _ = corrupt(d.tokens[5:6], 0.6, d.maskable[5:6], np.random.default_rng(11))
    assert tr["ids"] == noisy[0].tolist() and tr["noisy"] == d.decode(noisy[0])
    assert tr["target"] == d.decode(d.tokens[5]) and tr["t"] == 0.6
    assert np.allclose(tr["embeddings"], p.emb[noisy[0]], atol=6e-4)
    assert np.array(tr["embeddings"]).shape == (L, E)
    probs, (_, _, hid) = forward(p, noisy, np.array([0.6]))
    units = hid[0, :-1]
    assert tr["hidden"]["units"] == H and tr["hidden"]["active"] == int((units > 0).sum())
    top = tr["hidden"]["top"]
    assert 1 <= len(top) <= 5 and [v for _, v in top] == sorted((v for _, v in top), reverse=True)
    assert top[0][1] == pytest.approx(units.max(), abs=6e-4)
    assert len(tr["positions"]) == L
    for j, best in enumerate(tr["positions"]):
        assert len(best) == 3
        sym, pr = best[0]
        assert sym == d.vocab[int(probs[0, j].argmax())]
        assert pr == pytest.approx(probs[0, j].max(), abs=6e-5)


def test_trace_rejects_bad_arguments(trained):
    for args in [{"index": 999}, {"t": 1.5}, {"seed": -1}, {"index": "a"}]:
        r = call(trained, "trace", **args)
        assert not r["ok"] and r["kind"] == "user", args
