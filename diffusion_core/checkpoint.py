"""Saving and loading a model as versioned JSON.

    {"format": "tiny-text-diffusion model", "version": 1,
     "config": {...ModelConfig...}, "vocab": "_?ab...", "data": {"task": ..., "entries": [...]},
     "recipe": {...}, "seed": 0, "history": [3.04, ...],
     "weights": {"emb": [[...]], "W1": [[...]], "W2": [[...]]}}

Floats are written with Python's shortest round-tripping repr, so a load gives
back the very same bits. A file is trusted no further than a model trained here:
every field is checked against the limits the page and the command line enforce,
and anything else is refused with a :class:`CheckpointError` naming the problem
and what is allowed. Refused: malformed JSON, another format or version, unknown
or missing keys, a field of the wrong type, a recipe the trainer would not accept
(:func:`train.get_recipe`), a seed outside 0..2^32-1, sizes that do not match the
data, a vocabulary other than the data's canonical one (pad, mask, ``>`` for the
translator, then the sorted letters), non-finite weights or losses, weights so
large that the model's outputs could overflow (:func:`output_bound`), or a file
over :data:`MAX_BYTES`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, fields

import numpy as np

from . import snapshot_file
from .dataset import Dataset, DatasetError, from_json
from .model import ModelConfig, Params
from .pieces import run_chunks
from .protocol import SEED_RANGE, echo
from .train import RECIPES, Recipe, get_recipe

FORMAT, VERSION = "tiny-text-diffusion model", 1
MAX_BYTES = 5_000_000
KEYS = {"format", "version", "config", "vocab", "data", "recipe", "seed", "history", "weights"}
OPTIONAL_KEYS = {"snapshots"}  # training snapshots, only when asked (see snapshot_file.py)
# Sizes a file may ask for beyond what the data fix (the page trains E = 8, H = 96 or 128).
CONFIG_LIMITS = {"embed_dim": (1, 64), "hidden": (1, 1024), "embed_init_std": (0.0, 10.0)}
MAX_OUTPUT = 1e300  # logits below this cannot overflow in the softmax (float64 max 1.8e308)


class CheckpointError(ValueError):
    """A model file that cannot be loaded, with the reason."""


@dataclass
class Checkpoint:
    params: Params
    data: Dataset
    recipe: Recipe | None = None
    seed: int = 0
    history: list[float] = field(default_factory=list)
    # (epoch, loss or None, flat weights), oldest first; written only when not None
    snapshots: list | None = None


def _header(ck: Checkpoint) -> dict:
    """Every field of the file but the weights (and the snapshots), in the file's order."""
    p = ck.params
    return {
        "format": FORMAT,
        "version": VERSION,
        "config": p.config.to_json(),
        "vocab": ck.data.vocab,
        "data": ck.data.to_json(),
        "recipe": ck.recipe.to_json() if ck.recipe else None,
        "seed": ck.seed,
        "history": list(ck.history),
    }


def dumps(ck: Checkpoint) -> str:
    """The model file's text (the module's format); with the snapshots if ``ck`` has them."""
    obj = _header(ck) | {"weights": {k: v.tolist() for k, v in ck.params.views.items()}}
    text = json.dumps(obj, separators=(",", ":"), allow_nan=False)
    if ck.snapshots is None:
        return text
    obj["snapshots"] = snapshot_file.encode(ck.snapshots, MAX_BYTES - len(text) - 1000)
    return json.dumps(obj, separators=(",", ":"), allow_nan=False)


class DumpJob:
    """:func:`dumps` of a checkpoint without snapshots, written a few weight rows at a time.

    Writing the 27,466 weights of the default names model as shortest round-trip decimals
    takes the browser's worker 70-80 ms in one piece (Pyodide; 30-45 ms under Node.js), so
    the page keeps its copy of a model through ``save_start`` / ``save_chunk``
    (``session.py``), in pieces that let a reader's request in between. ``advance(s)``
    writes rows for about ``s`` seconds and returns True once ``text`` is complete:
    exactly the text of :func:`dumps` (a test checks it), as JSON writes a list of lists
    as its rows' texts joined by commas. ``scored``/``total``: rows written / in all.
    Raises ValueError for a checkpoint with snapshots (:func:`dumps` writes those).
    """

    def __init__(self, ck: Checkpoint):
        if ck.snapshots is not None:
            raise ValueError("DumpJob writes no snapshots; use dumps")
        head = json.dumps(_header(ck), separators=(",", ":"), allow_nan=False)
        self._head = head[:-1] + ',"weights":{'
        self._rows = [(name, i, m) for name, m in ck.params.views.items()
                      for i in range(m.shape[0])]
        self._done: dict[str, list[str]] = {name: [] for name in ck.params.views}
        self.scored, self.total = 0, len(self._rows)
        self.text: str | None = None

    def _step(self) -> bool:
        name, i, m = self._rows[self.scored]
        self._done[name].append(json.dumps(m[i].tolist(), separators=(",", ":"),
                                           allow_nan=False))
        self.scored += 1
        if self.scored < self.total:
            return False
        weights = ",".join(f'{json.dumps(k)}:[{",".join(rows)}]' for k, rows in self._done.items())
        self.text = self._head + weights + "}}"
        return True

    def advance(self, max_seconds: float | None) -> bool:
        return self.text is not None or run_chunks(self._step, max_seconds)


