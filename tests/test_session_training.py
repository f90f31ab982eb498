"""The training lab's protocol: training without t, snapshots, the loss weighting."""
from __future__ import annotations

import json
import math

import pytest

from diffusion_core.session import Session
from diffusion_core.train import is_snapshot_epoch


def call(s: Session, method: str, **args) -> dict:
    reply = s.handle(json.dumps({"method": method, "args": args}))
    return json.loads(reply)  # every reply is JSON (NaN would fail with strict parsing below)


def ok(s: Session, method: str, **args):
    r = call(s, method, **args)
    assert r["ok"], r
    return r["result"]


def user_error(s: Session, method: str, **args) -> str:
    r = call(s, method, **args)
    assert r == {"ok": False, "error": r["error"], "kind": "user"}, r
    return r["error"]


def train(s: Session, epochs: int = 30, **start):
    ok(s, "train_start", task="names", epochs=epochs, **start)
    while (done := len(ok(s, "describe")["history"])) < epochs:
        ok(s, "train_chunk", task="names", max_epochs=epochs - done, max_ms=1000)


def finish_no_t(s: Session) -> dict:
    for _ in range(10_000):
        c = ok(s, "no_t_chunk", max_ms=200)
        if c["finished"]:
            return c
    raise AssertionError("the run without t never finished")


@pytest.fixture(scope="module")
def trained():
    s = Session()
    train(s, epochs=60)
    return s


def test_train_start_passes_weighting_and_t_input():
    s = Session()
    r = ok(s, "train_start", task="names", epochs=3, weighting="elbo", t_input=False)
    assert r["recipe"]["weighting"] == "elbo" and r["recipe"]["t_input"] is False
    assert r["recipe"]["name"] == "custom"
    assert "weighting must be uniform or elbo" in user_error(s, "train_start", weighting="1/t")
    assert "t_input must be true or false" in user_error(s, "train_start", t_input="no")


def test_without_t_trains_a_second_model_and_keeps_the_first(trained):
    s = trained
    before = list(s.slots["names"].params.flat[:50])
    start = ok(s, "no_t_start", like_model=True)
    assert start["recipe"]["t_input"] is False and start["epochs"] == 60 and start["seed"] == 0
    c = finish_no_t(s)
    assert c["epoch"] == 60 and not c["diverged"] and math.isfinite(c["loss"])
    assert list(s.slots["names"].params.flat[:50]) == before  # the reader's model is untouched
    r = ok(s, "no_t_compare", n=4000)
    assert r["epochs_with_t"] == r["epochs_without_t"] == 60
    w, wo, d = r["with_t"], r["without_t"], r["difference"]
    assert w["n"] == wo["n"] == d["n"] == 4000
    assert d["mean"] == pytest.approx(w["mean"] - wo["mean"])
    # The same draws as the page's "evaluate" (its seed 12345) give the model's evaluated loss.
    assert w["mean"] == pytest.approx(ok(s, "evaluate", task="names", n=4000)["eval"]["mean"])
    # Without t the loss is the same within a few standard errors (section III's argument).
    assert abs(d["mean"]) < 4 * math.hypot(w["stderr"], wo["stderr"])


def test_without_t_with_explicit_arguments_and_errors():
    s = Session()
    assert "no run without t" in user_error(s, "no_t_chunk")
    assert "no run without t" in user_error(s, "no_t_compare")
    assert "no trained model" in user_error(s, "no_t_start", like_model=True)
    assert "unknown recipe" in user_error(s, "no_t_start", recipe="fast")
    assert "t fixed at 0" in user_error(s, "no_t_start", t_input=True)
    r = ok(s, "no_t_start", recipe="seed", epochs=2, seed=7)
    assert r["recipe"]["t_input"] is False and r["seed"] == 7
    assert "let it finish" in user_error(s, "no_t_compare")  # also: no model to compare yet
    finish_no_t(s)
    assert "no trained model" in user_error(s, "no_t_compare")
    ok(s, "set_data", task="names", text="anna\nbob\ncarl\n")
    assert "data changed" in user_error(s, "no_t_chunk")
    assert ok(s, "no_t_cancel") == {"cancelled": False}


