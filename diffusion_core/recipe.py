"""Training recipes: the presets, their checks and the learning-rate schedule.

A :class:`Recipe` is plain data, saved with every checkpoint. Fields added after
the first release have defaults, so older model files still load and mean
what they meant (constant rate, one mask per name, t fed to the model, the
page's uniform cross-entropy, Adam's usual momentum of 0.9).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

SCHEDULES = ("constant", "cosine")
WEIGHTINGS = ("uniform", "elbo")
T_SAMPLINGS = ("uniform", "low-discrepancy")
OUTPUT_INITS = ("he", "marginal")
LR_RANGE = (1e-5, 10.0)
HIDDEN = {"names": 128, "translate": 96}  # the seed's hidden sizes


@dataclass(frozen=True)
class Recipe:
    """How to train. The page's presets are in :data:`RECIPES`.

    name : "seed", "default" or "custom"
    optimizer : "sgd" or "adam"
    lr : the peak learning rate (the rate itself when ``schedule`` is "constant")
    batch_size : examples per step; 1 is the seed's; 0 means the whole dataset
        in one step, whatever its size (``masks`` copies of it)
    epochs : epochs of one "Train" run; a schedule spans exactly these epochs
    schedule : "constant", or "cosine": lr * (1 + cos(pi * e / epochs)) / 2 at
        epoch e = 0 .. epochs-1 (Loshchilov & Hutter 2017, SGDR, one cycle)
    warmup : epochs of linear warm-up, lr * (e + 1) / (warmup + 1), before the
        schedule takes over (0: none)
    masks : independent (t, mask) draws of every example per epoch
    t_sampling : "uniform" t ~ U(0, 1) per draw, or "low-discrepancy": one
        u ~ U(0, 1) per epoch and t_i = (u + i g) mod 1, g = (sqrt 5 - 1) / 2,
        for the epoch's draws i = 0, 1, ... (a Kronecker sequence: every run of
        consecutive draws, so every batch, is spread evenly over [0, 1); the
        variance reduction of Kingma et al. 2021, VDM, App. I.1, and of
        Sahoo et al. 2024, MDLM, sec. 3.5, who use stratified t per batch)
    t_input : feed t to the denoiser; False trains a model that never sees t
        (its t weights are zero and stay zero)
    weighting : "uniform", the seed's cross-entropy averaged over all
        maskable positions, visible ones too; or "elbo", the continuous-time
        MDLM objective (see :func:`diffusion_core.model.loss_weights`)
    output_init : "he", the seed's He-normal output weights and zero output
        biases; or "marginal": the same draws times 0.1, and each output bias
        set to the log of that character's frequency at that position in the
        training data (:func:`diffusion_core.train.marginal_logits`), so the untrained denoiser
        already predicts each position's marginal ("init well": Karpathy 2019,
        "A Recipe for Training Neural Networks", karpathy.github.io)
    beta1 : Adam's first-moment decay, in [0, 1): 0.9 is the paper's (Kingma & Ba 2015);
        0 keeps no momentum, so each step follows this step's gradient, scaled by the running
        root mean square of past gradients (RMSProp with Adam's bias correction). Unused by SGD.
    """

    name: str
    optimizer: str
    lr: float
    batch_size: int
    epochs: int
    schedule: str = "constant"
    warmup: int = 0
    masks: int = 1
    t_sampling: str = "uniform"
    t_input: bool = True
    weighting: str = "uniform"
    output_init: str = "he"
    beta1: float = 0.9

    def to_json(self) -> dict:
        return asdict(self)

    def batch_rows(self, n_examples: int) -> int:
        """Rows per step for a dataset of ``n_examples``: all ``masks`` x n of them when 0."""
        return self.batch_size or n_examples * self.masks

    def explain(self, n_examples: int) -> str:
        """One plain sentence for the page, e.g. "Adam on all 40 examples at once (one step
        per epoch), 160 epochs, learning rate 0.03 decaying to 0 along a cosine, output biases
        started at each position's character frequencies, no momentum (Adam's β1 = 0)."."""
        opt = "Adam" if self.optimizer == "adam" else "plain SGD"
        if self.batch_size == 0:
            what = f"all {n_examples} examples at once (one step per epoch)"
        elif self.batch_size == 1:
            what = "one example per step"
        else:
            what = f"batches of {self.batch_size}"
        lr = (f"learning rate {self.lr:g} decaying to 0 along a cosine"
              if self.schedule == "cosine" else f"learning rate {self.lr:g}")
        extra = [f"{self.warmup} warm-up epochs"] if self.warmup else []
        extra += [f"{self.masks} masks per example"] if self.masks > 1 else []
        extra += ["low-discrepancy noise levels"] if self.t_sampling != "uniform" else []
        extra += ["without t"] if not self.t_input else []
        extra += ["ELBO weighting"] if self.weighting == "elbo" else []
        extra += ["output biases started at each position's character frequencies"] \
            if self.output_init == "marginal" else []
        if self.optimizer == "adam" and self.beta1 != 0.9:
            extra += ["no momentum (Adam's β1 = 0)" if self.beta1 == 0
                      else f"Adam's β1 = {self.beta1:g}"]
        return f"{opt} on {what}, {self.epochs} epochs, {', '.join([lr, *extra])}."


