"""Saving and loading a model as versioned JSON.

    {"format": "tiny-text-diffusion model", "version": 1,
     "config": {...ModelConfig...}, "vocab": "_?ab...", "data": {"task": ..., "entries": [...]},
     "recipe": {...}, "seed": 0, "history": [3.04, ...],
     "weights": {"emb": [[...]], "W1": [[...]], "W2": [[...]]}}

Floats are written with Python's shortest round-tripping repr, so a load gives
back the very same bits. Anything unexpected is refused with a
:class:`CheckpointError` naming the problem: malformed JSON, another format or
version, unknown keys, shapes that do not match the config, non-finite weights,
or a file over :data:`MAX_BYTES`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np

from .dataset import Dataset, DatasetError, from_json
from .model import ModelConfig, Params
from .train import Recipe

FORMAT, VERSION = "tiny-text-diffusion model", 1
MAX_BYTES = 5_000_000
KEYS = {"format", "version", "config", "vocab", "data", "recipe", "seed", "history", "weights"}


class CheckpointError(ValueError):
    """A model file that cannot be loaded, with the reason."""


@dataclass
class Checkpoint:
    params: Params
    data: Dataset
    recipe: Recipe | None = None
    seed: int = 0
    history: list[float] = field(default_factory=list)


def dumps(ck: Checkpoint) -> str:
    p = ck.params
    obj = {
        "format": FORMAT,
        "version": VERSION,
        "config": p.config.to_json(),
        "vocab": ck.data.vocab,
        "data": ck.data.to_json(),
        "recipe": ck.recipe.to_json() if ck.recipe else None,
        "seed": ck.seed,
        "history": list(ck.history),
        "weights": {k: v.tolist() for k, v in p.views.items()},
    }
    return json.dumps(obj, separators=(",", ":"), allow_nan=False)


def _reject_constant(name):
    raise CheckpointError(f"the file contains {name}; weights and losses must be finite numbers")


def loads(text: str | bytes) -> Checkpoint:
    if len(text) > MAX_BYTES:
        raise CheckpointError(f"the file is {len(text) / 1e6:.1f} MB; a model file is at most "
                              f"{MAX_BYTES / 1e6:.0f} MB")
    try:
        obj = json.loads(text, parse_constant=_reject_constant)
    except CheckpointError:
        raise
    except (ValueError, UnicodeDecodeError) as e:
        raise CheckpointError(f"not a model file: malformed JSON ({e})") from None
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise CheckpointError(f"not a model file: expected \"format\": \"{FORMAT}\"")
    if obj.get("version") != VERSION:
        raise CheckpointError(f"model file version {obj.get('version')!r} is not supported; "
                              f"this version reads version {VERSION}")
    unknown = set(obj) - KEYS
    missing = KEYS - set(obj)
    if unknown or missing:
        raise CheckpointError("unexpected model file layout: " + "; ".join(
            x for x in (unknown and f"unknown keys {sorted(unknown)}",
                        missing and f"missing keys {sorted(missing)}") if x))
    try:
        config = ModelConfig.from_json(obj["config"])
        data = from_json(obj["data"], vocab=obj["vocab"])
        recipe = Recipe(**obj["recipe"]) if obj["recipe"] is not None else None
    except (TypeError, ValueError, KeyError, DatasetError) as e:
        raise CheckpointError(f"bad model file: {e}") from None
    if (config.seq_len, config.vocab_size) != (data.seq_len, data.vocab_size):
        raise CheckpointError(f"the config (L={config.seq_len}, V={config.vocab_size}) does "
                              f"not match the data (L={data.seq_len}, V={data.vocab_size})")
    w = obj["weights"]
    if not isinstance(w, dict) or set(w) != set(config.shapes):
        raise CheckpointError(f"weights must be exactly {sorted(config.shapes)}")
    p = Params(config)
    for name, shape in config.shapes.items():
        try:
            a = np.array(w[name], dtype=float)
        except (TypeError, ValueError):
            raise CheckpointError(f"weights {name!r} are not a table of numbers") from None
        if a.shape != shape:
            raise CheckpointError(f"weights {name!r} have shape {a.shape}; the config "
                                  f"needs {shape}")
        p.views[name][:] = a
    if not np.isfinite(p.flat).all():
        raise CheckpointError("the weights contain NaN or infinity")
    history = obj["history"]
    if not isinstance(history, list) or not all(
            isinstance(v, (int, float)) and math.isfinite(v) for v in history):
        raise CheckpointError("the loss history must be a list of finite numbers")
    seed = obj["seed"]
    if not isinstance(seed, int):
        raise CheckpointError("the seed must be an integer")
    return Checkpoint(p, data, recipe, seed, [float(v) for v in history])


def save(path: str, ck: Checkpoint) -> None:
    with open(path, "w") as f:
        f.write(dumps(ck))


def load(path: str) -> Checkpoint:
    try:
        with open(path, "rb") as f:
            text = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise CheckpointError(f"cannot read {path}: {e.strerror}") from None
    return loads(text)
