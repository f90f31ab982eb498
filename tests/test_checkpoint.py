import json
import math
import re

import numpy as np
import pytest
from helpers import trained

from diffusion_core import checkpoint
from diffusion_core.checkpoint import Checkpoint, CheckpointError, dumps, loads
from diffusion_core.train import get_recipe


def _good(task="names"):
    p, d = trained(task)
    return Checkpoint(p, d, get_recipe(task, "default"), 0, [3.0, 1.5, 0.9])


@pytest.mark.parametrize("task", ["names", "translate"])
def test_save_load_round_trips_exactly(task, tmp_path):
    ck = _good(task)
    path = tmp_path / "m.json"
    checkpoint.save(str(path), ck)
    back = checkpoint.load(str(path))
    assert np.array_equal(back.params.flat, ck.params.flat)
    assert back.params.config == ck.params.config
    assert back.data.vocab == ck.data.vocab and back.data.entries == ck.data.entries
    assert back.recipe == ck.recipe and back.history == ck.history
    assert dumps(back) == dumps(ck)


def _edit(fn):
    obj = json.loads(dumps(_good()))
    fn(obj)
    return json.dumps(obj)


@pytest.mark.parametrize("text, fragment", [
    ("{not json", "malformed JSON"),
    ("", "the file is empty; a model file is the JSON text"),
    (" \n", "the file is empty"),
    ("[1, 2]", "not a model file"),
    (_edit(lambda o: o.update(version=2)), "version 2 is not supported"),
    (_edit(lambda o: o.update(extra=1)), "unknown keys \\['extra'\\]"),
    (_edit(lambda o: o["config"].update(colour="red")), "unknown config keys: colour"),
    (_edit(lambda o: o["config"].update(hidden=64)), "have shape"),
    (_edit(lambda o: o["weights"]["W2"].pop()), "have shape"),
    (_edit(lambda o: o["weights"].pop("emb")), "weights must be exactly"),
    (_edit(lambda o: o["weights"]["emb"][0].__setitem__(0, math.nan)), "NaN"),
    (_edit(lambda o: o["weights"]["emb"][0].__setitem__(0, "x")), "not a table of numbers"),
    (_edit(lambda o: o["data"].update(entries=["a1", "b"])), "not allowed"),
    ("x" * (checkpoint.MAX_BYTES + 1), "at most 5 MB"),
])
def test_bad_model_files_are_refused_with_a_reason(text, fragment):
    with pytest.raises(CheckpointError, match=fragment):
        loads(text)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CheckpointError, match="cannot read"):
        checkpoint.load(str(tmp_path / "nope.json"))


def _good_obj(task="names", recipe="default"):
    ck = _good(task)
    ck.recipe = get_recipe(task, recipe)
    return json.loads(dumps(ck))


def _with(obj, path, value):
    *head, last = path
    target = obj
    for k in head:
        target = target[k]
    target[last] = value
    return json.dumps(obj)


@pytest.mark.parametrize("path, value, fragment", [
    (["recipe", "batch_size"], -1, "batch size must be between 1 and 2000"),
    (["recipe", "batch_size"], 2.5, "recipe batch_size must be a whole number"),
    (["recipe", "epochs"], 0, "epochs must be between 1 and 100000"),
    (["recipe", "optimizer"], "rmsprop", "optimizer must be sgd or adam"),
    (["recipe", "lr"], 1000, "learning rate must be between 1e-05 and 10.0"),
    (["recipe", "lr"], True, "recipe lr must be a number"),
    (["recipe", "name"], "turbo", "recipe name must be one of seed, default, custom"),
    (["recipe", "name"], None, "recipe name must be a string"),
    (["recipe", "colour"], "red", "unknown recipe keys: colour"),
    (["recipe"], [1], '"recipe" must be an object or null'),
    (["seed"], -1, "seed must be a whole number between 0 and 4294967295"),
    (["seed"], 2**32, "between 0 and 4294967295"),
    (["seed"], 1.5, "seed must be a whole number"),
    (["vocab"], "?_adeghiklmnoprstuvyz" + "j", "vocabulary must be '_?"),
    (["history"], [1.0, -2.0], "finite numbers >= 0"),
    (["history"], [1.0, "x"], "finite numbers >= 0"),
    (["config", "hidden"], 0, "config hidden must be a whole number between 1 and 1024"),
    (["config", "hidden"], 10**9, "config hidden must be a whole number between 1 and 1024"),
    (["config", "embed_dim"], 8.0, "config embed_dim must be a whole number"),
    (["config", "seq_len"], "7", "config seq_len must be a whole number"),
    (["config"], None, '"config" must be an object'),
    (["data"], "names", '"data" must be'),
    (["data", "entries"], "aarav\ndev", "must be a list of strings"),
    (["data", "entries"], ["Aarav", "dev"], "must be clean"),
    (["weights", "emb"], [["1.0"] * 8] * 22, "not a table of numbers"),
])
def test_every_field_is_checked_against_the_page_limits(path, value, fragment):
    with pytest.raises(CheckpointError, match=re.escape(fragment)):
        loads(_with(_good_obj(), path, value))


