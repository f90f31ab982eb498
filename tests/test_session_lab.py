"""The lab's protocol: strict JSON replies, user errors that say what is allowed."""
import json
import math

import pytest

from diffusion_core import checkpoint
from diffusion_core.session import Session


def call(s, method, **args):
    text = s.handle(json.dumps({"method": method, "args": args}))
    return json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in {method} reply"))


def ok(s, method, **args):
    r = call(s, method, **args)
    assert r["ok"], r
    return r["result"]


def user_error(s, method, **args):
    r = call(s, method, **args)
    assert not r["ok"] and r["kind"] == "user", r
    return r["error"]


@pytest.fixture(scope="module")
def session():
    """A session with a names model and a translator (loaded like the page does)."""
    from helpers import trained
    s = Session()
    for task in ("names", "translate"):
        p, d = trained(task)
        ok(s, "load", text=checkpoint.dumps(checkpoint.Checkpoint(p, d)))
    return s


def test_elbo_live_precise_and_oracle(session):
    live = ok(session, "elbo", mode="live")
    precise = ok(session, "elbo")
    oracle = ok(session, "elbo", oracle=True)
    assert oracle["exact"] and abs(oracle["bits_per_char"] - math.log2(40) / 7) < 1e-9
    assert precise["bits_per_char"] > precise["entropy_bits_per_char"]
    assert precise["stderr"] < live["stderr"] < 0.05 and live["rows"] <= 1200
    assert set(live) >= {"bits_per_char", "stderr", "entropy_bits_per_char", "rows", "ms"}
    assert ok(session, "elbo", task="translate", mode="live")["bits_per_char"] >= 0
    assert "live or precise" in user_error(session, "elbo", mode="fast")


def test_elbo_between_training_chunks_and_before_any_model():
    s = Session()
    assert "press Train" in user_error(s, "elbo", mode="live")
    ok(s, "train_start", task="names")
    ok(s, "train_chunk", task="names", max_epochs=3, max_ms=1000)
    e = ok(s, "elbo", mode="live")
    assert e["bits_per_char"] > e["entropy_bits_per_char"]


def test_the_precise_elbo_in_pieces_equals_one_piece_and_lets_other_requests_in(session):
    whole = ok(session, "elbo", seed=4)
    first = ok(session, "elbo_start", seed=4)
    assert (first["done"], first["scored"], first["rows"]) == (False, 0, whole["rows"])
    pieces, names = [first], []
    while not pieces[-1]["done"]:
        names.append(ok(session, "sample", n=1, seed=len(pieces))["samples"][0]["text"])
        pieces.append(ok(session, "elbo_chunk", max_ms=1))
        assert len(pieces) < 100
    scored = [p["scored"] for p in pieces]
    assert len(pieces) > 3 and scored == sorted(scored) and scored[-1] == whole["rows"]
    assert all(names)  # a Generate answered between the pieces
    last = pieces[-1]
    for key in ("bits_per_char", "stderr", "entropy_bits_per_char", "rows", "exact", "mode"):
        assert last[key] == whole[key], key  # the same numbers, however it is cut
    assert ok(session, "elbo_chunk") == last  # a chunk after the end: the finished reply
    assert "max ms must be between 1 and 1000" in user_error(session, "elbo_chunk", max_ms=0)
    # asked again for the same weights and seed: the finished reply at once
    assert ok(session, "elbo_start", seed=4) == last
    assert ok(session, "elbo_start", seed=5)["done"] is False  # another seed is measured
    while not ok(session, "elbo_chunk", max_ms=1000)["done"]:
        pass


def test_two_callers_measuring_at_once_share_one_measurement_and_both_get_its_figure():
    """Section IV measures after every run; "Train left to right" measures the same
    weights, and may start while the first is still going. Neither restarts the other,
    and whichever chunk comes after the end gets the finished reply."""
    s = Session()
    ok(s, "train_start", task="names")
    ok(s, "train_chunk", task="names", max_epochs=3, max_ms=1000)
    assert "no measurement is running" in user_error(s, "elbo_chunk")
    whole = ok(s, "elbo")
    a = ok(s, "elbo_start")
    a = ok(s, "elbo_chunk", max_ms=1)
    assert not a["done"] and a["scored"] > 0
    b = ok(s, "elbo_start")  # the second caller joins at the first one's progress
    assert (b["done"], b["scored"]) == (False, a["scored"])
    turns = 0
    while not (a["done"] and b["done"]):
        if not a["done"]:
            a = ok(s, "elbo_chunk", max_ms=1)
        if not b["done"]:
            b = ok(s, "elbo_chunk", max_ms=1)
        turns += 1
        assert turns < 200
    assert a == b
    for key in ("bits_per_char", "stderr", "rows"):
        assert a[key] == whole[key], key


