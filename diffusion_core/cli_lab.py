"""The lab's commands: ``elbo``, ``lab``, ``left-to-right`` and ``sample --pattern``
(wired in :mod:`.cli`).

    python -m diffusion_core elbo --model names.json [--json]
    python -m diffusion_core elbo --oracle --task names [--json]
    python -m diffusion_core lab --model names.json [--n 64] [--json]
    python -m diffusion_core sample --model names.json --pattern 'r???l' [--n 5] [--json]
    python -m diffusion_core left-to-right --model names.json [--n 12] [--json]

User errors raise (DatasetError, CheckpointError, ValueError) and :func:`cli.main`
prints one line and exits with code 2.
"""

from __future__ import annotations

import json
import time

from . import autoregressive, checkpoint, dataset, elbo, lab, patterns, sampler
from .recipe import get_recipe
from .train import Trainer


def add_commands(sub, ranged) -> None:
    """Add ``elbo`` and ``lab`` to the subparsers ``sub`` (``ranged`` checks numbers)."""
    e = sub.add_parser("elbo", help="the model's likelihood bound in bits per character")
    src = e.add_mutually_exclusive_group(required=True)
    src.add_argument("--model", help="a model file (JSON)")
    src.add_argument("--oracle", action="store_true",
                     help="the exact posterior of the data (the data's entropy)")
    e.add_argument("--task", choices=dataset.TASKS, default="names",
                   help="with --oracle: whose data")
    e.add_argument("--live", action="store_true",
                   help="the quick estimate shown during training instead of the precise one")
    e.add_argument("--seed", type=ranged(int, 0, 2**32 - 1, "--seed"), default=0)
    e.add_argument("--json", action="store_true")

    q = sub.add_parser("lab", help="quality against steps for every sampler, model and oracle")
    q.add_argument("--model", required=True)
    q.add_argument("--n", type=ranged(int, 1, lab.MAX_N, "--n"), default=lab.DEFAULT_N,
                   help="samples per cell")
    q.add_argument("--temperature", type=ranged(float, 0.0, sampler.MAX_TEMPERATURE,
                                                "--temperature"), default=1.0)
    q.add_argument("--seed", type=ranged(int, 0, 2**32 - 1, "--seed"), default=0)
    q.add_argument("--json", action="store_true")

    r = sub.add_parser("left-to-right", help="train the same network left to right with the "
                       "model's recipe and seed; compare exact likelihoods with its NELBO")
    r.add_argument("--model", required=True, help="a names model file (JSON)")
    r.add_argument("--n", type=ranged(int, 1, 200, "--n"), default=12, help="names to write")
    r.add_argument("--json", action="store_true")


def cmd_elbo(a) -> None:
    t0 = time.perf_counter()
    if a.oracle:
        data = dataset.builtin(a.task)
        e, source = elbo.of_oracle(data), "oracle"
    else:
        ck = checkpoint.load(a.model)
        data = ck.data
        fn = elbo.estimate if a.live else elbo.precise
        e, source = fn(ck.params, data, seed=a.seed), "model"
    out = {"task": data.task, "source": source} | e.to_json() | {
        "seconds": time.perf_counter() - t0}
    if a.json:
        print(json.dumps(out))
        return
    unit = "bits per character" if data.task == "names" else "bits per answer character"
    how = "exact" if e.exact else f"± {e.stderr:.4f} (standard error, {e.rows} rows)"
    print(f"{data.task} {source}: NELBO {e.bits_per_char:.4f} {how} {unit}\n"
          f"entropy of the data: {e.entropy_bits_per_char:.4f} {unit}")


def cmd_lab(a) -> None:
    ck = checkpoint.load(a.model)
    t0 = time.perf_counter()
    rows = lab.quality(ck.params, ck.data, n=a.n, temperature=a.temperature, seed=a.seed)
    seconds = time.perf_counter() - t0
    if a.json:
        print(json.dumps({"rows": rows, "seconds": seconds}))
        return
    print(lab.format_table(rows))
    print(f"{rows[0]['n']} samples per cell, temperature {a.temperature}, {seconds:.2f} s")


