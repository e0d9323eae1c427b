"""Nonconvex training of the two-layer ReLU network, in numpy (no torch).

The network is f(x) = sum_j (x^T w1_j + b1_j)_+ w2_j (+ c, an optional free output intercept),
the weights are packed in one flat vector, and the gradient is written out by hand. What can be
trained:

- the **explicit objective** of math.md section 1, l(f(X), y) + (beta/2)(||W1||^2 + ||b1||^2 +
  ||w2||^2), with full-batch gradient descent ("gd"), SGD or mini-batch SGD ("sgd", optional
  momentum) or Adam ("adam"). Its limit points are Clarke stationary points of L, the object of
  math.md section 4 (:mod:`convexnn.stationary`);
- the **data loss with decoupled weight decay** ("adamw"): PyTorch's ``torch.optim.AdamW`` update
  with its defaults (betas (0.9, 0.999), eps 1e-8, weight_decay 1e-2), the decay applied as
  p <- p - lr*wd*p before the Adam step. Its fixed points solve a coordinate-scaled problem, not L
  (math.md section 4, step 1), so polish with "gd" before using it as a stationary point.

Losses (``loss``): "squared" 1/2||f - y||^2 (math.md), "mse" mean((f - y)^2) (PyTorch's
``MSELoss``, the loss of math.md section 9's AdamW demo), "logistic" and "hinge" (sums, labels
+-1). A mini-batch B uses the unbiased estimate of the full loss: (n/|B|) sum_B for the summed
losses, the batch mean for "mse". Gradient clipping by the global norm is ``torch.nn.utils.
clip_grad_norm_`` (scale max_norm / (norm + 1e-6) when below 1) and the linear schedule is
``get_linear_schedule_with_warmup`` without warm-up: lr_t = lr (T - t)/T at step t of T.

The trajectory always reports the math.md objective l(f(X), y) + (beta/2)||Theta||^2 with the
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

from . import losses
from .network import ReLUNetwork
from .validate import MAX_ENTRIES, as_count, as_matrix, as_number, as_vector

OPTIMIZERS = ("gd", "sgd", "adam", "adamw")
TRAIN_LOSSES = ("squared", "mse", "logistic", "hinge")
SCHEDULES = ("constant", "linear")
DEFAULT_LR = {"gd": 1e-2, "sgd": 1e-2, "adam": 1e-3, "adamw": 1e-3}
ADAMW_WEIGHT_DECAY = 1e-2
MAX_WIDTH = 100_000
"""Most hidden neurons :func:`fit_nonconvex` trains (and n * width is at most MAX_ENTRIES)."""
MAX_EPOCHS = 10_000_000
"""PyTorch's AdamW default."""


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass
class Trajectory:
    """What happened during training, one entry per recorded epoch (epoch 0 = the start).

    ``objective``: the math.md objective l(f(X), y) + (beta/2)||Theta||^2 (summed loss, see the
    module doc); ``loss``: the data loss as the optimizer saw it (e.g. the mean squared error for
    "mse"), on all the data; ``accuracy``: training accuracy of sign(f) (NaN unless y is +-1);
    ``grad_norm``: ||grad L|| of the math.md objective at beta (a subgradient at kinks);
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
# Training
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
        beta: weight decay of the math.md objective (beta/2)||Theta||^2. Minimised explicitly by
            "gd", "sgd" and "adam"; for "adamw" only reported (see ``penalty``).
        optimizer: "gd" (full batch), "sgd" (mini-batches of ``batch_size``, default 1, reshuffled
            every epoch with ``seed``), "adam" or "adamw" (full batch unless ``batch_size``).
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
        tol: stop early once ||grad L|| <= tol at a recorded epoch (L = math.md objective).
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
    n, d = X.shape
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
    batch_size = min(batch_size, n)
    if penalty is None:
        penalty = optimizer != "adamw"

    rng = np.random.default_rng(seed)
    if init is None:
        init = torch_init(d, int(width), rng, bias, intercept)
    elif init.input_dim != d:
        raise ValueError(f"the initial network takes {init.input_dim} inputs, the data have {d}")
    layout = _Layout(d, init.width)
    theta = layout.pack(init).astype(float)
    trainable = np.ones(layout.size)
    _, b1v, _, cv = layout.views(trainable)
    if not bias:
        b1v[:] = 0.0
        layout.views(theta)[1][:] = 0.0
    if not intercept:
        cv[:] = 0.0
    pen_mask = layout.penalized() * trainable
    pen_step = beta * pen_mask if penalty and beta > 0 else None
    obj_loss = _objective_loss(loss)

    record_at = _record_epochs(epochs, record_every)
    record_set = set(record_at.tolist())
    snap_at = _snapshot_epochs(epochs, snapshots)
    rec: dict[str, list] = {k: [] for k in
                            ("epochs", "steps", "objective", "loss", "accuracy", "grad_norm", "time", "lr")}
    snap_epochs: list[int] = []
    snap_nets: list[ReLUNetwork] = []
    classification = bool(np.all(np.isin(y, (-1.0, 1.0))))

    steps_per_epoch = int(np.ceil(n / batch_size))
    total_steps = max(epochs * steps_per_epoch, 1)
    b1_, b2_ = betas
    m1 = np.zeros(layout.size)
    m2 = np.zeros(layout.size)
    buf: np.ndarray | None = None
    step = 0
    elapsed = 0.0
    lr_t = lr
    last_good = theta.copy()
    work, rwork = _Workspace(layout, theta, trainable), _Workspace(layout, theta, trainable)
    diverged = converged = False

    def record(epoch: int) -> bool:
        """Record epoch ``epoch``; return True when the stopping tolerance is met."""
        value, f, g = _forward_backward(rwork, X, y, loss, n)
        if obj_loss != loss:
            g = _forward_backward(rwork, X, y, obj_loss, n, value=False)[2]
        g_obj = g + beta * pen_mask * theta
        penalty_value = 0.5 * beta * float(np.sum(pen_mask * theta * theta))
        rec["epochs"].append(epoch)
        rec["steps"].append(step)
        rec["objective"].append(losses.value(obj_loss, f, y) + penalty_value)
        rec["loss"].append(value)
        acc = float(np.mean(np.where(f >= 0, 1.0, -1.0) == y)) if classification else np.nan
        rec["accuracy"].append(acc)
        gn = float(np.linalg.norm(g_obj))
        rec["grad_norm"].append(gn)
        rec["time"].append(elapsed)
        rec["lr"].append(lr_t)
        return tol is not None and gn <= tol

    def snapshot(epoch: int) -> None:
        snap_epochs.append(epoch)
        snap_nets.append(layout.network(theta))

    # a diverging run overflows on its way to inf: it is detected and reported, not warned about
    with np.errstate(over="ignore", invalid="ignore"):
        if 0 in snap_at:
            snapshot(0)
        stop = record(0)
        report_every = max(epochs // 50, 1)
        last_epoch = 0
        started = time.perf_counter()
        timed_out = False
        for epoch in range(1, epochs + 1):
            if stop:
                break
            if time_limit is not None and time.perf_counter() - started > time_limit:
                timed_out = True
                break
            t0 = time.perf_counter()
            order = rng.permutation(n) if batch_size < n else None
            for start in range(0, n, batch_size):
                if order is None:
                    Xb, yb = X, y
                else:
                    idx = order[start: start + batch_size]
                    Xb, yb = X[idx], y[idx]
                g = _forward_backward(work, Xb, yb, loss, n, value=False)[2]
                if pen_step is not None:
                    g += pen_step * theta
                if clip_norm is not None:
                    norm = float(np.sqrt(g @ g))
                    coef = clip_norm / (norm + 1e-6)
                    if coef < 1.0:
                        g *= coef
                lr_t = lr * (total_steps - step) / total_steps if schedule == "linear" else lr
                step += 1
                if optimizer in ("gd", "sgd"):
                    if momentum > 0:
                        buf = g.copy() if buf is None else momentum * buf + g
                        theta -= lr_t * buf
                    else:
                        theta -= lr_t * g
                else:
                    if optimizer == "adamw" and weight_decay > 0:
                        theta *= 1.0 - lr_t * weight_decay * trainable
                    m1 *= b1_
                    m1 += (1.0 - b1_) * g
                    m2 *= b2_
                    m2 += (1.0 - b2_) * g * g
                    bc1 = 1.0 - b1_**step
                    bc2 = 1.0 - b2_**step
                    theta -= (lr_t / bc1) * m1 / (np.sqrt(m2) / np.sqrt(bc2) + eps)
            elapsed += time.perf_counter() - t0
            if not np.isfinite(theta.sum()):
                diverged = True
                theta[:] = last_good
                break
            last_epoch = epoch
            if epoch in snap_at:
                snapshot(epoch)
            if epoch in record_set:
                stop = record(epoch)
                if not np.isfinite(rec["objective"][-1]):
                    diverged = True
                    for k in rec:
                        rec[k].pop()
                    theta[:] = last_good
                    break
                last_good[:] = theta
                converged = stop
            if progress is not None and epoch % report_every == 0:
                progress(epoch / max(epochs, 1))
        if not diverged and rec["epochs"][-1] != last_epoch:
            record(last_epoch)
        if not snap_epochs or snap_epochs[-1] != rec["epochs"][-1]:
            snapshot(rec["epochs"][-1])
        if progress is not None:
            progress(1.0)

    trajectory = Trajectory(
        **{k: np.asarray(v, dtype=int if k in ("epochs", "steps") else float) for k, v in rec.items()},
        snapshot_epochs=snap_epochs,
        snapshots=snap_nets,
        diverged=diverged,
        converged=converged,
        settings=dict(width=int(layout.m), beta=beta, optimizer=optimizer, lr=lr, epochs=epochs,
                      batch_size=batch_size, weight_decay=weight_decay, loss=loss, seed=seed,
                      bias=bias, intercept=intercept, penalty=bool(penalty), betas=tuple(betas),
                      eps=eps, momentum=momentum, clip_norm=clip_norm, schedule=schedule,
                      time_limit=time_limit, timed_out=timed_out),
    )
    return TrainResult(layout.network(theta), trajectory)


def adamw_step(theta: np.ndarray, grad: np.ndarray, state: dict, lr: float = 1e-3,
               betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
               weight_decay: float = ADAMW_WEIGHT_DECAY) -> np.ndarray:
    """One PyTorch AdamW step on a flat parameter vector (for tests and teaching).

    ``state`` holds "step", "m" and "v" (created on the first call). Returns the new parameters:
    theta (1 - lr wd), then theta - lr/(1 - b1^t) m / (sqrt(v)/sqrt(1 - b2^t) + eps).
    """
    theta = np.array(theta, dtype=float)
    grad = np.asarray(grad, dtype=float)
    b1, b2 = betas
    state.setdefault("m", np.zeros_like(theta))
    state.setdefault("v", np.zeros_like(theta))
    state["step"] = state.get("step", 0) + 1
    t = state["step"]
    theta *= 1.0 - lr * weight_decay
    state["m"] = b1 * state["m"] + (1 - b1) * grad
    state["v"] = b2 * state["v"] + (1 - b2) * grad * grad
    denom = np.sqrt(state["v"]) / np.sqrt(1 - b2**t) + eps
    return theta - (lr / (1 - b1**t)) * state["m"] / denom


def gradient(network: ReLUNetwork, X: np.ndarray, y: np.ndarray, beta: float,
             loss: str = "squared", bias: bool = True) -> ReLUNetwork:
    """The gradient of the math.md objective L at ``network``, as a network-shaped object.

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
