"""The optimizers of nonconvex training: small objects with one ``step`` method.

Every optimizer updates a flat parameter array ``params`` **in place** from its gradient ``grad``
and the step's learning rate ``lr`` (the training loop owns the schedule, the clipping and the
explicit penalty; the optimizer only turns a gradient into a step). They follow PyTorch's
conventions, so a trajectory can be compared with ``torch.optim`` number for number:

- :class:`GD` / :class:`SGD` (``torch.optim.SGD``, dampening 0, no Nesterov):
  b_1 = g_1, b_t = mu b_{t-1} + g_t, theta <- theta - lr b_t (theta <- theta - lr g_t when mu = 0).
  GD and SGD are the same update; SGD is meant for mini-batches (Robbins and Monro 1951).
- :class:`Adam` (``torch.optim.Adam``, Kingma and Ba 2015):
  m_t = b1 m_{t-1} + (1 - b1) g_t, v_t = b2 v_{t-1} + (1 - b2) g_t^2,
  theta <- theta - (lr / (1 - b1^t)) m_t / (sqrt(v_t) / sqrt(1 - b2^t) + eps).
- :class:`AdamW` (``torch.optim.AdamW``, Loshchilov and Hutter 2019): decoupled weight decay
  theta <- theta (1 - lr wd) first, then the Adam step with the gradient of the loss alone.
  The decay is *not* the gradient of (wd/2)||theta||^2 pushed through Adam's scaling, so AdamW's
  fixed points are not stationary points of the penalised objective (docs/optima-and-stationary-points.md).

    >>> import numpy as np
    >>> theta = np.array([1.0, -2.0])
    >>> AdamW(weight_decay=0.5).step(theta, np.array([0.3, -0.1]), lr=0.1)
    >>> theta.round(6).tolist()
    [0.85, -1.8]
"""

from __future__ import annotations

import numpy as np

ADAMW_WEIGHT_DECAY = 1e-2
"""PyTorch's AdamW default."""


class GD:
    """Gradient descent with optional heavy-ball momentum ``momentum`` in [0, 1) (PyTorch's SGD)."""

    name = "gd"

    def __init__(self, momentum: float = 0.0):
        if not 0 <= momentum < 1:
            raise ValueError("momentum must lie in [0, 1)")
        self.momentum = float(momentum)
        self.buffer: np.ndarray | None = None

    def step(self, params: np.ndarray, grad: np.ndarray, lr: float) -> None:
        """theta <- theta - lr b_t with b_t = mu b_{t-1} + g_t (b_t = g_t without momentum)."""
        if self.momentum > 0:
            self.buffer = grad.copy() if self.buffer is None else self.momentum * self.buffer + grad
            params -= lr * self.buffer
        else:
            params -= lr * grad


class SGD(GD):
    """Stochastic gradient descent: the GD update applied to mini-batch gradients."""

    name = "sgd"


class Adam:
    """Adam with bias-corrected moments (PyTorch's form of the update, see the module doc)."""

    name = "adam"

    def __init__(self, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
        b1, b2 = (float(b) for b in betas)
        if not (0 <= b1 < 1 and 0 <= b2 < 1):
            raise ValueError("Adam's betas must lie in [0, 1)")
        if not eps >= 0:
            raise ValueError("Adam's eps must be non-negative")
        self.betas, self.eps = (b1, b2), float(eps)
        self.t = 0
        self.m: np.ndarray | None = None
        self.v: np.ndarray | None = None

    def step(self, params: np.ndarray, grad: np.ndarray, lr: float) -> None:
        """One bias-corrected Adam step on ``params`` (in place)."""
        b1, b2 = self.betas
        if self.m is None or self.v is None:
            self.m, self.v = np.zeros_like(params), np.zeros_like(params)
        self.t += 1
        self.m *= b1
        self.m += (1.0 - b1) * grad
        self.v *= b2
        self.v += (1.0 - b2) * grad * grad
        correction1 = 1.0 - b1**self.t
        correction2 = 1.0 - b2**self.t
        params -= (lr / correction1) * self.m / (np.sqrt(self.v) / np.sqrt(correction2) + self.eps)


class AdamW(Adam):
    """Adam with decoupled weight decay: theta <- theta (1 - lr wd), then the Adam step.

    ``decay_mask`` (optional, same shape as the parameters) limits the decay to the coordinates
    where it is 1; the training loop passes its mask of trainable coordinates.
    """

    name = "adamw"

    def __init__(self, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = ADAMW_WEIGHT_DECAY, decay_mask: np.ndarray | None = None):
        super().__init__(betas, eps)
        if not (np.isfinite(weight_decay) and weight_decay >= 0):
            raise ValueError("weight_decay must be a non-negative number")
        self.weight_decay = float(weight_decay)
        self.decay_mask = None if decay_mask is None else np.asarray(decay_mask, dtype=float)

    def step(self, params: np.ndarray, grad: np.ndarray, lr: float) -> None:
        """Decay, then the Adam step (PyTorch's order)."""
        if self.weight_decay > 0:
            mask = 1.0 if self.decay_mask is None else self.decay_mask
            params *= 1.0 - lr * self.weight_decay * mask
        super().step(params, grad, lr)


OPTIMIZERS = ("gd", "sgd", "adam", "adamw")


def make_optimizer(name: str, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                   momentum: float = 0.0, weight_decay: float = 0.0,
                   decay_mask: np.ndarray | None = None) -> GD | Adam:
    """The optimizer object called ``name`` (one of :data:`OPTIMIZERS`) with these settings."""
    if name in ("gd", "sgd"):
        return (GD if name == "gd" else SGD)(momentum)
    if name == "adam":
        return Adam(betas, eps)
    if name == "adamw":
        return AdamW(betas, eps, weight_decay, decay_mask)
    raise ValueError(f"optimizer must be one of {OPTIMIZERS}, not {name!r}")


__all__ = ["ADAMW_WEIGHT_DECAY", "OPTIMIZERS", "GD", "SGD", "Adam", "AdamW", "make_optimizer"]
