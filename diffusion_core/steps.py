"""Optimisers and fused training steps, written for few numpy calls.

Each numpy call costs microseconds in WebAssembly, so calls, not flops, set
the speed of a batch-1 step; for a whole-dataset batch the matrix products
dominate, and ``np.einsum`` beats ``@`` at these shapes in Pyodide (numpy
there has no BLAS). Both fused paths compute the same numbers as
:func:`diffusion_core.model.loss_and_grad`, which stays the readable reference.
"""

from __future__ import annotations

import math

import numpy as np

from .model import Params


class SGD:
    """Plain gradient descent on the flat weight vector: p -= lr * grad."""

    def __init__(self, p: Params, lr: float):
        self.p, self.lr = p, lr

    def step(self, grad: np.ndarray) -> None:
        grad *= -self.lr
        self.p.flat += grad


class Adam:
    """Adam (Kingma & Ba 2015, Algorithm 1) on the flat weight vector, updated in place.

    The moments are kept unscaled, ``M = m / (1 - b1)`` and ``V = v / (1 - b2)``, so each
    update is ``M = b1 M + g`` and ``V = b2 V + g^2``: ten passes over the weights a step
    instead of twelve (each pass costs tens of microseconds in WebAssembly). The step
    is the paper's, with ``(1 - b1) / sqrt(1 - b2)`` folded into the rate and ``eps``:
    ``p -= lr_t * m_hat / (sqrt(v_hat) + eps)``.
    """

    def __init__(self, p: Params, lr: float, b1=0.9, b2=0.999, eps=1e-8):
        self.p, self.lr, self.b1, self.b2, self.eps = p, lr, b1, b2, eps
        self.m = np.zeros_like(p.flat)  # M = m / (1 - b1)
        self.v = np.zeros_like(p.flat)  # V = v / (1 - b2)
        self.buf = np.empty_like(p.flat)
        self.t = 0

    def step(self, grad: np.ndarray) -> None:
        """One update from ``grad``, which is overwritten."""
        self.t += 1
        b1, b2 = self.b1, self.b2
        if b1 == 0.0:  # no momentum: M = g, so skip M (seven passes instead of ten)
            return self._step_no_momentum(grad)
        self.m *= b1
        self.m += grad
        np.multiply(grad, grad, out=grad)
        self.v *= b2
        self.v += grad
        # m_hat / (sqrt(v_hat) + eps) = c * M / (sqrt(V) + eps * sqrt(1 - b2^t) / sqrt(1 - b2)),
        # with c = (1 - b1) sqrt(1 - b2^t) / ((1 - b1^t) sqrt(1 - b2))
        corr = math.sqrt(1 - b2**self.t)
        step = self.lr * (1 - b1) * corr / ((1 - b1**self.t) * math.sqrt(1 - b2))
        np.sqrt(self.v, out=self.buf)
        self.buf += self.eps * corr / math.sqrt(1 - b2)
        np.divide(self.m, self.buf, out=self.buf)
        self.buf *= -step
        self.p.flat += self.buf

    def _step_no_momentum(self, grad: np.ndarray) -> None:
        """:meth:`step` for ``b1 = 0``, the same numbers: M = 0 * M + g is g exactly."""
        b2, buf = self.b2, self.buf
        np.multiply(grad, grad, out=buf)
        self.v *= b2
        self.v += buf
        corr = math.sqrt(1 - b2**self.t)
        step = self.lr * corr / math.sqrt(1 - b2)
        np.sqrt(self.v, out=buf)
        buf += self.eps * corr / math.sqrt(1 - b2)
        np.divide(grad, buf, out=buf)
        buf *= -step
        self.p.flat += buf