def output_bound(p: Params) -> float:
    """An upper bound on every logit's size, over every possible input row and t in [0, 1].

    Each position adds at most ``max_v |emb[v] . W1 block|`` to a hidden unit, t at most
    ``|w_t|``; ReLU keeps the bound; the output layer then sums ``|W2| * bound``. Below
    :data:`MAX_OUTPUT` no step of :func:`model.forward` can overflow, so its
    probabilities are finite for any input. Returns inf (or NaN) when the bound itself
    overflows.
    """
    c = p.config
    L, E = c.seq_len, c.embed_dim
    with np.errstate(all="ignore"):
        w1x = p.W1[: L * E].reshape(L, E, c.hidden)
        per_pos = np.abs(np.einsum("ve,leh->lvh", p.emb, w1x)).max(axis=1)  # (L, H)
        hidden = per_pos.sum(axis=0) + np.abs(p.W1[L * E]) + np.abs(p.W1[L * E + 1])  # (H,)
        logits = hidden @ np.abs(p.W2[:-1]) + np.abs(p.W2[-1])  # (L*V,)
        return float(logits.max())


def _reject_constant(name):
    raise CheckpointError(f"the file contains {name}; weights and losses must be finite numbers")


# how a message names a field's type ("config hidden must be a whole number ...")
_TYPE_WORDS = {"int": "whole number", "float": "number", "str": "string", "bool": "true or false"}


def _type_name(annotation) -> str:
    """A dataclass field's type as written: "int", "float", "str", "Literal[...]"."""
    return getattr(annotation, "__name__", str(annotation))


def _in_words(type_name: str) -> str:
    """How a message names a type: "whole number" for "int", "number" for "float"."""
    return _TYPE_WORDS.get(type_name, type_name)


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _parse(text: str | bytes) -> dict:
    if len(text) > MAX_BYTES:
        raise CheckpointError(f"the file is {len(text) / 1e6:.1f} MB; a model file is at most "
                              f"{MAX_BYTES / 1e6:.0f} MB")
    try:
        obj = json.loads(text, parse_constant=_reject_constant)
    except CheckpointError:
        raise
    except (ValueError, UnicodeDecodeError, RecursionError) as e:
        if not text.strip():
            raise CheckpointError("the file is empty; a model file is the JSON text the page's "
                                  "Download model writes") from None
        raise CheckpointError(f"not a model file: malformed JSON ({str(e)[:80]})") from None
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise CheckpointError(f"not a model file: expected \"format\": \"{FORMAT}\"")
    if obj.get("version") != VERSION or not _is_int(obj.get("version")):
        raise CheckpointError(f"model file version {echo(obj.get('version'), 20)} is not "
                              f"supported; this version reads version {VERSION}")
    unknown = set(obj) - KEYS - OPTIONAL_KEYS
    missing = KEYS - set(obj)
    if unknown or missing:
        raise CheckpointError("unexpected model file layout: " + "; ".join(
            x for x in (unknown and f"unknown keys {sorted(unknown)}",
                        missing and f"missing keys {sorted(missing)}") if x))
    return obj


def _data(obj, vocab) -> Dataset:
    """The saved data, validated as if pasted; the vocabulary must be its canonical one."""
    if not isinstance(obj, dict) or set(obj) != {"task", "entries"}:
        raise CheckpointError('"data" must be {"task": ..., "entries": [...]}')
    entries = obj["entries"]
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        raise CheckpointError('"data.entries" must be a list of strings')
    try:
        data = from_json(obj)
    except DatasetError as e:
        raise CheckpointError(f"bad data in the model file: {e}") from None
    if list(data.entries) != entries:
        raise CheckpointError("the saved entries must be clean: lowercase letters a-z, "
                              "no blank entries, no spaces")
    if vocab != data.vocab:
        raise CheckpointError(f"the vocabulary must be {data.vocab!r} (pad, mask, "
                              + ("'>', " if data.task == "translate" else "")
                              + f"then the letters of the data, sorted), not {str(vocab)[:40]!r}")
    return data


def _config(obj, data: Dataset) -> ModelConfig:
    known = {f.name: _type_name(f.type) for f in fields(ModelConfig)}
    if not isinstance(obj, dict):
        raise CheckpointError('"config" must be an object')
    unknown = set(obj) - set(known)
    if unknown:
        raise CheckpointError(f"unknown config keys: {', '.join(sorted(map(str, unknown)))}")
    for key in ("seq_len", "vocab_size"):
        if not _is_int(obj.get(key)):
            raise CheckpointError(f"config {key} must be a whole number")
    for key, (lo, hi) in CONFIG_LIMITS.items():
        v = obj.get(key, getattr(ModelConfig, key, None))
        ok = _is_int(v) if known[key] == "int" else _is_number(v)
        if not ok or not lo <= v <= hi:  # type: ignore[operator]  # v is a number if ok
            raise CheckpointError(f"config {key} must be a {_in_words(known[key])} "
                                  f"between {lo} and {hi}")
    config = ModelConfig(**obj)
    if (config.seq_len, config.vocab_size) != (data.seq_len, data.vocab_size):
        raise CheckpointError(f"the config (L={config.seq_len}, V={config.vocab_size}) does "
                              f"not match the data (L={data.seq_len}, V={data.vocab_size})")
    return config


