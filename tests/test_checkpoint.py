import json
import math

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
