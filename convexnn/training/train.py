"""Nonconvex training of the two-layer ReLU network, in numpy (no torch).

The network is f(x) = sum_j (x^T w1_j + b1_j)_+ w2_j (+ c, an optional free output intercept),
the weights are packed in one flat vector, and the gradient is written out by hand. One short
loop (:func:`fit_nonconvex`) computes the gradient of a (mini-)batch, adds the penalty's
gradient, clips, applies the learning-rate schedule and hands the step to an optimizer object of
:mod:`convexnn.training.optimizers` (GD, SGD, Adam, AdamW). What can be trained:

- the **explicit objective** of docs/convex-program.md, l(f(X), y) + (beta/2)(||W1||^2 +
  ||b1||^2 + ||w2||^2), with full-batch gradient descent ("gd"), SGD or mini-batch SGD ("sgd",
  optional momentum) or Adam ("adam"). Its limit points are Clarke stationary points of L, the
  object of docs/optima-and-stationary-points.md (:mod:`convexnn.theory.stationary`);
- the **data loss with decoupled weight decay** ("adamw"): PyTorch's ``torch.optim.AdamW`` update
  with its defaults (betas (0.9, 0.999), eps 1e-8, weight_decay 1e-2), the decay applied as
  p <- p - lr*wd*p before the Adam step. Its fixed points solve a coordinate-scaled problem, not L
  (docs/optima-and-stationary-points.md), so polish with "gd" before using it as a stationary
  point. The update is tested step by step against a recorded ``torch.optim.AdamW`` run.

Losses (``loss``): "squared" 1/2||f - y||^2 (the project's convention), "mse" mean((f - y)^2)
(PyTorch's ``MSELoss``, the loss of the AdamW baseline in docs/experiments.md), "logistic" and
"hinge" (sums, labels +-1). A mini-batch B uses the unbiased estimate of the full loss:
(n/|B|) sum_B for the summed losses, the batch mean for "mse". Gradient clipping by the global
norm is ``torch.nn.utils.clip_grad_norm_`` (scale max_norm / (norm + 1e-6) when below 1) and the
linear schedule is ``get_linear_schedule_with_warmup`` without warm-up: lr_t = lr (T - t)/T at
step t of T.

The trajectory always reports the explicit objective l(f(X), y) + (beta/2)||Theta||^2 with the
*summed* loss (1/2||f - y||^2 for "squared" and "mse"), so it compares with p* of
:func:`convexnn.fit_convex` at the same beta, whatever the optimizer minimised.

    >>> import numpy as np
    >>> X, y = np.eye(2), np.ones(2)
    >>> start = ReLUNetwork(np.array([[1.0, -0.5], [-0.5, 1.0]]), np.zeros(2), np.ones(2))
    >>> net, traj = fit_nonconvex(X, y, 2, 0.1, lr=1e-2, epochs=20000, bias=False, init=start)
    >>> round(traj.final_objective, 4)
    0.19
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ..data.validate import MAX_ENTRIES, as_count, as_matrix, as_number, as_vector
from ..models.network import ReLUNetwork
from ..program import losses
from .optimizers import ADAMW_WEIGHT_DECAY, OPTIMIZERS, AdamW, make_optimizer

TRAIN_LOSSES = ("squared", "mse", "logistic", "hinge")
SCHEDULES = ("constant", "linear")
DEFAULT_LR = {"gd": 1e-2, "sgd": 1e-2, "adam": 1e-3, "adamw": 1e-3}
"""PyTorch's default learning rates."""
MAX_WIDTH = 100_000
"""Most hidden neurons :func:`fit_nonconvex` trains (and n * width is at most MAX_ENTRIES)."""
MAX_EPOCHS = 10_000_000
"""Most epochs :func:`fit_nonconvex` accepts."""


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass
class Trajectory:
    """What happened during training, one entry per recorded epoch (epoch 0 = the start).

    ``objective``: the explicit objective l(f(X), y) + (beta/2)||Theta||^2 (summed loss, see the
    module doc); ``loss``: the data loss as the optimizer saw it (e.g. the mean squared error for
    "mse"), on all the data; ``accuracy``: training accuracy of sign(f) (NaN unless y is +-1);
    ``grad_norm``: ||grad L|| of the explicit objective at beta (a subgradient at kinks);
    ``time``: seconds spent in optimizer steps up to that epoch (recording excluded); ``lr``: the
    learning rate of the epoch's last step. ``snapshots`` are networks at ``snapshot_epochs``.
    """

    epochs: np.ndarray
    steps: np.ndarray
    objective: np.ndarray
    loss: np.ndarray
    accuracy: np.ndarray
    grad_norm: np.ndarray
    time: np.ndarray
    lr: np.ndarray
    snapshot_epochs: list[int] = field(default_factory=list)
    snapshots: list[ReLUNetwork] = field(default_factory=list)
    diverged: bool = False
    converged: bool = False
    settings: dict = field(default_factory=dict)

    @property
    def final_objective(self) -> float:
        return float(self.objective[-1])

    @property
    def final_accuracy(self) -> float:
        return float(self.accuracy[-1])

    @property
    def total_time(self) -> float:
        return float(self.time[-1])

    def as_dict(self) -> dict:
        """The recorded series as plain lists (for tables and JSON)."""
        return {k: getattr(self, k).tolist() for k in
                ("epochs", "steps", "objective", "loss", "accuracy", "grad_norm", "time", "lr")}