class FastSGD1:
    """Plain SGD with batch 1: the same math as ``loss_and_grad`` + :class:`SGD`, fused.

    Every buffer is allocated once; each step is ~20 numpy calls. The loss
    gradient is folded into the learning rate (``d = -lr * w * (p - y)``), since
    all gradients are linear in it: the caller passes ``scale = -lr * w``.
    """

    def __init__(self, p: Params):
        c = p.config
        L, V, E, H = c.seq_len, c.vocab_size, c.embed_dim, c.hidden
        self.p = p
        self.inp = np.zeros(c.n_in + 1)  # [e_1..e_L, t, 1]
        self.inp[-1] = 1.0
        self.e = self.inp[:-2].reshape(L, E)
        self.z = np.empty(H)
        self.relu_on = np.empty(H, dtype=bool)
        self.hid = np.ones(H + 1)  # [relu(z), 1]
        self.h = self.hid[:-1]
        self.out = np.empty(L * V)
        self.out2 = self.out.reshape(L, V)
        self.dh = np.empty(H)
        self.dinp = np.empty(L * E)
        self.dinp2 = self.dinp.reshape(L, E)
        self.gW1 = np.empty_like(p.W1)
        self.gW2 = np.empty_like(p.W2)
        self.W1x = p.W1[:-2]  # embedding rows only
        self.W2hT = p.W2[:-1].T  # hidden rows only, transposed view (faster gemv in wasm)
        self.zeros = np.zeros(H)
        self.ones_v = np.ones(V)
        self.rowsum = np.empty(L)
        self.rowsum2 = self.rowsum.reshape(L, 1)
        self.hid_col = self.hid[:, None]  # (H+1, 1)
        self.d_row = self.out[None, :]  # (1, L*V)

    def step(self, x, t, flat_target, onehot, scale, pt_out) -> None:
        """One example. ``flat_target`` = positions * V + target ids; ``onehot`` (L*V,);
        ``scale`` is -lr * w (float or (L, 1)); the target probabilities go to ``pt_out`` (L,)."""
        p, out, out2 = self.p, self.out, self.out2
        np.take(p.emb, x, axis=0, out=self.e)
        self.inp[-2] = t
        np.dot(self.inp, p.W1, out=self.z)  # (H,)
        np.maximum(self.z, self.zeros, out=self.h)
        np.dot(self.hid, p.W2, out=out)  # (L*V,) logits
        # softmax per position; one global max keeps exp() from overflowing
        np.subtract(out, out.max(), out=out)
        np.exp(out, out=out)
        np.dot(out2, self.ones_v, out=self.rowsum)  # (L,) row sums, as a gemv
        np.divide(out2, self.rowsum2, out=out2)  # (L, V) probabilities
        np.take(out, flat_target, out=pt_out)
        np.subtract(out, onehot, out=out)
        np.multiply(out2, scale, out=out2)  # d = -lr * w * (p - y)
        np.dot(out, self.W2hT, out=self.dh)  # (H,)
        np.greater(self.z, 0.0, out=self.relu_on)
        np.multiply(self.dh, self.relu_on, out=self.dh)
        np.dot(self.W1x, self.dh, out=self.dinp)  # (L*E,)
        np.multiply(self.hid_col, self.d_row, out=self.gW2)  # outer product
        p.W2 += self.gW2
        np.multiply.outer(self.inp, self.dh, out=self.gW1)
        p.W1 += self.gW1
        np.add.at(p.emb, x, self.dinp2)


class FastBatch:
    """``loss_and_grad`` for a batch in ~25 numpy calls, with buffers kept per batch size.

    ``loss_and_grad(x, t, onehot, weight)`` takes (B, L) ids, (B,) noise levels,
    (B, L*V) one-hot targets and (B, L) weights (rows summing to 1/B), and
    returns the loss and the flat gradient (a buffer reused by the next call).
    """

    def __init__(self, p: Params):
        self.p = p
        self.grad = Params(p.config)
        self.bufs: dict[int, tuple] = {}

    def _buffers(self, B: int) -> tuple:
        if B not in self.bufs:
            c = self.p.config
            inp = np.empty((B, c.n_in + 1))
            inp[:, -1] = 1.0
            self.bufs[B] = (inp, np.empty((B, c.hidden)), np.empty((B, c.hidden)),
                            np.empty((B, c.n_out)), np.arange(B)[:, None] * c.n_out)
        return self.bufs[B]

    def loss_and_grad(self, x, t, onehot, flat_target, weight):
        p, g = self.p, self.grad
        c = p.config
        B, L = x.shape
        LE, H = L * c.embed_dim, c.hidden
        inp, h, z, probs, base = self._buffers(B)
        inp[:, :LE] = np.take(p.emb, x, axis=0).reshape(B, LE)
        inp[:, -2] = t
        np.einsum("bi,ij->bj", inp, p.W1, out=z)
        np.maximum(z, 0.0, out=h)
        # the output biases apart: an inner size of H (128) runs faster than H + 1 in wasm
        np.einsum("bi,ij->bj", h, p.W2[:H], out=probs)  # logits (B, L*V)
        probs += p.W2[H]
        probs -= probs.max(axis=1, keepdims=True)  # one shift per row: softmax is shift-invariant
        np.exp(probs, out=probs)
        p3 = probs.reshape(B, L, c.vocab_size)
        p3 /= p3.sum(axis=2, keepdims=True)
        pt = np.take(probs, base + flat_target)  # (B, L)
        loss = -float(np.sum(weight * np.log(pt)))
        probs -= onehot
        p3 *= weight[:, :, None]  # now dlogits
        np.einsum("bi,bj->ij", h, probs, out=g.W2[:H])
        np.sum(probs, axis=0, out=g.W2[H])
        dh = np.einsum("bj,ij->bi", probs, p.W2[:H])
        dh *= z > 0
        np.einsum("bi,bj->ij", inp, dh, out=g.W1)
        dinp = np.einsum("bj,ij->bi", dh, p.W1[:LE])
        g.emb[:] = 0.0
        np.add.at(g.emb, x.ravel(), dinp.reshape(B * L, c.embed_dim))
        return loss, g.flat
