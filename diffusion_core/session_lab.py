"""The lab's requests (beliefs, infilling, samplers, quality, ELBO): mixed into Session.

Every method answers ``{"ok": true, "result": {...}}`` through :meth:`Session.handle`;
a bad argument gives ``{"ok": false, "kind": "user", "error": "..."}`` naming what is
wrong and what is allowed. Replies are JSON-safe (no NaN or infinity: a missing number
is ``null``). ``task`` is "names" (default) or "translate" wherever it is accepted.
A *sample* below is the sampler's dict (:mod:`diffusion_core.sampler`: ``text``,
``steps`` timeline with ``top``, ``removed_mass``, ``nfe``, ...) plus ``training``
(bool: a training name, or for the translator a training pair). *top* is a list of
length L: ``null`` where visible, else ``[[char, prob], ...]`` (at most 5).

``elbo``  {task, mode: "live"|"precise" = "precise", oracle: bool = false, seed = 0}
    -> {task, mode, bits_per_char, stderr, entropy_bits_per_char, rows, exact, ms}.
    "live" (about 1,100 rows) is for between training chunks; "precise" enumerates
    every mask when it can. ``oracle`` gives the exact posterior's value (no model).
``elbo_start`` {task, seed = 0} then ``elbo_chunk`` {task, max_ms = 25 (1-1000)} until
    ``done``: the "precise" figure in pieces, so other requests are answered between
    them (a Generate right after training need not wait for the whole measurement).
    Asked again for the same weights (the same object, trained no further) and seed,
    ``elbo_start`` answers at once with the finished reply, or joins the measurement
    still running (its progress so far); a chunk after the measurement finished
    answers with the finished reply. So two parts of the page may measure at once and
    both get the same figure. Another seed replaces a running measurement.
    Each reply is {task, done, scored, rows}, and once ``done`` also the ``elbo``
    reply's fields. The same numbers as ``elbo`` "precise" with the same seed. A chunk
    after the model changed is refused ("the model changed ...").
``fill``  names: {pattern, n = 5 (1-20), steps = 10, temperature = 0.8,
    strategy = "random", seed = 0}; translate: {word, pattern, ...the same}
    -> {task, pattern, word, length, model: [sample], oracle: [sample] | null,
    note: str | null, fitting: [str] (at most 50), fitting_count}.
    No fitting entry is not an error: ``oracle`` is null and ``note`` says why.
``beliefs`` {task, row: "a?v????" | "water>p????", letters_only = false,
    temperature = 1} -> {row, model: top, oracle: top | null, fitting, fitting_count,
    note, nfe}. The model's top is at ``temperature``, the oracle's at 1 (the exact
    posterior). Both condition on the visible characters (and, with
    ``letters_only``, on every mask being a letter: a pattern's fixed length).
``reveal`` {task, row, position, temperature = 0, seed = 0, letters_only = false}
    -> the sampler's reply (row, char, prob, removed_mass, fallback, top, nfe) plus
    oracle, fitting, fitting_count, note for the new row, done (no mask left) and
    training (done and a training entry). Stateless: the page sends the row back.
``compare`` {strategies = all, steps = 10, n = 1 (1-5), temperature = 0.8, seed = 0,
    denoiser: "model"|"oracle" = "model", pattern = none}
    -> {steps, seed, denoiser, results: [{strategy, samples: [sample], nfe,
    nfe_uncached, batch_nfe}]}: one model, one seed, one budget (names); every
    rule's rows run in one batched reverse run (:func:`diffusion_core.lab.side_by_side`),
    so ``batch_nfe`` is the comparison's batched denoiser calls.
``quality_start`` {n = 64 (1-400), temperature = 1, seed = 0, strategies, steps}
    -> {total (pieces of work), n, cells, strategies, steps}; ``quality_chunk`` {max_ms = 30
    (1-1000)} -> {done, total, progress, finished, rows: [new table rows], ms};
    ``quality_cancel`` {} -> {cancelled}. Rows: see :mod:`diffusion_core.lab`.
"""

