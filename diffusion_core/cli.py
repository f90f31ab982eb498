"""Command line: ``python -m diffusion_core train|sample|translate|floor|elbo|lab``.

Every user error prints one line to stderr and exits with code 2 (no traceback).

    python -m diffusion_core train --task names --out names.json --json
    python -m diffusion_core sample --model names.json --n 15 --strategy confident
    python -m diffusion_core translate --model translate.json hello water
    python -m diffusion_core floor --task names
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from . import checkpoint, cli_lab, dataset, metrics, sampler
from .dataset import DatasetError
from .protocol import SEED_RANGE
from .train import LR_RANGE, Trainer, get_recipe


class CliError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, as argparse does, but never a traceback
        self.exit(2, f"{self.prog}: error: {message}\n")


_KINDS = {int: "whole number", float: "number"}


def _ranged(kind, lo, hi, what):
    def parse(text):
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{what} must be a {_KINDS.get(kind, kind.__name__)}, not {text!r}") from None
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError(f"{what} must be between {lo} and {hi}, not {text}")
        return v
    return parse


def build_parser() -> argparse.ArgumentParser:
    ap = _Parser(prog="python -m diffusion_core", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True, parser_class=_Parser)

    t = sub.add_parser("train", help="train a model and report honest losses")
    t.add_argument("--task", choices=dataset.TASKS, default="names")
    t.add_argument("--recipe", choices=("seed", "default"), default="default")
    t.add_argument("--epochs", type=_ranged(int, 1, 100_000, "--epochs"))
    t.add_argument("--lr", type=_ranged(float, *LR_RANGE, "--lr"))
    t.add_argument("--optimizer", choices=("sgd", "adam"))
    t.add_argument("--batch-size", type=_ranged(int, 1, 2000, "--batch-size"))
    t.add_argument("--seed", type=_ranged(int, *SEED_RANGE, "--seed"), default=0)
    t.add_argument("--out", help="write the model here (JSON)")
    t.add_argument("--json", action="store_true", help="print one JSON object on stdout")

    s = sub.add_parser("sample", help="generate names with a trained model")
    s.add_argument("--model", required=True)
    s.add_argument("--n", type=_ranged(int, 1, sampler.MAX_SAMPLES, "--n"), default=15)
    s.add_argument("--steps", type=_ranged(int, 1, sampler.MAX_STEPS, "--steps"), default=10)
    s.add_argument("--temperature", type=_ranged(float, 0.0, sampler.MAX_TEMPERATURE,
                                                 "--temperature"), default=0.8)
    s.add_argument("--strategy", choices=sampler.STRATEGIES, default="random")
    s.add_argument("--seed", type=_ranged(int, *SEED_RANGE, "--seed"), default=0)
    s.add_argument("--pattern", help="fill in a name: letters a-z and ? (e.g. 'r???l')")
    s.add_argument("--json", action="store_true")

    r = sub.add_parser("translate", help="translate English words with a trained model")
    r.add_argument("--model", required=True)
    r.add_argument("--steps", type=_ranged(int, 1, sampler.MAX_STEPS, "--steps"), default=10)
    r.add_argument("--temperature", type=_ranged(float, 0.0, sampler.MAX_TEMPERATURE,
                                                 "--temperature"), default=0.0)
    r.add_argument("words", nargs="+")

    f = sub.add_parser("floor", help="the Bayes-optimal loss floor of a task's data")
    f.add_argument("--task", choices=dataset.TASKS, default="names")
    f.add_argument("--json", action="store_true")
    cli_lab.add_commands(sub, _ranged)
    return ap


def cmd_train(a) -> None:
    data = dataset.builtin(a.task)
    recipe = get_recipe(a.task, a.recipe, epochs=a.epochs, lr=a.lr, optimizer=a.optimizer,
                        batch_size=a.batch_size)
    tr = Trainer(data, recipe, seed=a.seed)
    every = max(1, recipe.epochs // 20)

    def progress(epoch, loss):
        if epoch % every == 0 or epoch == recipe.epochs:
            print(f"epoch {epoch:5d}/{recipe.epochs}  loss {loss:.4f}", file=sys.stderr)

    t0 = time.perf_counter()
    tr.run(recipe.epochs, callback=progress)
    seconds = time.perf_counter() - t0
    if tr.diverged:
        raise CliError(f"diverged after {len(tr.history)} epochs: lower the learning rate")
    ev, fl = metrics.eval_loss(tr.params, data), metrics.loss_floor(data)
    out = {"task": a.task, "recipe": recipe.to_json(), "epochs": len(tr.history),
           "final_loss": tr.history[-1], "eval_loss": ev.mean, "eval_stderr": ev.stderr,
           "loss_floor": fl.mean, "seconds": seconds, "steps_per_second": tr.steps / seconds}
    if a.task == "translate":
        acc = sampler.accuracy(tr.params, data)
        out["accuracy"] = {"correct": acc["correct"], "total": acc["total"]}
    if a.out:
        checkpoint.save(a.out, checkpoint.Checkpoint(tr.params, data, recipe, a.seed, tr.history))
    if a.json:
        print(json.dumps(out))
    else:
        ratio = f", {ev.mean / fl.mean:.3f}x" if fl.mean > 0 else ""
        print(f"{a.task}: {out['epochs']} epochs in {seconds:.2f} s "
              f"({out['steps_per_second']:.0f} steps/s)")
        print(f"last epoch mean loss {out['final_loss']:.4f}")
        print(f"evaluated loss {ev.mean:.4f} ± {ev.stderr:.4f} (floor {fl.mean:.4f}{ratio})")
        if "accuracy" in out:
            print(f"exact translations: {out['accuracy']['correct']}/{out['accuracy']['total']}")


def cmd_sample(a) -> None:
    if a.pattern is not None:
        return cli_lab.cmd_fill(a)
    ck = checkpoint.load(a.model)
    if ck.data.task != "names":
        raise CliError(f"{a.model} is a {ck.data.task} model; use the translate command")
    got = sampler.sample(ck.params, ck.data, n=a.n, steps=a.steps, temperature=a.temperature,
                         strategy=a.strategy, seed=a.seed)
    texts = [g["text"] for g in got]
    if a.json:
        print(json.dumps({"samples": texts, "novelty": metrics.novelty(texts, ck.data)}))
        return
    seen = set(ck.data.entries)
    for s in texts:
        print(f"{s:12s} {'new' if s not in seen else 'from the training set'}")
    print(f"new: {metrics.novelty(texts, ck.data):.0%}")


def cmd_translate(a) -> None:
    ck = checkpoint.load(a.model)
    got = sampler.translate(ck.params, ck.data, a.words, steps=a.steps,
                            temperature=a.temperature)
    for g in got:
        print(f"{g['question']} > {g['answer']}")


def cmd_floor(a) -> None:
    fl = metrics.loss_floor(dataset.builtin(a.task))
    if a.json:
        print(json.dumps({"task": a.task} | fl.to_json()))
    else:
        print(f"{a.task}: loss floor {fl.mean:.4f} nats per position (exact)")


def main(argv=None) -> int:
    a = build_parser().parse_args(argv)
    try:
        {"train": cmd_train, "sample": cmd_sample, "translate": cmd_translate,
         "floor": cmd_floor, "elbo": cli_lab.cmd_elbo, "lab": cli_lab.cmd_lab,
         "left-to-right": cli_lab.cmd_left_to_right}[a.cmd](a)
    except (CliError, DatasetError, checkpoint.CheckpointError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0