def test_the_vocabulary_must_be_the_canonical_one():
    obj = _good_obj()
    v = obj["vocab"]
    assert v.startswith("_?")
    with pytest.raises(CheckpointError, match=re.escape(f"the vocabulary must be {v!r}")):
        loads(_with(obj, ["vocab"], "?_" + v[2:]))
    obj = _good_obj("translate")
    assert obj["vocab"].startswith("_?>")
    with pytest.raises(CheckpointError, match="pad, mask, '>', then the letters"):
        loads(_with(obj, ["vocab"], "_>?" + obj["vocab"][3:]))


def test_weights_whose_outputs_could_overflow_are_refused():
    obj = _good_obj()
    obj["weights"]["W2"] = [[w * 1e306 for w in row] for row in obj["weights"]["W2"]]
    with pytest.raises(CheckpointError, match="outputs would overflow"):
        loads(json.dumps(obj))


def test_output_bound_holds_for_every_input_and_is_tight_enough():
    ck = _good()
    bound = checkpoint.output_bound(ck.params)
    assert np.isfinite(bound) and bound < 1e4  # a trained model is nowhere near the limit
    rng = np.random.default_rng(0)
    x = rng.integers(0, ck.data.vocab_size, (500, ck.data.seq_len))
    from diffusion_core.model import forward
    _, (_, inp, hid) = forward(ck.params, x, rng.random(500))
    logits = hid @ ck.params.W2
    assert np.abs(logits).max() <= bound


@pytest.mark.parametrize("recipe", ["seed", "default"])
def test_presets_and_custom_recipes_load_as_they_were_saved(recipe):
    for r in (get_recipe("names", recipe), get_recipe("names", recipe, epochs=7),
              get_recipe("names", recipe, lr=0.002, optimizer="adam", batch_size=5)):
        ck = _good()
        ck.recipe = r
        assert loads(dumps(ck)).recipe == r


@pytest.mark.parametrize("task", ["names", "translate"])
@pytest.mark.parametrize("piece_s", [0.0, 1e-4, None], ids=["a row a piece", "0.1 ms", "whole"])
def test_the_file_written_in_pieces_is_the_file_written_at_once(task, piece_s):
    ck = _good(task)
    job = checkpoint.DumpJob(ck)
    assert (job.scored, job.text) == (0, None)
    assert job.total == sum(m.shape[0] for m in ck.params.views.values())
    pieces = 1
    while not job.advance(piece_s):
        pieces += 1
        assert job.text is None and 0 < job.scored < job.total
    assert job.text == dumps(ck) and job.scored == job.total
    if piece_s is None:
        assert pieces == 1  # no time limit: the whole file in one piece
    elif piece_s == 0.0:
        assert pieces == job.total  # every piece writes at least one row
    assert job.advance(0.0) is True and job.text == dumps(ck)  # done stays done
    assert np.array_equal(loads(job.text).params.flat, ck.params.flat)


def test_the_file_in_pieces_holds_no_snapshots():
    ck = _good()
    ck.snapshots = [(1, 2.0, ck.params.flat.copy())]
    with pytest.raises(ValueError, match="no snapshots"):
        checkpoint.DumpJob(ck)