class TrainResult(NamedTuple):
    """``network, trajectory = fit_nonconvex(...)``."""

    network: ReLUNetwork
    trajectory: Trajectory


# --------------------------------------------------------------------------------------------
# The flat parameter vector and its gradient
# --------------------------------------------------------------------------------------------


class _Layout:
    """theta = [W1 (d*m, row-major), b1 (m), w2 (m), c (1)] and views into such vectors."""

    def __init__(self, d: int, m: int):
        self.d, self.m = d, m
        self.size = d * m + 2 * m + 1

    def views(self, v: np.ndarray):
        d, m = self.d, self.m
        return (v[: d * m].reshape(d, m), v[d * m: d * m + m], v[d * m + m: d * m + 2 * m], v[-1:])

    def pack(self, net: ReLUNetwork) -> np.ndarray:
        return np.concatenate([net.W1.ravel(), net.b1, net.w2, [net.intercept]])

    def network(self, theta: np.ndarray) -> ReLUNetwork:
        W1, b1, w2, c = self.views(theta)
        return ReLUNetwork(W1.copy(), b1.copy(), w2.copy(), float(c[0]))

    def penalized(self) -> np.ndarray:
        """Mask of the coordinates in (beta/2)||Theta||^2 (all but the intercept)."""
        mask = np.ones(self.size)
        mask[-1] = 0.0
        return mask


def _loss_grad(loss: str, f: np.ndarray, y: np.ndarray, n_total: int, value: bool = True):
    """The training loss on a batch (an unbiased estimate of the full loss) and d loss / d f.

    The value is NaN when ``value`` is False (the steps only need the gradient).
    """
    k = f.shape[0]
    if loss == "mse":
        r = f - y
        return (float(r @ r) / k if value else np.nan), (2.0 / k) * r
    if loss == "squared":
        r = f - y
        return (0.5 * float(r @ r) if value else np.nan), r
    scale = n_total / k
    v = scale * losses.value(loss, f, y) if value else np.nan
    return v, scale * losses.gradient(loss, f, y)


class _Workspace:
    """Views into theta and the gradient, and (k, m) buffers per batch size k.

    theta must only ever be changed in place (the views stay valid).
    """

    def __init__(self, layout: _Layout, theta: np.ndarray, trainable: np.ndarray):
        self.layout = layout
        self.theta, self.trainable = theta, trainable
        self.W1, self.b1, self.w2, self.c = layout.views(theta)
        self.g = np.empty(layout.size)
        self.gW1, self.gb1, self.gw2, self.gc = layout.views(self.g)
        self.buffers: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def get(self, k: int):
        if k not in self.buffers:
            m = self.layout.m
            self.buffers[k] = (np.empty((k, m)), np.empty((k, m), dtype=bool), np.empty((k, m)))
        return self.buffers[k]


def _forward_backward(work: _Workspace, X, y, loss, n_total, value: bool = True):
    """(training loss, f, gradient of the training loss wrt theta) on (X, y).

    The gradient is ``work.g`` (overwritten by the next call).
    """
    Z, active, G = work.get(X.shape[0])
    w2 = work.w2
    np.matmul(X, work.W1, out=Z)
    Z += work.b1
    np.greater(Z, 0.0, out=active)
    np.maximum(Z, 0.0, out=Z)  # Z now holds the hidden features H
    f = Z @ w2
    f += work.c[0]
    v, r = _loss_grad(loss, f, y, n_total, value)
    np.matmul(Z.T, r, out=work.gw2)
    np.multiply(r[:, None], w2, out=G)
    G *= active
    np.matmul(X.T, G, out=work.gW1)
    np.add.reduce(G, axis=0, out=work.gb1)
    work.gc[0] = np.add.reduce(r)
    work.g *= work.trainable
    return v, f, work.g