# Per task: the seed's recipe, and the default chosen by measurement (README, "Performance").
RECIPES = {
    "names": {
        "seed": Recipe("seed", "sgd", 0.01, 1, 500),
        "default": Recipe("default", "adam", 0.03, 0, 160, schedule="cosine",
                          output_init="marginal", beta1=0.0),
    },
    "translate": {
        "seed": Recipe("seed", "sgd", 0.01, 1, 1000),
        "default": Recipe("default", "adam", 0.03, 0, 40, schedule="cosine", beta1=0.0),
    },
}


def _check(r: Recipe) -> None:
    def need(ok, msg):
        if not ok:
            raise ValueError(msg)
    need(r.optimizer in ("sgd", "adam"), f"optimizer must be sgd or adam, not {r.optimizer!r}")
    need(isinstance(r.lr, (int, float)) and LR_RANGE[0] <= r.lr <= LR_RANGE[1],
         f"learning rate must be between {LR_RANGE[0]} and {LR_RANGE[1]}")
    need(0 <= r.batch_size <= 2000, "batch size must be between 1 and 2000, or 0 for all at once")
    need(1 <= r.epochs <= 100_000, "epochs must be between 1 and 100000")
    need(r.schedule in SCHEDULES, f"schedule must be constant or cosine, not {r.schedule!r}")
    need(0 <= r.warmup <= 10_000, "warm-up must be between 0 and 10000 epochs")
    need(1 <= r.masks <= 16, "masks per example must be between 1 and 16")
    need(r.t_sampling in T_SAMPLINGS,
         f"t sampling must be uniform or low-discrepancy, not {r.t_sampling!r}")
    need(isinstance(r.t_input, bool), "t_input must be true or false")
    need(r.weighting in WEIGHTINGS, f"weighting must be uniform or elbo, not {r.weighting!r}")
    need(isinstance(r.beta1, (int, float)) and 0.0 <= r.beta1 < 1.0,
         "Adam's beta1 must be at least 0 and below 1")
    need(r.output_init in OUTPUT_INITS,
         f"output init must be he or marginal, not {r.output_init!r}")


def get_recipe(task: str, name: str = "default", **overrides) -> Recipe:
    """A preset with some fields replaced; any change but ``epochs`` makes it "custom".

    Raises ``ValueError`` naming the bad field and what is allowed.

    >>> get_recipe("names", "seed", epochs=20).epochs
    20
    """
    r = RECIPES[task][name]
    changes = {k: v for k, v in overrides.items() if v is not None and getattr(r, k) != v}
    r = replace(r, **changes)
    _check(r)
    return replace(r, name="custom") if set(changes) - {"epochs"} else r


def recipe_from_json(obj: dict) -> Recipe:
    """A recipe from a checkpoint; missing newer fields take their defaults."""
    r = Recipe(**obj)
    _check(r)
    return r


def lr_factor(schedule: str, e: int, length: int, warmup: int = 0) -> float:
    """Multiplier of the peak rate at epoch ``e`` (0-based) of a cycle of ``length`` epochs.

    >>> lr_factor("cosine", 0, 200), round(lr_factor("cosine", 100, 200), 3)
    (1.0, 0.5)
    """
    if e < warmup:
        return (e + 1) / (warmup + 1)
    if schedule == "constant":
        return 1.0
    span = max(1, length - warmup)
    return 0.5 * (1.0 + math.cos(math.pi * min(e - warmup, span) / span))