from __future__ import annotations

import time

import numpy as np

from . import elbo as elbo_mod
from . import lab, patterns, sampler
from .dataset import MASK, SEP
from .model import forward
from .pieces import Pieces

MAX_FILL, MAX_COMPARE = 20, 5


def _s():
    from . import session  # session imports this module: import lazily
    return session


def _user(msg: str) -> Exception:
    return _s().UserError(msg)


def _strategy(args, default: str) -> str:
    st = args.get("strategy", default)
    if st not in sampler.STRATEGIES:
        raise _user(f"unknown sampler {st!r}; choose one of {', '.join(sampler.STRATEGIES)}")
    return st


def _draw_args(args, temperature: float, strategy: str) -> dict:
    num = _s()._num
    return {"steps": num(args, "steps", 10, 1, sampler.MAX_STEPS, int),
            "temperature": num(args, "temperature", temperature, 0.0, sampler.MAX_TEMPERATURE),
            "strategy": _strategy(args, strategy),
            "seed": num(args, "seed", 0, 0, 2**32 - 1, int)}


def _flag(args, key: str) -> bool:
    v = args.get(key, False)
    if not isinstance(v, bool):
        raise _user(f"{key.replace('_', ' ')} must be true or false")
    return v


def _text(args, key: str, example: str) -> str:
    v = args.get(key)
    if not isinstance(v, str):
        raise _user(f"{key} must be text, e.g. {example}")
    return v


def _mark(samples: list[dict], known: set, prefix: str = "") -> list[dict]:
    for r in samples:
        r["training"] = (prefix + r.get("answer", r["text"])) in known
    return samples