def test_snapshots_list_and_sample(trained):
    s = trained
    r = ok(s, "snapshots", task="names")
    epochs = [x["epoch"] for x in r["snapshots"]]
    # the grid's epochs, then the weights in use: the slider ends at the model on show
    assert epochs == [e for e in range(61) if is_snapshot_epoch(e)] + [60]
    assert r["snapshots"][0]["loss"] is None and all(
        math.isfinite(x["loss"]) for x in r["snapshots"][1:])
    n_weights = s.slots["names"].params.flat.size
    assert r["bytes"] == len(epochs) * n_weights * 8 and r["max"] == 30
    first = ok(s, "snapshot_sample", epoch=0, n=10, seed=3)
    last = ok(s, "snapshot_sample", epoch=epochs[-1], n=10, seed=3)
    again = ok(s, "snapshot_sample", epoch=epochs[-1], n=10, seed=3)
    assert last == again  # the same denoising seed gives the same names
    assert first["loss"] is None and last["loss"] == r["snapshots"][-1]["loss"]
    assert [x["text"] for x in first["samples"]] != [x["text"] for x in last["samples"]]
    assert len(last["samples"]) == 10 and all(isinstance(x["new"], bool) for x in last["samples"])


def test_snapshot_errors():
    s = Session()
    assert ok(s, "snapshots") == {"task": "names", "max": 30, "snapshots": [], "bytes": 0}
    assert "no training snapshots" in user_error(s, "snapshot_sample", epoch=0)
    train(s, epochs=5)
    assert "no snapshot at epoch 7; kept: 0, 1, 2, 3, 4, 5" in user_error(
        s, "snapshot_sample", epoch=7)
    assert "epoch must be" in user_error(s, "snapshot_sample", epoch=-1)
    assert "unknown sampler" in user_error(s, "snapshot_sample", epoch=4, strategy="best")
    text = ok(s, "save", task="names")["text"]
    ok(s, "load", text=text)  # a loaded model has no snapshots
    assert ok(s, "snapshots")["snapshots"] == []


def test_elbo_weighting_is_both_measured():
    s = Session()
    train(s, epochs=20, weighting="elbo")
    ev = ok(s, "evaluate", task="names", n=2000)["eval"]
    el = ok(s, "elbo", task="names", mode="live")
    assert math.isfinite(ev["mean"]) and el["bits_per_char"] > el["entropy_bits_per_char"]
    assert el["entropy_bits_per_char"] == pytest.approx(math.log2(40) / 7)


def test_random_requests_never_crash(trained):
    ok(trained, "no_t_cancel")  # no_t_compare then fails fast instead of measuring each time
    bad = [None, "x", -1, 1e300, [], {}, True]
    for method in ["no_t_start", "no_t_chunk", "no_t_compare", "no_t_cancel", "snapshots",
                   "snapshot_sample"]:
        for key in ["epoch", "n", "max_ms", "seed", "recipe", "like_model", "task", "steps"]:
            for v in bad:
                r = json.loads(trained.handle(json.dumps({"method": method, "args": {key: v}})))
                assert r["ok"] or r["kind"] == "user", (method, key, v, r)


def test_snapshots_go_with_a_model_file_only_when_asked():
    s = Session()
    train(s, epochs=9)
    plain = ok(s, "save", task="names")["text"]
    assert '"snapshots"' not in plain
    text = ok(s, "save", task="names", snapshots=True)["text"]
    assert "snapshots must be true or false" in user_error(s, "save", snapshots="yes")
    kept = ok(s, "snapshots")["snapshots"]
    t = Session()
    ok(t, "load", text=text)
    assert ok(t, "snapshots")["snapshots"] == kept  # epochs 0..8 and their losses
    a = ok(s, "snapshot_sample", epoch=8, n=20, seed=1)
    b = ok(t, "snapshot_sample", epoch=8, n=20, seed=1)  # float32 weights: the same names
    assert sum(x == y for x, y in zip(a["samples"], b["samples"])) >= 18
    ok(t, "load", text=plain)
    assert ok(t, "snapshots")["snapshots"] == []


