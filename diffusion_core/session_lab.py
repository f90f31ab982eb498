"""The lab's requests (beliefs, infilling, samplers, quality, ELBO): mixed into Session.

Each ``do_<method>(self, args)`` here is a protocol method like those in
:mod:`diffusion_core.session`; it may use ``self.slots`` and the helpers there.
"""

from __future__ import annotations

import numpy as np

from .corruption import corrupt
from .model import forward
from .protocol import SEED_RANGE
from .protocol import number as _num


class LabMethods:
    """Protocol methods of the diffusion lab (see the module docstring)."""

    def do_trace(self, args):
        """Follow one corrupted training name through the names denoiser.

        ``index`` (a training row), ``t`` (noise level in [0, 1]) and ``seed`` (the
        mask's random stream) pick the corrupted row x_t, as in ``predict``. The
        reply walks :func:`diffusion_core.model.forward` stage by stage:

        * ``noisy`` (str, L characters), ``ids`` (L ints, indices into ``vocab``),
          ``target`` (the clean row), ``t``;
        * ``embeddings``: L rows of E floats, ``emb[ids]`` (the Embed box);
        * ``hidden``: ``{"units": H, "active": n, "top": [[unit, value], ...]}``, the
          ReLU layer: how many of the H units are above 0, and the 5 largest;
        * ``positions``: for each of the L positions, the 3 likeliest symbols of
          its softmax, ``[[symbol, probability], ...]``, best first.

        Errors: no trained names model, or an index, t or seed out of range.
        """
        s = self.slots["names"]
        p = s.require_model()
        d = s.data
        i = _num(args, "index", 0, 0, len(d.entries) - 1, int)
        t = _num(args, "t", 0.5, 0.0, 1.0)
        rng = np.random.default_rng(_num(args, "seed", 0, *SEED_RANGE, int))
        noisy, _ = corrupt(d.tokens[i : i + 1], t, d.maskable[i : i + 1], rng)
        probs, (_, _, hid) = forward(p, noisy, np.array([t]))
        units = hid[0, :-1]  # (H,) the ReLU outputs; the last column is the bias input 1
        top_units = np.argsort(-units, kind="stable")[:5]
        positions = []
        for row in probs[0]:  # (V,) per position
            best = np.argsort(-row, kind="stable")[:3]
            positions.append([[d.vocab[int(v)], round(float(row[v]), 4)] for v in best])
        return {
            "index": i, "t": t, "noisy": d.decode(noisy[0]), "target": d.decode(d.tokens[i]),
            "ids": [int(v) for v in noisy[0]],
            "embeddings": [[round(float(x), 3) for x in p.emb[v]] for v in noisy[0]],
            "hidden": {"units": int(units.size), "active": int((units > 0).sum()),
                       "top": [[int(u), round(float(units[u]), 3)] for u in top_units
                               if units[u] > 0]},
            "positions": positions,
        }
