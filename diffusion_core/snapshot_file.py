"""Training snapshots inside a model file (optional, only when the reader asks).

A model file (:mod:`.checkpoint`) may carry the key ``"snapshots"``: a list, oldest
first, of ``{"epoch": int, "loss": float | null, "weights": str}`` where ``weights``
is the flat weight vector (:attr:`model.Params.flat`, in its order) as little-endian
float32, base64-encoded: 4 bytes a weight, about 146 kB of text for the names model
(27,466 weights), a quarter of the same weights written as JSON numbers. float32
keeps about 7 significant digits: enough to sample from, not to resume training.

Checked on load: at most :data:`train.MAX_SNAPSHOTS` entries, epochs whole, strictly
increasing, between 0 and the file's number of epochs; losses finite and >= 0 or null;
weights the right length and finite. Files without the key load as before.
"""

from __future__ import annotations

import base64
import binascii
import math

import numpy as np

from .model import ModelConfig
from .train import MAX_SNAPSHOTS

KEYS = {"epoch", "loss", "weights"}


class SnapshotError(ValueError):
    """Snapshots in a model file that cannot be used, with the reason."""


def encode(snaps: list[tuple[int, float | None, np.ndarray]], budget: int) -> list[dict]:
    """Snapshots as JSON objects; thinned (every other one dropped, the first and the
    last kept) until their text fits ``budget`` characters."""
    snaps = list(snaps)
    if not snaps:
        return []
    each = 4 * math.ceil(snaps[0][2].size * 4 / 3) + 60
    while len(snaps) > 2 and (len(snaps) * each > budget or len(snaps) > MAX_SNAPSHOTS):
        snaps = snaps[:-1:2] + [snaps[-1]]
    if len(snaps) * each > budget:
        snaps = snaps[-1:] if each <= budget else []
    return [{"epoch": int(e), "loss": None if loss is None else float(loss),
             "weights": base64.b64encode(flat.astype("<f4").tobytes()).decode("ascii")}
            for e, loss, flat in snaps]


def decode(obj, config: ModelConfig, epochs: int) -> list[tuple[int, float | None, np.ndarray]]:
    """The snapshots of a file, checked (see the module docstring); SnapshotError if bad."""
    if not isinstance(obj, list) or len(obj) > MAX_SNAPSHOTS:
        raise SnapshotError(f'"snapshots" must be a list of at most {MAX_SNAPSHOTS} entries')
    out: list[tuple[int, float | None, np.ndarray]] = []
    for i, s in enumerate(obj):
        if not isinstance(s, dict) or set(s) != KEYS:
            raise SnapshotError(f'snapshot {i} must be {{"epoch", "loss", "weights"}}')
        e, loss, w = s["epoch"], s["loss"], s["weights"]
        last = out[-1][0] if out else -1
        if isinstance(e, bool) or not isinstance(e, int) or not last < e <= epochs:
            raise SnapshotError(f"snapshot {i}: epoch must be a whole number above {last} "
                                f"and at most {epochs} (the file's epochs)")
        if loss is not None and (isinstance(loss, bool) or not isinstance(loss, (int, float))
                                 or not math.isfinite(loss) or loss < 0):
            raise SnapshotError(f"snapshot {i}: loss must be a finite number >= 0 or null")
        try:
            raw = base64.b64decode(w, validate=True) if isinstance(w, str) else b""
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 4 * config.n_params:
            raise SnapshotError(f"snapshot {i}: weights must be {config.n_params} float32 "
                                "values, little-endian, in base64")
        flat = np.frombuffer(raw, dtype="<f4").astype(np.float64)
        if not np.isfinite(flat).all():
            raise SnapshotError(f"snapshot {i}: the weights contain NaN or infinity")
        out.append((e, None if loss is None else float(loss), flat))
    return out
