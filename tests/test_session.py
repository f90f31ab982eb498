"""The JSON protocol the Web Worker speaks: user text stays data, errors stay messages."""
import json

import pytest

from diffusion_core.session import Session


def call(s, method, **args):
    return json.loads(s.handle(json.dumps({"method": method, "args": args})))


def ok(s, method, **args):
    r = call(s, method, **args)
    assert r["ok"], r
    return r["result"]


def train(s, task, epochs):
    """Chunks until ``epochs`` more epochs are done (each chunk is time-bounded)."""
    done = 0
    while done < epochs:
        r = ok(s, "train_chunk", task=task, max_epochs=epochs - done, max_ms=1000)
        assert not r["diverged"]
        done += len(r["losses"])
    return r


def test_describe_reads_shapes_from_the_real_config():
    d = ok(Session(), "describe", task="names")
    assert d["config"]["n_params"] == 27466
    assert d["shapes"] == {"emb": [22, 8], "W1": [58, 128], "W2": [129, 154]}
    assert 0.38 < d["floor"]["mean"] < 0.41
    assert d["has_model"] is False


def test_train_in_chunks_then_go_on():
    s = Session()
    start = ok(s, "train_start", task="names", recipe="seed", epochs=500, seed=0)
    assert start["epochs"] == 500
    a = ok(s, "train_chunk", task="names", max_epochs=3, max_ms=1000)
    b = ok(s, "train_chunk", task="names", max_epochs=2, max_ms=1000)
    assert a["epoch"] == 3 and b["epoch"] == 5
    assert a["losses"][0] == pytest.approx(3.0357442724328276, abs=1e-12)
    assert b["steps"] == 80 and not b["diverged"]


def test_nothing_to_sample_before_training():
    r = call(Session(), "sample", n=5)
    assert not r["ok"] and r["kind"] == "user" and "press Train" in r["error"]


def test_divergence_is_reported_not_drawn():
    s = Session()
    ok(s, "train_start", task="names", recipe="seed", lr=10.0)
    out = ok(s, "train_chunk", task="names", max_epochs=500, max_ms=1000)
    assert len(out["losses"]) < 500
    assert out["diverged"] and all(x == x for x in out["losses"])
    ok(s, "reset", task="names")
    ok(s, "train_start", task="names")
    assert train(s, "names", 2)["epoch"] == 2


@pytest.mark.parametrize("bad", [
    "'); import js; js.alert(1) #", "</script><img src=x onerror=alert(1)>", "{{7*7}}", "${1+1}",
])
def test_injection_attempts_are_plain_data(bad):
    s = Session()
    ok(s, "train_start", task="translate", epochs=5)
    train(s, "translate", 5)
    r = call(s, "translate", words=[bad])
    assert not r["ok"] and r["kind"] == "user" and "not allowed" in r["error"]
    r = call(s, "set_data", task="names", text=f"dev\n{bad}")
    assert not r["ok"] and "line 2" in r["error"]


def test_user_data_replaces_the_builtin_and_sets_sizes():
    s = Session()
    d = ok(s, "set_data", task="names", text="Anna\nBob\n\ncleo")
    assert d["entries"] == ["anna", "bob", "cleo"] and d["seq_len"] == 4
    ok(s, "train_start", task="names", epochs=10)
    train(s, "names", 10)
    assert len(ok(s, "sample", n=3)["samples"]) == 3


def test_save_then_load_restores_the_model_and_allows_going_on():
    s = Session()
    ok(s, "train_start", task="names", epochs=5)
    train(s, "names", 5)
    text = ok(s, "save", task="names")["text"]
    s2 = Session()
    d = ok(s2, "load", text=text)
    assert d["has_model"] and len(d["history"]) == 5
    assert ok(s2, "sample", n=2, seed=1) == ok(s, "sample", n=2, seed=1)
    assert train(s2, "names", 2)["epoch"] == 7


def test_a_bad_file_keeps_the_current_model():
    s = Session()
    ok(s, "train_start", task="names", epochs=3)
    train(s, "names", 3)
    before = ok(s, "sample", n=3, seed=2)
    r = call(s, "load", text='{"format": "tiny-text-diffusion model", "version": 9}')
    assert not r["ok"] and "version 9" in r["error"]
    assert ok(s, "sample", n=3, seed=2) == before


@pytest.mark.parametrize("method, args, fragment", [
    ("train_start", {"lr": "fast"}, "learning rate"),
    ("train_start", {"recipe": "magic"}, "unknown recipe"),
    ("train_start", {"seed": -1}, "seed must be between"),
    ("describe", {"task": "poems"}, "unknown task"),
    ("frobnicate", {}, "unknown method"),
])
def test_bad_requests_get_messages(method, args, fragment):
    r = call(Session(), method, **args)
    assert not r["ok"] and fragment in r["error"]


def test_malformed_request_is_an_error_not_a_crash():
    r = json.loads(Session().handle("{nope"))
    assert r["ok"] is False and r["kind"] == "internal"


def test_evaluate_reports_floor_by_t_and_accuracy():
    s = Session()
    ok(s, "train_start", task="translate")
    assert train(s, "translate", 200)["epoch"] == 200
    ev = ok(s, "evaluate", task="translate")
    assert ev["eval"]["n"] >= 20000
    assert ev["accuracy"]["correct"] == 30
    assert len(ev["by_t"]) == 10