def _field_ok(value, annotation: str) -> bool:
    """Type check by the dataclass annotation; any other annotation (a Literal, say) needs
    a JSON scalar here, and ``get_recipe`` checks its value."""
    checks = {"int": _is_int, "float": _is_number, "str": lambda v: isinstance(v, str),
              "bool": lambda v: isinstance(v, bool)}
    if annotation in checks:
        return checks[annotation](value)
    return isinstance(value, (str, bool)) or _is_number(value)


def recipe_from_json(obj, task: str) -> Recipe:
    """A saved recipe, checked as the trainer checks the page's and the command line's.

    Every field must have its declared type; fields missing from older files take the
    dataclass defaults. The values then go through :func:`train.get_recipe` (optimizer,
    learning-rate range, batch size, epochs, and any field added later). The name is a
    label, one of the presets' names or "custom": presets change between versions, and
    a file's recipe means what it meant when it was saved.
    """
    if not isinstance(obj, dict):
        raise CheckpointError('"recipe" must be an object or null')
    types = {f.name: _type_name(f.type) for f in fields(Recipe)}
    unknown = set(obj) - set(types)
    if unknown:
        raise CheckpointError(f"unknown recipe keys: {', '.join(sorted(map(str, unknown)))}")
    for key, value in obj.items():
        if not _field_ok(value, types[key]):
            raise CheckpointError(f"recipe {key} must be a {_in_words(types[key])}, "
                                  f"not {echo(value, 20)}")
    names = [*RECIPES[task], "custom"]
    if obj.get("name") not in names:
        raise CheckpointError(f"recipe name must be one of {', '.join(names)}")
    try:
        recipe = Recipe(**obj)
        get_recipe(task, "seed", **{k: v for k, v in recipe.to_json().items() if k != "name"})
    except (ValueError, TypeError) as e:
        raise CheckpointError(f"bad recipe: {e}") from None
    return recipe


def _weights(obj, config: ModelConfig) -> Params:
    if not isinstance(obj, dict) or set(obj) != set(config.shapes):
        raise CheckpointError(f"weights must be exactly {sorted(config.shapes)}")
    p = Params(config)
    for name, shape in config.shapes.items():
        try:
            a = np.array(obj[name])
        except (TypeError, ValueError, RecursionError):
            a = np.array(None)
        if a.dtype.kind not in "if":
            raise CheckpointError(f"weights {name!r} are not a table of numbers")
        if a.shape != shape:
            raise CheckpointError(f"weights {name!r} have shape {a.shape}; the config "
                                  f"needs {shape}")
        p.views[name][:] = a
    if not np.isfinite(p.flat).all():
        raise CheckpointError("the weights contain NaN or infinity")
    bound = output_bound(p)
    if not bound < MAX_OUTPUT:
        raise CheckpointError("the weights are so large that the model's outputs would "
                              "overflow; a trained model's are far smaller")
    return p


def loads(text: str | bytes) -> Checkpoint:
    """A model file's contents, checked field by field; :class:`CheckpointError` if not."""
    obj = _parse(text)
    data = _data(obj["data"], obj["vocab"])
    config = _config(obj["config"], data)
    recipe = recipe_from_json(obj["recipe"], data.task) if obj["recipe"] is not None else None
    seed = obj["seed"]
    if not _is_int(seed) or not SEED_RANGE[0] <= seed <= SEED_RANGE[1]:
        raise CheckpointError(f"the seed must be a whole number between {SEED_RANGE[0]} and "
                              f"{SEED_RANGE[1]}")
    history = obj["history"]
    if not isinstance(history, list) or not all(_is_number(v) and v >= 0 for v in history):
        raise CheckpointError("the loss history must be a list of finite numbers >= 0")
    return Checkpoint(_weights(obj["weights"], config), data, recipe, seed,
                      [float(v) for v in history], _snapshots(obj, config, len(history)))


def _snapshots(obj, config: ModelConfig, epochs: int) -> list | None:
    """The file's training snapshots, checked like its weights; None when it has none."""
    if "snapshots" not in obj:
        return None
    try:
        snaps = snapshot_file.decode(obj["snapshots"], config, epochs)
    except snapshot_file.SnapshotError as err:
        raise CheckpointError(str(err)) from None
    for epoch, _, flat in snaps:
        if not output_bound(Params(config, flat)) < MAX_OUTPUT:
            raise CheckpointError(f"snapshot at epoch {epoch}: the weights are so large that "
                                  "the model's outputs would overflow")
    return snaps


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