def test_a_precise_elbo_piece_after_the_model_changed_is_refused():
    s = Session()
    ok(s, "train_start", task="names")
    ok(s, "train_chunk", task="names", max_epochs=3, max_ms=1000)
    ok(s, "elbo_start")
    ok(s, "train_start", task="names")  # a new model replaces the measured one
    ok(s, "train_chunk", task="names", max_epochs=1, max_ms=1000)
    assert "the model changed" in user_error(s, "elbo_chunk")
    assert "no measurement is running" in user_error(s, "elbo_chunk")
    ok(s, "elbo_start")
    ok(s, "train_chunk", task="names", max_epochs=1, max_ms=1000)  # the same model, trained on
    assert "the model changed" in user_error(s, "elbo_chunk")
    # a finished measurement is not reused once the model has trained on
    ok(s, "elbo_start")
    while not ok(s, "elbo_chunk", max_ms=1000)["done"]:
        pass
    assert ok(s, "elbo_start")["done"] is True
    ok(s, "train_chunk", task="names", max_epochs=1, max_ms=1000)
    assert ok(s, "elbo_start")["done"] is False


def test_fill_flags_training_names_and_lists_the_names_that_fit(session):
    r = ok(session, "fill", pattern="r???l", n=3, seed=1)
    assert r["fitting"] == ["rahul"] and r["fitting_count"] == 1 and r["note"] is None
    assert len(r["model"]) == 3 and len(r["oracle"]) == 3
    for side in ("model", "oracle"):
        for a in r[side]:
            assert len(a["text"]) == 5 and a["text"][0] == "r" and a["text"][4] == "l"
            assert a["training"] == (a["text"] == "rahul") and a["steps"]
    assert all(a["text"] == "rahul" for a in r["oracle"])


def test_fill_with_no_fitting_name_still_answers_and_says_why(session):
    r = ok(session, "fill", pattern="kk???", n=2)
    assert r["oracle"] is None and r["fitting"] == [] and "has no answer" in r["note"]
    assert all(a["text"].startswith("kk") and not a["training"] for a in r["model"])


@pytest.mark.parametrize("args, message", [
    ({"pattern": ""}, "the pattern is empty"),
    ({"pattern": "r?<b>"}, "'<' is not allowed"),
    ({"pattern": "aaaaaaaaaaaa"}, "at most 7 fit"),
    ({"pattern": ["a"]}, "pattern must be text"),
    ({}, "pattern must be text"),
    ({"pattern": "a?", "n": 21}, "number of samples must be between 1 and 20"),
    ({"pattern": "a?", "strategy": "best"}, "unknown sampler 'best'; choose one of random"),
])
def test_bad_fill_requests_are_user_errors(session, args, message):
    assert message in user_error(session, "fill", **args)


def test_translator_fill_pins_answer_letters(session):
    r = ok(session, "fill", task="translate", word="water", pattern="p????", n=2)
    assert r["fitting"] == ["paani"] and r["word"] == "water"
    for a in r["model"] + r["oracle"]:
        assert a["answer"].startswith("p") and len(a["answer"]) == 5
    assert r["oracle"][0]["answer"] == "paani" and r["oracle"][0]["training"]


def test_beliefs_show_the_model_beside_the_exact_posterior(session):
    r = ok(session, "beliefs", row="a??????")
    assert r["model"][0] is None and len(r["model"][1]) == 5
    assert r["oracle"][1][0] == ["n", 0.2857] and r["fitting_count"] == 7
    assert "not in the vocabulary" in user_error(session, "beliefs", row="a?9")