def cmd_fill(a) -> None:
    """``sample --pattern``: the model's fills, the oracle's, and the fitting names."""
    ck = checkpoint.load(a.model)
    data = ck.data
    pat = patterns.name_pattern(data, a.pattern)
    kw = {"n": a.n, "steps": a.steps, "temperature": a.temperature, "strategy": a.strategy,
          "seed": a.seed}
    known = set(data.entries)
    model = [r["text"] for r in sampler.infill(ck.params, data, pat.text, **kw)]
    oracle_den = patterns.restricted_oracle(data, data.encode(pat.row), True)
    oracle = (None if oracle_den is None else
              [r["text"] for r in sampler.infill(oracle_den, data, pat.text, **kw)])
    if a.json:
        print(json.dumps({
            "pattern": pat.text,
            "model": [{"text": t, "training": t in known} for t in model],
            "oracle": None if oracle is None else [{"text": t, "training": t in known}
                                                  for t in oracle],
            "note": pat.note, "fitting": pat.fitting}))
        return
    print(f"pattern {pat.text}: the model")
    for t in model:
        print(f"  {t:12s} {'from the training set' if t in known else 'new'}")
    if oracle is None:
        print(pat.note)
        return
    print("the oracle (exact posterior)")
    for t in oracle:
        print(f"  {t:12s} {'from the training set' if t in known else 'new'}")
    shown = ", ".join(pat.fitting[:20]) + (" ..." if len(pat.fitting) > 20 else "")
    print(f"training names that fit ({len(pat.fitting)}): {shown}")


def cmd_left_to_right(a) -> None:
    """The page's "Train left to right" (section X): the same figures for a model file."""
    ck = checkpoint.load(a.model)
    data = ck.data
    if data.task != "names":
        raise ValueError("left-to-right needs a names model; this file holds a translator")
    recipe = ck.recipe or get_recipe("names", "default")
    t0 = time.perf_counter()
    tr = Trainer(data, recipe, seed=ck.seed, objective="left_to_right")
    tr.run(recipe.epochs)
    if tr.diverged:
        raise ValueError("the left-to-right model diverged; train the model with a lower "
                         "learning rate")
    ar, own = autoregressive.nll(tr.params, data), autoregressive.nll(ck.params, data)
    bound = elbo.precise(ck.params, data)
    names = [x["text"] for x in sampler.sample(tr.params, data, n=a.n, steps=data.seq_len,
                                                temperature=1.0, strategy="left_to_right",
                                                seed=ck.seed, trace=False)]
    known = set(data.entries)
    out = {"left_to_right": ar.to_json(), "diffusion_left_to_right": own.bits_per_char,
           "diffusion_nelbo": bound.to_json(), "epochs": recipe.epochs, "seed": ck.seed,
           "samples": [{"text": t, "training": t in known} for t in names],
           "seconds": time.perf_counter() - t0}
    if a.json:
        print(json.dumps(out))
        return
    print(f"bits per character on the {len(data.entries)} training names "
          f"({recipe.epochs} epochs, seed {ck.seed}):")
    for label, value in (
            ("left to right, exact NLL", f"{ar.bits_per_char:.4f}   "
             f"({ar.nfe_per_sample:g} network calls per name)"),
            ("the model read left to right, exact NLL", f"{own.bits_per_char:.4f}"),
            ("the model's NELBO (an upper bound)", f"{bound.bits_per_char:.4f} ± "
             f"{bound.stderr:.4f}"),
            ("the data's entropy", f"{ar.entropy_bits_per_char:.4f}")):
        print(f"  {label:40s} {value}")
    print("names written left to right: " + ", ".join(
        t if t in known else t + " (new)" for t in names))