@pytest.mark.parametrize("change, message", [
    (lambda o: o["snapshots"].append(o["snapshots"][-1]), "epoch must be"),
    (lambda o: o["snapshots"][1].update(weights="AAAA"), "float32"),
    (lambda o: o["snapshots"][1].update(loss=-1), "loss must be"),
    (lambda o: o["snapshots"][1].pop("loss"), "must be {"),
    (lambda o: o["snapshots"][2].update(epoch=99), "at most 9"),
    (lambda o: o.update(snapshots={}), "must be a list"),
])
def test_bad_snapshots_in_a_file_are_refused(change, message):
    s = Session()
    train(s, epochs=9)
    obj = json.loads(ok(s, "save", task="names", snapshots=True)["text"])
    change(obj)
    assert message in user_error(Session(), "load", text=json.dumps(obj))


def test_snapshots_are_thinned_to_fit_a_file():
    import numpy as np

    from diffusion_core import snapshot_file
    snaps = [(e, 1.0, np.zeros(27466)) for e in range(30)]
    out = snapshot_file.encode(snaps, budget=1_000_000)
    assert 2 <= len(out) < 30 and out[0]["epoch"] == 0 and out[-1]["epoch"] == 29
    assert sum(len(x["weights"]) for x in out) < 1_000_000


def test_a_loaded_model_trained_further_keeps_only_its_own_snapshots():
    s = Session()
    train(s, epochs=5)
    text = ok(s, "save", task="names", snapshots=True)["text"]
    t = Session()
    ok(t, "load", text=text)
    ok(t, "train_chunk", task="names", max_epochs=8, max_ms=1000)
    epochs = [x["epoch"] for x in ok(t, "snapshots")["snapshots"]]
    # the file's 0..4 and its final 5, then the grid epochs trained after loading and the
    # weights in use; never the resumed trainer's own epoch 0 (fresh random weights that
    # are not this model's)
    trained = len(ok(t, "describe")["history"])
    assert epochs[:6] == [0, 1, 2, 3, 4, 5]
    assert epochs[6:] == [e for e in (6, 8, 12) if e < trained] + [trained]
    u = Session()
    ok(u, "load", text=ok(s, "save", task="names")["text"])  # no snapshots in the file
    ok(u, "train_chunk", task="names", max_epochs=8, max_ms=1000)
    assert 0 not in [x["epoch"] for x in ok(u, "snapshots")["snapshots"]]


def test_warm_up_trains_a_throwaway_model_in_pieces_and_keeps_nothing():
    s = Session()
    before = ok(s, "describe")
    pieces = [ok(s, "warm_up", max_ms=1)]
    while not pieces[-1]["done"]:
        pieces.append(ok(s, "warm_up", max_ms=5))
        assert len(pieces) < 200
    epochs = [p["epochs"] for p in pieces]
    assert len(pieces) > 1 and epochs == sorted(epochs) and epochs[-1] == 40
    assert ok(s, "describe") == before  # no model, no history: the reader's state is untouched
    assert "no trained model" in user_error(s, "sample", n=1)
    assert "max ms must be between 1 and 1000" in user_error(s, "warm_up", max_ms=0)


def test_warm_up_sends_the_pages_own_requests_to_a_private_session(monkeypatch):
    sent: list[tuple[int, str]] = []
    handle = Session.handle

    def spy(self, request):
        sent.append((id(self), json.loads(request)["method"]))
        return handle(self, request)

    monkeypatch.setattr(Session, "handle", spy)
    s = Session()
    while not json.loads(s.handle(json.dumps({"method": "warm_up", "args": {"max_ms": 50}})))[
            "result"]["done"]:
        assert len(sent) < 500
    mine = [m for who, m in sent if who == id(s)]
    private = [m for who, m in sent if who != id(s)]
    assert set(mine) == {"warm_up"}
    assert private[0] == "train_start" and private.count("train_chunk") >= 1
    assert set(private) == {"train_start", "train_chunk", "predict", "elbo", "beliefs",
                            "trace", "snapshots", "sample", "evaluate"}


