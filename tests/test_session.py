"""The JSON protocol the Web Worker speaks: user text stays data, errors stay messages."""
import json
import math

import numpy as np
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
    # the data's entropy per character, the bits-per-character chart's line: log2(40) / 7
    assert d["entropy_bits_per_char"] == pytest.approx(math.log2(40) / 7, abs=1e-12)
    d = ok(Session(), "set_data", task="names", text="anna\nbob\nbob\ncleo")
    assert d["entropy_bits_per_char"] == pytest.approx(1.5 / 4, abs=1e-12)  # H = 1.5 bits, L = 4


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


DIVERGED = "diverged at epoch"


@pytest.mark.parametrize("task", ["names", "translate"])
def test_a_diverged_model_is_dropped_by_the_engine_and_says_why(task):
    s = Session()
    ok(s, "train_start", task=task, lr=1.0)
    out = ok(s, "train_chunk", task=task, max_epochs=200, max_ms=1000)
    assert out["diverged"] and len(out["losses"]) < 200
    uses = [("evaluate", {}), ("save", {}), ("predict", {}), ("train_chunk", {})]
    uses += [("sample", {})] if task == "names" else [("translate", {"words": ["hello"]}),
                                                      ("accuracy", {})]
    for method, args in uses:
        r = call(s, method, task=task, **args)
        assert not r["ok"] and r["kind"] == "user", (method, r)
        assert DIVERGED in r["error"] and "lower learning rate" in r["error"]
    d = ok(s, "describe", task=task)
    assert d["has_model"] is False and d["diverged_at"] == len(d["history"])
    ok(s, "train_start", task=task, epochs=2)
    assert train(s, task, 2)["epoch"] == 2 and ok(s, "describe", task=task)["diverged_at"] is None


def test_weights_that_turn_non_finite_between_chunks_are_never_sampled():
    s = Session()
    ok(s, "train_start", task="names", epochs=3)
    train(s, "names", 3)
    s.slots["names"].params.flat[5] = float("nan")  # as a diverging epoch cut by the clock
    r = call(s, "sample", n=3)
    assert not r["ok"] and r["kind"] == "user" and DIVERGED in r["error"]


def _scaled_file(task, scale):
    s = Session()
    ok(s, "train_start", task=task, epochs=10)
    train(s, task, 10)
    obj = json.loads(ok(s, "save", task=task)["text"])
    obj["weights"]["W2"] = [[w * scale for w in row] for row in obj["weights"]["W2"]]
    return json.dumps(obj)


@pytest.mark.parametrize("task", ["names", "translate"])
def test_huge_finite_weights_give_a_clear_message_not_a_traceback(task):
    s = Session()
    ok(s, "load", text=_scaled_file(task, 1e10))
    r = call(s, "evaluate", task=task)
    assert not r["ok"] and r["kind"] == "user", r
    assert "probability 0" in r["error"] and "infinite" in r["error"]
    if task == "names":
        assert all(x["text"] for x in ok(s, "sample", n=5)["samples"])
    else:
        assert ok(s, "translate", words=["hello"])["results"][0]["question"] == "hello"


def test_weights_whose_outputs_would_overflow_never_load():
    s = Session()
    r = call(s, "load", text=_scaled_file("names", 1e306))
    assert not r["ok"] and r["kind"] == "user" and "overflow" in r["error"]
    assert ok(s, "describe", task="names")["has_model"] is False


@pytest.mark.parametrize("request_", [
    None, 5, b"\xff\xfe", "", "null", "[]", '"describe"', '{"args": {}}', '{"method": 5}',
    '{"method": "describe", "args": [1]}', '{"method": "__init__"}', "[" * 50000,
    '{"method": "describe", "args": {"task": ' + "[" * 3000 + "]" * 3000 + "}}",
    '{"method": "train_start", "args": {"seed": ' + "9" * 4000 + "}}",
    '{"method": "train_start", "args": {"lr": 1e999}}',
    '{"method": "describe", "args": {"task": NaN}}',
    '{"method": "' + "x" * 100_000 + '"}',
])
def test_any_request_gets_a_json_reply(request_):
    s = Session()
    r = json.loads(s.handle(request_))
    assert r["ok"] is False and r["error"] and r["kind"] in ("user", "internal")
    assert len(r["error"]) < 300  # a message never echoes a megabyte
    assert ok(s, "describe")["task"] == "names"


def test_a_result_that_is_not_finite_becomes_an_error_reply(monkeypatch):
    s = Session()
    monkeypatch.setattr(Session, "do_describe", lambda self, args: {"x": float("inf")},
                        raising=True)
    r = json.loads(s.handle('{"method": "describe"}'))
    assert r == {"ok": False, "kind": "internal",
                 "error": r["error"]} and "cannot be sent as JSON" in r["error"]


def test_evaluate_draws_the_floor_per_band_of_t():
    s = Session()
    ok(s, "train_start", task="names", epochs=200)
    train(s, "names", 200)
    ev = ok(s, "evaluate", task="names", n=1000)
    floors = [b["floor"] for b in ev["by_t"]]
    assert floors == sorted(floors) and floors[0] < 0.01 < floors[-1]
    assert np.mean(floors) == pytest.approx(ev["floor"]["mean"], rel=1e-9)
    assert all(b["loss"] > b["floor"] - 0.05 for b in ev["by_t"])


def test_sample_reports_the_mass_the_restrictions_removed(monkeypatch):
    s = Session()
    ok(s, "train_start", task="names", epochs=3)
    train(s, "names", 3)
    out = ok(s, "sample", n=4)
    assert "valid" not in out  # always 1.0 under the sampler's restrictions: dropped
    from diffusion_core import sampler
    real = sampler.sample

    def with_mass(*a, **k):
        rows = real(*a, **k)
        for i, r in enumerate(rows):
            r["removed_mass"] = 0.1 * i if i else None  # None: a sample with no reveal
        return rows
    monkeypatch.setattr(sampler, "sample", with_mass)
    assert ok(s, "sample", n=4)["removed_mass"] == pytest.approx(0.2)


def test_a_run_whose_divergence_another_request_found_ends_as_diverged_once():
    """The live prediction may find non-finite weights between two chunks and drop the
    model; the run's next chunk then reports the divergence (the page says: lower the
    learning rate) instead of failing, and later chunks refuse like any other use."""
    s = Session()
    ok(s, "train_start", task="names", epochs=30)
    ok(s, "train_chunk", task="names", max_epochs=3, max_ms=1000)
    s.slots["names"].params.flat[5] = float("nan")  # as a diverging epoch cut by the clock
    assert DIVERGED in call(s, "predict", task="names")["error"]
    out = ok(s, "train_chunk", task="names", max_epochs=10, max_ms=1000)
    assert out["diverged"] and out["losses"] == [] and out["epoch"] == 3
    r = call(s, "train_chunk", task="names", max_epochs=10, max_ms=1000)
    assert not r["ok"] and DIVERGED in r["error"]
    ok(s, "train_start", task="names", epochs=2)  # a new run starts clean
    assert train(s, "names", 2)["epoch"] == 2
