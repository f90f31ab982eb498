"""Small trained models shared by the tests (trained once per session)."""
import functools
import pathlib

from diffusion_core.dataset import builtin
from diffusion_core.train import Trainer, get_recipe

ROOT = pathlib.Path(__file__).resolve().parents[1]


@functools.cache
def trained(task: str, epochs: int = 150):
    tr = Trainer(builtin(task), get_recipe(task, "default"), seed=0)
    tr.run(epochs)
    return tr.params, tr.data