def test_reveal_by_hand_is_stateless_and_ends_in_a_word(session):
    row, fitting = "???????", 40
    for position in (6, 0, 3, 1, 2, 4, 5):
        r = ok(session, "reveal", row=row, position=position, seed=position)
        assert r["row"][position] != "?" and r["fitting_count"] <= fitting
        row, fitting = r["row"], r["fitting_count"]
    assert r["done"] and "?" not in row
    assert r["training"] == (row.rstrip("_") in ok(session, "describe")["entries"])
    assert "none (the row is finished)" in user_error(session, "reveal", row=row, position=0)


def test_reveal_refuses_a_visible_position_and_names_the_masked_ones(session):
    msg = user_error(session, "reveal", row="r???l", position=0, letters_only=True)
    assert msg == "position 0 is not masked; masked positions: 1, 2, 3"
    r = ok(session, "reveal", row="r???l", position=2, letters_only=True)
    assert r["row"][2] in "abcdefghijklmnopqrstuvwxyz" and r["fitting"] in ([], ["rahul"])


def test_compare_runs_each_sampler_on_one_seed_and_budget(session):
    a = ok(session, "compare", steps=4, seed=3)
    assert [x["strategy"] for x in a["results"]][0] == "random"
    assert len(a["results"]) == 7 and a == ok(session, "compare", steps=4, seed=3)
    by = {x["strategy"]: x for x in a["results"]}
    assert by["left_to_right"]["nfe"] == 7 and by["random"]["nfe_uncached"] == 4
    assert by["random"]["nfe"] <= 4
    o = ok(session, "compare", strategies=["random"], denoiser="oracle", pattern="?????")
    assert len(o["results"][0]["samples"][0]["text"]) == 5
    assert "strategies must be a list" in user_error(session, "compare", strategies="random")


def test_quality_runs_in_chunks_with_progress_and_can_be_cancelled(session):
    assert "quality_start" in user_error(session, "quality_chunk")
    start = ok(session, "quality_start", n=16, strategies=["random", "left_to_right"],
               steps=[1, 7])
    assert start["total"] == 6 and start["n"] == 16
    rows, progress = [], []
    while True:
        c = ok(session, "quality_chunk", max_ms=1)
        rows += c["rows"]
        progress.append(c["progress"])
        if c["finished"]:
            break
    # a chunk of 1 ms runs one of the 6 pieces, and more while its 1 ms has not passed
    # (lab.QualityJob.advance): on a fast machine two cheap pieces can share a chunk
    assert progress == sorted(set(progress)) and progress[-1] == 1.0 and 1 < len(progress) <= 6
    assert all(abs(6 * p - round(6 * p)) < 1e-9 for p in progress), progress  # whole cells
    assert len(rows) == 8 and {r["denoiser"] for r in rows} == {"model", "oracle"}
    assert ok(session, "quality_cancel")["cancelled"]
    assert "whole numbers from 1 to 64" in user_error(session, "quality_start", steps=[0])
    assert "between 1 and 400" in user_error(session, "quality_start", n=10_000)


def test_random_requests_never_crash_the_worker(session):
    """Odd values in every argument: each reply is a result or a user error, never a bug."""
    import random
    values = [None, True, 0, -1, 3, 1e300, "x", "", "r???l", "???????", "water>p????", "a?9",
              [], ["random"], {}, 0.5, "translate", "oracle", "live", "?" * 20, "Ä?"]
    keys = {"elbo": ["task", "mode", "oracle", "seed"],
            "fill": ["task", "pattern", "word", "n", "temperature", "strategy", "seed"],
            "beliefs": ["task", "row", "letters_only", "temperature"],
            "reveal": ["task", "row", "position", "temperature", "seed", "letters_only"],
            "compare": ["strategies", "n", "temperature", "seed", "denoiser", "pattern"],
            "quality_chunk": ["max_ms"]}
    rng = random.Random(0)
    kinds = set()
    for _ in range(150):
        method = rng.choice(sorted(keys))
        args = {k: rng.choice(values) for k in keys[method] if rng.random() < 0.3}
        if method == "compare":
            args["steps"] = 2
        r = call(session, method, **args)
        assert r["ok"] or r["kind"] == "user", (method, args, r)
        kinds.add(r["ok"])
    assert kinds == {True, False}