class LabMethods:
    """Protocol methods of the diffusion lab (see the module docstring)."""

    # Provided by Session (declared for the type checker only):
    slots: dict
    _lab_jobs: dict

    def do_elbo(self, args):
        s = self.slots[_s()._task(args)]
        mode = args.get("mode", "precise")
        if mode not in ("live", "precise"):
            raise _user(f"mode must be live or precise, not {mode!r}")
        seed = _s()._num(args, "seed", 0, 0, 2**32 - 1, int)
        t0 = time.perf_counter()
        if _flag(args, "oracle"):
            e = elbo_mod.of_oracle(s.data)
        elif mode == "live":
            e = elbo_mod.estimate(s.require_model(), s.data, seed=seed)
        else:
            e = elbo_mod.precise(s.require_model(), s.data, seed=seed)
        return {"task": s.task, "mode": mode} | e.to_json() | {
            "ms": (time.perf_counter() - t0) * 1000}

    def do_elbo_start(self, args):
        s = self.slots[_s()._task(args)]
        seed = _s()._num(args, "seed", 0, 0, 2**32 - 1, int)
        p = s.require_model()
        done = self._elbo_pieces().finished_reply(s, seed)
        if done is not None:
            return done  # measured already for these weights and this seed: the same reply
        try:
            return self._elbo_pieces().start(
                s, seed, lambda: elbo_mod.MaskEnumeration(p, s.data, seed=seed),
                lambda job: int(job.y.size),
                lambda job, t0: {"mode": "precise"} | job.result().to_json() | {
                    "ms": (time.perf_counter() - t0) * 1000})
        except ValueError:  # too many masks to enumerate: the estimate, in one piece
            t0 = time.perf_counter()
            e = elbo_mod.estimate(p, s.data, rows=elbo_mod.PRECISE_ROWS, seed=seed)
            return {"task": s.task, "done": True, "scored": e.rows, "mode": "precise"} | \
                e.to_json() | {"ms": (time.perf_counter() - t0) * 1000}

    def do_elbo_chunk(self, args):
        s = self.slots[_s()._task(args)]
        ms = _s()._num(args, "max_ms", 25, 1, 1000)
        return self._elbo_pieces().chunk(s, ms / 1000)

    def _elbo_pieces(self) -> Pieces:
        if not hasattr(self, "_elbo_measurements"):
            self._elbo_measurements = Pieces("elbo_start")
        return self._elbo_measurements

    def _pattern_of(self, s, args):
        if s.task == "names":
            return patterns.name_pattern(s.data, _text(args, "pattern", "r???l"))
        return patterns.answer_pattern(s.data, _text(args, "word", "water"),
                                       _text(args, "pattern", "p????"))

    def _fill_with(self, model, s, pat, n, kw) -> list[dict]:
        if s.task == "names":
            return _mark(sampler.infill(model, s.data, pat.text, n=n, **kw), set(s.data.entries))
        out = sampler.translate(model, s.data, [pat.word] * n, answers=[pat.text] * n, **kw)
        return _mark(out, set(s.data.entries), pat.word + SEP)

    def do_fill(self, args):
        s = self.slots[_s()._task(args)]
        pat = self._pattern_of(s, args)  # a bad pattern stops here, before anything runs
        n = _s()._num(args, "n", 5, 1, MAX_FILL, int)
        kw = _draw_args(args, 0.8, "random")
        p = s.require_model()
        oracle = patterns.restricted_oracle(s.data, s.data.encode(pat.row), True)
        return {"task": s.task, "pattern": pat.text, "word": pat.word, "length": len(pat.text),
                "model": self._fill_with(p, s, pat, n, kw),
                "oracle": None if oracle is None else self._fill_with(oracle, s, pat, n, kw),
                "note": pat.note, "fitting": pat.fitting[: patterns.MAX_FITTING],
                "fitting_count": len(pat.fitting)}

    def _row_args(self, s, args):
        row = _text(args, "row", "a?v????" if s.task == "names" else "water>p????")
        letters_only = _flag(args, "letters_only")
        x, _, _ = sampler.parse_row(s.data, row, letters_only)  # DatasetError if bad
        return row, x, letters_only

    def _oracle_view(self, s, x, letters_only: bool) -> dict:
        """The exact posterior's top candidates (temperature 1) and the entries that fit."""
        fit = patterns.fitting_rows(s.data, x, letters_only)
        names = [s.data.entries[i] for i in fit.nonzero()[0]]
        oracle = patterns.restricted_oracle(s.data, x, letters_only)
        top = None
        if oracle is not None:
            top = sampler.beliefs(oracle, s.data, s.data.decode(x), 1.0, letters_only)["top"]
        note = None if names else ("no training entry fits these characters, so the exact "
                                   "posterior (the oracle) has no answer")
        return {"oracle": top, "fitting": names[: patterns.MAX_FITTING],
                "fitting_count": len(names), "note": note}

    def do_beliefs(self, args):
        s = self.slots[_s()._task(args)]
        row, x, letters_only = self._row_args(s, args)
        temp = _s()._num(args, "temperature", 1.0, 0.0, sampler.MAX_TEMPERATURE)
        b = sampler.beliefs(s.require_model(), s.data, row, temp, letters_only)
        return {"row": s.data.decode(x), "model": b["top"], "nfe": b["nfe"]} | \
            self._oracle_view(s, x, letters_only)

    def do_reveal(self, args):
        s = self.slots[_s()._task(args)]
        row, x, letters_only = self._row_args(s, args)
        masked = [i for i, c in enumerate(s.data.decode(x)) if c == MASK]
        pos = _s()._num(args, "position", 0, 0, s.data.seq_len - 1, int)
        if pos not in masked:
            raise _user(f"position {pos} is not masked; masked positions: "
                        f"{', '.join(map(str, masked)) or 'none (the row is finished)'}")
        temp = _s()._num(args, "temperature", 0.0, 0.0, sampler.MAX_TEMPERATURE)
        seed = _s()._num(args, "seed", 0, 0, 2**32 - 1, int)
        r = sampler.reveal(s.require_model(), s.data, row, pos, temp, seed, letters_only)
        new = s.data.encode(r["row"])
        done = MASK not in r["row"]
        text = r["row"].rstrip("_")
        return r | self._oracle_view(s, new, letters_only) | {
            "done": done, "training": done and text in set(s.data.entries)}

    def do_compare(self, args):
        s = self.slots["names"]
        num = _s()._num
        names = args.get("strategies", list(sampler.STRATEGIES))
        if not isinstance(names, list) or not names or any(
                n not in sampler.STRATEGIES for n in names):
            raise _user(f"strategies must be a list drawn from {', '.join(sampler.STRATEGIES)}")
        den = args.get("denoiser", "model")
        if den not in ("model", "oracle"):
            raise _user(f"denoiser must be model or oracle, not {den!r}")
        n = num(args, "n", 1, 1, MAX_COMPARE, int)
        kw = _draw_args(args, 0.8, "random")
        kw.pop("strategy")
        model = s.require_model() if den == "model" else None
        pat = patterns.name_pattern(s.data, args["pattern"]) if "pattern" in args else None
        if den == "oracle":
            from .oracle import OracleDenoiser
            model = OracleDenoiser(s.data) if pat is None else patterns.restricted_oracle(
                s.data, s.data.encode(pat.row), True)
            if model is None:
                raise _user(pat.note if pat is not None and pat.note else
                            "no training name fits this pattern")
        runs = lab.side_by_side(model, s.data, names, n, kw["steps"], kw["temperature"],
                                kw["seed"], None if pat is None else pat.text)
        results = []
        for st, out in zip(names, runs):
            _mark(out, set(s.data.entries))
            results.append({"strategy": st, "samples": out,
                            "nfe": sum(r["nfe"] for r in out) / n,
                            "nfe_uncached": sum(r["nfe_uncached"] for r in out) / n,
                            "batch_nfe": out[0]["batch_nfe"]})
        return {"steps": kw["steps"], "seed": kw["seed"], "denoiser": den, "results": results}

    def _jobs(self) -> dict:
        if not hasattr(self, "_lab_jobs"):
            self._lab_jobs = {}
        return self._lab_jobs

    def do_quality_start(self, args):
        s = self.slots["names"]
        num = _s()._num
        strategies = args.get("strategies", list(sampler.STRATEGIES))
        steps = args.get("steps", list(lab.STEPS))
        if not isinstance(strategies, list) or not strategies or any(
                x not in sampler.STRATEGIES for x in strategies):
            raise _user(f"strategies must be a list drawn from {', '.join(sampler.STRATEGIES)}")
        if not isinstance(steps, list) or not steps or any(
                isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= sampler.MAX_STEPS
                for k in steps):
            raise _user(f"steps must be a list of whole numbers from 1 to {sampler.MAX_STEPS}")
        job = lab.QualityJob(s.require_model(), s.data,
                             n=num(args, "n", lab.DEFAULT_N, 1, lab.MAX_N, int),
                             strategies=strategies, steps=steps,
                             temperature=num(args, "temperature", 1.0, 0.0,
                                             sampler.MAX_TEMPERATURE),
                             seed=num(args, "seed", 0, 0, 2**32 - 1, int))
        self._jobs()["names"] = job
        return {"total": len(job.pieces), "n": job.n, "cells": len(job.cells),
                "strategies": strategies, "steps": list(job.steps)}

    def do_quality_chunk(self, args):
        job = self._jobs().get("names")
        if job is None:
            raise _user("there is no quality run; start one with quality_start")
        ms = _s()._num(args, "max_ms", 30, 1, 1000)
        t0 = time.perf_counter()
        rows = job.advance(ms / 1000)
        total = len(job.pieces)
        return {"done": job.done, "total": total, "progress": job.done / total,
                "finished": job.finished, "rows": rows,
                "ms": (time.perf_counter() - t0) * 1000}

    def do_quality_cancel(self, args):
        return {"cancelled": self._jobs().pop("names", None) is not None}

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
        i, t, noisy = _s().corrupted_row(d, args)
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