def drain_pieces(s: Session, method: str, task: str, first: dict, min_pieces: int) -> dict:
    """``<method>_chunk`` of 1 ms until done, a Generate (names) between every two pieces;
    checks that the pieces advance to the last row and returns the finished reply."""
    pieces, between = [first], []
    while not pieces[-1]["done"]:
        if task == "names":
            between.append(ok(s, "sample", n=1, seed=len(pieces))["samples"][0]["text"])
        pieces.append(ok(s, f"{method}_chunk", task=task, max_ms=1))
        assert len(pieces) < 2000
    scored = [p["scored"] for p in pieces]
    assert len(pieces) >= min_pieces and scored == sorted(scored)
    assert scored[-1] == first["rows"]
    assert task != "names" or all(between)  # a Generate answered between the pieces
    return pieces[-1]


@pytest.mark.parametrize("task", ["names", "translate"])
def test_evaluate_in_pieces_gives_the_one_piece_figures_and_lets_a_generate_in(task):
    s = Session()
    ok(s, "train_start", task=task)
    ok(s, "train_chunk", task=task, max_epochs=3, max_ms=1000)
    assert "no measurement is running" in user_error(s, "evaluate_chunk", task=task)
    whole = ok(s, "evaluate", task=task)
    first = ok(s, "evaluate_start", task=task)
    assert (first["done"], first["scored"], first["rows"]) == (False, 0, 25_000)
    last = drain_pieces(s, "evaluate", task, first, min_pieces=6)
    for key in ("eval", "floor", "by_t", "accuracy"):
        assert last.get(key) == whole.get(key), key  # the same numbers, however it is cut
    assert ok(s, "evaluate_chunk", task=task) == last  # after the end: the finished reply
    assert "max ms must be between 1 and 1000" in user_error(s, "evaluate_chunk", max_ms=0)


@pytest.mark.parametrize("task", ["names", "translate"])
def test_save_in_pieces_gives_the_saved_file_and_lets_a_generate_in(task):
    """The page keeps its copy of a model through save_start / save_chunk (persistence.js)."""
    s = Session()
    ok(s, "train_start", task=task)
    ok(s, "train_chunk", task=task, max_epochs=3, max_ms=1000)
    whole = ok(s, "save", task=task)
    first = ok(s, "save_start", task=task)
    assert (first["done"], first["scored"]) == (False, 0) and first["rows"] > 100
    last = drain_pieces(s, "save", task, first, min_pieces=3)
    assert (last["text"], last["filename"]) == (whole["text"], whole["filename"])
    assert ok(s, "save_chunk", task=task) == last  # after the end: the finished reply
    assert "max ms must be between 1 and 1000" in user_error(s, "save_chunk", max_ms=0)


def test_a_second_evaluate_joins_the_one_running():
    s = Session()
    ok(s, "train_start", task="names")
    ok(s, "train_chunk", task="names", max_epochs=3, max_ms=1000)
    ok(s, "evaluate_start")
    a = ok(s, "evaluate_chunk", max_ms=1)
    b = ok(s, "evaluate_start")
    assert (b["done"], b["scored"]) == (False, a["scored"]) and a["scored"] > 0
    while not (a["done"] and b["done"]):
        a = a if a["done"] else ok(s, "evaluate_chunk", max_ms=1)
        b = b if b["done"] else ok(s, "evaluate_chunk", max_ms=1)
    assert a == b and a["eval"] == ok(s, "evaluate")["eval"]


@pytest.mark.parametrize("method", ["evaluate", "save"])
def test_a_piece_after_the_model_changed_is_refused(method):
    s = Session()
    assert "no trained model yet" in user_error(s, f"{method}_start")
    ok(s, "train_start", task="names")
    ok(s, "train_chunk", task="names", max_epochs=2, max_ms=1000)
    ok(s, f"{method}_start")
    ok(s, "train_chunk", task="names", max_epochs=1, max_ms=1000)  # trained on
    assert "the model changed" in user_error(s, f"{method}_chunk")
    refused = user_error(s, f"{method}_chunk")
    assert "no measurement is running" in refused and f"start one with {method}_start" in refused
