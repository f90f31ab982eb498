"""Tiny masked text diffusion in pure numpy: data, corruption, an MLP denoiser,
training, sampling and honest metrics. Runs unchanged in CPython and in Pyodide."""

__version__ = "0.1.0"