def _objective_loss(loss: str) -> str:
    return "squared" if loss == "mse" else loss


# --------------------------------------------------------------------------------------------
# Initialisation
# --------------------------------------------------------------------------------------------


def torch_init(d: int, width: int, rng: np.random.Generator, bias: bool = True,
               intercept: bool = False) -> ReLUNetwork:
    """PyTorch's default ``nn.Linear`` initialisation of d -> width -> 1.

    Hidden weights and biases U(-1/sqrt(d), 1/sqrt(d)), output weights (and intercept)
    U(-1/sqrt(width), 1/sqrt(width)). The random stream is numpy's, not torch's.
    """
    a1, a2 = 1.0 / np.sqrt(d), 1.0 / np.sqrt(width)
    W1 = rng.uniform(-a1, a1, size=(d, width))
    b1 = rng.uniform(-a1, a1, size=width) if bias else np.zeros(width)
    w2 = rng.uniform(-a2, a2, size=width)
    c = float(rng.uniform(-a2, a2)) if intercept else 0.0
    return ReLUNetwork(W1, b1, w2, c)


# --------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------


def _record_epochs(epochs: int, spec) -> np.ndarray:
    """Epochs 0..epochs at which something is recorded: an int k = every k-th, or a list."""
    if spec is None:
        spec = max(epochs // 200, 1)
    if isinstance(spec, (int, np.integer)):
        k = max(int(spec), 1)
        at = list(range(0, epochs + 1, k))
    else:
        at = [int(e) for e in spec if 0 <= int(e) <= epochs]
    return np.unique(np.array([0, *at, epochs], dtype=int))


def _snapshot_epochs(epochs: int, spec) -> set[int]:
    """An int k = about k snapshots evenly spaced over 0..epochs; a list = those epochs."""
    if spec is None or (isinstance(spec, (int, np.integer)) and int(spec) <= 0):
        return set()
    if isinstance(spec, (int, np.integer)):
        k = int(spec)
        return set(np.unique(np.round(np.linspace(0, epochs, max(k, 2))).astype(int)).tolist())
    return {int(e) for e in spec if 0 <= int(e) <= epochs}


def check_settings(optimizer: str, loss: str, y: np.ndarray, width: int, epochs: int,
                   beta: float, lr: float, weight_decay: float, schedule: str,
                   clip_norm: float | None, momentum: float) -> None:
    """Raise ``ValueError`` with a readable message for an impossible setting."""
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, not {optimizer!r}")
    if loss not in TRAIN_LOSSES:
        raise ValueError(f"loss must be one of {TRAIN_LOSSES}, not {loss!r}")
    losses.check_loss(_objective_loss(loss), y)
    if int(width) < 1:
        raise ValueError("the width must be at least 1 neuron")
    if int(epochs) < 0:
        raise ValueError("the number of epochs must be >= 0")
    for name, value in (("beta", beta), ("lr", lr), ("weight_decay", weight_decay)):
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a non-negative number, not {value!r}")
    if lr <= 0:
        raise ValueError("the learning rate must be positive")
    if weight_decay > 0 and optimizer != "adamw":
        raise ValueError("weight_decay is AdamW's decoupled decay; the other optimizers minimise "
                         "the explicit objective with beta")
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {SCHEDULES}, not {schedule!r}")
    if clip_norm is not None and not clip_norm > 0:
        raise ValueError("clip_norm must be positive (or None for no clipping)")
    if not 0 <= momentum < 1:
        raise ValueError("momentum must lie in [0, 1)")


@dataclass
class _Settings:
    """The validated settings of one training run (see :func:`fit_nonconvex` for each one)."""

    optimizer: str
    loss: str
    width: int
    beta: float
    lr: float
    epochs: int
    batch_size: int
    weight_decay: float
    penalty: bool
    betas: tuple[float, float]
    eps: float
    momentum: float
    clip_norm: float | None
    schedule: str
    time_limit: float | None
    seed: int
    bias: bool
    intercept: bool

    def lr_at(self, step: int, total_steps: int) -> float:
        """The learning rate of step ``step`` (0-based): lr, or lr (T - t)/T for "linear"."""
        return self.lr * (total_steps - step) / total_steps if self.schedule == "linear" else self.lr

    def as_dict(self, width: int, timed_out: bool) -> dict:
        """``trajectory.settings`` (``width`` is the trained network's)."""
        out = {k: getattr(self, k) for k in (
            "beta", "optimizer", "lr", "epochs", "batch_size", "weight_decay", "loss", "seed", "bias",
            "intercept", "penalty", "betas", "eps", "momentum", "clip_norm", "schedule", "time_limit")}
        return {"width": int(width), **out, "penalty": bool(self.penalty), "betas": tuple(self.betas),
                "timed_out": timed_out}


def _settings(n: int, y: np.ndarray, width, beta, optimizer, lr, epochs, batch_size, weight_decay,
              loss, seed, bias, intercept, penalty, betas, eps, momentum, clip_norm, schedule,
              time_limit) -> _Settings:
    """Validate and complete the arguments of :func:`fit_nonconvex` (defaults as PyTorch's)."""
    lr = as_number(DEFAULT_LR.get(optimizer, 1e-3) if lr is None else lr, "the learning rate lr")
    if weight_decay is None:
        weight_decay = ADAMW_WEIGHT_DECAY if optimizer == "adamw" else 0.0
    weight_decay, beta = as_number(weight_decay, "weight_decay"), as_number(beta, "beta")
    epochs = as_count(epochs, "the number of epochs", 0, MAX_EPOCHS)
    width = as_count(width, "the width", 1, MAX_WIDTH)
    if n * width > MAX_ENTRIES:
        raise ValueError(f"{n:,} points times {width:,} neurons exceed the limit of {MAX_ENTRIES:,} "
                         "activations: use fewer neurons or points")
    if time_limit is not None:
        time_limit = as_number(time_limit, "time_limit", positive=True)
    check_settings(optimizer, loss, y, width, epochs, beta, lr, weight_decay, schedule, clip_norm,
                   momentum)
    if batch_size is None:
        batch_size = 1 if optimizer == "sgd" else n
    batch_size = int(batch_size)
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if optimizer == "gd" and batch_size < n:
        raise ValueError("'gd' is full-batch gradient descent; use 'sgd' for mini-batches")
    penalty = optimizer != "adamw" if penalty is None else penalty
    return _Settings(optimizer, loss, width, beta, lr, epochs, min(batch_size, n), weight_decay,
                     penalty, betas, eps, momentum, clip_norm, schedule, time_limit, seed, bias,
                     intercept)


# --------------------------------------------------------------------------------------------
# The parameters being trained and what is recorded about them
# --------------------------------------------------------------------------------------------


class _Parameters:
    """theta (the flat weights, changed only in place), its trainable and penalised masks."""

    def __init__(self, init: ReLUNetwork, bias: bool, intercept: bool):
        self.layout = _Layout(init.input_dim, init.width)
        self.theta = self.layout.pack(init).astype(float)
        self.trainable = np.ones(self.layout.size)
        _, b1_mask, _, c_mask = self.layout.views(self.trainable)
        if not bias:
            b1_mask[:] = 0.0
            self.layout.views(self.theta)[1][:] = 0.0
        if not intercept:
            c_mask[:] = 0.0
        self.penalized = self.layout.penalized() * self.trainable

    def network(self) -> ReLUNetwork:
        return self.layout.network(self.theta)


class _Recorder:
    """The trajectory's series and snapshots, recorded on all the data."""

    FIELDS = ("epochs", "steps", "objective", "loss", "accuracy", "grad_norm", "time", "lr")

    def __init__(self, X: np.ndarray, y: np.ndarray, settings: _Settings, params: _Parameters,
                 tol: float | None):
        self.X, self.y, self.loss, self.beta, self.tol = X, y, settings.loss, settings.beta, tol
        self.params = params
        self.work = _Workspace(params.layout, params.theta, params.trainable)
        self.classification = bool(np.all(np.isin(y, (-1.0, 1.0))))
        self.series: dict[str, list] = {k: [] for k in self.FIELDS}
        self.snapshot_epochs: list[int] = []
        self.snapshots: list[ReLUNetwork] = []

    def record(self, epoch: int, step: int, elapsed: float, lr: float) -> bool:
        """Record ``epoch``; True when ||grad L|| <= tol (L: the objective of docs/convex-program.md)."""
        X, y, theta, mask = self.X, self.y, self.params.theta, self.params.penalized
        obj_loss = _objective_loss(self.loss)
        value, f, g = _forward_backward(self.work, X, y, self.loss, len(y))
        if obj_loss != self.loss:
            g = _forward_backward(self.work, X, y, obj_loss, len(y), value=False)[2]
        grad_norm = float(np.linalg.norm(g + self.beta * mask * theta))
        penalty_value = 0.5 * self.beta * float(np.sum(mask * theta * theta))
        accuracy = losses.accuracy(f, y) if self.classification else np.nan
        for k, v in zip(self.FIELDS, (epoch, step, losses.value(obj_loss, f, y) + penalty_value, value,
                                      accuracy, grad_norm, elapsed, lr), strict=True):
            self.series[k].append(v)
        return self.tol is not None and grad_norm <= self.tol

    def drop_last(self) -> None:
        for values in self.series.values():
            values.pop()

    def snapshot(self, epoch: int) -> None:
        self.snapshot_epochs.append(epoch)
        self.snapshots.append(self.params.network())

    def trajectory(self, diverged: bool, converged: bool, settings: dict) -> Trajectory:
        arrays = {k: np.asarray(v, dtype=int if k in ("epochs", "steps") else float)
                  for k, v in self.series.items()}
        return Trajectory(**arrays, snapshot_epochs=self.snapshot_epochs, snapshots=self.snapshots,
                          diverged=diverged, converged=converged, settings=settings)


# --------------------------------------------------------------------------------------------
# The training loop
# --------------------------------------------------------------------------------------------


class _Loop:
    """One training run: epochs of (mini-)batch steps, recording, divergence and time limit."""

    def __init__(self, X, y, settings: _Settings, params: _Parameters, optimizer, recorder: _Recorder,
                 rng: np.random.Generator):
        self.X, self.y, self.s, self.params = X, y, settings, params
        self.optimizer, self.recorder, self.rng = optimizer, recorder, rng
        self.work = _Workspace(params.layout, params.theta, params.trainable)
        self.steps_per_epoch = int(np.ceil(len(y) / settings.batch_size))
        self.total_steps = max(settings.epochs * self.steps_per_epoch, 1)
        self.penalty_step = (settings.beta * params.penalized
                             if settings.penalty and settings.beta > 0 else None)
        self.step, self.elapsed, self.lr = 0, 0.0, settings.lr
        self.diverged = self.converged = self.timed_out = False

    def batch_step(self, Xb: np.ndarray, yb: np.ndarray) -> None:
        """One step: the batch gradient (+ beta theta), clipping, the schedule, the optimizer."""
        theta = self.params.theta
        g = _forward_backward(self.work, Xb, yb, self.s.loss, len(self.y), value=False)[2]
        if self.penalty_step is not None:
            g += self.penalty_step * theta
        if self.s.clip_norm is not None:  # torch.nn.utils.clip_grad_norm_
            coef = self.s.clip_norm / (float(np.sqrt(g @ g)) + 1e-6)
            if coef < 1.0:
                g *= coef
        self.lr = self.s.lr_at(self.step, self.total_steps)
        self.step += 1
        self.optimizer.step(theta, g, self.lr)

    def epoch(self) -> None:
        """One pass over the data, reshuffled with the run's generator for mini-batches."""
        n, batch = len(self.y), self.s.batch_size
        t0 = time.perf_counter()
        if batch >= n:
            self.batch_step(self.X, self.y)
        else:
            order = self.rng.permutation(n)
            for start in range(0, n, batch):
                idx = order[start: start + batch]
                self.batch_step(self.X[idx], self.y[idx])
        self.elapsed += time.perf_counter() - t0

    def record(self, epoch: int) -> bool:
        return self.recorder.record(epoch, self.step, self.elapsed, self.lr)

    def run(self, record_at: set[int], snapshot_at: set[int], progress) -> None:
        """Train for the set number of epochs; stop early at tol, the time limit or divergence."""
        theta, recorder, epochs = self.params.theta, self.recorder, self.s.epochs
        last_good = theta.copy()
        if 0 in snapshot_at:
            recorder.snapshot(0)
        self.converged = stop = self.record(0)
        report_every, last_epoch, started = max(epochs // 50, 1), 0, time.perf_counter()
        for epoch in range(1, epochs + 1):
            if stop:
                break
            if self.s.time_limit is not None and time.perf_counter() - started > self.s.time_limit:
                self.timed_out = True
                break
            self.epoch()
            if not np.isfinite(theta.sum()):
                self.diverged = True
                theta[:] = last_good
                break
            last_epoch = epoch
            if epoch in snapshot_at:
                recorder.snapshot(epoch)
            if epoch in record_at:
                stop = self.record(epoch)
                if not np.isfinite(recorder.series["objective"][-1]):
                    self.diverged = True
                    recorder.drop_last()
                    theta[:] = last_good
                    break
                last_good[:] = theta
                self.converged = stop
            if progress is not None and epoch % report_every == 0:
                progress(epoch / max(epochs, 1))
        if not self.diverged and recorder.series["epochs"][-1] != last_epoch:
            self.record(last_epoch)
        if not recorder.snapshot_epochs or recorder.snapshot_epochs[-1] != recorder.series["epochs"][-1]:
            recorder.snapshot(recorder.series["epochs"][-1])
        if progress is not None:
            progress(1.0)


def fit_nonconvex(
    X: np.ndarray,
    y: np.ndarray,
    width: int,
    beta: float,
    optimizer: str = "gd",
    lr: float | None = None,
    epochs: int = 1000,
    batch_size: int | None = None,
    weight_decay: float | None = None,
    loss: str = "squared",
    seed: int = 0,
    bias: bool = True,
    intercept: bool = False,
    init: ReLUNetwork | None = None,
    penalty: bool | None = None,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    momentum: float = 0.0,
    clip_norm: float | None = None,
    schedule: str = "constant",
    record_every: int | Sequence[int] | None = None,
    snapshots: int | Sequence[int] | None = 21,
    tol: float | None = None,
    progress: Callable[[float], None] | None = None,
    time_limit: float | None = None,
) -> TrainResult:
    """Train a two-layer ReLU network of ``width`` neurons; return ``(network, trajectory)``.

    Args:
        X, y: data (n, d) and targets (+-1 labels for logistic and hinge).
        width: number of hidden neurons m.
        beta: weight decay of the objective (beta/2)||Theta||^2 (docs/convex-program.md).
            Minimised explicitly by "gd", "sgd" and "adam"; for "adamw" only reported (see
            ``penalty``).
        optimizer: "gd" (full batch), "sgd" (mini-batches of ``batch_size``, default 1, reshuffled
            every epoch with ``seed``), "adam" or "adamw" (full batch unless ``batch_size``); the
            updates are the objects of :mod:`convexnn.training.optimizers`.
        lr: learning rate (defaults: 1e-2 for gd/sgd, 1e-3 for adam/adamw, as PyTorch).
        epochs: passes over the data (one step per epoch for full batch).
        batch_size: mini-batch size; None = full batch (1 for "sgd").
        weight_decay: AdamW's decoupled decay (default 1e-2, PyTorch's); only for "adamw".
        loss: "squared" (1/2 sum), "mse" (mean, no 1/2), "logistic", "hinge".
        seed: seeds the initialisation and the batch order.
        bias: train hidden biases b1 (otherwise they stay 0).
        intercept: train a free output bias c (PyTorch's output ``nn.Linear`` has one; not
            penalised by beta, decayed by AdamW like every parameter).
        init: starting network (copied; its intercept is kept); default :func:`torch_init`.
        penalty: add the gradient of (beta/2)||Theta||^2; default True except for "adamw".
        betas, eps: Adam's moment coefficients and denominator constant.
        momentum: heavy-ball momentum of "gd"/"sgd" (PyTorch's SGD convention).
        clip_norm: clip the gradient to this global norm (``clip_grad_norm_``); None = off.
        schedule: "constant" or "linear" (decay to 0 over all steps, no warm-up).
        record_every: record the trajectory every k epochs (int) or at the listed epochs;
            default about 200 records (every epoch up to 200 epochs). The first and last epochs
            are always recorded.
        snapshots: keep about this many networks evenly spaced in epochs (int), or at the listed
            epochs; 0/None = none.
        tol: stop early once ||grad L|| <= tol at a recorded epoch (L = the explicit objective).
        progress: called with the fraction done (0..1) about 50 times during training.
        time_limit: stop after about this many seconds (None = no limit); the trajectory then
            ends at the last epoch done and ``trajectory.settings["timed_out"]`` is True.

    Returns:
        ``TrainResult(network, trajectory)``. If the weights become non-finite (the learning rate
        is too large), training stops, ``trajectory.diverged`` is True and the network is the
        last finite recorded one.
    """
    X = as_matrix(X, "X")
    y = as_vector(y, X.shape[0], "y")
    s = _settings(X.shape[0], y, width, beta, optimizer, lr, epochs, batch_size, weight_decay, loss,
                  seed, bias, intercept, penalty, betas, eps, momentum, clip_norm, schedule, time_limit)
    rng = np.random.default_rng(seed)
    if init is None:
        init = torch_init(X.shape[1], s.width, rng, bias, intercept)
    elif init.input_dim != X.shape[1]:
        raise ValueError(f"the initial network takes {init.input_dim} inputs, the data have {X.shape[1]}")
    params = _Parameters(init, bias, intercept)
    update = make_optimizer(optimizer, betas, eps, momentum, s.weight_decay, decay_mask=params.trainable)
    recorder = _Recorder(X, y, s, params, tol)
    loop = _Loop(X, y, s, params, update, recorder, rng)
    record_at = set(_record_epochs(s.epochs, record_every).tolist())
    # a diverging run overflows on its way to inf: it is detected and reported, not warned about
    with np.errstate(over="ignore", invalid="ignore"):
        loop.run(record_at, _snapshot_epochs(s.epochs, snapshots), progress)
    trajectory = recorder.trajectory(loop.diverged, loop.converged,
                                     s.as_dict(params.layout.m, loop.timed_out))
    return TrainResult(params.network(), trajectory)


def adamw_step(theta: np.ndarray, grad: np.ndarray, state: dict, lr: float = 1e-3,
               betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
               weight_decay: float = ADAMW_WEIGHT_DECAY) -> np.ndarray:
    """One PyTorch AdamW step on a copy of ``theta`` (for tests and teaching).

    ``state`` carries the :class:`convexnn.training.optimizers.AdamW` between calls (created on the first
    call, with these betas, eps and weight_decay) and its step count ``state["step"]``. Returns
    theta (1 - lr wd), then minus lr/(1 - b1^t) m / (sqrt(v)/sqrt(1 - b2^t) + eps).
    """
    update = state.setdefault("optimizer", AdamW(betas, eps, weight_decay))
    theta = np.array(theta, dtype=float)
    update.step(theta, np.asarray(grad, dtype=float), lr)
    state["step"] = update.t
    return theta


def gradient(network: ReLUNetwork, X: np.ndarray, y: np.ndarray, beta: float,
             loss: str = "squared", bias: bool = True) -> ReLUNetwork:
    """The gradient of the explicit objective L (docs/convex-program.md) at ``network``.

    Returned as a network-shaped object.

    At a kink (x^T w1 + b1 = 0) the ReLU's derivative is taken as 0. ``bias=False`` zeroes the
    b1 part (networks without hidden biases).
    """
    X = np.asarray(X, dtype=float)
    X = X[:, None] if X.ndim == 1 else X
    y = np.asarray(y, dtype=float).reshape(-1)
    layout = _Layout(network.input_dim, network.width)
    theta = layout.pack(network)
    trainable = np.ones(layout.size)
    trainable[-1] = 0.0
    if not bias:
        layout.views(trainable)[1][:] = 0.0
    g = _forward_backward(_Workspace(layout, theta, trainable), X, y, _objective_loss(loss), len(y))[2]
    g += beta * layout.penalized() * trainable * theta
    W1, b1, w2, _ = layout.views(g)
    return ReLUNetwork(W1.copy(), b1.copy(), w2.copy(), 0.0)


def gradient_norm(network: ReLUNetwork, X, y, beta: float, loss: str = "squared",
                  bias: bool = True) -> float:
    """||grad L|| at ``network`` (see :func:`gradient`)."""
    g = gradient(network, X, y, beta, loss, bias)
    return float(np.sqrt(np.sum(g.W1**2) + np.sum(g.b1**2) + np.sum(g.w2**2)))


__all__ = [
    "ADAMW_WEIGHT_DECAY",
    "OPTIMIZERS",
    "SCHEDULES",
    "TRAIN_LOSSES",
    "TrainResult",
    "Trajectory",
    "adamw_step",
    "fit_nonconvex",
    "gradient",
    "gradient_norm",
    "torch_init",
]
